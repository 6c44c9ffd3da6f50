package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/store"
)

// lateness is how late the steps due while a daemon ran reached the
// notifier: the ledger's sent time (the notifier confirmed the send) less
// the step's send time.
type lateness struct {
	samples []time.Duration
	unsent  int // due in the window, still queued (or failed) at the stop
	pulses  int // pulse steps (eligible-to-close) sent
}

// measureLateness reads the ledger of every room of the store for steps
// due in [from, to]: those the load moved and those that fell due of
// themselves, whenever in the run. Steps whose deadline became known only
// after their time (a buyer's message making a cancel-risk deadline already
// past) cannot be on time and are left out, as are steps that came due
// before the start (catch-up).
func measureLateness(path string, from, to time.Time) (lateness, error) {
	var l lateness
	st, err := store.Open(path, store.Options{ReadOnly: true})
	if err != nil {
		return l, err
	}
	defer st.Close()
	// The IDs first: each room's ledger is its own read.
	var rooms []string
	if err := st.ForEachKnownRoom(func(r rules.Room) error {
		rooms = append(rooms, r.ID)
		return nil
	}); err != nil {
		return l, err
	}
	for _, room := range rooms {
		entries, err := st.Ledger(room)
		if err != nil {
			return l, err
		}
		for _, e := range entries {
			s := e.Step
			if s.SendAt.Before(from) || s.SendAt.After(to) || s.Known.After(s.SendAt) || e.State == store.StateSkipped {
				continue
			}
			if e.State != store.StateSent {
				l.unsent++
				continue
			}
			l.samples = append(l.samples, e.SentAt.Sub(s.SendAt))
			if s.Kind == rules.EligibleToClose {
				l.pulses++
			}
		}
	}
	slices.Sort(l.samples)
	return l, nil
}

// over counts the steps sent more than d late.
func (l lateness) over(d time.Duration) int {
	n := 0
	for _, s := range l.samples {
		if s > d {
			n++
		}
	}
	return n
}

// percentile of sorted samples; zero for none.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// run holds one daemon's figures.
type run struct {
	ready        time.Duration
	afterStart   memory
	jobs         int
	goroutines   int
	heap         uint64
	afterLoad    memory
	jobsLoaded   int
	load         loadResult
	late         lateness
	idleCPU      time.Duration
	idleWindow   time.Duration
	idlePosts    int64
	firstReady   time.Duration // roomwatch only: the start that evaluates every room
	firstMemory  memory
	firstJobs    int
	measuredFrom time.Time
	samples      []memSample // RSS from READY to the stop
	storeBefore  storeSize   // the store this run started on
	storeAfter   storeSize   // and left
}

// peak is the highest RSS sampled.
func (r run) peak() memory { return peakSample(r.samples).mem }

// sizeResult is everything measured for one number of rooms.
type sizeResult struct {
	rooms     int
	gen       generated
	roomwatch run
	baseline  *run // nil when the baseline was skipped
}

func ms(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d < time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	case d < 10*time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

func mb(b uint64) string { return fmt.Sprintf("%.0f MB", float64(b)/(1<<20)) }

func count(n int) string {
	s := fmt.Sprint(n)
	var out []string
	for len(s) > 3 {
		out = append([]string{s[len(s)-3:]}, out...)
		s = s[:len(s)-3]
	}
	return strings.Join(append([]string{s}, out...), ",")
}

// ratio is baseline over roomwatch: how many times more the baseline costs.
func ratio(base, rw float64) string {
	if rw <= 0 || base <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f×", base/rw)
}

func cpuShare(cpu, window time.Duration) string {
	if window <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f s (%.2f%% of one core)", cpu.Seconds(), 100*cpu.Seconds()/window.Seconds())
}

// table writes one size's figures as a Markdown table.
func (r sizeResult) table(w io.Writer) {
	fmt.Fprintf(w, "\n### %s rooms\n\n", count(r.rooms))
	fmt.Fprintf(w, "Store generated in %s: %s on disk (%s bytes per room), %s past steps in the ledger, %s pulse rooms.\n\n",
		ms(r.gen.took), mb(uint64(r.gen.bytes)), count(int(perRoom(r.gen.bytes, r.rooms))), count(r.gen.marked), count(len(r.gen.pulses)))
	rw, b := r.roomwatch, r.baseline
	if b == nil {
		b = &run{}
	}
	fmt.Fprintln(w, "| figure | roomwatch | baseline | ratio (baseline ÷ roomwatch) |")
	fmt.Fprintln(w, "|---|---|---|---|")
	row := func(name, a, bb, ratio string) {
		if r.baseline == nil {
			bb, ratio = "–", "–"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", name, a, bb, ratio)
	}
	row("first start to READY (evaluates every room)", ms(rw.firstReady), "–", "–")
	row("RSS at READY after the first start (anon + store file pages)", memString(rw.firstMemory), "–", "–")
	row("start to READY (restart)", ms(rw.ready), ms(b.ready), ratio(b.ready.Seconds(), rw.ready.Seconds()))
	row("RSS after start", memString(rw.afterStart), memString(b.afterStart), ratio(float64(b.afterStart.rss), float64(rw.afterStart.rss)))
	row(fmt.Sprintf("RSS peak of the samples (every %s, READY to stop), when", sampleEvery(rw.samples)), peakString(rw.samples), peakString(b.samples),
		ratio(float64(b.peak().rss), float64(rw.peak().rss)))
	row("RSS after the load; peak between samples (VmHWM)", fmt.Sprintf("%s; VmHWM %s", memString(rw.afterLoad), mb(rw.afterLoad.hwm)),
		fmt.Sprintf("%s; VmHWM %s", memString(b.afterLoad), mb(b.afterLoad.hwm)), ratio(float64(b.afterLoad.hwm), float64(rw.afterLoad.hwm)))
	row("Go heap after start", mb(rw.heap), mb(b.heap), ratio(float64(b.heap), float64(rw.heap)))
	row("gocron jobs held after start / after the load", fmt.Sprintf("%s / %s", count(rw.jobs), count(rw.jobsLoaded)),
		fmt.Sprintf("%s / %s", count(b.jobs), count(b.jobsLoaded)), ratio(float64(b.jobs), float64(rw.jobs)))
	row("goroutines", count(rw.goroutines), count(b.goroutines), "–")
	row("steps due while running (every room), sent (pulses)", fmt.Sprintf("%s (%s), unsent %d", count(len(rw.late.samples)), count(rw.late.pulses), rw.late.unsent),
		fmt.Sprintf("%s (%s), unsent %d", count(len(b.late.samples)), count(b.late.pulses), b.late.unsent), "–")
	for _, p := range []struct {
		name string
		q    float64
	}{{"p50", 0.5}, {"p99", 0.99}, {"max", 1}} {
		x, y := percentile(rw.late.samples, p.q), percentile(b.late.samples, p.q)
		row("lateness "+p.name, ms(x), ms(y), ratio(y.Seconds(), x.Seconds()))
	}
	row("steps more than 1 s late", count(rw.late.over(time.Second)), count(b.late.over(time.Second)), "–")
	row("events recorded (errors), rate", eventsString(rw.load), eventsString(b.load), "–")
	for _, p := range []struct {
		name string
		q    float64
	}{{"median", 0.5}, {"p99", 0.99}} {
		x, y := percentile(sortedRTT(rw.load), p.q), percentile(sortedRTT(b.load), p.q)
		row("event round trip "+p.name, ms(x), ms(y), ratio(y.Seconds(), x.Seconds()))
	}
	row("store before → after the run: file (pages in use)", storeString(rw.storeBefore, rw.storeAfter), storeString(b.storeBefore, b.storeAfter), "–")
	row("store bytes per room after the run (file)", count(int(perRoom(rw.storeAfter.file, r.rooms))), count(int(perRoom(b.storeAfter.file, r.rooms))), "–")
	row("pages in use grown per event recorded", perEventString(rw), perEventString(*b), "–")
	row(fmt.Sprintf("CPU over %s idle (webhook posts meanwhile)", rw.idleWindow.Round(time.Second)),
		fmt.Sprintf("%s (%d)", cpuShare(rw.idleCPU, rw.idleWindow), rw.idlePosts),
		fmt.Sprintf("%s (%d)", cpuShare(b.idleCPU, b.idleWindow), b.idlePosts), ratio(b.idleCPU.Seconds(), rw.idleCPU.Seconds()))
	fmt.Fprintf(w, "\nRSS samples, MB (anon + file), roomwatch: %s\n", samplesString(rw.samples))
	if r.baseline != nil {
		fmt.Fprintf(w, "\nRSS samples, MB (anon + file), baseline: %s\n", samplesString(b.samples))
	}
}

func memString(m memory) string {
	if m.rss == 0 {
		return "–"
	}
	return fmt.Sprintf("%s (%s + %s)", mb(m.rss), mb(m.anon), mb(m.file))
}

func eventsString(l loadResult) string {
	if l.elapsed == 0 {
		return "–"
	}
	return fmt.Sprintf("%s (%d), %.0f/s", count(len(l.rtt)), l.errors, float64(len(l.rtt)+l.errors)/l.elapsed.Seconds())
}

func sortedRTT(l loadResult) []time.Duration {
	s := slices.Clone(l.rtt)
	slices.Sort(s)
	return s
}

func perRoom(bytes int64, rooms int) float64 {
	if rooms <= 0 {
		return 0
	}
	return float64(bytes) / float64(rooms)
}

// perEvent is how much the store's pages in use grew per event recorded,
// the ledger entries of the steps the events caused included.
func (r run) perEvent() (float64, bool) {
	if len(r.load.rtt) == 0 || r.storeAfter.file == 0 {
		return 0, false
	}
	return float64(r.storeAfter.used-r.storeBefore.used) / float64(len(r.load.rtt)), true
}

func perEventString(r run) string {
	b, ok := r.perEvent()
	if !ok {
		return "–"
	}
	return fmt.Sprintf("%.0f bytes", b)
}

func storeString(before, after storeSize) string {
	if after.file == 0 {
		return "–"
	}
	return fmt.Sprintf("%s (%s) → %s (%s)", mb(uint64(before.file)), mb(uint64(before.used)), mb(uint64(after.file)), mb(uint64(after.used)))
}

func peakString(samples []memSample) string {
	if len(samples) == 0 {
		return "–"
	}
	p := peakSample(samples)
	return fmt.Sprintf("%s at %s (%d samples)", memString(p.mem), p.after.Round(time.Second), len(samples))
}

// sampleEvery is the period the samples were taken at.
func sampleEvery(samples []memSample) time.Duration {
	if len(samples) < 2 {
		return 0
	}
	return (samples[1].after - samples[0].after).Round(time.Second)
}

// samplesString lists every sample, so the trend shows and not only the peak.
func samplesString(samples []memSample) string {
	if len(samples) == 0 {
		return "–"
	}
	parts := make([]string, len(samples))
	for i, s := range samples {
		parts[i] = fmt.Sprintf("%.0f (%.0f+%.0f)", float64(s.mem.rss)/(1<<20), float64(s.mem.anon)/(1<<20), float64(s.mem.file)/(1<<20))
	}
	return strings.Join(parts, ", ")
}

// targets checks DESIGN §6's targets (issue 17's list) at the largest size
// measured. They are about 1,000,000 rooms and a 10-minute load of 100
// events/s; a run that differs says so beside each figure it bears on.
func (r sizeResult) targets(w io.Writer, opt options) {
	rw := r.roomwatch
	check := func(ok bool) string {
		if ok {
			return "met"
		}
		return "**missed**"
	}
	fmt.Fprintf(w, "\n### DESIGN §6 targets at %s rooms\n\n", count(r.rooms))
	if r.rooms != 1_000_000 || opt.duration < 10*time.Minute || opt.rate < 100 {
		fmt.Fprintf(w, "The targets are set for 1,000,000 rooms under 100 events/s for 10 minutes; this run had %s rooms under %d events/s for %s.\n\n",
			count(r.rooms), opt.rate, opt.duration)
	}
	fmt.Fprintln(w, "| target | measured | |")
	fmt.Fprintln(w, "|---|---|---|")
	line := func(target, measured, verdict string) {
		fmt.Fprintf(w, "| %s | %s | %s |\n", target, measured, verdict)
	}

	imported := perRoom(r.gen.bytes, r.rooms)
	line("store ≤ 300 bytes per room after import", fmt.Sprintf("%s bytes", count(int(imported))), check(imported <= 300))
	if b, ok := rw.perEvent(); ok {
		line("≤ 60 bytes of disk per recorded event (growth of the pages in use over the run ÷ events)", fmt.Sprintf("%.0f bytes", b), check(b <= 60))
	} else {
		line("≤ 60 bytes of disk per recorded event", "no event recorded", check(false))
	}
	line("a year of a 50-room seller's history ≤ 5 MB", "not measured by this benchmark", "–")
	peak := rw.peak()
	line(fmt.Sprintf("RSS ≤ 200 MB at every sample of the load (%d samples, READY to stop)", len(rw.samples)),
		fmt.Sprintf("peak %s; VmHWM %s", memString(peak), mb(rw.afterLoad.hwm)), check(len(rw.samples) > 0 && peak.rss <= 200<<20))
	line("RSS ≤ 200 MB after a first start (at READY)", memString(rw.firstMemory), check(rw.firstMemory.rss > 0 && rw.firstMemory.rss <= 200<<20))
	line("(for reference, not a target: the daemon's own memory, RssAnon, at the peak)", mb(peak.anon), "")
	p99 := percentile(rw.late.samples, 0.99)
	line(fmt.Sprintf("p99 lateness ≤ 300 ms over the whole run (%s steps of every room)", count(len(rw.late.samples))), ms(p99),
		check(p99 <= 300*time.Millisecond && len(rw.late.samples) > 0))
	late := rw.late.over(time.Second)
	line("0 steps more than 1 s late", fmt.Sprintf("%s (max %s)", count(late), ms(percentile(rw.late.samples, 1))), check(late == 0 && len(rw.late.samples) > 0))
	rtt := sortedRTT(rw.load)
	med, rttP99 := percentile(rtt, 0.5), percentile(rtt, 0.99)
	rate := float64(len(rw.load.rtt)+rw.load.errors) / max(rw.load.elapsed.Seconds(), 1e-9)
	line(fmt.Sprintf("event round trip median ≤ 5 ms (%.0f events/s)", rate), ms(med), check(med <= 5*time.Millisecond && len(rtt) > 0))
	line("event round trip p99 ≤ 25 ms", ms(rttP99), check(rttP99 <= 25*time.Millisecond && len(rtt) > 0))
	line("first start ≤ 8 s", ms(rw.firstReady), check(rw.firstReady <= 8*time.Second))
	line("restart to READY ≤ 1 s", ms(rw.ready), check(rw.ready <= time.Second))
	if b := r.baseline; b != nil {
		atPeak := float64(b.peak().rss) / float64(max(peak.rss, 1))
		line("memory ≥ 5× lower than the baseline at the peak (peak RSS samples)", fmt.Sprintf("%.1f× (%s against %s)", atPeak, mb(b.peak().rss), mb(peak.rss)), check(atPeak >= 5))
		atStart := float64(b.afterStart.rss) / float64(max(rw.afterStart.rss, 1))
		line("memory ≥ 5× lower than the baseline after start", fmt.Sprintf("%.1f× (%s against %s)", atStart, mb(b.afterStart.rss), mb(rw.afterStart.rss)), check(atStart >= 5))
	} else {
		line("memory ≥ 5× lower than the baseline", "baseline not measured (-baseline=false)", "–")
	}
}

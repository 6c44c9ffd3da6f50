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

// measureLateness reads the ledger of rooms for steps due in [from, to].
// Steps whose deadline became known only after their time (a buyer's
// message making a cancel-risk deadline already past) cannot be on time and
// are left out, as are steps that came due before the start (catch-up).
func measureLateness(path string, rooms []string, from, to time.Time) (lateness, error) {
	var l lateness
	st, err := store.Open(path, store.Options{ReadOnly: true})
	if err != nil {
		return l, err
	}
	defer st.Close()
	rooms = slices.Clone(rooms)
	slices.Sort(rooms)
	for _, room := range slices.Compact(rooms) {
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
}

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
	fmt.Fprintf(w, "Store generated in %s: %s on disk, %s past steps in the ledger, %s pulse rooms.\n\n",
		ms(r.gen.took), mb(uint64(r.gen.bytes)), count(r.gen.marked), count(len(r.gen.pulses)))
	rw, b := r.roomwatch, r.baseline
	if b == nil {
		b = &run{}
	}
	fmt.Fprintln(w, "| figure | roomwatch | baseline | ratio (baseline ÷ roomwatch) |")
	fmt.Fprintln(w, "|---|---|---|---|")
	row := func(name, a, bb, ratio string) { fmt.Fprintf(w, "| %s | %s | %s | %s |\n", name, a, bb, ratio) }
	row("first start to READY (evaluates every room)", ms(rw.firstReady), "–", "–")
	row("RSS after first start (anon + store file pages)", memString(rw.firstMemory), "–", "–")
	row("start to READY (restart)", ms(rw.ready), ms(b.ready), ratio(b.ready.Seconds(), rw.ready.Seconds()))
	row("RSS after start", memString(rw.afterStart), memString(b.afterStart), ratio(float64(b.afterStart.rss), float64(rw.afterStart.rss)))
	row("RSS after the load; peak (VmHWM)", fmt.Sprintf("%s; peak %s", memString(rw.afterLoad), mb(rw.afterLoad.hwm)),
		fmt.Sprintf("%s; peak %s", memString(b.afterLoad), mb(b.afterLoad.hwm)), ratio(float64(b.afterLoad.hwm), float64(rw.afterLoad.hwm)))
	row("Go heap after start", mb(rw.heap), mb(b.heap), ratio(float64(b.heap), float64(rw.heap)))
	row("gocron jobs held after start / after the load", fmt.Sprintf("%s / %s", count(rw.jobs), count(rw.jobsLoaded)),
		fmt.Sprintf("%s / %s", count(b.jobs), count(b.jobsLoaded)), ratio(float64(b.jobs), float64(rw.jobs)))
	row("goroutines", count(rw.goroutines), count(b.goroutines), "–")
	row("steps due while running, sent (pulses)", fmt.Sprintf("%s (%s), unsent %d", count(len(rw.late.samples)), count(rw.late.pulses), rw.late.unsent),
		fmt.Sprintf("%s (%s), unsent %d", count(len(b.late.samples)), count(b.late.pulses), b.late.unsent), "–")
	for _, p := range []struct {
		name string
		q    float64
	}{{"p50", 0.5}, {"p99", 0.99}, {"max", 1}} {
		x, y := percentile(rw.late.samples, p.q), percentile(b.late.samples, p.q)
		row("lateness "+p.name, ms(x), ms(y), ratio(y.Seconds(), x.Seconds()))
	}
	row("events recorded (errors), rate", eventsString(rw.load), eventsString(b.load), "–")
	for _, p := range []struct {
		name string
		q    float64
	}{{"median", 0.5}, {"p99", 0.99}} {
		x, y := percentile(sortedRTT(rw.load), p.q), percentile(sortedRTT(b.load), p.q)
		row("event round trip "+p.name, ms(x), ms(y), ratio(y.Seconds(), x.Seconds()))
	}
	row(fmt.Sprintf("CPU over %s idle (webhook posts meanwhile)", rw.idleWindow.Round(time.Second)),
		fmt.Sprintf("%s (%d)", cpuShare(rw.idleCPU, rw.idleWindow), rw.idlePosts),
		fmt.Sprintf("%s (%d)", cpuShare(b.idleCPU, b.idleWindow), b.idlePosts), ratio(b.idleCPU.Seconds(), rw.idleCPU.Seconds()))
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

// targets checks DESIGN §6's figures at the largest size measured.
func (r sizeResult) targets(w io.Writer) {
	rw := r.roomwatch
	check := func(ok bool) string {
		if ok {
			return "met"
		}
		return "**missed**"
	}
	fmt.Fprintf(w, "\n### DESIGN §6 targets at %s rooms\n\n", count(r.rooms))
	fmt.Fprintln(w, "| target | measured | |")
	fmt.Fprintln(w, "|---|---|---|")
	fmt.Fprintf(w, "| start to READY ≤ 3 s (restart) | %s | %s |\n", ms(rw.ready), check(rw.ready <= 3*time.Second))
	fmt.Fprintf(w, "| RSS ≤ 300 MB after start | %s | %s |\n", mb(rw.afterStart.rss), check(rw.afterStart.rss <= 300<<20))
	fmt.Fprintf(w, "| RSS ≤ 300 MB, peak while running | %s | %s |\n", mb(rw.afterLoad.hwm), check(rw.afterLoad.hwm <= 300<<20))
	fmt.Fprintf(w, "| (for reference, not the target: the daemon's own memory, RssAnon, after the load) | %s | |\n", mb(rw.afterLoad.anon))
	p99 := percentile(rw.late.samples, 0.99)
	fmt.Fprintf(w, "| p99 lateness ≤ 1 s under %s events/s | %s | %s |\n", fmt.Sprintf("%.0f", float64(len(rw.load.rtt))/rw.load.elapsed.Seconds()), ms(p99), check(p99 <= time.Second && len(rw.late.samples) > 0))
	med := percentile(sortedRTT(rw.load), 0.5)
	fmt.Fprintf(w, "| event round trip ≤ 10 ms median | %s | %s |\n", ms(med), check(med <= 10*time.Millisecond && len(rw.load.rtt) > 0))
	if r.baseline != nil {
		x := float64(r.baseline.afterStart.rss) / float64(rw.afterStart.rss)
		fmt.Fprintf(w, "| memory ≥ 5× lower than the baseline (RSS after start) | %.1f× | %s |\n", x, check(x >= 5))
	}
}

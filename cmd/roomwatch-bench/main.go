// Command roomwatch-bench measures roomwatch at marketplace scale against
// DESIGN §6: for each number of rooms it generates a store with realistic
// timelines (as an import from a marketplace), builds and starts `roomwatch
// run` against it with a local Slack webhook, and prints, side by side with
// a baseline that holds one gocron job per live alert of every room: start
// to READY, RSS sampled every -sample-every from READY to the stop (its
// peak, and the ratio to the baseline there), gocron jobs, the lateness of
// every step of every room that came due while the daemon ran, while a load
// generator records events over the control socket, the event round trip,
// the store's bytes per room and per event, and the CPU used while idle;
// then each DESIGN §6 target, met or missed, at the largest size.
//
// Run it from the repository root. The default load lasts 20 s (a quick
// look); the targets are about a sustained load of 10 minutes:
//
//	go run ./cmd/roomwatch-bench -sizes 10000,100000,1000000 -duration 10m
//
// The output is Markdown (docs/benchmarks.md holds the latest); progress
// goes to standard error.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/control"
	"github.com/roomwatch/roomwatch/rules"
)

type options struct {
	sizes    []int
	idle     time.Duration
	rate     int
	duration time.Duration
	every    time.Duration // how often RSS is sampled
	baseline bool
	keep     bool
	seed     uint64

	// baselineBin is the baseline's binary (./cmd/roomwatch-bench/baseline).
	baselineBin string
}

func main() {
	var opt options
	sizes := flag.String("sizes", "10000,100000,1000000", "numbers of rooms, comma-separated")
	flag.DurationVar(&opt.idle, "idle", time.Minute, "how long to measure idle CPU")
	flag.IntVar(&opt.rate, "events-rate", 100, "events recorded per second during the load")
	flag.DurationVar(&opt.duration, "duration", 20*time.Second, "how long the load lasts (the targets are about -duration 10m)")
	flag.DurationVar(&opt.every, "sample-every", 10*time.Second, "how often the daemons' RSS is read, from READY to the stop")
	flag.BoolVar(&opt.baseline, "baseline", true, "also measure the baseline (one gocron job per live alert)")
	flag.BoolVar(&opt.keep, "keep", false, "keep the work folder (stores, configs, daemon logs)")
	flag.Uint64Var(&opt.seed, "seed", 1, "seed of the generated timelines and the load")
	flag.Parse()
	if opt.duration <= 0 || opt.every <= 0 || opt.rate <= 0 || opt.idle < 0 {
		log.Fatal("-duration, -sample-every and -events-rate must be positive, -idle not negative")
	}
	log.SetFlags(log.Ltime)
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			log.Fatalf("-sizes: %q is not a number of rooms", s)
		}
		opt.sizes = append(opt.sizes, n)
	}
	if err := benchmark(os.Stdout, opt); err != nil {
		log.Fatal(err)
	}
}

func benchmark(w io.Writer, opt options) error {
	// Unix socket paths must stay short: a folder right under the temp dir.
	work, err := os.MkdirTemp("", "rwb")
	if err != nil {
		return err
	}
	if opt.keep {
		log.Printf("work folder %s is kept", work)
	} else {
		defer os.RemoveAll(work)
	}
	bin, err := buildRoomwatch(work)
	if err != nil {
		return err
	}
	if opt.baseline {
		if opt.baselineBin, err = buildBaseline(work); err != nil {
			return err
		}
	}
	hook := newWebhook()
	defer hook.Close()

	fmt.Fprintf(w, "Command: `%s`\n\n", strings.Join(append([]string{"go run ./cmd/roomwatch-bench"}, os.Args[1:]...), " "))
	fmt.Fprintf(w, "Machine: %s; %s; %s.\n\n", machine(), runtime.Version(), time.Now().Format("2006-01-02"))
	fmt.Fprintf(w, "Load: %d events/s for %s, one in %d a pulse (a step due %s later); idle window %s; RSS read every %s.\n",
		opt.rate, opt.duration, pulseEvery, pulseLead, opt.idle, opt.every)
	var results []sizeResult
	for _, n := range opt.sizes {
		dir := filepath.Join(work, strconv.Itoa(n))
		if err := os.Mkdir(dir, 0o700); err != nil {
			return err
		}
		r, err := benchSize(dir, bin, hook, n, opt)
		if err != nil {
			return fmt.Errorf("%d rooms: %w", n, err)
		}
		r.table(w)
		results = append(results, r)
		if !opt.keep {
			os.RemoveAll(dir)
		}
	}
	if len(results) > 0 {
		results[len(results)-1].targets(w, opt)
	}
	return nil
}

// writeConfig writes the daemon's configuration for one store: the
// marketplace's rooms come from the store, not from this file. The policy
// sets pulseSilence (load.go).
func writeConfig(dir, name, hookURL string) (string, error) {
	text := fmt.Sprintf(`timezone: Asia/Tokyo
language: en
store: %s.db
platform: coconala
policy:
  digest_at: ""
  close_after_buyer_silence: %s
notifiers:
  - name: phone
    type: slack
    webhook_url: %s
control:
  socket: %s.sock
`, name, rules.FormatDuration(pulseSilence), hookURL, name)
	path := filepath.Join(dir, name+".yaml")
	return path, os.WriteFile(path, []byte(text), 0o600)
}

func benchSize(dir, bin string, hook *webhook, n int, opt options) (sizeResult, error) {
	res := sizeResult{rooms: n}
	rwCfg, err := writeConfig(dir, "roomwatch", hook.URL)
	if err != nil {
		return res, err
	}
	cfg, err := config.Load(rwCfg)
	if err != nil {
		return res, err
	}
	log.Printf("%d rooms: generating the store", n)
	res.gen, err = generate(cfg.Store, cfg, n, time.Now(), opt.seed)
	if err != nil {
		return res, err
	}
	log.Printf("%d rooms: generated in %s, %s", n, res.gen.took.Round(time.Millisecond), mb(uint64(res.gen.bytes)))

	// First start: no due index, no policy fingerprint: every room is
	// evaluated. The restart after it is what a running service sees.
	p, err := startDaemon(bin, rwCfg, dir, "roomwatch-first")
	if err != nil {
		return res, err
	}
	res.roomwatch.firstReady = p.ready.Sub(p.started)
	res.roomwatch.firstMemory, _ = readMemory(p.pid())
	if st, err := control.NewClient(cfg.Control.Socket).Stats(context.Background()); err == nil {
		res.roomwatch.firstJobs = st.Jobs
	}
	if err := p.stop(); err != nil {
		return res, fmt.Errorf("stopping after the first start: %w", err)
	}
	log.Printf("%d rooms: first start READY in %s", n, res.roomwatch.firstReady.Round(time.Millisecond))

	var baseCfg string
	if opt.baseline {
		// The baseline starts from the very store roomwatch restarts on.
		if baseCfg, err = writeConfig(dir, "baseline", hook.URL); err != nil {
			return res, err
		}
		if err := copyFile(cfg.Store, filepath.Join(dir, "baseline.db")); err != nil {
			return res, err
		}
	}

	if res.roomwatch, err = measure(dir, bin, rwCfg, hook, res.gen, opt, "roomwatch", res.roomwatch); err != nil {
		return res, err
	}
	if opt.baseline {
		b, err := measure(dir, opt.baselineBin, baseCfg, hook, res.gen, opt, "baseline", run{})
		if err != nil {
			return res, err
		}
		res.baseline = &b
	}
	return res, nil
}

// measure starts a daemon, reads its figures after the start, puts it
// under load, lets it idle, stops it and reads the ledger; its memory is
// sampled all along, and the store measured before and after.
func measure(dir, bin, cfgPath string, hook *webhook, g generated, opt options, name string, r run, args ...string) (run, error) {
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return r, err
	}
	if r.storeBefore, err = measureStore(cfg.Store); err != nil {
		return r, err
	}
	p, err := startDaemon(bin, cfgPath, dir, name, args...)
	if err != nil {
		return r, err
	}
	defer func() {
		if p.cmd.ProcessState == nil {
			p.kill()
		}
	}()
	r.ready = p.ready.Sub(p.started)
	r.measuredFrom = p.ready
	stopSampling := sampleMemory(p.pid(), p.ready, opt.every)
	client := control.NewClient(cfg.Control.Socket)
	ctx := context.Background()
	if r.afterStart, err = readMemory(p.pid()); err != nil {
		return r, err
	}
	st, err := client.Stats(ctx)
	if err != nil {
		return r, err
	}
	r.jobs, r.goroutines, r.heap = st.Jobs, st.Goroutines, st.HeapBytes
	log.Printf("%s: READY in %s, RSS %s, %d jobs", name, r.ready.Round(time.Millisecond), mb(r.afterStart.rss), r.jobs)

	r.load = runLoad(ctx, client, g, opt.rate, opt.duration, opt.seed)
	time.Sleep(pulseLead + 2*time.Second) // the last pulses come due and go out
	if r.afterLoad, err = readMemory(p.pid()); err != nil {
		return r, err
	}
	if st, err = client.Stats(ctx); err != nil {
		return r, err
	}
	r.jobsLoaded = st.Jobs
	log.Printf("%s: %d events, %d errors; RSS %s", name, len(r.load.rtt), r.load.errors, memString(r.afterLoad))

	cpu0, err := cpuTime(p.pid())
	if err != nil {
		return r, err
	}
	posts0, idleFrom := hook.posts.Load(), time.Now()
	time.Sleep(opt.idle)
	cpu1, err := cpuTime(p.pid())
	if err != nil {
		return r, err
	}
	r.idleCPU, r.idleWindow, r.idlePosts = cpu1-cpu0, time.Since(idleFrom), hook.posts.Load()-posts0
	if m, err := readMemory(p.pid()); err == nil {
		r.afterLoad.hwm = m.hwm
	}
	r.samples = stopSampling()
	stoppedAt := time.Now()
	if err := p.stop(); err != nil {
		return r, fmt.Errorf("stopping %s: %w", name, err)
	}
	// A step due in the last moments may be in flight at the stop; it stays
	// in the outbox for the next start, as it should, and is not counted.
	r.late, err = measureLateness(cfg.Store, r.measuredFrom, stoppedAt.Add(-2*time.Second))
	if err != nil {
		return r, err
	}
	if r.storeAfter, err = measureStore(cfg.Store); err != nil {
		return r, err
	}
	peak := peakSample(r.samples)
	log.Printf("%s: %d steps sent while running, p99 lateness %s, %d more than 1 s late; RSS peak %s at %s; idle CPU %s",
		name, len(r.late.samples), ms(percentile(r.late.samples, 0.99)), r.late.over(time.Second),
		mb(peak.mem.rss), peak.after.Round(time.Second), r.idleCPU)
	return r, nil
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

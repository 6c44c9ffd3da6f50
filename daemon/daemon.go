// Package daemon is `roomwatch run`: it keeps every room's next step on a
// timer, queues steps as they come due, hands the outbox to the notifiers,
// serves the control socket, reloads the configuration on edit or SIGHUP, and
// talks to systemd.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/control"
	"github.com/roomwatch/roomwatch/control/links"
	"github.com/roomwatch/roomwatch/control/web"
	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/scheduler"
	"github.com/roomwatch/roomwatch/store"
	"github.com/roomwatch/roomwatch/systemd"
)

// Options configure a daemon.
type Options struct {
	Config *config.Config
	// Watch reloads the configuration when its file changes; off when the
	// daemon runs on the embedded defaults.
	Watch bool
	// Router builds the notifiers and routes of a configuration.
	Router func(cfg *config.Config) (*notifier.Router, error)
	Clock  clockwork.Clock
	Log    *slog.Logger
	// Horizon: only rooms whose next step falls within it hold a timer.
	Horizon time.Duration
	// SweepEvery is how often the due index is read for missed and
	// upcoming steps.
	SweepEvery time.Duration
	// StopGrace bounds how long an in-flight send may finish on shutdown
	// before it is cut off and left in the outbox.
	StopGrace time.Duration
	// MaxTimers bounds the gocron jobs held for rooms, whatever the
	// horizon: only the earliest steps hold one, so memory stays flat with
	// a million rooms. Zero means defaultMaxTimers.
	MaxTimers int
	// Timers, when set, starts a second set of timers once the catch-up is
	// done, which is then told every room's next step after the daemon's
	// own and stops with ctx. roomwatch-bench plugs in here the design it
	// measures roomwatch against (one gocron job per live alert); the
	// product never sets it.
	Timers func(ctx context.Context, a *app.App) (Timers, error)
	// Version is the build's one-line description, carried by GET
	// /v1/status in its Roomwatch-Version header.
	Version string
	// NotBefore is the earliest believable time (the build date): while
	// the clock reads earlier, the daemon plans nothing and waits (clock.go).
	NotBefore time.Time
	// ClockRetry is how often a clock before NotBefore is read again.
	ClockRetry time.Duration
	// DebugAddr, when set, serves net/http/pprof on this loopback
	// host:port (debug.go).
	DebugAddr string
}

// stopLanding bounds how long a stop waits, after cutting the sends off,
// for their results to be recorded; a backend that ignores its context
// cannot hold the stop past systemd's patience.
const stopLanding = 500 * time.Millisecond

// defaultMaxTimers holds the steps of about 40 minutes for a million rooms
// whose steps spread over a few days, in some 10 MB; a seller's few rooms
// never reach it.
const defaultMaxTimers = 10000

// Timers are the timers Options.Timers starts: told every room's next
// step, and counted in the daemon's Stats.
type Timers interface {
	app.Timers
	Jobs() int
}

// Daemon is one running roomwatch.
type Daemon struct {
	opt   Options
	log   *slog.Logger
	clock clockwork.Clock
	store *store.Store
	app   *app.App
	sched *scheduler.Scheduler
	// links signs action links; nil when the HTTP API is off.
	links *links.Signer
	// health is what the watchdog checks beside the store.
	health health

	routerMu sync.RWMutex
	router   *notifier.Router

	kick   chan struct{}
	flight inFlight // outbox keys on their way to a notifier

	reloadMu     sync.Mutex
	lastRejected string // the errors of the last rejected configuration, alerted once

	statusMu   sync.Mutex
	lastStatus string

	digest digester // the daily digest's send in flight

	extraTimers Timers // only with Options.Timers

	mailIgnored atomic.Int64 // mails from the inbox that no rule matched (inbox.go)

	retention retention // the pruning walk (retention.go)
}

// Run starts the daemon and blocks until ctx ends (SIGTERM), then stops
// within the grace period without losing the outbox.
func Run(ctx context.Context, opt Options) error {
	opt.defaults()
	// First, so every journal excerpt of a problem starts with the build.
	opt.Log.Info("roomwatch starting", "build", opt.Version, "pid", os.Getpid())
	debug, err := listenDebug(opt.DebugAddr, opt.Log)
	if err != nil {
		return err
	}
	defer debug.Close()
	if err := waitForClock(ctx, opt.Clock, opt.NotBefore, opt.ClockRetry, opt.Log); err != nil {
		return nil // stopped while waiting: nothing was started
	}
	d, err := start(ctx, opt)
	if err != nil {
		return err
	}
	return d.serve(ctx)
}

func (o *Options) defaults() {
	if o.Clock == nil {
		o.Clock = clockwork.NewRealClock()
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Horizon <= 0 {
		o.Horizon = 24 * time.Hour
	}
	if o.SweepEvery <= 0 {
		o.SweepEvery = time.Minute
	}
	if o.StopGrace <= 0 {
		o.StopGrace = 1200 * time.Millisecond
	}
	if o.MaxTimers <= 0 {
		o.MaxTimers = defaultMaxTimers
	}
}

// start opens the store, syncs the rooms and catches up; on return every
// room's next step holds a timer and the outbox holds what is due.
func start(ctx context.Context, opt Options) (*Daemon, error) {
	opt.defaults()
	cfg := opt.Config
	for _, key := range cfg.InlineSecrets() {
		if info, err := os.Stat(cfg.Path); err == nil && info.Mode().Perm()&0o044 != 0 {
			opt.Log.Warn("the configuration holds a secret inline and is readable by others; use a _file key or chmod 600",
				"file", cfg.Path, "key", key)
		}
	}
	router, err := opt.Router(cfg)
	if err != nil {
		return nil, err
	}
	compactAtStart(cfg.Store, opt.Log)
	st, err := store.Open(cfg.Store, store.Options{})
	if err != nil {
		return nil, err
	}
	d := &Daemon{
		opt: opt, log: opt.Log, clock: opt.Clock, store: st, router: router,
		kick: make(chan struct{}, 1),
	}
	d.sched, err = scheduler.New(scheduler.Options{
		Clock:      opt.Clock,
		Horizon:    opt.Horizon,
		SweepEvery: opt.SweepEvery,
		MaxJobs:    opt.MaxTimers,
		Fire:       d.fire,
		Sweep:      d.sweep,
		Logger:     opt.Log,
	})
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("daemon: %w", err)
	}
	d.app = app.New(app.Options{
		Config: cfg, Store: st, Clock: opt.Clock, Log: opt.Log,
		Timers: daemonTimers{d}, Waker: daemonWaker{d}, Reload: d.requestReload, Build: opt.Version,
	})

	if err := d.catchUp(ctx, true); err != nil {
		d.abort()
		return nil, err
	}
	if opt.Timers != nil {
		if d.extraTimers, err = opt.Timers(ctx, d.app); err != nil {
			d.abort()
			return nil, fmt.Errorf("daemon: timers: %w", err)
		}
	}
	return d, nil
}

// abort undoes start when the daemon cannot go on: no timer keeps firing
// and the store is closed (and so unlocked) for the next attempt.
func (d *Daemon) abort() {
	if err := d.sched.Shutdown(context.Background()); err != nil {
		d.log.Warn("stopping the scheduler", "err", err)
	}
	if err := d.store.Close(); err != nil {
		d.log.Warn("closing the store", "err", err)
	}
}

// catchUp brings the store to the configuration (app.CatchUp) and gives
// timers to every room whose next step falls within the horizon.
func (d *Daemon) catchUp(ctx context.Context, starting bool) error {
	if err := d.app.CatchUp(ctx, starting); err != nil {
		return err
	}
	now := d.clock.Now()
	d.sweep(ctx, now, now.Add(d.opt.Horizon))
	return nil
}

// serve runs until ctx ends.
func (d *Daemon) serve(ctx context.Context) error {
	runCtx, cancelRun := context.WithCancel(context.Background())
	defer cancelRun()

	ctrl := d.app.Config().Control
	srv, err := control.Listen(ctrl, statsService{d.app, d}, d.log)
	if err != nil {
		d.abort()
		return err
	}
	var api *control.HTTPServer
	if ctrl.HTTP != "" {
		d.links, err = d.linkSigner(ctrl)
		if err == nil {
			api, err = control.ListenHTTP(control.HTTPOptions{
				Control: ctrl, Service: d.app, Links: d.links, Marks: d.store,
				Language: func() string { return d.app.Config().Language },
				Location: d.app.Config().Timezone, Log: d.log, Now: d.clock.Now,
				Web: func(refused func(*http.Request)) http.Handler {
					return web.New(web.Options{Service: d.app, Sessions: d.store, Marks: d.store,
						Config: d.app.Config, Now: d.clock.Now, Log: d.log, Refused: refused})
				},
			})
		}
		if err != nil {
			srv.Close()
			d.abort()
			return err
		}
		d.log.Info("HTTP API listening", "addr", api.Addr())
	}

	var wg sync.WaitGroup
	dispatchCtx, cancelDispatch := context.WithCancel(context.Background())
	defer cancelDispatch()
	wg.Add(1)
	go func() {
		defer wg.Done()
		d.dispatchLoop(runCtx, dispatchCtx)
	}()

	d.sched.Start()
	d.wake()

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	watcher := d.watchConfig()
	wg.Add(1)
	go func() {
		defer wg.Done()
		d.reloadLoop(runCtx, hup, watcher)
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		systemd.RunWatchdog(runCtx, d.healthy, d.log)
	}()
	d.startButtons(runCtx, &wg)
	d.startInbox(runCtx, &wg)
	d.startMemoryRelease(runCtx, &wg)

	status := d.status()
	if err := systemd.Ready(status); err != nil {
		d.log.Warn("telling systemd we are ready", "err", err)
	}
	d.log.Info("roomwatch ready", "status", status, "store", d.store.Path(), "socket", d.app.Config().Control.Socket)

	<-ctx.Done()
	stopStarted := time.Now()
	_ = systemd.Stopping()
	d.log.Info("stopping")

	// Stop taking new work, give an in-flight send the grace period, then
	// cut it off: what it did not finish stays in the outbox for next time.
	srv.Close()
	if api != nil {
		api.Close()
	}
	shutdownCtx, cancelShutdown := context.WithTimeout(context.Background(), d.opt.StopGrace)
	defer cancelShutdown()
	if err := d.sched.Shutdown(shutdownCtx); err != nil {
		d.log.Warn("stopping the scheduler", "err", err)
	}
	cancelRun()
	go func() {
		<-shutdownCtx.Done()
		cancelDispatch()
	}()
	wg.Wait()
	// Sends in flight have the rest of the grace to finish, then are cut
	// off and report at once; their results land before the store closes.
	graceEnd, _ := shutdownCtx.Deadline()
	d.waitLanded(time.Until(graceEnd) + stopLanding)
	d.digest.stop()
	if err := d.store.Close(); err != nil {
		return err
	}
	d.log.Info("stopped", "took", time.Since(stopStarted).Round(time.Millisecond))
	return nil
}

// fire is a room's timer: evaluate it now.
func (d *Daemon) fire(ctx context.Context, room string) {
	if _, err := d.app.Evaluate(ctx, room); err != nil && !errors.Is(err, context.Canceled) {
		d.log.Error("evaluating a room", "room", room, "err", err)
	}
}

// onNext puts a room's next step on a timer (or drops the timer).
func (d *Daemon) onNext(room string, at time.Time) {
	if err := d.sched.Schedule(room, at); err != nil {
		d.log.Error("scheduling a room", "room", room, "at", at, "err", err)
	}
}

// daemonTimers are the application's timers port: the daemon's scheduler,
// then the timers of Options.Timers when set.
type daemonTimers struct{ d *Daemon }

func (t daemonTimers) Schedule(room string, at time.Time) error {
	err := t.d.sched.Schedule(room, at)
	if t.d.extraTimers != nil {
		err = errors.Join(err, t.d.extraTimers.Schedule(room, at))
	}
	return err
}

// daemonWaker is the application's waker port: the dispatcher.
type daemonWaker struct{ d *Daemon }

func (w daemonWaker) Wake() { w.d.wake() }

// sweep reads the due index and hands every room whose next step falls
// before horizonEnd to the scheduler: one already due (a timer missed it:
// suspend, clock jump) fires through the scheduler's queue, one due soon gets
// a timer.
func (d *Daemon) sweep(ctx context.Context, now, horizonEnd time.Time) {
	defer func() { d.health.sweptAt(d.clock.Now()) }()
	err := d.store.DueBefore(horizonEnd, func(room string, at time.Time) bool {
		if !d.sched.Wants(at) {
			return false // the rest is later still: it waits for a later sweep
		}
		d.onNext(room, at)
		return ctx.Err() == nil
	})
	if err != nil {
		d.log.Error("reading the due index", "err", err)
		return
	}
	d.wake()
	d.updateStatus()
	d.maybeDigest(ctx, now)
	d.prune(now)
}

// status is the systemd STATUS line: "12 rooms, next alert 18:00 check-in 4012345".
func (d *Daemon) status() string {
	rooms, err := d.store.CountRooms()
	if err != nil {
		return "store unreadable: " + err.Error()
	}
	s := fmt.Sprintf("%d rooms", rooms)
	room, at, ok := d.sched.NextRun()
	if !ok {
		return s + ", no alert within " + d.opt.Horizon.String()
	}
	kind := ""
	if r, found, err := d.app.Room(room); err == nil && found {
		if steps, err := d.app.Steps(r); err == nil {
			for _, st := range steps {
				if st.SendAt.Equal(at) {
					kind = string(st.Kind) + " "
					break
				}
			}
		}
	}
	return fmt.Sprintf("%s, next alert %s %s%s", s, at.In(d.app.Config().Timezone).Format("01-02 15:04"), kind, room)
}

func (d *Daemon) updateStatus() {
	s := d.status()
	d.statusMu.Lock()
	defer d.statusMu.Unlock()
	if s == d.lastStatus {
		return
	}
	d.lastStatus = s
	_ = systemd.Status(s)
}

// activeRouter is the router of the configuration in force.
func (d *Daemon) activeRouter() *notifier.Router {
	d.routerMu.RLock()
	defer d.routerMu.RUnlock()
	return d.router
}

package scheduler

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/google/uuid"
	"github.com/jonboulle/clockwork"
)

// start is the fake clock's first instant in every test.
var start = time.Date(2026, 11, 20, 10, 0, 0, 0, time.FixedZone("JST", 9*60*60))

// harness runs a Scheduler on a fake clock the way the daemon does: rooms it
// tracks live in a due index that its Sweep reads, and Fire counts every call
// and, like the daemon's ledger, delivers a tracked step only once: when it is
// due and still in the index, which the delivery clears.
type harness struct {
	t      *testing.T
	clock  *clockwork.FakeClock
	s      *Scheduler
	jobs   *registrations
	fireFn func(ctx context.Context, room string) // optional extra work inside Fire

	mu        sync.Mutex
	due       map[string]time.Time
	fired     map[string]int // Fire calls
	delivered map[string]int // tracked steps Fire found due
	firing    map[string]int // rooms inside Fire right now
	sweeps    []sweepCall
	// changed is closed and replaced after every Fire and sweep, so waitFor
	// wakes on what it waits for instead of polling.
	changed chan struct{}
}

type sweepCall struct{ now, horizonEnd time.Time }

func newHarness(t *testing.T, opt Options) *harness {
	t.Helper()
	h := &harness{
		t:         t,
		clock:     clockwork.NewFakeClockAt(start),
		jobs:      newRegistrations(),
		due:       make(map[string]time.Time),
		fired:     make(map[string]int),
		delivered: make(map[string]int),
		firing:    make(map[string]int),
		changed:   make(chan struct{}),
	}
	opt.Clock = h.clock
	opt.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	opt.Fire = h.fire
	opt.Sweep = h.sweep
	s, err := newScheduler(opt, gocron.WithSchedulerMonitor(h.jobs))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.s = s
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return h
}

func (h *harness) fire(ctx context.Context, room string) {
	h.mu.Lock()
	h.firing[room]++
	if h.firing[room] > 1 {
		h.t.Errorf("room %s fired while its previous Fire still ran", room)
	}
	h.fired[room]++
	if at, ok := h.due[room]; ok && !at.After(h.clock.Now()) {
		h.delivered[room]++
		delete(h.due, room)
	}
	h.mu.Unlock()

	if h.fireFn != nil {
		h.fireFn(ctx, room)
	}

	h.mu.Lock()
	h.firing[room]--
	h.notifyLocked()
	h.mu.Unlock()
}

// notifyLocked wakes every waitFor; h.mu must be held.
func (h *harness) notifyLocked() {
	close(h.changed)
	h.changed = make(chan struct{})
}

func (h *harness) sweep(_ context.Context, now, horizonEnd time.Time) {
	h.mu.Lock()
	h.sweeps = append(h.sweeps, sweepCall{now, horizonEnd})
	var within []string
	for room, at := range h.due {
		if !at.After(horizonEnd) {
			within = append(within, room)
		}
	}
	h.mu.Unlock()
	for _, room := range within {
		h.mu.Lock()
		at, ok := h.due[room]
		h.mu.Unlock()
		if ok {
			// A sweep still running when the test ends meets the Shutdown.
			if err := h.s.Schedule(room, at); err != nil && !errors.Is(err, ErrStopped) {
				h.t.Errorf("sweep: Schedule(%s): %v", room, err)
			}
		}
	}
	h.mu.Lock()
	h.notifyLocked()
	h.mu.Unlock()
}

// track records room's next step in the due index and schedules it, as the
// daemon does after planning a room.
func (h *harness) track(room string, at time.Time) {
	h.t.Helper()
	h.mu.Lock()
	h.due[room] = at
	h.mu.Unlock()
	h.schedule(room, at)
}

func (h *harness) schedule(room string, at time.Time) {
	h.t.Helper()
	if err := h.s.Schedule(room, at); err != nil {
		h.t.Fatalf("Schedule(%s, %s): %v", room, at, err)
	}
}

func (h *harness) start() {
	h.s.Start()
	// The first sweep runs at Start; waiting for it keeps it from landing in
	// the middle of what a test checks next.
	h.waitFor("the sweep at Start", func() bool { return h.sweepCount() >= 1 })
}

func (h *harness) firedCount(room string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.fired[room]
}

func (h *harness) deliveredCount(room string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.delivered[room]
}

func (h *harness) sweepCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.sweeps)
}

func (h *harness) lastSweep() sweepCall {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.sweeps[len(h.sweeps)-1]
}

// waitFor waits until cond holds, checking it after every Fire and sweep:
// timers fire on goroutines of their own, so a fake-clock Advance returns
// before the Fire it causes.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	timeout := time.NewTimer(5 * time.Second)
	defer timeout.Stop()
	for {
		// Take the channel before checking, so a change in between is seen.
		h.mu.Lock()
		changed := h.changed
		h.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-changed:
		case <-timeout.C:
			h.t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// armed waits until gocron has armed a fake-clock timer for every job it
// holds: it arms them on its own goroutine after NewJob returns, and an
// Advance that slipped in first would move time past a timer not yet set.
func (h *harness) armed() {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.clock.BlockUntilContext(ctx, len(h.s.cron.Jobs())); err != nil {
		h.t.Fatalf("gocron armed fewer timers than its %d jobs: %v", len(h.s.cron.Jobs()), err)
	}
}

func (h *harness) waitFired(room string, n int) {
	h.t.Helper()
	h.waitFor(room+" to fire", func() bool { return h.firedCount(room) >= n })
	h.settle()
	if got := h.firedCount(room); got != n {
		h.t.Fatalf("room %s fired %d times; want %d", room, got, n)
	}
}

// waitDelivered waits for room's tracked step to be delivered and checks it
// is delivered once. Fire itself may run more than once for it: a sweep that
// read the due index just before a timer fired schedules the step again.
func (h *harness) waitDelivered(room string) {
	h.t.Helper()
	h.waitFor(room+" to be delivered", func() bool { return h.deliveredCount(room) >= 1 })
	h.settle()
	if got := h.deliveredCount(room); got != 1 {
		h.t.Fatalf("room %s delivered %d times; want 1", room, got)
	}
}

// settle gives a wrongly live timer the moment it would need to fire before a
// test asserts that something did not fire. Nothing can be waited for there,
// so it is a short real pause.
func (h *harness) settle() {
	time.Sleep(50 * time.Millisecond)
}

func (h *harness) advanceTo(at time.Time) {
	h.t.Helper()
	h.advanceBy(at.Sub(h.clock.Now()))
}

func (h *harness) advanceBy(d time.Duration) {
	h.t.Helper()
	h.armed()
	h.clock.Advance(d)
}

// cronJob is what gocron itself holds for room: whether a job with the room's
// ID exists, and its next run.
func (h *harness) cronJob(room string) (next time.Time, ok bool) {
	h.t.Helper()
	id := JobID(room)
	for _, j := range h.s.cron.Jobs() {
		if j.ID() != id {
			continue
		}
		next, err := j.NextRun()
		if err != nil {
			h.t.Fatalf("NextRun of %s: %v", room, err)
		}
		return next, true
	}
	return time.Time{}, false
}

func (h *harness) wantCronJob(room string, at time.Time) {
	h.t.Helper()
	next, ok := h.cronJob(room)
	if !ok {
		h.t.Fatalf("gocron holds no job for %s; want one at %s", room, at)
	}
	if !next.Equal(at) {
		h.t.Fatalf("gocron job of %s runs at %s; want %s", room, next, at)
	}
}

func (h *harness) wantNoCronJob(room string) {
	h.t.Helper()
	if next, ok := h.cronJob(room); ok {
		h.t.Fatalf("gocron holds a job for %s at %s; want none", room, next)
	}
}

// registrations counts, per job ID, how often gocron registered and removed a
// job: an in-place Update is one of each, a no-op is neither.
type registrations struct {
	mu           sync.Mutex
	registered   map[uuid.UUID]int
	unregistered map[uuid.UUID]int
}

func newRegistrations() *registrations {
	return &registrations{registered: make(map[uuid.UUID]int), unregistered: make(map[uuid.UUID]int)}
}

func (r *registrations) counts(room string) (registered, unregistered int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.registered[JobID(room)], r.unregistered[JobID(room)]
}

func (r *registrations) JobRegistered(job gocron.Job) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.registered[job.ID()]++
}

func (r *registrations) JobUnregistered(job gocron.Job) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.unregistered[job.ID()]++
}

// The rest of gocron.SchedulerMonitor is of no interest here.
func (r *registrations) SchedulerStarted()                                   {}
func (r *registrations) SchedulerStopped()                                   {}
func (r *registrations) SchedulerShutdown()                                  {}
func (r *registrations) JobStarted(gocron.Job)                               {}
func (r *registrations) JobRunning(gocron.Job)                               {}
func (r *registrations) JobFailed(gocron.Job, error)                         {}
func (r *registrations) JobCompleted(gocron.Job)                             {}
func (r *registrations) JobExecutionTime(gocron.Job, time.Duration)          {}
func (r *registrations) JobSchedulingDelay(gocron.Job, time.Time, time.Time) {}
func (r *registrations) ConcurrencyLimitReached(string, gocron.Job)          {}

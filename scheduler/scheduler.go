// Package scheduler turns "room R's next step is at T" into exactly one gocron
// one-time job per room, and runs a periodic sweep. It knows nothing of rules
// or the store: the daemon hands it a Fire callback (a room is due) and a Sweep
// callback (read the due index, schedule what entered the horizon, fire what
// was missed).
//
// Only steps inside the horizon hold a gocron job, so memory follows what is
// due soon, not the number of rooms. Times already past are never handed to
// gocron, which rejects them; they fire at once on the scheduler's workers.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/google/uuid"
	"github.com/jonboulle/clockwork"
)

const (
	defaultHorizon    = 24 * time.Hour
	defaultSweepEvery = time.Minute

	// fireWorkers bounds how many rooms are inside Fire at once. Fire writes
	// the ledger and outbox in a bbolt transaction, and bbolt runs one writer
	// at a time, so more workers would only queue there; a few keep one slow
	// Fire from holding up every other room.
	fireWorkers = 4

	// backstopAfter places a second run time on every room job, far beyond
	// any real step. gocron v2.21.2 spins forever in its scheduling goroutine
	// when a one-time job's only time has passed by the moment that goroutine
	// registers it (selectNewJob and selectStart walk next() from the zero
	// time back to the past time and round again), which a step a few
	// microseconds ahead can hit. With a later time the walk stops there; the
	// job is removed on its first run, so the backstop never runs, and a step
	// missed that way is fired by the next sweep. Upstream:
	// https://github.com/go-co-op/gocron/issues/943, fixed on gocron's main
	// branch (PR #930, regression test #944) but in no released tag as of
	// v2.21.2; drop the backstop once a release carries the fix.
	backstopAfter = 100 * 365 * 24 * time.Hour
)

// ErrStopped is returned by calls made after Shutdown.
var ErrStopped = errors.New("scheduler: stopped")

// roomNamespace seeds JobID, so a room's job ID is the same in every process.
var roomNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/roomwatch/roomwatch/scheduler#room"))

// JobID is the stable gocron job ID of room's timer.
func JobID(room string) uuid.UUID {
	return uuid.NewSHA1(roomNamespace, []byte(room))
}

// Options configures a Scheduler. Fire and Sweep are required.
type Options struct {
	// Clock is the time source for every timer; nil means the real clock.
	Clock clockwork.Clock
	// Horizon bounds which steps hold a job: only those at or before
	// now+Horizon. Zero means 24h.
	Horizon time.Duration
	// SweepEvery is the sweep's period. Zero means one minute.
	SweepEvery time.Duration
	// MaxJobs bounds the room jobs held, whatever the horizon: past it only
	// the earliest steps hold one, and a later step waits for a sweep after
	// some of them ran (see Wants). Zero means no bound. With a million
	// rooms a 24-hour horizon would hold a job for a third of them, at
	// about a kilobyte each; the bound keeps memory flat.
	MaxJobs int
	// Fire is called when a room's time has come. It runs on one of a few
	// workers, never twice at once for the same room, and may call Schedule.
	// One step can bring more than one call (a sweep that read the due index
	// just before the timer fired schedules it again), so Fire must find
	// what is due itself; the ledger makes a second call send nothing.
	// Its ctx is cancelled by Shutdown.
	Fire func(ctx context.Context, room string)
	// Sweep is called once at Start and every SweepEvery after: the daemon
	// reads its due index and calls Schedule for every room due by
	// horizonEnd, which both fires what was missed and gives a job to what
	// entered the horizon. Its ctx is cancelled by Shutdown.
	Sweep func(ctx context.Context, now, horizonEnd time.Time)
	// Logger receives the scheduler's warnings; nil means slog.Default().
	Logger *slog.Logger
}

// Scheduler holds one gocron job per room due within the horizon. All methods
// are safe for concurrent use, including from Fire and Sweep.
type Scheduler struct {
	clock   clockwork.Clock
	horizon time.Duration
	fireFn  func(ctx context.Context, room string)
	sweepFn func(ctx context.Context, now, horizonEnd time.Time)
	log     *slog.Logger
	cron    gocron.Scheduler
	fires   *fireQueue
	ctx     context.Context // handed to Fire and Sweep; cancelled by Shutdown
	cancel  context.CancelFunc
	workers sync.WaitGroup

	sweepMu    sync.Mutex
	sweeping   bool // a sweep pass is running
	sweepAgain bool // a tick came during that pass: run one more

	// mu is held across each gocron call as well as the map, so the jobs
	// gocron holds always match due, whatever order callers race in.
	mu      sync.Mutex
	due     map[string]time.Time // room → the time its job runs at
	latest  latestFirst          // the held jobs, latest on top, when MaxJobs bounds them
	maxJobs int
	started bool
	stopped bool
}

// New builds a Scheduler; nothing runs before Start.
func New(opt Options) (*Scheduler, error) {
	return newScheduler(opt)
}

// newScheduler lets tests add gocron options (a monitor counting job
// registrations) to the ones New sets.
func newScheduler(opt Options, cronOptions ...gocron.SchedulerOption) (*Scheduler, error) {
	switch {
	case opt.Fire == nil:
		return nil, errors.New("scheduler: Options.Fire is required")
	case opt.Sweep == nil:
		return nil, errors.New("scheduler: Options.Sweep is required")
	case opt.Horizon < 0:
		return nil, fmt.Errorf("scheduler: negative horizon %v", opt.Horizon)
	case opt.SweepEvery < 0:
		return nil, fmt.Errorf("scheduler: negative sweep period %v", opt.SweepEvery)
	case opt.MaxJobs < 0:
		return nil, fmt.Errorf("scheduler: negative job bound %d", opt.MaxJobs)
	}
	if opt.Clock == nil {
		opt.Clock = clockwork.NewRealClock()
	}
	if opt.Horizon == 0 {
		opt.Horizon = defaultHorizon
	}
	if opt.SweepEvery == 0 {
		opt.SweepEvery = defaultSweepEvery
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}

	cron, err := gocron.NewScheduler(append([]gocron.SchedulerOption{gocron.WithClock(opt.Clock)}, cronOptions...)...)
	if err != nil {
		return nil, fmt.Errorf("scheduler: new gocron scheduler: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Scheduler{
		clock:   opt.Clock,
		horizon: opt.Horizon,
		fireFn:  opt.Fire,
		sweepFn: opt.Sweep,
		log:     opt.Logger,
		cron:    cron,
		fires:   newFireQueue(),
		ctx:     ctx,
		cancel:  cancel,
		due:     make(map[string]time.Time),
		maxJobs: opt.MaxJobs,
	}
	// No WithSingletonMode: its reschedule mode drops a tick that lands while
	// a sweep runs, so a clock jump at that moment would wait a whole period;
	// sweep coalesces such a tick into one more pass instead.
	_, err = cron.NewJob(
		gocron.DurationJob(opt.SweepEvery),
		gocron.NewTask(s.sweep),
		gocron.WithName("sweep"),
		gocron.WithStartAt(gocron.WithStartImmediately()),
	)
	if err != nil {
		cancel()
		_ = cron.Shutdown()
		return nil, fmt.Errorf("scheduler: add sweep job: %w", err)
	}
	return s, nil
}

// Start fires every room whose time passed before Start, starts the workers
// and the timers, and runs the first sweep at once.
func (s *Scheduler) Start() {
	s.mu.Lock()
	if s.started || s.stopped {
		s.mu.Unlock()
		return
	}
	s.started = true
	s.fireMissed(s.clock.Now())
	for range fireWorkers {
		s.workers.Add(1)
		go s.work()
	}
	s.mu.Unlock()
	s.cron.Start()
}

// Schedule sets the time of room's next step. A zero time removes the room's
// job; a time not after now fires the room at once and holds no job; a time
// beyond now+Horizon holds no job (the sweep schedules it when it enters the
// horizon); otherwise the room's job is created, or moved in place, to at.
// When MaxJobs jobs are held, a room without one gets one only if at is
// before the latest held job, which gives up its job (the sweep brings that
// room back when it is among the earliest again).
func (s *Scheduler) Schedule(room string, at time.Time) error {
	if at.IsZero() {
		return s.Remove(room)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return ErrStopped
	}
	now := s.clock.Now()
	switch {
	case !at.After(now):
		err := s.dropJob(room)
		s.fires.fire(room)
		return err
	case at.After(now.Add(s.horizon)):
		return s.dropJob(room)
	}
	held, hasJob := s.due[room]
	if hasJob && held.Equal(at) {
		return nil
	}
	if !hasJob && s.full() {
		last, lastAt := s.latest.top(s.due)
		if !at.Before(lastAt) {
			return nil
		}
		if err := s.dropJob(last); err != nil {
			return err
		}
	}
	if err := s.putJob(room, at, hasJob); err != nil {
		// A failed Update may already have removed the old job; forget it
		// rather than claim a timer gocron does not hold.
		delete(s.due, room)
		return err
	}
	s.due[room] = at
	if s.maxJobs > 0 {
		s.latest.push(room, at, s.due)
	}
	return nil
}

// Wants reports whether Schedule would fire or give a job to a room that
// holds none, due at `at`: false beyond the horizon, and false when
// MaxJobs jobs are held that all run no later than at. A sweep reading the
// due index in time order stops at the first room it is not wanted for.
func (s *Scheduler) Wants(at time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	switch {
	case !at.After(now):
		return true
	case at.After(now.Add(s.horizon)):
		return false
	case s.full():
		_, lastAt := s.latest.top(s.due)
		return at.Before(lastAt)
	}
	return true
}

// full reports whether MaxJobs jobs are held; mu must be held.
func (s *Scheduler) full() bool {
	return s.maxJobs > 0 && len(s.due) >= s.maxJobs
}

// Remove drops room's job, if it holds one.
func (s *Scheduler) Remove(room string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return ErrStopped
	}
	return s.dropJob(room)
}

// Jobs is the number of room jobs held, not counting the sweep.
func (s *Scheduler) Jobs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.due)
}

// NextRun is the earliest room job (ties go to the smaller room ID, so the
// answer is stable); ok is false when no room holds a job.
func (s *Scheduler) NextRun() (room string, at time.Time, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for r, t := range s.due {
		if !ok || t.Before(at) || (t.Equal(at) && r < room) {
			room, at, ok = r, t, true
		}
	}
	return room, at, ok
}

// Shutdown stops the timers and the sweep, cancels the ctx of in-flight Fire
// and Sweep calls and waits for them, all within ctx. Fires still queued are
// dropped: the daemon's due index holds them for the next start. It must not
// be called from Fire or Sweep, which it waits for.
func (s *Scheduler) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return nil
	}
	s.stopped = true
	s.mu.Unlock()

	s.cancel()
	s.fires.close()
	var errs []error
	if err := s.cron.ShutdownWithContext(ctx); err != nil {
		errs = append(errs, fmt.Errorf("scheduler: stop gocron: %w", err))
	}
	workersDone := make(chan struct{})
	go func() {
		s.workers.Wait()
		close(workersDone)
	}()
	select {
	case <-workersDone:
	case <-ctx.Done():
		errs = append(errs, fmt.Errorf("scheduler: wait for fires: %w", ctx.Err()))
	}
	return errors.Join(errs...)
}

// putJob points room's gocron job at `at`, creating it only when none is held:
// a second NewJob with the same ID would leave gocron holding two jobs under
// one ID. WithLimitedRuns(1) is left out on purpose: a single-time job never
// reschedules itself, and the limit's deferred removal goes by ID, so it can
// delete the job that replaced the one that ran. The job is removed by
// timerFired instead, under mu.
func (s *Scheduler) putJob(room string, at time.Time, hasJob bool) error {
	definition := oneTimeAt(at)
	task := gocron.NewTask(func() { s.timerFired(room, at) })
	var err error
	if hasJob {
		_, err = s.cron.Update(JobID(room), definition, task)
	} else {
		_, err = s.cron.NewJob(definition, task, gocron.WithIdentifier(JobID(room)))
	}
	if err != nil {
		return fmt.Errorf("scheduler: set job of room %q at %s: %w", room, at.Format(time.RFC3339), err)
	}
	return nil
}

// oneTimeAt is the job definition of a step at `at`, with the backstop time
// that keeps gocron from spinning (see backstopAfter).
func oneTimeAt(at time.Time) gocron.JobDefinition {
	return gocron.OneTimeJob(gocron.OneTimeJobStartDateTimes(at, at.Add(backstopAfter)))
}

// dropJob removes room's job and bookkeeping; mu must be held.
func (s *Scheduler) dropJob(room string) error {
	if _, ok := s.due[room]; !ok {
		return nil
	}
	delete(s.due, room)
	if err := s.cron.RemoveJob(JobID(room)); err != nil && !errors.Is(err, gocron.ErrJobNotFound) {
		return fmt.Errorf("scheduler: remove job of room %q: %w", room, err)
	}
	return nil
}

// timerFired runs as room's gocron task. A reschedule can replace the job
// while gocron is already running it; at tells this run from the current one,
// so a replaced time never fires.
func (s *Scheduler) timerFired(room string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return
	}
	if held, ok := s.due[room]; !ok || !held.Equal(at) {
		return
	}
	if err := s.dropJob(room); err != nil {
		s.log.Warn("scheduler: remove fired job", "room", room, "err", err)
	}
	s.fires.fire(room)
}

// fireMissed fires every held room whose time is not after now: timers that
// a suspend, a clock jump or a late Start left behind. mu must be held.
func (s *Scheduler) fireMissed(now time.Time) int {
	var missed int
	for room, at := range s.due {
		if at.After(now) {
			continue
		}
		if err := s.dropJob(room); err != nil {
			s.log.Warn("scheduler: remove missed job", "room", room, "err", err)
		}
		s.fires.fire(room)
		missed++
	}
	return missed
}

// sweep is the periodic gocron task. A tick that comes while a pass runs
// makes that pass run once more, with a fresh now, rather than overlap it.
func (s *Scheduler) sweep() {
	s.sweepMu.Lock()
	if s.sweeping {
		s.sweepAgain = true
		s.sweepMu.Unlock()
		return
	}
	s.sweeping = true
	s.sweepMu.Unlock()
	for {
		s.sweepPass()
		s.sweepMu.Lock()
		if !s.sweepAgain {
			s.sweeping = false
			s.sweepMu.Unlock()
			return
		}
		s.sweepAgain = false
		s.sweepMu.Unlock()
	}
}

// sweepPass fires held jobs whose timers were missed, then lets the daemon
// check its due index.
func (s *Scheduler) sweepPass() {
	now := s.clock.Now()
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	if missed := s.fireMissed(now); missed > 0 {
		s.log.Info("scheduler: sweep fired missed timers", "rooms", missed)
	}
	s.mu.Unlock()
	s.sweepFn(s.ctx, now, now.Add(s.horizon))
}

func (s *Scheduler) work() {
	defer s.workers.Done()
	for {
		room, ok := s.fires.take()
		if !ok {
			return
		}
		s.fireFn(s.ctx, room)
		s.fires.done(room)
	}
}

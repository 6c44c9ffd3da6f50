package scheduler

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/jonboulle/clockwork"
)

func TestStepsFireAtTheirTimes(t *testing.T) {
	h := newHarness(t, Options{})
	var mu sync.Mutex
	firedAt := make(map[string]time.Time)
	h.fireFn = func(_ context.Context, room string) {
		mu.Lock()
		defer mu.Unlock()
		firedAt[room] = h.clock.Now()
	}
	h.start()
	steps := []struct {
		room string
		at   time.Time
	}{
		{"4012345", start.Add(time.Hour)},
		{"4012346", start.Add(2 * time.Hour)},
		{"4012347", start.Add(90 * time.Minute)},
	}
	for _, st := range steps {
		h.schedule(st.room, st.at)
	}
	if got := h.s.Jobs(); got != 3 {
		t.Fatalf("Jobs = %d; want 3", got)
	}

	for i, st := range []int{0, 2, 1} { // in time order
		room, at, ok := h.s.NextRun()
		if !ok || room != steps[st].room || !at.Equal(steps[st].at) {
			t.Fatalf("NextRun = %s, %s, %v; want %s, %s", room, at, ok, steps[st].room, steps[st].at)
		}
		h.advanceTo(steps[st].at)
		h.waitFired(steps[st].room, 1)
		if got, want := h.s.Jobs(), 2-i; got != want {
			t.Fatalf("Jobs after %s fired = %d; want %d", steps[st].room, got, want)
		}
		h.wantNoCronJob(steps[st].room)
		for _, later := range steps {
			if later.at.After(steps[st].at) && h.firedCount(later.room) != 0 {
				t.Fatalf("%s fired before its time %s", later.room, later.at)
			}
		}
	}
	if _, _, ok := h.s.NextRun(); ok {
		t.Fatal("NextRun reports a job after every room fired")
	}
	mu.Lock()
	defer mu.Unlock()
	for _, st := range steps {
		if !firedAt[st.room].Equal(st.at) {
			t.Errorf("%s fired at %s; want %s", st.room, firedAt[st.room], st.at)
		}
	}
}

func TestScheduleTwiceUpdatesTheOneJobInPlace(t *testing.T) {
	h := newHarness(t, Options{})
	h.start()
	first, second := start.Add(time.Hour), start.Add(2*time.Hour)

	h.schedule("a", first)
	h.schedule("a", second)
	h.schedule("a", second) // same time: nothing to do

	if got := h.s.Jobs(); got != 1 {
		t.Fatalf("Jobs = %d; want 1", got)
	}
	h.wantCronJob("a", second)
	var roomJobs int
	for _, j := range h.s.cron.Jobs() {
		if j.ID() == JobID("a") {
			roomJobs++
		}
	}
	if roomJobs != 1 {
		t.Fatalf("gocron holds %d jobs with a's ID; want 1", roomJobs)
	}
	// NewJob once, then one Update (which gocron does as remove + register
	// under the same ID); the repeated time reached gocron not at all.
	if reg, unreg := h.jobs.counts("a"); reg != 2 || unreg != 1 {
		t.Fatalf("gocron registered a's job %d times and removed it %d; want 2 and 1", reg, unreg)
	}
}

func TestMovingATimeLaterFiresOnlyAtTheNewTime(t *testing.T) {
	h := newHarness(t, Options{})
	h.start()
	old, moved := start.Add(time.Hour), start.Add(3*time.Hour)
	h.schedule("a", old)
	h.schedule("a", moved)

	h.advanceTo(old.Add(time.Minute))
	h.settle()
	if got := h.firedCount("a"); got != 0 {
		t.Fatalf("a fired %d times at its old time", got)
	}
	h.wantCronJob("a", moved)

	h.advanceTo(moved)
	h.waitFired("a", 1)
}

func TestMovingATimeEarlierFiresOnlyAtTheNewTime(t *testing.T) {
	h := newHarness(t, Options{})
	h.start()
	old, moved := start.Add(3*time.Hour), start.Add(time.Hour)
	h.schedule("a", old)
	h.schedule("a", moved)
	h.wantCronJob("a", moved)

	h.advanceTo(moved)
	h.waitFired("a", 1)
	h.wantNoCronJob("a")

	h.advanceTo(old.Add(time.Minute))
	h.waitFired("a", 1) // still once: the old time is gone
}

func TestPastTimeFiresAtOnceAndHoldsNoJob(t *testing.T) {
	h := newHarness(t, Options{})
	h.start()

	h.schedule("past", start.Add(-time.Minute))
	h.schedule("now", start)
	h.schedule("moved-to-past", start.Add(time.Hour))
	h.wantCronJob("moved-to-past", start.Add(time.Hour))
	h.schedule("moved-to-past", start.Add(-time.Second))

	for _, room := range []string{"past", "now", "moved-to-past"} {
		h.waitFired(room, 1)
		h.wantNoCronJob(room)
	}
	if got := h.s.Jobs(); got != 0 {
		t.Fatalf("Jobs = %d; want 0", got)
	}
}

func TestTimeBeyondHorizonHoldsNoJobUntilTheSweepSchedulesIt(t *testing.T) {
	h := newHarness(t, Options{Horizon: 24 * time.Hour, SweepEvery: time.Minute})
	h.start()
	at := start.Add(30 * time.Hour)

	h.track("a", at)
	if got := h.s.Jobs(); got != 0 {
		t.Fatalf("Jobs = %d; want 0 for a step beyond the horizon", got)
	}
	h.wantNoCronJob("a")

	// Still beyond the horizon at the sweep of 5h59m.
	h.advanceTo(start.Add(5*time.Hour + 59*time.Minute))
	h.waitFor("the sweep of 5h59m", func() bool { return h.lastSweep().now.Equal(h.clock.Now()) })
	if got := h.s.Jobs(); got != 0 {
		t.Fatalf("Jobs = %d after a sweep that does not reach a", got)
	}

	// At 6h the horizon reaches a's step: the sweep gives it a job.
	h.advanceTo(start.Add(6 * time.Hour))
	h.waitFor("the sweep to schedule a", func() bool { return h.s.Jobs() == 1 })
	if sw := h.lastSweep(); !sw.horizonEnd.Equal(sw.now.Add(24 * time.Hour)) {
		t.Fatalf("sweep horizonEnd = %s; want now+24h = %s", sw.horizonEnd, sw.now.Add(24*time.Hour))
	}
	h.wantCronJob("a", at)
	if got := h.firedCount("a"); got != 0 {
		t.Fatalf("a fired %d times before its time", got)
	}

	h.advanceTo(at)
	h.waitDelivered("a")

	// A held job moved beyond the horizon gives its job up.
	h.schedule("b", h.clock.Now().Add(time.Hour))
	h.schedule("b", h.clock.Now().Add(48*time.Hour))
	h.wantNoCronJob("b")
	if got := h.s.Jobs(); got != 0 {
		t.Fatalf("Jobs = %d; want 0", got)
	}
}

func TestClockJumpForwardIsCaughtBySweep(t *testing.T) {
	h := newHarness(t, Options{Horizon: 24 * time.Hour, SweepEvery: time.Minute})
	h.start()
	h.track("beyond-horizon", start.Add(30*time.Hour)) // no job: only the sweep can fire it
	h.track("held", start.Add(2*time.Hour))
	h.track("later", start.Add(60*time.Hour))

	jump := start.Add(48 * time.Hour)
	h.advanceTo(jump)

	h.waitDelivered("beyond-horizon")
	h.waitDelivered("held")
	if got := h.firedCount("later"); got != 0 {
		t.Fatalf("a step after the jump fired %d times", got)
	}
	if sw := h.lastSweep(); !sw.now.Equal(jump) {
		t.Fatalf("last sweep saw now = %s; want the jumped-to %s", sw.now, jump)
	}
	// The jump also brought "later" into the horizon.
	h.waitFor("the sweep to schedule later", func() bool { return h.s.Jobs() == 1 })
	h.wantCronJob("later", start.Add(60*time.Hour))
}

func TestSweepRunsAtStartAndEveryPeriod(t *testing.T) {
	h := newHarness(t, Options{Horizon: 6 * time.Hour, SweepEvery: 5 * time.Minute})
	h.start()
	if sw := h.lastSweep(); !sw.now.Equal(start) || !sw.horizonEnd.Equal(start.Add(6*time.Hour)) {
		t.Fatalf("first sweep = %+v; want now %s, horizonEnd %s", sw, start, start.Add(6*time.Hour))
	}
	for i := 1; i <= 3; i++ {
		h.advanceBy(5 * time.Minute)
		h.waitFor(fmt.Sprintf("sweep %d", i+1), func() bool { return h.sweepCount() >= i+1 })
	}
	h.advanceBy(4 * time.Minute)
	h.settle()
	if got := h.sweepCount(); got != 4 {
		t.Fatalf("sweeps = %d before the period ended; want 4", got)
	}
}

func TestTimePassedBeforeStartFiresAtStart(t *testing.T) {
	h := newHarness(t, Options{})
	h.schedule("a", start.Add(time.Hour))
	h.schedule("b", start.Add(3*time.Hour))
	h.clock.Advance(2 * time.Hour) // before Start: gocron has armed no timer yet

	h.start()
	h.waitFired("a", 1)
	h.wantNoCronJob("a")
	h.wantCronJob("b", start.Add(3*time.Hour))
}

func TestReschedulingOneRoomLeavesOtherJobsUntouched(t *testing.T) {
	h := newHarness(t, Options{})
	h.start()
	others := map[string]time.Time{"a": start.Add(time.Hour), "c": start.Add(3 * time.Hour)}
	for room, at := range others {
		h.schedule(room, at)
	}
	h.schedule("b", start.Add(2*time.Hour))
	before := make(map[string][2]int)
	for room := range others {
		reg, unreg := h.jobs.counts(room)
		before[room] = [2]int{reg, unreg}
	}

	h.schedule("b", start.Add(150*time.Minute))
	h.schedule("b", start.Add(30*time.Minute))
	h.schedule("b", start.Add(-time.Minute)) // fires b, removes its job
	h.waitFired("b", 1)

	for room, at := range others {
		h.wantCronJob(room, at)
		reg, unreg := h.jobs.counts(room)
		if [2]int{reg, unreg} != before[room] {
			t.Errorf("room %s: gocron registrations went from %v to %v", room, before[room], [2]int{reg, unreg})
		}
	}
	if got := h.s.Jobs(); got != 2 {
		t.Fatalf("Jobs = %d; want 2", got)
	}
}

func TestRemoveDropsTheJob(t *testing.T) {
	h := newHarness(t, Options{})
	h.start()
	h.schedule("a", start.Add(time.Hour))
	if err := h.s.Remove("a"); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if err := h.s.Remove("never-scheduled"); err != nil {
		t.Fatalf("Remove of an unknown room: %v", err)
	}
	h.schedule("b", start.Add(time.Hour))
	h.schedule("b", time.Time{}) // zero time: remove
	h.wantNoCronJob("a")
	h.wantNoCronJob("b")

	h.advanceTo(start.Add(2 * time.Hour))
	h.settle()
	if a, b := h.firedCount("a"), h.firedCount("b"); a+b != 0 {
		t.Fatalf("removed rooms fired: a %d, b %d", a, b)
	}
}

func TestFireOfABusyRoomIsCoalescedIntoOneMoreRun(t *testing.T) {
	h := newHarness(t, Options{})
	release := make(chan struct{})
	inFirst := make(chan struct{})
	var once sync.Once
	h.fireFn = func(_ context.Context, room string) {
		if room != "busy" {
			return
		}
		first := false
		once.Do(func() { first = true })
		if first {
			close(inFirst)
			<-release
		}
	}
	h.start()

	h.schedule("busy", start.Add(-time.Minute))
	<-inFirst
	for range 3 {
		h.schedule("busy", start.Add(-time.Minute))
	}
	// Other rooms are not held up by the busy one.
	h.schedule("other", start.Add(-time.Minute))
	h.waitFired("other", 1)

	close(release)
	h.waitFired("busy", 2)
}

func TestShutdownCancelsAndWaitsForFiresPromptly(t *testing.T) {
	h := newHarness(t, Options{})
	inFire := make(chan struct{})
	var sawCancel bool
	h.fireFn = func(ctx context.Context, room string) {
		close(inFire)
		<-ctx.Done()
		sawCancel = true
	}
	h.start()
	h.schedule("a", start.Add(-time.Minute))
	for i := range 100 {
		h.schedule(fmt.Sprintf("held-%d", i), start.Add(time.Duration(i+1)*time.Minute))
	}
	<-inFire

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	began := time.Now()
	if err := h.s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if took := time.Since(began); took > 2*time.Second {
		t.Fatalf("Shutdown took %s", took)
	}
	if !sawCancel { // Shutdown has waited for Fire, so this read is ordered after the write
		t.Fatal("Shutdown returned before the in-flight Fire saw its ctx cancelled")
	}
	if err := h.s.Schedule("b", start.Add(time.Hour)); !errors.Is(err, ErrStopped) {
		t.Fatalf("Schedule after Shutdown = %v; want ErrStopped", err)
	}
	if err := h.s.Remove("held-1"); !errors.Is(err, ErrStopped) {
		t.Fatalf("Remove after Shutdown = %v; want ErrStopped", err)
	}
	if err := h.s.Shutdown(ctx); err != nil {
		t.Fatalf("second Shutdown: %v", err)
	}
	h.advanceBy(3 * time.Hour)
	h.settle()
	if got := h.firedCount("held-1"); got != 0 {
		t.Fatalf("a timer fired %d times after Shutdown", got)
	}
}

func TestShutdownBeforeStart(t *testing.T) {
	h := newHarness(t, Options{})
	h.schedule("a", start.Add(time.Hour))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
}

// Concurrent callers, and Fire calling back into Schedule, must leave gocron
// holding exactly the jobs the bookkeeping says, at the times it says.
func TestConcurrentSchedulingKeepsGocronInStep(t *testing.T) {
	h := newHarness(t, Options{Horizon: 24 * time.Hour})
	h.fireFn = func(_ context.Context, room string) {
		if err := h.s.Schedule(room, h.clock.Now().Add(time.Hour)); err != nil {
			t.Errorf("Schedule from Fire: %v", err)
		}
	}
	h.start()
	rooms := make([]string, 20)
	for i := range rooms {
		rooms[i] = fmt.Sprintf("room-%d", i)
	}

	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 0))
			for range 200 {
				room := rooms[rng.IntN(len(rooms))]
				var err error
				switch rng.IntN(5) {
				case 0:
					err = h.s.Schedule(room, start.Add(-time.Minute))
				case 1:
					err = h.s.Schedule(room, start.Add(30*time.Hour))
				case 2:
					err = h.s.Remove(room)
				default:
					err = h.s.Schedule(room, start.Add(time.Duration(1+rng.IntN(600))*time.Minute))
				}
				if err != nil {
					t.Errorf("%s: %v", room, err)
				}
			}
		})
	}
	wg.Wait()
	h.waitFor("fires to drain", func() bool {
		h.s.fires.mu.Lock()
		defer h.s.fires.mu.Unlock()
		return len(h.s.fires.state) == 0
	})

	h.s.mu.Lock()
	want := make(map[string]time.Time, len(h.s.due))
	for room, at := range h.s.due {
		want[room] = at
	}
	h.s.mu.Unlock()
	for _, room := range rooms {
		if at, ok := want[room]; ok {
			h.wantCronJob(room, at)
		} else {
			h.wantNoCronJob(room)
		}
	}
	if got := len(h.s.cron.Jobs()); got != len(want)+1 {
		t.Fatalf("gocron holds %d jobs; want %d rooms + the sweep", got, len(want))
	}
}

// gocron v2.21.2 spins forever when a one-time job's only time has passed by
// the time its goroutine registers the job; oneTimeAt's backstop must keep it
// responsive and leave the job parked at the backstop for the sweep.
func TestOneTimeDefinitionSurvivesItsTimePassingBeforeRegistration(t *testing.T) {
	clock := clockwork.NewFakeClockAt(start)
	cron, err := gocron.NewScheduler(gocron.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cron.Shutdown() })
	at := start.Add(time.Minute)
	job, err := cron.NewJob(oneTimeAt(at), gocron.NewTask(func() {}))
	if err != nil {
		t.Fatalf("NewJob: %v", err)
	}
	clock.Advance(2 * time.Minute) // the time passes before gocron sets the timer

	started := make(chan struct{})
	go func() {
		cron.Start()
		close(started)
	}()
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("gocron's Start hung on a one-time job whose time had passed")
	}
	next, err := job.NextRun()
	if err != nil {
		t.Fatalf("NextRun: %v", err)
	}
	if want := at.Add(backstopAfter); !next.Equal(want) {
		t.Fatalf("NextRun = %s; want the backstop %s", next, want)
	}
}

func TestJobIDIsStablePerRoom(t *testing.T) {
	// Two calls with two strings built apart: the ID comes from the room's
	// name, not from anything about the call.
	if first, again := JobID("4012345"), JobID(string([]byte("4012345"))); first != again {
		t.Fatal("JobID differs between calls for the same room")
	}
	if JobID("4012345") == JobID("4012346") {
		t.Fatal("two rooms share a JobID")
	}
	if v := JobID("4012345").Version(); v != 5 {
		t.Fatalf("JobID version = %d; want 5 (SHA-1 name-based)", v)
	}
}

func TestNewRejectsIncompleteOptions(t *testing.T) {
	fire := func(context.Context, string) {}
	sweep := func(context.Context, time.Time, time.Time) {}
	for name, opt := range map[string]Options{
		"no Fire":          {Sweep: sweep},
		"no Sweep":         {Fire: fire},
		"negative horizon": {Fire: fire, Sweep: sweep, Horizon: -time.Hour},
		"negative sweep":   {Fire: fire, Sweep: sweep, SweepEvery: -time.Minute},
		"negative bound":   {Fire: fire, Sweep: sweep, MaxJobs: -1},
	} {
		if s, err := New(opt); err == nil {
			_ = s.Shutdown(context.Background())
			t.Errorf("%s: New succeeded", name)
		}
	}
}

// BenchmarkScheduleUpdate moves one room's job among 10,000 held ones, as an
// event recorded on a busy daemon does. It runs on the real clock: the fake
// one re-sorts every timer on each new one, which would be all it measured.
func BenchmarkScheduleUpdate(b *testing.B) {
	s, err := New(Options{
		Fire:  func(context.Context, string) {},
		Sweep: func(context.Context, time.Time, time.Time) {},
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	s.Start()
	base := time.Now().Add(time.Hour)
	for i := range 10_000 {
		if err := s.Schedule(fmt.Sprintf("room-%d", i), base.Add(time.Duration(i)*time.Second)); err != nil {
			b.Fatal(err)
		}
	}

	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if err := s.Schedule("room-5000", base.Add(time.Duration(4+i%2)*time.Hour)); err != nil {
			b.Fatal(err)
		}
	}
	if got := s.Jobs(); got != 10_000 {
		b.Fatalf("Jobs = %d; want 10000", got)
	}
}

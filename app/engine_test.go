package app

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/store"
)

var tokyo = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		panic(err)
	}
	return loc
}()

func jst(day, hour, minute int) time.Time {
	return time.Date(2026, 11, day, hour, minute, 0, 0, tokyo)
}

// setup returns an App over a real store at now, with rooms in its config.
func setup(t *testing.T, now time.Time, rooms ...rules.Room) (*App, *clockwork.FakeClock) {
	t.Helper()
	return setupPorts(t, now, nil, rooms...)
}

// ports records what an App tells its timers and its waker.
type ports struct {
	nexts []time.Time // every Schedule, in order
	wakes int
}

func (p *ports) Schedule(room string, at time.Time) error {
	p.nexts = append(p.nexts, at)
	return nil
}

func (p *ports) Wake() { p.wakes++ }

// setupPorts is setup with p as the App's timers and waker (none when nil).
func setupPorts(t *testing.T, now time.Time, p *ports, rooms ...rules.Room) (*App, *clockwork.FakeClock) {
	t.Helper()
	cfg, err := config.Parse(filepath.Join(t.TempDir(), "roomwatch.yaml"), []byte("timezone: Asia/Tokyo\n"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Rooms = rooms
	st, err := store.Open(cfg.Store, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := clockwork.NewFakeClockAt(now)
	opt := Options{Config: cfg, Store: st, Clock: clock}
	if p != nil {
		opt.Timers, opt.Waker = p, p
	}
	e := New(opt)
	if _, err := e.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	return e, clock
}

func names(steps []rules.Step) []string {
	var out []string
	for _, s := range steps {
		out = append(out, string(s.Kind)+"/"+s.Name)
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestEvaluateQueuesDueStepsOnceAndReportsNext(t *testing.T) {
	ctx := context.Background()
	r := rules.Room{ID: "4012345", Buyer: "tanaka", Opened: jst(20, 10, 0), SellerMessage: jst(20, 11, 0)}
	p := &ports{}
	e, clock := setupPorts(t, jst(20, 12, 0), p, r)

	out, err := e.Evaluate(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Queued) != 0 {
		t.Fatalf("queued %v before anything was due", names(out.Queued))
	}
	checkIn := jst(23, 11, 0)
	if !out.Next.Equal(checkIn) {
		t.Fatalf("next = %s, want the check-in at %s", out.Next, checkIn)
	}
	if at, ok, _ := e.store.Next(r.ID); !ok || !at.Equal(checkIn) {
		t.Fatalf("due index holds %s %v, want %s", at, ok, checkIn)
	}

	clock.Advance(checkIn.Sub(clock.Now()))
	out, err = e.Evaluate(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(out.Queued); !equal(got, []string{"check-in/due"}) {
		t.Fatalf("queued %v at the check-in, want [check-in/due]", got)
	}
	if out.Queued[0].Key() == "" || len(p.nexts) != 2 {
		t.Fatalf("timers told %d times, want 2", len(p.nexts))
	}
	// A second evaluation at the same moment (a sweep racing a timer) queues nothing.
	out, err = e.Evaluate(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Queued) != 0 {
		t.Fatalf("second evaluation queued %v", names(out.Queued))
	}
	box, _ := e.store.Outbox()
	if len(box) != 1 {
		t.Fatalf("outbox holds %d entries, want 1", len(box))
	}
}

func TestRecordedMessageCancelsTheOldDeadline(t *testing.T) {
	ctx := context.Background()
	// The buyer wrote last: cancel-risk runs from the seller's message.
	r := rules.Room{ID: "4012346", Buyer: "suzuki", Opened: jst(20, 10, 0), SellerMessage: jst(20, 11, 0), BuyerMessage: jst(21, 9, 0)}
	e, clock := setup(t, jst(21, 9, 30), r)
	out, err := e.Evaluate(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !out.Next.Equal(jst(23, 11, 0)) {
		t.Fatalf("next = %s, want the check-in at 11/23 11:00", out.Next)
	}

	// The seller answers: cancel-risk is gone, the check-in moves.
	clock.Advance(jst(22, 8, 0).Sub(clock.Now()))
	out, err = e.recordEvent(ctx, store.Event{Room: r.ID, Kind: rules.EventSellerMessage, At: jst(22, 8, 0), Source: "cli"})
	if err != nil {
		t.Fatal(err)
	}
	if !out.Next.Equal(jst(25, 8, 0)) {
		t.Fatalf("next after the message = %s, want the new check-in at 11/25 08:00", out.Next)
	}
	// At the old deadlines nothing is queued.
	for _, old := range []time.Time{jst(23, 11, 0), jst(24, 8, 0), jst(24, 11, 0)} {
		clock.Advance(old.Sub(clock.Now()))
		out, err := e.Evaluate(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Queued) != 0 {
			t.Fatalf("at %s queued %v from a deadline the message moved", old, names(out.Queued))
		}
	}
}

func TestCatchUpSendsOnlyTheLatestStepLate(t *testing.T) {
	ctx := context.Background()
	// Seen long before: every warn step of cancel-risk exists.
	r := rules.Room{ID: "4012347", Buyer: "kato", Opened: jst(20, 10, 0), SellerMessage: jst(20, 11, 0), BuyerMessage: jst(20, 12, 0)}
	e, clock := setup(t, jst(20, 12, 0), r)
	if _, err := e.Evaluate(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	// The daemon was down from before warn-24h until after the deadline.
	clock.Advance(jst(24, 11, 30).Sub(clock.Now()))
	out, err := e.Evaluate(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	var cancelRisk []string
	for _, s := range out.Queued {
		if s.Kind == rules.CancelRisk {
			cancelRisk = append(cancelRisk, s.Name)
		}
	}
	if !equal(cancelRisk, []string{"due"}) {
		t.Fatalf("cancel-risk queued %v after the downtime, want only [due]", cancelRisk)
	}
	skipped := 0
	for _, s := range out.Skipped {
		if s.Kind == rules.CancelRisk {
			skipped++
		}
	}
	if skipped != 2 {
		t.Fatalf("skipped %d earlier cancel-risk steps, want the two warnings", skipped)
	}
	box, _ := e.store.Outbox()
	for _, entry := range box {
		if !entry.Late {
			t.Errorf("%s queued %s after its time but not marked late", entry.Step.Key(), clock.Now().Sub(entry.Step.SendAt))
		}
	}
}

func TestSyncReportsSameBuyerSiblings(t *testing.T) {
	a := rules.Room{ID: "1", Buyer: "tanaka", Opened: jst(20, 10, 0)}
	b := rules.Room{ID: "2", Buyer: "tanaka", Opened: jst(21, 10, 0)}
	other := rules.Room{ID: "3", Buyer: "sato", Opened: jst(21, 10, 0)}
	e, _ := setup(t, jst(22, 0, 0), a, other)
	cfg := *e.Config()
	cfg.Rooms = []rules.Room{a, other, b}
	e.SetConfig(&cfg)
	changed, err := e.Sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !equal(changed, []string{"2"}) {
		t.Fatalf("changed = %v, want [2] (the new room; room 1 is the earlier sibling)", changed)
	}
	r, _, _ := e.Room("2")
	env, err := e.Env(r)
	if err != nil {
		t.Fatal(err)
	}
	if !equal(env.SameBuyer, []string{"1"}) {
		t.Fatalf("room 2's same-buyer rooms = %v, want [1]", env.SameBuyer)
	}
	// Closing room 1 changes room 2's alerts: it is reported.
	a.Closed = jst(22, 0, 0)
	cfg.Rooms = []rules.Room{a, other, b}
	changed, err = e.Sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !equal(changed, []string{"1", "2"}) {
		t.Fatalf("changed = %v, want [1 2]", changed)
	}
}

func TestEnvRefusesAnUnknownPlatform(t *testing.T) {
	r := rules.Room{ID: "9", Platform: "nosuch", Opened: jst(20, 10, 0)}
	e, _ := setup(t, jst(20, 12, 0))
	if _, err := e.Env(r); err == nil {
		t.Fatal("no error for a room on an unknown platform")
	}
}

package daemon

import (
	"context"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/roomwatch/roomwatch/rules"
)

// runUntil moves the fake clock a minute at a time up to end and does, at
// each minute, what the timers would: evaluate every room the due index
// says is due, then hand the outbox to the notifiers and wait for the sends.
func runUntil(t *testing.T, d *Daemon, clock *clockwork.FakeClock, end time.Time) {
	t.Helper()
	ctx := context.Background()
	for clock.Now().Before(end) {
		clock.Advance(time.Minute)
		var due []string
		err := d.store.DueBefore(clock.Now(), func(room string, _ time.Time) bool {
			due = append(due, room)
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, room := range due {
			d.fire(ctx, room)
		}
		d.drain(ctx)
		// The notifiers deliver on their own lanes: let this minute's
		// sends land before the clock moves on.
		d.waitLanded(5 * time.Second)
	}
}

// deliveredAt is when the step named room/kind/step reached the notifier;
// ok is false when it never did.
func deliveredAt(rec *recordingNotifier, room string, kind rules.Kind, step string) (at time.Time, s rules.Step, ok bool) {
	for _, m := range rec.alerts() {
		for _, a := range m.msg.Alerts {
			if a.Step.Room == room && a.Step.Kind == kind && a.Step.Name == step {
				return m.at, a.Step, true
			}
		}
	}
	return time.Time{}, rules.Step{}, false
}

func TestQuietHoursHoldWarningsButNotCriticalSteps(t *testing.T) {
	// Both rooms fall due at 02:00 on 11/26: 5001's check-in (a warning)
	// and 5002's cancel-risk (critical: the buyer wrote last).
	cfg := writeConfig(t, t.TempDir(), `policy:
  quiet_hours: "23:00-08:00"
  digest_at: none
rooms:
  - id: "5001"
    title: Check-in at night
    opened: 2026-11-22 20:00
    seller_message: 2026-11-23 02:00
  - id: "5002"
    title: Buyer waiting
    opened: 2026-11-22 01:00
    seller_message: 2026-11-22 02:00
    buyer_message: 2026-11-22 03:00
`)
	clock := clockwork.NewFakeClockAt(at(25, 22, 0))
	rec := &recordingNotifier{clock: clock}
	d, _ := startDaemon(t, cfg, clock, rec, nil)

	runUntil(t, d, clock, at(26, 7, 59))
	if when, _, ok := deliveredAt(rec, "5002", rules.CancelRisk, rules.StepDue); !ok || !when.Equal(at(26, 2, 0)) {
		t.Errorf("critical cancel-risk delivered at %s (%v), want 02:00 inside quiet hours", when.In(tokyo), ok)
	}
	if when, _, ok := deliveredAt(rec, "5001", rules.CheckIn, rules.StepDue); ok {
		t.Fatalf("warning check-in delivered at %s, inside quiet hours", when.In(tokyo))
	}

	runUntil(t, d, clock, at(26, 8, 5))
	when, step, ok := deliveredAt(rec, "5001", rules.CheckIn, rules.StepDue)
	if !ok || !when.Equal(at(26, 8, 0)) {
		t.Fatalf("held check-in delivered at %s (%v), want 08:00 when quiet hours end", when.In(tokyo), ok)
	}
	if !step.At.Equal(at(26, 2, 0)) {
		t.Errorf("held step says it was due at %s, want 02:00", step.At.In(tokyo))
	}
}

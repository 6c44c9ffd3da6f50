package rules

import (
	"slices"
	"testing"
	"time"
)

func TestStateOf(t *testing.T) {
	delivered, later := jst(2026, 11, 26, 18, 0), jst(2026, 11, 27, 9, 0)
	tests := []struct {
		name string
		room Room
		want State
	}{
		{"opened", Room{Opened: opened}, StateOpen},
		{"delivered", Room{Opened: opened, Delivered: delivered}, StateDelivered},
		{"pushed back", Room{Opened: opened, Delivered: delivered, PushedBack: later}, StateOpen},
		{"delivered again", Room{Opened: opened, Delivered: later, PushedBack: delivered}, StateDelivered},
		{"pushed back at the delivery's instant", Room{Delivered: delivered, PushedBack: delivered}, StateDelivered},
		{"closed", Room{Delivered: delivered, PushedBack: later, Closed: later}, StateClosed},
		{"cancelled wins", Room{Delivered: delivered, Closed: later, Cancelled: later}, StateCancelled},
	}
	for _, tt := range tests {
		if got := StateOf(tt.room); got != tt.want {
			t.Errorf("%s: StateOf = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestPlanOrder(t *testing.T) {
	r := baseRoom()
	r.Via = ViaQuote
	r.Due = jst(2026, 11, 21, 12, 0)
	env := envFor("coconala")
	env.SameBuyer = []string{"4012300"}
	assertLines(t, describeSteps(Plan(r, env)), []string{
		// same instant: the kind order of DESIGN §1's table
		"send-terms/due@2026-11-20 10:00",
		"buyer-open-rooms/due@2026-11-20 10:00",
		"delivery-due/warn-24h@2026-11-20 12:00",
		"delivery-due/warn-3h@2026-11-21 09:00",
		"first-message/warn-24h@2026-11-21 10:00",
		"delivery-due/due@2026-11-21 12:00",
		"delivery-due/repeat-1@2026-11-21 14:00",
		"delivery-due/repeat-2@2026-11-21 16:00",
		"delivery-due/repeat-3@2026-11-21 18:00",
		"delivery-due/repeat-4@2026-11-21 20:00",
		"delivery-due/repeat-5@2026-11-21 22:00",
		"delivery-due/repeat-6@2026-11-22 00:00",
		"delivery-due/repeat-7@2026-11-22 02:00",
		"delivery-due/repeat-8@2026-11-22 04:00",
		"delivery-due/repeat-9@2026-11-22 06:00",
		"first-message/warn-3h@2026-11-22 07:00",
		"delivery-due/repeat-10@2026-11-22 08:00",
		"first-message/due@2026-11-22 10:00",
		"delivery-due/repeat-11@2026-11-22 10:00",
		"delivery-due/repeat-12@2026-11-22 12:00",
		"room-expiry/due@2027-03-13 10:00",
	})
}

// TestPlanTieOnSendAt: steps held to the same morning go out in the order
// they were due, then by kind.
func TestPlanTieOnSendAt(t *testing.T) {
	r := baseRoom()
	r.Opened = jst(2026, 11, 21, 1, 0)
	r.Seen = r.Opened
	r.SellerMessage = jst(2026, 11, 18, 3, 0) // a room opened from an earlier chat
	r.Via = ViaQuote
	env := envFor("fiverr")
	env.Policy.QuietHours = QuietHours{Start: 23 * time.Hour, End: 8 * time.Hour}
	assertLines(t, describeSteps(Plan(r, env)), []string{
		"send-terms/due@2026-11-21 08:00 (at 2026-11-21 01:00)",
		"check-in/due@2026-11-21 08:00 (at 2026-11-21 03:00)",
	})
}

func TestPlanIsStepsOfAlerts(t *testing.T) {
	r := baseRoom()
	r.SellerMessage = jst(2026, 11, 20, 11, 0)
	r.BuyerMessage = jst(2026, 11, 21, 12, 0)
	r.Due = jst(2026, 11, 27, 23, 59)
	env := envFor("coconala")
	env.Policy.QuietHours = QuietHours{Start: 23 * time.Hour, End: 8 * time.Hour}
	env.Acks = []Ack{{Kind: CancelRisk, Deadline: jst(2026, 11, 24, 11, 0), At: jst(2026, 11, 24, 12, 0)}}
	var want []string
	for _, a := range Alerts(r, env) {
		want = append(want, describeSteps(Steps(a, env))...)
	}
	got := describeSteps(Plan(r, env))
	slices.Sort(want)
	sorted := slices.Sorted(slices.Values(got))
	assertLines(t, sorted, want)
	if Plan(Room{ID: "empty"}, env) != nil {
		t.Error("a room without facts has steps")
	}
}

func TestUpcomingAndNext(t *testing.T) {
	r := baseRoom()
	env := envFor("coconala")
	steps := Plan(r, env)
	// warn-24h 11-21 10:00, warn-3h 11-22 07:00, due 11-22 10:00, room-expiry 2027-03-13 10:00
	at := jst(2026, 11, 22, 7, 0)
	assertLines(t, describeSteps(Upcoming(steps, at)), []string{
		"first-message/warn-3h@2026-11-22 07:00",
		"first-message/due@2026-11-22 10:00",
		"room-expiry/due@2027-03-13 10:00",
	})
	if got := Upcoming(steps, jst(2027, 3, 13, 10, 1)); len(got) != 0 {
		t.Errorf("Upcoming after the last step = %v", describeSteps(got))
	}
	next, ok := Next(steps, at)
	if !ok || describeStep(next) != "first-message/due@2026-11-22 10:00" {
		t.Errorf("Next strictly after warn-3h = %s, %v", describeStep(next), ok)
	}
	next, ok = Next(steps, time.Time{})
	if !ok || next.Name != "warn-24h" {
		t.Errorf("Next from the start = %s, %v", describeStep(next), ok)
	}
	// Next does not depend on the input being sorted.
	reversed := slices.Clone(steps)
	slices.Reverse(reversed)
	if next, _ := Next(reversed, at); next.Name != StepDue || next.Kind != FirstMessage {
		t.Errorf("Next over reversed steps = %s", describeStep(next))
	}
	if _, ok := Next(steps, jst(2027, 3, 13, 10, 0)); ok {
		t.Error("Next after the last step found one")
	}
}

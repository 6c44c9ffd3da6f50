package rules_test

import (
	"fmt"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// A sale on Coconala opens a talk room. Until the seller writes, the
// first-message clock runs: Plan lists every step at which roomwatch will
// speak, each with the alert it belongs to.
func ExamplePlan() {
	tokyo := time.FixedZone("JST", 9*60*60)
	room := rules.Room{
		ID:       "4100021",
		Platform: "coconala",
		Opened:   time.Date(2026, 11, 20, 10, 0, 0, 0, tokyo),
	}
	env := rules.Env{Profile: rules.Profiles["coconala"], Policy: rules.DefaultPolicy()}
	for _, s := range rules.Plan(room, env) {
		if s.Kind != rules.FirstMessage {
			continue
		}
		fmt.Println(s.Name, s.Severity, s.SendAt.In(tokyo).Format("01/02 15:04"))
	}
	// Output:
	// warn-24h critical 11/21 10:00
	// warn-3h critical 11/22 07:00
	// due critical 11/22 10:00
}

// AlertsAt answers "what is live for this room at this instant". Once the
// seller has written, the first-message alert is gone and the clocks that
// follow a conversation start.
func ExampleAlertsAt() {
	tokyo := time.FixedZone("JST", 9*60*60)
	opened := time.Date(2026, 11, 20, 10, 0, 0, 0, tokyo)
	room := rules.Room{ID: "4100021", Platform: "coconala", Opened: opened}
	env := rules.Env{Profile: rules.Profiles["coconala"], Policy: rules.DefaultPolicy()}
	now := opened.Add(2 * time.Hour)

	for _, a := range rules.AlertsAt(room, env, now) {
		fmt.Println("before:", a.Kind, a.Severity, a.Deadline.In(tokyo).Format("01/02 15:04"))
	}
	room.SellerMessage = now
	for _, a := range rules.AlertsAt(room, env, now) {
		fmt.Println("after the seller wrote:", a.Kind, a.Severity, a.Deadline.In(tokyo).Format("01/02 15:04"))
	}
	// Output:
	// before: first-message critical 11/22 10:00
	// before: room-expiry info 03/13 10:00
	// after the seller wrote: check-in warning 11/23 12:00
	// after the seller wrote: may-cancel info 11/24 10:00
	// after the seller wrote: room-expiry info 03/13 10:00
}

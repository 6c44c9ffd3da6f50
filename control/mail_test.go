package control

import (
	"context"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/inbox/mailrule"
	"github.com/roomwatch/roomwatch/rules"
)

func TestRecordMailOutcomes(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	client, _ := serveSocket(t, f)
	// Cases alternate between the socket and the process: one operation.
	opened := f.at(t, "2026-11-20 10:00")
	for _, tc := range []struct {
		name    string
		rec     app.MailRecorder
		m       mailrule.Match
		outcome string
		at      time.Time
	}{
		{"buyer message over the socket", client,
			mailrule.Match{Room: "4012346", Event: rules.EventBuyerMessage, At: f.at(t, "2026-11-22 11:00"), MessageID: "a@x", Rule: "r"},
			app.MailRecorded, f.at(t, "2026-11-22 11:00")},
		{"the same mail again", f.local,
			mailrule.Match{Room: "4012346", Event: rules.EventBuyerMessage, At: f.at(t, "2026-11-22 11:00"), MessageID: "a@x"},
			app.MailDuplicate, f.at(t, "2026-11-22 11:00")},
		{"a date ahead of the clock is now", f.local,
			mailrule.Match{Room: "4012345", Event: rules.EventCancelRequest, At: f.at(t, "2026-11-23 09:00"), MessageID: "b@x"},
			app.MailRecorded, f.at(t, fixtureNow)},
		{"a purchase of a tracked room changes nothing", f.local,
			mailrule.Match{Room: "4012345", Event: rules.EventOpened, At: f.at(t, "2026-11-22 10:00"), MessageID: "c@x"},
			app.MailKnownRoom, f.at(t, "2026-11-22 10:00")},
		{"an unknown room", client,
			mailrule.Match{Room: "999", Event: rules.EventClosed, At: f.at(t, "2026-11-22 10:00"), MessageID: "d@x"},
			app.MailUnknownRoom, f.at(t, "2026-11-22 10:00")},
		{"a purchase creates the room in the store", client,
			mailrule.Match{Room: "5000", Event: rules.EventOpened, At: f.at(t, "2026-11-22 09:30"), MessageID: "e@x", Title: "t", Buyer: "b", Platform: "coconala"},
			app.MailCreatedRoom, f.at(t, "2026-11-22 09:30")},
	} {
		res, err := tc.rec.RecordMail(ctx, tc.m)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if res.Outcome != tc.outcome || !res.At.Equal(tc.at) {
			t.Errorf("%s: %s at %s, want %s at %s", tc.name, res.Outcome, res.At, tc.outcome, tc.at)
		}
	}
	r, _, _ := f.local.Room("4012345")
	if !r.Opened.Equal(opened) {
		t.Errorf("a purchase mail moved opened to %s", r.Opened)
	}
	if !r.CancelRequested.Equal(f.at(t, fixtureNow)) {
		t.Errorf("cancel_requested = %s, want now", r.CancelRequested)
	}
	created, ok, _ := f.local.Room("5000")
	if !ok || created.Title != "t" || created.Buyer != "b" || !created.Opened.Equal(f.at(t, "2026-11-22 09:30")) {
		t.Errorf("created room %+v (tracked %v)", created, ok)
	}
	if _, ok := deadlineOf(t, f.local, "5000", rules.FirstMessage); !ok {
		t.Error("the room a purchase mail created has no first-message alert")
	}
	if _, err := client.RecordMail(ctx, mailrule.Match{Room: "4012345", Event: rules.EventSellerMessage}); !app.IsInputError(err) {
		t.Errorf("a seller's own message by mail: err = %v, want an input error", err)
	}
}

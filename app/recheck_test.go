package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/store"
)

func ledgerOf(t *testing.T, e *App, room string) map[string]store.Entry {
	t.Helper()
	entries, err := e.store.Ledger(room)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.Entry{}
	for _, en := range entries {
		out[string(en.Step.Kind)+"/"+en.Step.Name] = en
	}
	return out
}

func TestRecheckDropsWhatTheRoomNoLongerNeeds(t *testing.T) {
	ctx := context.Background()
	// The seller wrote last and the buyer is silent: may-cancel and
	// check-in came due while nothing ran.
	stale := rules.Room{ID: "4012345", Buyer: "tanaka", Opened: jst(1, 10, 0), SellerMessage: jst(2, 11, 0)}
	still := rules.Room{ID: "4012346", Buyer: "sato", Opened: jst(1, 10, 0), SellerMessage: jst(2, 11, 0)}
	gone := rules.Room{ID: "4012347", Buyer: "kato", Opened: jst(1, 10, 0), SellerMessage: jst(2, 11, 0)}
	moved := rules.Room{ID: "4012348", Buyer: "mori", Opened: jst(1, 10, 0), SellerMessage: jst(2, 11, 0)}
	e, clock := setup(t, jst(6, 12, 0), stale, still, gone, moved)
	if err := e.EvaluateRooms(ctx, []string{stale.ID, still.ID, gone.ID, moved.ID}); err != nil {
		t.Fatal(err)
	}
	queued, err := e.store.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	if len(queued) != 8 {
		t.Fatalf("%d steps queued, want may-cancel and check-in of four rooms: %+v", len(queued), queued)
	}

	// The seller wrote and delivered in the first room (straight to the
	// store, as the command line does with no daemon), the third left the
	// config, and the seller wrote in the fourth.
	now := clock.Now()
	for _, ev := range []struct {
		room string
		kind rules.EventKind
	}{{stale.ID, rules.EventSellerMessage}, {stale.ID, rules.EventDelivered}, {moved.ID, rules.EventSellerMessage}} {
		if err := e.store.RecordEvent(store.Event{Room: ev.room, Kind: ev.kind, At: now, Source: "cli", RecordedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	cfg := *e.Config()
	cfg.Rooms = []rules.Room{stale, still, moved}
	e.SetConfig(&cfg)
	if _, err := e.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	send, err := e.Recheck(ctx, queued)
	if err != nil {
		t.Fatal(err)
	}
	var rooms []string
	for _, en := range send {
		rooms = append(rooms, en.Step.Room+"/"+string(en.Step.Kind))
	}
	if strings.Join(rooms, ",") != "4012346/may-cancel,4012346/check-in" && strings.Join(rooms, ",") != "4012346/check-in,4012346/may-cancel" {
		t.Errorf("to send: %v, want only the untouched room's two steps", rooms)
	}

	l := ledgerOf(t, e, stale.ID)
	if en := l["may-cancel/due"]; en.State != store.StateObsolete || !strings.Contains(en.Reason, "delivered") {
		t.Errorf("may-cancel of the delivered room = %s %q, want obsolete because it is delivered", en.State, en.Reason)
	}
	// The delivery counts as a message: check-in would be due 72 h later,
	// the very instant the platform approves by itself, so it is gone.
	if en := l["check-in/due"]; en.State != store.StateObsolete || !strings.Contains(en.Reason, "delivered") {
		t.Errorf("check-in of the delivered room = %s %q, want obsolete because it is delivered", en.State, en.Reason)
	}
	m := ledgerOf(t, e, moved.ID)
	if en := m["check-in/due"]; en.State != store.StateObsolete || !strings.Contains(en.Reason, "deadline moved to 2026-11-09T12:00:00+09:00") {
		t.Errorf("check-in of the room the seller wrote in = %s %q, want obsolete: its deadline moved", en.State, en.Reason)
	}
	for _, en := range ledgerOf(t, e, gone.ID) {
		if en.State != store.StateObsolete || !strings.Contains(en.Reason, "no longer tracked") {
			t.Errorf("%s of the removed room = %s %q", en.Step.Kind, en.State, en.Reason)
		}
	}
	left, err := e.store.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 2 {
		t.Errorf("outbox holds %d entries after the recheck, want the 2 still to send", len(left))
	}
}

func TestRecheckDropsAnAcknowledgedRepeat(t *testing.T) {
	ctx := context.Background()
	// The buyer wrote last: cancel-risk is due at seller + 96h and repeats.
	r := rules.Room{ID: "4012345", Buyer: "tanaka", Opened: jst(1, 10, 0), SellerMessage: jst(2, 10, 0), BuyerMessage: jst(2, 12, 0)}
	e, clock := setup(t, jst(6, 10, 0), r)
	clock.Advance(2 * time.Hour) // repeat-1 of cancel-risk is due
	if _, err := e.Evaluate(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	queued, err := e.store.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	var repeat *store.Entry
	for i, en := range queued {
		if en.Step.Kind == rules.CancelRisk && en.Step.Name == "repeat-1" {
			repeat = &queued[i]
		}
	}
	if repeat == nil {
		t.Fatalf("no cancel-risk repeat-1 queued: %+v", queued)
	}
	// Acknowledged after it was queued, before it went out.
	ackAt := jst(6, 11, 0)
	if err := e.store.AddAck(r.ID, rules.Ack{Kind: rules.CancelRisk, Deadline: repeat.Step.Deadline, At: ackAt}); err != nil {
		t.Fatal(err)
	}
	send, err := e.Recheck(ctx, queued)
	if err != nil || len(send) != len(queued)-1 {
		t.Fatalf("send = %+v, %v; want all but the acknowledged repeat", send, err)
	}
	for _, en := range send {
		if en.Key == repeat.Key {
			t.Error("the acknowledged repeat is to be sent")
		}
	}
	if en := ledgerOf(t, e, r.ID)["cancel-risk/repeat-1"]; en.State != store.StateObsolete || !strings.Contains(en.Reason, "acknowledged") {
		t.Errorf("acknowledged repeat = %s %q", en.State, en.Reason)
	}
}

func TestRecheckHoldsASnoozedStep(t *testing.T) {
	ctx := context.Background()
	// check-in and may-cancel both came due at 5 11:00.
	r := rules.Room{ID: "4012345", Buyer: "tanaka", Opened: jst(1, 10, 0), SellerMessage: jst(2, 11, 0)}
	e, clock := setup(t, jst(5, 11, 30), r)
	if _, err := e.Evaluate(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	queued, err := e.store.Outbox()
	if err != nil || len(queued) == 0 {
		t.Fatalf("queued = %+v, %v", queued, err)
	}
	until := clock.Now().Add(2 * time.Hour)
	if err := e.store.SetSnooze(r.ID, rules.Snooze{From: jst(1, 0, 0), Until: until}); err != nil {
		t.Fatal(err)
	}
	send, err := e.Recheck(ctx, queued)
	if err != nil || len(send) != 0 {
		t.Fatalf("a snoozed step is to be sent now: %+v, %v", send, err)
	}
	if left, _ := e.store.Outbox(); len(left) != len(queued) {
		t.Fatalf("a held step left the outbox: %d of %d remain", len(left), len(queued))
	}
	clock.Advance(2 * time.Hour)
	send, err = e.Recheck(ctx, queued)
	if err != nil || len(send) != len(queued) {
		t.Errorf("after the snooze: send %d of %d (%v)", len(send), len(queued), err)
	}
}

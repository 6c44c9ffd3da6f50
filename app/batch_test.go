package app

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/store"
)

// timelines are rooms at every stage, at jst(22, 12, 0): steps long past,
// just past, due now and to come, on-time and late, same-buyer rooms.
func timelines() []rules.Room {
	var rooms []rules.Room
	for i := range 30 {
		opened := jst(17, 10, 0).Add(time.Duration(i) * 3 * time.Hour)
		r := rules.Room{ID: fmt.Sprintf("%07d", 4012300+i), Buyer: fmt.Sprintf("buyer-%d", i%7), Opened: opened}
		switch i % 5 {
		case 1:
			r.SellerMessage = opened.Add(time.Hour)
		case 2:
			r.SellerMessage, r.BuyerMessage = opened.Add(time.Hour), opened.Add(20*time.Hour)
		case 3:
			r.SellerMessage, r.Delivered = opened.Add(time.Hour), opened.Add(30*time.Hour)
		case 4:
			r.Via, r.Due = rules.ViaQuote, opened.Add(4*24*time.Hour)
		}
		rooms = append(rooms, r)
	}
	return rooms
}

// outcome is what an evaluation leaves in a store: each room's next time
// and ledger, and the outbox.
func outcome(t *testing.T, e *App, rooms []rules.Room) []string {
	t.Helper()
	var lines []string
	for _, r := range rooms {
		at, ok, err := e.store.Next(r.ID)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, fmt.Sprintf("%s next %v %s", r.ID, ok, at.Format(time.RFC3339)))
		entries, err := e.store.Ledger(r.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, entry := range entries {
			lines = append(lines, fmt.Sprintf("%s %s late=%v", entry.Key, entry.State, entry.Late))
		}
	}
	box, err := e.store.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	var queued []string
	for _, entry := range box {
		queued = append(queued, "outbox "+entry.Key)
	}
	slices.Sort(queued) // queue order differs between one room at a time and a batch
	return append(lines, queued...)
}

func TestEvaluateAllDoesWhatEvaluateDoes(t *testing.T) {
	ctx := context.Background()
	now := jst(22, 12, 0)
	rooms := timelines()

	one, _ := setup(t, now, rooms...)
	for _, r := range rooms {
		if _, err := one.Evaluate(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
	}

	p := &ports{}
	batch, _ := setupPorts(t, now, p, rooms...)
	n, err := batch.EvaluateAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(rooms) {
		t.Fatalf("EvaluateAll evaluated %d rooms, want %d", n, len(rooms))
	}
	want, got := outcome(t, one, rooms), outcome(t, batch, rooms)
	if !slices.Equal(got, want) {
		t.Fatalf("EvaluateAll left\n%v\nwant, as Evaluate one room at a time,\n%v", got, want)
	}
	if len(p.nexts) != 0 || p.wakes != 1 {
		t.Errorf("timers told %d times, waker woken %d; want 0 and 1", len(p.nexts), p.wakes)
	}
	var queued int
	for _, line := range got {
		if len(line) > 7 && line[:7] == "outbox " {
			queued++
		}
	}
	if queued == 0 {
		t.Fatal("the timelines queued nothing: the comparison proves little")
	}

	// Evaluating again, as a restart would, queues nothing more.
	if _, err := batch.EvaluateAll(ctx); err != nil {
		t.Fatal(err)
	}
	if again := outcome(t, batch, rooms); !slices.Equal(again, got) {
		t.Fatalf("a second EvaluateAll changed the store:\n%v\nwas\n%v", again, got)
	}
}

func TestEvaluateRoomsDropsRoomsNoLongerTracked(t *testing.T) {
	ctx := context.Background()
	now := jst(22, 12, 0)
	rooms := timelines()
	e, _ := setup(t, now, rooms...)
	if err := e.store.SetNext("gone", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := e.EvaluateRooms(ctx, []string{rooms[1].ID, "gone"}); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := e.store.Next("gone"); ok {
		t.Error("an untracked room stays in the due index")
	}
	if _, ok, _ := e.store.Next(rooms[1].ID); !ok {
		t.Errorf("room %s has no next step after EvaluateRooms", rooms[1].ID)
	}
	if _, ok, _ := e.store.Next(rooms[2].ID); ok {
		t.Errorf("room %s, not asked for, was evaluated", rooms[2].ID)
	}
}

// TestSameBuyerCountsImportedRooms: an imported room is a sibling as much
// as a YAML one, and an event that closes it takes it out.
func TestSameBuyerCountsImportedRooms(t *testing.T) {
	now := jst(22, 12, 0)
	yamlRoom := rules.Room{ID: "y", Buyer: "tanaka", Opened: jst(21, 10, 0)}
	e, _ := setup(t, now, yamlRoom)
	imported := rules.Room{ID: "i", Buyer: "tanaka", Opened: jst(20, 10, 0)}
	if _, err := e.store.ImportRooms([]rules.Room{imported}, "api", now); err != nil {
		t.Fatal(err)
	}
	r, _, _ := e.Room("y")
	env, err := e.Env(r)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(env.SameBuyer, []string{"i"}) {
		t.Fatalf("same-buyer rooms of y = %v, want [i]", env.SameBuyer)
	}
	// Closing the imported room over the event log drops it.
	if _, err := e.recordEvent(context.Background(), store.Event{Room: "i", Kind: rules.EventClosed, At: now, Source: "cli"}); err != nil {
		t.Fatal(err)
	}
	if env, _ = e.Env(r); len(env.SameBuyer) != 0 {
		t.Fatalf("same-buyer rooms of y after i closed = %v, want none", env.SameBuyer)
	}
}

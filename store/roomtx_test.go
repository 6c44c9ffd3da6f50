package store

import (
	"errors"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// TestUpdateIsOneCommit: an event, the steps it queues and skips and the
// room's next step are written by one transaction.
func TestUpdateIsOneCommit(t *testing.T) {
	s := newStore(t)
	now := jst(t, "2026-11-21 13:00")
	mustSync(t, s, []rules.Room{{ID: "r", Opened: jst(t, "2026-11-20 10:00")}}, now)
	deadline := jst(t, "2026-11-22 10:00")
	before := txID(t, s)
	err := s.Update("r", func(tx *RoomTx) error {
		if err := tx.Record(Event{Room: "r", Kind: rules.EventSellerMessage, At: now, Source: "cli", RecordedAt: now}); err != nil {
			return err
		}
		r, ok := tx.Room()
		if !ok || !r.SellerMessage.Equal(now) {
			t.Errorf("room in the transaction = %+v, %v; want the event applied", r, ok)
		}
		if err := tx.Skip([]rules.Step{step("r", deadline, "warn-24h")}, now); err != nil {
			return err
		}
		queued, err := tx.Queue([]rules.Step{step("r", deadline, "warn-3h"), step("r", deadline, "warn-24h")}, false, now)
		if err != nil {
			return err
		}
		if len(queued) != 1 || !tx.Done(step("r", deadline, "warn-3h")) {
			t.Errorf("queued %v; the skipped step must not be queued", queued)
		}
		return tx.SetNext(deadline)
	})
	if err != nil {
		t.Fatal(err)
	}
	if after := txID(t, s); after != before+1 {
		t.Errorf("Update took %d commits, want 1", after-before)
	}
	s = reopen(t, s)
	checkTime(t, "seller message", mustRoom(t, s, "r").SellerMessage, now)
	if next, ok, err := s.Next("r"); err != nil || !ok || !next.Equal(deadline) {
		t.Errorf("next = %v, %v, %v", next, ok, err)
	}
	checkIDs(t, "outbox", outboxKeys(t, s), step("r", deadline, "warn-3h").Key())
	entries, err := s.Ledger("r")
	if err != nil || len(entries) != 2 || entries[0].State != StateSkipped && entries[1].State != StateSkipped {
		t.Errorf("ledger = %+v, %v", entries, err)
	}
}

// TestUpdateErrorWritesNothing: an error from the function rolls back the
// event and everything after it.
func TestUpdateErrorWritesNothing(t *testing.T) {
	s := newStore(t)
	now := jst(t, "2026-11-21 13:00")
	mustSync(t, s, []rules.Room{{ID: "r", Opened: jst(t, "2026-11-20 10:00")}}, now)
	boom := errors.New("boom")
	err := s.Update("r", func(tx *RoomTx) error {
		if err := tx.Record(Event{Room: "r", Kind: rules.EventDelivered, At: now, Source: "cli"}); err != nil {
			return err
		}
		if _, err := tx.Queue([]rules.Step{step("r", now, "due")}, false, now); err != nil {
			return err
		}
		if err := tx.SetNext(now.Add(time.Hour)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if r := mustRoom(t, s, "r"); !r.Delivered.IsZero() {
		t.Error("the event was written")
	}
	if keys := outboxKeys(t, s); len(keys) != 0 {
		t.Errorf("outbox = %q", keys)
	}
	if _, ok, _ := s.Next("r"); ok {
		t.Error("the next step was written")
	}
}

func TestUpdateUnknownRoom(t *testing.T) {
	s := newStore(t)
	now := jst(t, "2026-11-21 13:00")
	err := s.Update("nope", func(tx *RoomTx) error {
		if _, ok := tx.Room(); ok {
			t.Error("an unknown room reads as tracked")
		}
		return tx.Record(Event{Room: "nope", Kind: rules.EventDelivered, At: now, Source: "cli"})
	})
	if !errors.Is(err, ErrUnknownRoom) {
		t.Errorf("err = %v, want ErrUnknownRoom", err)
	}
	// Clearing the next step of a room no longer tracked needs no record.
	if err := s.Update("nope", func(tx *RoomTx) error { return tx.SetNext(time.Time{}) }); err != nil {
		t.Error(err)
	}
}

// TestImportLogsNoEvents: imported facts live in the room record only,
// and history still shows them with their source.
func TestImportLogsNoEvents(t *testing.T) {
	s := newStore(t)
	now := jst(t, "2026-11-21 13:00")
	room := rules.Room{ID: "9", Opened: jst(t, "2026-11-20 10:00"), SellerMessage: jst(t, "2026-11-20 11:00"), Delivered: jst(t, "2026-11-21 09:00")}
	if _, err := s.ImportRooms([]rules.Room{room}, "marketplace", now); err != nil {
		t.Fatal(err)
	}
	if n := loggedCount(t, s); n != 0 {
		t.Errorf("an import logged %d events", n)
	}
	events, err := s.Events("9")
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 3 {
		t.Fatalf("events = %+v", events)
	}
	for i, kind := range []rules.EventKind{rules.EventOpened, rules.EventSellerMessage, rules.EventDelivered} {
		if e := events[i]; e.Kind != kind || e.Source != "marketplace" || !e.At.Equal(room.Event(kind)) || !e.RecordedAt.Equal(now) {
			t.Errorf("event %d = %+v, want %s from the marketplace, learned at the import", i, e, kind)
		}
	}

	// A re-import that moves the delivery keeps the first value in the
	// history, in its place, and logs the new one.
	later := now.Add(time.Hour)
	room.Delivered = jst(t, "2026-11-21 10:00")
	if _, err := s.ImportRooms([]rules.Room{room}, "marketplace", later); err != nil {
		t.Fatal(err)
	}
	events, err = s.Events("9")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		got = append(got, string(e.Kind)+"@"+e.At.In(tokyo).Format("15:04")+"/"+e.RecordedAt.In(tokyo).Format("15:04"))
	}
	checkIDs(t, "history after a change", got, "opened@10:00/13:00", "seller_message@11:00/13:00", "delivered@09:00/13:00", "delivered@10:00/14:00")
	if n := loggedCount(t, s); n != 2 {
		t.Errorf("%d events logged, want 2 (the first delivery, the new one)", n)
	}
}

func loggedCount(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	if err := s.View(func(b *Batch) error {
		n = b.tx.Bucket(bucketEvents).Stats().KeyN
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

package store

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/roomwatch/roomwatch/rules"
)

// RoomTx is one room inside a write transaction (Update): what evaluating
// it reads (the room, its acks and snooze, its same-buyer rooms, the
// ledger) and writes (an event, queued and skipped steps, its next step),
// committed together or not at all.
type RoomTx struct {
	tx     *bolt.Tx
	id     string
	rec    roomRecord
	known  bool // the store has a record of the room
	ledger *bolt.Bucket
}

// Update runs fn on the room in a write transaction, so that an event and
// what follows from it (the steps it queues or skips, the room's next
// step) are one commit. Concurrent calls share transactions (bbolt Batch),
// so many events cost few fsyncs. fn may run more than once (Batch retries
// a failed function alone), so it must only act on the store through t and
// return what it computed through variables it sets afresh on each run.
// An error from fn rolls back all its writes and is returned as is, wrapped.
func (s *Store) Update(room string, fn func(t *RoomTx) error) error {
	if err := checkRoomID(room); err != nil {
		return fmt.Errorf("store: update room: %w", err)
	}
	return s.fail(fmt.Sprintf("update room %q", room), s.db.Batch(func(tx *bolt.Tx) error {
		t := &RoomTx{tx: tx, id: room, ledger: tx.Bucket(bucketLedger)}
		if v := tx.Bucket(bucketRooms).Get([]byte(room)); v != nil {
			rec, err := decodeRecord(v, room)
			if err != nil {
				return fmt.Errorf("room %q: %w", room, err)
			}
			t.rec, t.known = rec, true
		}
		return fn(t)
	}))
}

// Room returns the room's merged facts; ok is false when it is not tracked.
func (t *RoomTx) Room() (r rules.Room, ok bool) {
	if !t.known || !t.rec.tracked {
		return rules.Room{}, false
	}
	return t.rec.merge(t.id, nil), true
}

// Record appends e to the room's log; the merged room takes e.At if it is
// the latest of its kind. The room must be tracked (ErrUnknownRoom). A zero
// RecordedAt is set to the current time.
func (t *RoomTx) Record(e Event) error {
	switch {
	case e.Room != t.id:
		return fmt.Errorf("record for room %q in a transaction of room %q", e.Room, t.id)
	case !e.Kind.Valid():
		return fmt.Errorf("record %s: unknown event kind", e.Kind)
	case e.At.IsZero():
		return fmt.Errorf("record %s: no event time", e.Kind)
	case e.Source == "":
		return fmt.Errorf("record %s: no event source", e.Kind)
	case !t.known || !t.rec.tracked:
		return ErrUnknownRoom
	}
	if e.RecordedAt.IsZero() {
		e.RecordedAt = time.Now()
	}
	logged := eventRecord{Kind: e.Kind, At: nanos(e.At), Source: e.Source, RecordedAt: nanos(e.RecordedAt)}
	// A closing or cancelling event takes the room out of the same-buyer
	// index. Its later siblings need no evaluation: their buyer-open-rooms
	// alert falls at their own opening, long past, and losing an earlier
	// room never gives them a new deadline.
	was := indexOf(t.id, &t.rec)
	if t.rec.record(recordedFact{kind: e.Kind, at: logged.At, source: e.Source}) {
		if _, err := putRoom(t.tx, t.id, was, &t.rec); err != nil {
			return err
		}
	}
	return appendEvent(t.tx, t.id, logged)
}

// Acks returns the room's acknowledgements in the order they were added.
func (t *RoomTx) Acks() ([]rules.Ack, error) { return roomAcks(t.tx, t.id) }

// Snooze returns the room's snooze (zero if none).
func (t *RoomTx) Snooze() (rules.Snooze, error) { return roomSnooze(t.tx, t.id) }

// SameBuyer is Store.SameBuyer for the room as it stands in the transaction.
func (t *RoomTx) SameBuyer(scope rules.BuyerScope) ([]string, error) {
	r, ok := t.Room()
	if !ok {
		return nil, nil
	}
	return sameBuyer(t.tx, r, scope)
}

// Done reports whether the step is in the ledger (by its key).
func (t *RoomTx) Done(s rules.Step) bool {
	var buf [64]byte
	return t.ledger.Get(stepLedgerKey(buf[:0], s)) != nil
}

// Queue is Store.Queue inside the transaction.
func (t *RoomTx) Queue(steps []rules.Step, late bool, now time.Time) ([]rules.Step, error) {
	return queueSteps(t.tx, steps, late, now)
}

// Skip is Store.Skip inside the transaction.
func (t *RoomTx) Skip(steps []rules.Step, now time.Time) error { return skipSteps(t.tx, steps, now) }

// SetNext records when the room's next step is due; a zero at removes the
// room from the due index.
func (t *RoomTx) SetNext(at time.Time) error { return setNext(t.tx, t.id, at) }

// Batch is a read transaction over many rooms, for evaluating them in one
// go (a first start): what evaluation reads of each room, without a
// transaction per room. See Store.View.
type Batch struct {
	tx *bolt.Tx
}

// View runs fn in one read transaction. fn must not write to the store
// (bbolt cannot grow the file while a read transaction is open).
func (s *Store) View(fn func(b *Batch) error) error {
	return s.fail("read rooms", s.db.View(func(tx *bolt.Tx) error { return fn(&Batch{tx: tx}) }))
}

// Acks returns a room's acknowledgements.
func (b *Batch) Acks(room string) ([]rules.Ack, error) { return roomAcks(b.tx, room) }

// Snooze returns a room's snooze (zero if none).
func (b *Batch) Snooze(room string) (rules.Snooze, error) { return roomSnooze(b.tx, room) }

// SameBuyer is Store.SameBuyer inside the transaction.
func (b *Batch) SameBuyer(r rules.Room, scope rules.BuyerScope) ([]string, error) {
	return sameBuyer(b.tx, r, scope)
}

// Done reports whether the step is in the ledger (by its key).
func (b *Batch) Done(s rules.Step) bool {
	var buf [64]byte
	return b.tx.Bucket(bucketLedger).Get(stepLedgerKey(buf[:0], s)) != nil
}

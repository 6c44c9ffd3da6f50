package store

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/roomwatch/roomwatch/rules"
)

// bucketSummaries holds, for each room whose history was pruned (prune.go),
// the one line `history` still shows of it: room ID → JSON summaryRecord.
// It is created at a writable open when missing (ensureSummaries), so a
// store written before it needs no migration; a read-only open of such a
// store finds no bucket and no summary.
var bucketSummaries = []byte("summaries")

// Summary is what remains of a pruned room's history: when it opened and
// ended, and how many events and alerts were removed. The room's record
// itself (its facts) stays, so `status`, `buyer` and the same-buyer rule
// still know the room.
type Summary struct {
	Room   string
	Opened time.Time   // zero when the room never had an opening time
	Ended  time.Time   // when it was closed (on record or automatically) or cancelled
	State  rules.State // rules.StateClosed or rules.StateCancelled
	// Events and Alerts count the event log entries and ledger entries
	// removed, over every pruning of the room; Sent counts the alerts of
	// those that had been delivered.
	Events, Alerts, Sent int
	// PrunedAt is the last pruning. Every alert step of the room due at or
	// before it counts as settled: it was in the ledger, or was past its
	// use, so it is never queued again (settledByPrune).
	PrunedAt time.Time
}

type summaryRecord struct {
	Opened   int64       `json:"opened,omitempty"`
	Ended    int64       `json:"ended"`
	State    rules.State `json:"state"`
	Events   int         `json:"events"`
	Alerts   int         `json:"alerts"`
	Sent     int         `json:"sent"`
	PrunedAt int64       `json:"pruned_at"`
}

func (r summaryRecord) summary(room string) Summary {
	return Summary{
		Room: room, Opened: instant(r.Opened), Ended: instant(r.Ended), State: r.State,
		Events: r.Events, Alerts: r.Alerts, Sent: r.Sent, PrunedAt: instant(r.PrunedAt),
	}
}

// ensureSummaries creates the summaries bucket in a store that predates it.
func (s *Store) ensureSummaries() error {
	var present bool
	_ = s.db.View(func(tx *bolt.Tx) error {
		present = tx.Bucket(bucketSummaries) != nil
		return nil
	})
	if present {
		return nil
	}
	return s.update("create the summaries bucket", func(tx *bolt.Tx) error {
		if tx.Bucket(bucketSummaries) != nil {
			return nil
		}
		_, err := tx.CreateBucket(bucketSummaries)
		return err
	})
}

func readSummary(tx *bolt.Tx, room string) (rec summaryRecord, found bool, err error) {
	b := tx.Bucket(bucketSummaries)
	if b == nil {
		return rec, false, nil
	}
	v := b.Get([]byte(room))
	if v == nil {
		return rec, false, nil
	}
	if err := json.Unmarshal(v, &rec); err != nil {
		return rec, true, fmt.Errorf("decode the summary of room %q: %w", room, err)
	}
	return rec, true, nil
}

// Summary returns what remains of a pruned room's history; ok is false for
// a room never pruned.
func (s *Store) Summary(room string) (sum Summary, ok bool, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		rec, found, err := readSummary(tx, room)
		if found && err == nil {
			sum, ok = rec.summary(room), true
		}
		return err
	})
	return sum, ok, s.fail(fmt.Sprintf("read the summary of room %q", room), err)
}

// settledByPrune reports whether step belongs to a pruned room and was due
// at or before its pruning. Such a step's ledger entry may have been removed
// with the room's history; without this, a later evaluation of the room (a
// reload, a policy change, a first start) would find the key missing and
// send an alert of a room that ended half a year ago. Queue and Skip leave
// such steps out.
func settledByPrune(tx *bolt.Tx, step rules.Step) bool {
	rec, found, err := readSummary(tx, step.Room)
	if !found || err != nil {
		return false
	}
	return !step.At.After(instant(rec.PrunedAt))
}

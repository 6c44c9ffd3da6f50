package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/roomwatch/roomwatch/rules"
)

// Retention: the history of a room that ended long ago — its event log,
// its ledger entries, acks, snooze and any outbox leftover — is removed,
// and a one-line summary (summaries.go) takes its place. The room's record
// stays: it is small, the buyer's record and the same-buyer rule read it,
// and a room still listed in the YAML must not look new to SyncRooms.

// pruneBatch bounds the rooms pruned per write transaction, so a pass over
// many old rooms never holds the writer for long: an event recorded or a
// step queued meanwhile waits for one small commit at most.
const pruneBatch = 16

// PruneOptions says which rooms Prune removes the history of.
type PruneOptions struct {
	// Before: rooms that ended before it lose their history (now minus
	// the retention).
	Before time.Time
	// Ended says when a room ended — closed on record or automatically, or
	// cancelled — and in which state; zero while it runs. It is the rules'
	// answer (the profile decides automatic approval), which the store
	// cannot give on its own.
	Ended func(rules.Room) (time.Time, rules.State)
	// Now is recorded as the pruning time.
	Now time.Time
	// From is where the walk over the rooms resumes (PruneResult.Next);
	// "" starts at the first room.
	From string
	// Limit bounds the rooms looked at by one call; zero means scanChunk.
	Limit int
}

// PruneResult is what one Prune call did.
type PruneResult struct {
	// Next is where the following call resumes; "" once the walk reached
	// the last room.
	Next string
	// Rooms lists the rooms pruned, in ID order.
	Rooms []string
	// Events and Alerts count the log and ledger entries removed.
	Events, Alerts int
}

// Prune removes the history of the rooms, among up to opt.Limit rooms from
// opt.From, that ended before opt.Before, pruneBatch rooms per transaction.
// A room is looked at again in its write transaction, so one that an event
// brought back to life meanwhile is left alone. A pruned room that gains
// events later (a late `rated`) is pruned again and its summary adds them
// up. Rooms no longer tracked are pruned too: their history is kept for
// `history` and the buyer's record, and ends the same way.
func (s *Store) Prune(opt PruneOptions) (PruneResult, error) {
	if opt.Ended == nil {
		return PruneResult{}, errors.New("store: prune: no rule for when a room ended")
	}
	limit := opt.Limit
	if limit <= 0 {
		limit = scanChunk
	}
	var res PruneResult
	var candidates []string
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketRooms).Cursor()
		k, v := c.First()
		if opt.From != "" {
			k, v = c.Seek([]byte(opt.From))
		}
		n := 0
		for ; k != nil && n < limit; k, v = c.Next() {
			n++
			res.Next = string(afterKey(k))
			id := string(k)
			if _, ok, err := endedBefore(v, id, opt); err != nil {
				return err
			} else if ok && hasHistory(tx, id) {
				candidates = append(candidates, id)
			}
		}
		if k == nil {
			res.Next = ""
		}
		return nil
	})
	if err != nil {
		return PruneResult{}, s.fail("find rooms to prune", err)
	}
	for start := 0; start < len(candidates); start += pruneBatch {
		batch := candidates[start:min(start+pruneBatch, len(candidates))]
		var done []string
		var events, alerts int
		err := s.update("prune old rooms", func(tx *bolt.Tx) error {
			done, events, alerts = done[:0], 0, 0
			for _, id := range batch {
				pruned, e, a, err := pruneRoom(tx, id, opt)
				if err != nil {
					return fmt.Errorf("room %q: %w", id, err)
				}
				if pruned {
					done = append(done, id)
					events += e
					alerts += a
				}
			}
			return nil
		})
		if err != nil {
			return res, err
		}
		res.Rooms = append(res.Rooms, done...)
		res.Events += events
		res.Alerts += alerts
	}
	return res, nil
}

// endedBefore decodes a stored room and reports its summary facts when it
// ended before opt.Before.
func endedBefore(v []byte, id string, opt PruneOptions) (summaryRecord, bool, error) {
	rec, err := decodeRecord(v, id)
	if err != nil {
		return summaryRecord{}, false, fmt.Errorf("room %q: %w", id, err)
	}
	r := rec.merge(id, nil)
	ended, state := opt.Ended(r)
	if ended.IsZero() || !ended.Before(opt.Before) {
		return summaryRecord{}, false, nil
	}
	return summaryRecord{Opened: nanos(r.Opened), Ended: nanos(ended), State: state}, true, nil
}

// hasHistory reports whether anything of the room is left to prune: one
// seek per bucket, so a pass over rooms pruned before costs little.
func hasHistory(tx *bolt.Tx, id string) bool {
	if hasPrefix(tx.Bucket(bucketEvents), eventPrefix(id)) || hasPrefix(tx.Bucket(bucketLedger), ledgerPrefix(id)) {
		return true
	}
	return tx.Bucket(bucketAcks).Get([]byte(id)) != nil || tx.Bucket(bucketSnoozes).Get([]byte(id)) != nil
}

func hasPrefix(b *bolt.Bucket, prefix []byte) bool {
	k, _ := b.Cursor().Seek(prefix)
	return k != nil && bytes.HasPrefix(k, prefix)
}

// pruneRoom removes one room's history in tx and records its summary. It
// reports false, touching nothing, when the room no longer qualifies.
func pruneRoom(tx *bolt.Tx, id string, opt PruneOptions) (pruned bool, events, alerts int, err error) {
	v := tx.Bucket(bucketRooms).Get([]byte(id))
	if v == nil {
		return false, 0, 0, nil
	}
	sum, ok, err := endedBefore(v, id, opt)
	if err != nil || !ok {
		return false, 0, 0, err
	}

	eventKeys := keysWithPrefix(tx.Bucket(bucketEvents), eventPrefix(id))
	ledger := tx.Bucket(bucketLedger)
	var ledgerKeys [][]byte
	queued := map[string]bool{}
	sent := 0
	err = eachRoomLedger(tx, id, func(k []byte, rec ledgerRecord) error {
		ledgerKeys = append(ledgerKeys, k)
		switch rec.State {
		case StateSent:
			sent++
		case StateQueued:
			queued[string(k)] = true
		}
		return nil
	})
	if err != nil {
		return false, 0, 0, err
	}
	acks, snoozes := tx.Bucket(bucketAcks), tx.Bucket(bucketSnoozes)
	if len(eventKeys) == 0 && len(ledgerKeys) == 0 && acks.Get([]byte(id)) == nil && snoozes.Get([]byte(id)) == nil {
		return false, 0, 0, nil // only another room's keys shared the prefix
	}
	if err := deleteKeys(tx.Bucket(bucketEvents), eventKeys); err != nil {
		return false, 0, 0, err
	}
	if err := deleteKeys(ledger, ledgerKeys); err != nil {
		return false, 0, 0, err
	}
	if len(queued) > 0 {
		// A step still queued for a room over long ago is a leftover no
		// notifier took; its outbox entry goes with its ledger entry.
		var outboxKeys [][]byte
		outbox := tx.Bucket(bucketOutbox)
		err := outbox.ForEach(func(k, v []byte) error {
			if queued[string(v)] {
				outboxKeys = append(outboxKeys, bytes.Clone(k))
			}
			return nil
		})
		if err != nil {
			return false, 0, 0, err
		}
		if err := deleteKeys(outbox, outboxKeys); err != nil {
			return false, 0, 0, err
		}
	}
	if err := acks.Delete([]byte(id)); err != nil {
		return false, 0, 0, err
	}
	if err := snoozes.Delete([]byte(id)); err != nil {
		return false, 0, 0, err
	}

	old, _, err := readSummary(tx, id)
	if err != nil {
		return false, 0, 0, err
	}
	sum.Events = old.Events + len(eventKeys)
	sum.Alerts = old.Alerts + len(ledgerKeys)
	sum.Sent = old.Sent + sent
	sum.PrunedAt = nanos(opt.Now)
	b, err := tx.CreateBucketIfNotExists(bucketSummaries)
	if err != nil {
		return false, 0, 0, err
	}
	value, err := json.Marshal(sum)
	if err != nil {
		return false, 0, 0, err
	}
	return true, len(eventKeys), len(ledgerKeys), b.Put([]byte(id), value)
}

func keysWithPrefix(b *bolt.Bucket, prefix []byte) [][]byte {
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	return keys
}

func deleteKeys(b *bolt.Bucket, keys [][]byte) error {
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

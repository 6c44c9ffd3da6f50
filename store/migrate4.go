package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	bolt "go.etcd.io/bbolt"

	"github.com/roomwatch/roomwatch/rules"
)

// Schema version 4 stores rooms, events and ledger entries in the compact
// binary records of codec.go, keeps each room's base facts in its record
// alone (version 3 also logged each of them as an event), keys the ledger
// by a compact form of the step key (ledgercodec.go) and the log by a
// short sequence number. migrateV3 rewrites a version 3 store in batches
// of migrateBatch records, each its own transaction; the schema version
// becomes 4 only after the last one. Every batch converts records still in
// the old form and leaves converted ones alone, so a migration cut short
// (a kill -9, a full disk) leaves a version 3 store, partly converted,
// that the next open migrates again from the start.

// migrateBatch bounds the records one transaction of migrateV3 rewrites.
const migrateBatch = 20000

// migrateBatchDone, when set (by tests), is called after each committed batch.
var migrateBatchDone func()

func (s *Store) migrateV3() error {
	passes := []struct {
		name string
		run  func(tx *bolt.Tx, from []byte) ([]byte, error)
	}{
		{"rooms", convertRooms},
		{"events", convertEvents},
		{"ledger", convertLedger},
		{"outbox", convertOutbox},
	}
	for _, p := range passes {
		var from []byte
		for {
			var next []byte
			err := s.db.Update(func(tx *bolt.Tx) error {
				var err error
				next, err = p.run(tx, from)
				return err
			})
			if err != nil {
				return fmt.Errorf("schema version 3 to 4, %s: %w", p.name, err)
			}
			if migrateBatchDone != nil {
				migrateBatchDone()
			}
			if next == nil {
				break
			}
			from = next
		}
		slog.Debug("store: migrated", "records", p.name)
	}
	return s.db.Update(func(tx *bolt.Tx) error { return writeSchemaVersion(tx, 4) })
}

type keyValue struct{ k, v []byte }

// oldRecords reads, from from on, up to migrateBatch records of b that old
// says are still in the old form, and where to resume (nil at the end).
func oldRecords(b *bolt.Bucket, from []byte, old func(v []byte) bool) ([]keyValue, []byte) {
	var chunk []keyValue
	c := b.Cursor()
	k, v := c.First()
	if from != nil {
		k, v = c.Seek(from)
	}
	for ; k != nil; k, v = c.Next() {
		if len(chunk) == migrateBatch {
			return chunk, bytes.Clone(k)
		}
		if old(v) {
			chunk = append(chunk, keyValue{bytes.Clone(k), bytes.Clone(v)})
		}
	}
	return chunk, nil
}

func convertRooms(tx *bolt.Tx, from []byte) ([]byte, error) {
	rooms := tx.Bucket(bucketRooms)
	chunk, next := oldRecords(rooms, from, func(v []byte) bool { return len(v) == 0 || v[0] != roomFormat })
	for _, r := range chunk {
		rec, err := decodeRecordV3(r.v)
		if err != nil {
			return nil, fmt.Errorf("room %q: %w", r.k, err)
		}
		if err := rooms.Put(r.k, rec.encode(string(r.k))); err != nil {
			return nil, err
		}
	}
	return next, nil
}

// isJSON tells a version 3 event or ledger value from a binary one, whose
// format byte is never '{'.
func isJSON(v []byte) bool { return len(v) > 0 && v[0] == '{' }

// convertEvents rewrites the log room by room: a room's entries move to
// keys with a short sequence number, and an entry that only repeats a base
// fact of the room's record, as logged when the room was first stored,
// is dropped, since Events derives exactly that entry from the record
// (derivedEvents).
func convertEvents(tx *bolt.Tx, from []byte) ([]byte, error) {
	events, rooms := tx.Bucket(bucketEvents), tx.Bucket(bucketRooms)
	type logged struct {
		k   []byte
		seq uint64
		e   eventRecord
	}
	c := events.Cursor()
	k, v := c.First()
	if from != nil {
		k, v = c.Seek(from)
	}
	done := 0
	for k != nil {
		if done >= migrateBatch {
			return bytes.Clone(k), nil
		}
		room, _, ok := bytes.Cut(k, []byte{0})
		if !ok {
			return nil, fmt.Errorf("event key %x names no room", k)
		}
		prefix := eventPrefix(string(room))
		var group []logged
		for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if !isJSON(v) {
				continue
			}
			if len(k) != len(prefix)+8 {
				return nil, fmt.Errorf("event key %x: not a version 3 key", k)
			}
			var e eventRecord
			if err := json.Unmarshal(v, &e); err != nil {
				return nil, fmt.Errorf("event %x: %w", k, err)
			}
			group = append(group, logged{bytes.Clone(k), binary.BigEndian.Uint64(k[len(prefix):]), e})
		}
		resume := append(bytes.Clone(room), 1) // past every key of the room
		if len(group) == 0 {
			continue
		}
		var rec *roomRecord
		if v := rooms.Get(room); v != nil {
			r, err := decodeAnyRecord(v, string(room))
			if err != nil {
				return nil, fmt.Errorf("room %q: %w", room, err)
			}
			rec = &r
		}
		// The room's first facts: the entries logged when it was first
		// stored, one per kind, at the head of its log.
		firsts := 0
		if rec != nil {
			seenKinds := map[rules.EventKind]bool{}
			for _, l := range group {
				if l.e.RecordedAt != rec.seen || seenKinds[l.e.Kind] {
					break
				}
				seenKinds[l.e.Kind] = true
				firsts++
			}
		}
		same := func(e eventRecord) int {
			n := 0
			for _, o := range group {
				if o.e.Kind == e.Kind && o.e.At == e.At {
					n++
				}
			}
			return n
		}
		for i, l := range group {
			if err := events.Delete(l.k); err != nil {
				return nil, err
			}
			key := eventKey(string(room), l.seq)
			if i < firsts {
				if l.e.Source == rec.factsSource() && l.e.At != 0 && l.e.At == rec.facts.event(l.e.Kind) && same(l.e) == 1 {
					continue // derived from the record
				}
				key = firstFactKey(string(room), l.e.Kind)
			}
			if err := events.Put(key, l.e.encode()); err != nil {
				return nil, err
			}
		}
		done += len(group)
		// The writes moved the cursor's page: seek again.
		k, v = c.Seek(resume)
	}
	return nil, nil
}

func convertLedger(tx *bolt.Tx, from []byte) ([]byte, error) {
	ledger := tx.Bucket(bucketLedger)
	chunk, next := oldRecords(ledger, from, isJSON)
	for _, e := range chunk {
		var rec ledgerRecord
		if err := json.Unmarshal(e.v, &rec); err != nil {
			return nil, fmt.Errorf("ledger entry %q: %w", e.k, err)
		}
		if err := ledger.Delete(e.k); err != nil {
			return nil, err
		}
		if err := putLedger(ledger, string(e.k), &rec); err != nil {
			return nil, err
		}
	}
	if next != nil && len(chunk) > 0 {
		// New keys may sort before next; the old ones left all sort after
		// the last one converted.
		next = afterKey(chunk[len(chunk)-1].k)
	}
	return next, nil
}

// convertOutbox turns each outbox value, a ledger key, into its stored
// form, which always holds a NUL byte; a version 3 key never does.
func convertOutbox(tx *bolt.Tx, from []byte) ([]byte, error) {
	outbox := tx.Bucket(bucketOutbox)
	chunk, next := oldRecords(outbox, from, func(v []byte) bool { return bytes.IndexByte(v, 0) < 0 })
	for _, e := range chunk {
		if err := outbox.Put(e.k, ledgerKey(string(e.v))); err != nil {
			return nil, err
		}
	}
	return next, nil
}

// decodeAnyRecord reads a room record of version 4 or of version 3 (the
// one-transaction migrations write version 4 records into stores whose
// other records migrateV3 converts later).
func decodeAnyRecord(v []byte, id string) (roomRecord, error) {
	if len(v) > 0 && v[0] == roomFormat {
		return decodeRecord(v, id)
	}
	return decodeRecordV3(v)
}

// decodeRecordV3 reads a schema version 2 or 3 room record: a status byte,
// the base facts (strings, Unix nanoseconds) behind their length, seen, the
// recorded facts and, from version 3, the facts' source.
func decodeRecordV3(v []byte) (roomRecord, error) {
	if len(v) == 0 {
		return roomRecord{}, errors.New("empty room record")
	}
	r := reader{b: v[1:]}
	facts := r.bytes()
	rec := roomRecord{tracked: v[0] == statusTracked}
	f := reader{b: facts}
	rec.facts = baseFacts{
		title: f.string(), buyer: f.string(), url: f.string(), platform: f.string(),
		via: rules.Via(f.string()), extraPayment: rules.ExtraPaymentState(f.string()), due: f.varint(),
	}
	if n := f.count(); n > 0 {
		rec.facts.events = make([]eventTime, n)
		for i := range rec.facts.events {
			rec.facts.events[i] = eventTime{kind: rules.EventKind(f.string()), at: f.varint()}
		}
	}
	st := reader{b: r.b}
	rec.seen = st.varint()
	if n := st.count(); n > 0 {
		rec.recorded = make([]recordedFact, n)
		for i := range rec.recorded {
			rec.recorded[i] = recordedFact{kind: rules.EventKind(st.string()), at: st.varint(), source: st.string()}
		}
	}
	if len(st.b) > 0 {
		rec.source = st.string()
	}
	if err := errors.Join(r.err, f.err, st.err); err != nil {
		return roomRecord{}, fmt.Errorf("decode room record: %w", err)
	}
	return rec, nil
}

package store

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/roomwatch/roomwatch/rules"
)

// SourceYAML is the event source of facts read from the config file.
const SourceYAML = "yaml"

// Event is one entry of a room's log.
type Event struct {
	Room       string
	Kind       rules.EventKind
	At         time.Time // when it happened
	Source     string    // "yaml", "cli", "slack", "http", …
	RecordedAt time.Time // when roomwatch learned it
}

// RoomInfo is a room's merged facts with their provenance, for `history`
// and `status`; unlike Room it also answers for untracked rooms.
type RoomInfo struct {
	Room    rules.Room
	Tracked bool
	// Sources names, for each event fact set in Room, the source of the
	// value that won the merge ("yaml", "cli", "slack", …).
	Sources map[rules.EventKind]string
}

// syncBatch bounds the rooms written per transaction by SyncRooms and
// ImportRooms, so a first import of a million rooms neither holds one giant
// transaction in memory nor pays one fsync per room.
const syncBatch = 10000

func writeJSON(b *bolt.Bucket, key []byte, value any) error {
	v, err := json.Marshal(value)
	if err != nil {
		return err
	}
	return b.Put(key, v)
}

// SyncRooms stores the YAML's rooms: their facts (source "yaml"), Seen=now
// for rooms never seen, tracked again for rooms that come back, untracked
// (history kept, due index entry removed) for stored YAML rooms absent from
// the list. Rooms whose facts came from an import (ImportRooms) are never
// untracked here, and a room the YAML lists takes the YAML's facts. It
// returns the IDs, sorted, whose merged facts, tracking or same-buyer
// siblings changed, so the daemon reschedules only those.
//
// The work follows the YAML, not the store: unchanged rooms cost a read and
// a byte comparison, no write, and the rooms that left the YAML are found in
// the index of YAML rooms. Only the differences are written, in
// transactions of syncBatch rooms.
func (s *Store) SyncRooms(rooms []rules.Room, now time.Time) (changed []string, err error) {
	sorted, err := sortRooms(rooms)
	if err != nil {
		return nil, fmt.Errorf("store: sync rooms: %w", err)
	}
	var differ []*rules.Room
	var gone []string
	err = s.db.View(func(tx *bolt.Tx) error {
		// Both the list and the index of YAML rooms are sorted by ID: one
		// walk finds the rooms that left the YAML and those it still owns.
		owned := make([]bool, len(sorted))
		c := tx.Bucket(bucketYAML).Cursor()
		i := 0
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			for i < len(sorted) && sorted[i].ID < string(k) {
				i++
			}
			if i < len(sorted) && sorted[i].ID == string(k) {
				owned[i] = true
			} else {
				gone = append(gone, string(k))
			}
		}
		differ = differing(tx, sorted, func(i int, _ []byte) bool { return owned[i] })
		return nil
	})
	if err != nil {
		return nil, s.fail("sync rooms", err)
	}

	changed, err = writeInBatches(s, "sync rooms", differ, func(r *rules.Room) string { return r.ID },
		func(tx *bolt.Tx, r *rules.Room) ([]string, error) { return storeFacts(tx, r, SourceYAML, now) })
	if err != nil {
		return nil, err
	}
	untracked, err := writeInBatches(s, "untrack rooms", gone, func(id string) string { return id }, untrackRoom)
	if err != nil {
		return nil, err
	}
	return sortedUnique(append(changed, untracked...)), nil
}

// ImportRooms stores rooms that come from somewhere other than the YAML — a
// marketplace's API, an export file — with source naming it: their facts,
// Seen=now for rooms never seen, tracked again for rooms that were not. A
// room the YAML lists keeps the YAML's facts and is left out. An import only
// adds and updates: rooms absent from the list stay as they are, and
// SyncRooms never untracks them. It returns the IDs, sorted, whose merged
// facts, tracking or same-buyer siblings changed.
//
// Like SyncRooms it writes only the rooms whose stored facts differ, in
// transactions of syncBatch rooms, so importing a million rooms costs a
// hundred commits and re-importing an unchanged list costs none.
func (s *Store) ImportRooms(rooms []rules.Room, source string, now time.Time) (changed []string, err error) {
	op := fmt.Sprintf("import rooms from %q", source)
	if source == "" || source == SourceYAML {
		return nil, fmt.Errorf("store: %s: an import needs a source other than the YAML", op)
	}
	sorted, err := sortRooms(rooms)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", op, err)
	}
	var differ []*rules.Room
	err = s.db.View(func(tx *bolt.Tx) error {
		differ = differing(tx, sorted, func(i int, v []byte) bool {
			rec, err := decodeRecord(v, sorted[i].ID)
			return err == nil && rec.factsSource() == source
		})
		return nil
	})
	if err != nil {
		return nil, s.fail(op, err)
	}
	changed, err = writeInBatches(s, op, differ, func(r *rules.Room) string { return r.ID },
		func(tx *bolt.Tx, r *rules.Room) ([]string, error) {
			// Rooms go in in ID order: an import into an empty store
			// appends, where bbolt's half-full default pages would double
			// the file and the pages a first start reads.
			tx.Bucket(bucketRooms).FillPercent = importFill
			// Checked in the write transaction: a sync may have run since.
			if tx.Bucket(bucketYAML).Get([]byte(r.ID)) != nil {
				return nil, nil
			}
			return storeFacts(tx, r, source, now)
		})
	if err != nil {
		return nil, err
	}
	return sortedUnique(changed), nil
}

// sortRooms checks the rooms' IDs and orders them by ID.
func sortRooms(rooms []rules.Room) ([]*rules.Room, error) {
	sorted := make([]*rules.Room, len(rooms))
	for i := range rooms {
		if err := checkRoomID(rooms[i].ID); err != nil {
			return nil, err
		}
		sorted[i] = &rooms[i]
	}
	slices.SortFunc(sorted, func(a, b *rules.Room) int { return cmp.Compare(a.ID, b.ID) })
	for i := 1; i < len(sorted); i++ {
		if sorted[i].ID == sorted[i-1].ID {
			return nil, fmt.Errorf("room %q listed twice", sorted[i].ID)
		}
	}
	return sorted, nil
}

// differing returns the rooms whose stored record does not already hold
// their facts, tracked; fromSource tells, for a record whose facts match,
// whether they came from the same source (i indexes sorted).
func differing(tx *bolt.Tx, sorted []*rules.Room, fromSource func(i int, v []byte) bool) []*rules.Room {
	if len(sorted) == 0 {
		return nil
	}
	// One cursor walks the sorted list: the next stored room is usually the
	// next one listed, and a seek covers the gaps between them.
	c := tx.Bucket(bucketRooms).Cursor()
	k, stored := c.Seek([]byte(sorted[0].ID))
	var differ []*rules.Room
	var want []byte
	for i, r := range sorted {
		id := []byte(r.ID)
		if k != nil && bytes.Compare(k, id) < 0 {
			if k, stored = c.Next(); k != nil && bytes.Compare(k, id) < 0 {
				k, stored = c.Seek(id)
			}
		}
		var v []byte
		if bytes.Equal(k, id) {
			v = stored
		}
		want = factsOf(r).appendTo(want[:0], r.ID)
		status, facts, _, err := splitRecord(v)
		if err != nil || status != statusTracked || !bytes.Equal(facts, want) || !fromSource(i, v) {
			differ = append(differ, r)
		}
	}
	return differ
}

// writeInBatches applies write to items, syncBatch items per transaction,
// and returns every ID write reports.
func writeInBatches[T any](s *Store, op string, items []T, id func(T) string, write func(*bolt.Tx, T) ([]string, error)) ([]string, error) {
	var changed []string
	for start := 0; start < len(items); start += syncBatch {
		batch := items[start:min(start+syncBatch, len(items))]
		var done []string
		err := s.update(op, func(tx *bolt.Tx) error {
			done = done[:0]
			for _, item := range batch {
				ids, err := write(tx, item)
				if err != nil {
					return fmt.Errorf("room %q: %w", id(item), err)
				}
				done = append(done, ids...)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		changed = append(changed, done...)
	}
	return changed, nil
}

func sortedUnique(ids []string) []string {
	slices.Sort(ids)
	return slices.Compact(ids)
}

// storeFacts writes one room's base facts from source, re-reading the record
// inside the write transaction since an event may have been recorded after
// the comparison. It returns the room if its merged facts or tracking
// changed, with the same-buyer siblings the change reaches.
//
// The base facts live in the record alone; the log learns of them only
// when they change (logFactChanges).
func storeFacts(tx *bolt.Tx, r *rules.Room, source string, now time.Time) ([]string, error) {
	v := tx.Bucket(bucketRooms).Get([]byte(r.ID))
	rec := roomRecord{seen: nanos(now)}
	if v != nil {
		var err error
		if rec, err = decodeRecord(v, r.ID); err != nil {
			return nil, err
		}
	}
	old := rec
	before, was := rec.merge(r.ID, nil), indexOf(r.ID, &rec)
	rec.facts, rec.tracked, rec.source = factsOf(r), true, source
	if bytes.Equal(v, rec.encode(r.ID)) {
		return nil, nil
	}
	affected, err := putRoom(tx, r.ID, was, &rec)
	if err != nil {
		return nil, err
	}
	if !old.tracked {
		if err := adjustTrackedCount(tx, 1); err != nil {
			return nil, err
		}
	}
	if v != nil {
		if err := logFactChanges(tx, r.ID, &old, &rec, now); err != nil {
			return nil, err
		}
	}
	// Both rooms come from merge over the same stored instants, so == is exact.
	if v == nil || !old.tracked || before != rec.merge(r.ID, nil) {
		affected = append(affected, r.ID)
	}
	return affected, nil
}

// logFactChanges logs what a change of a room's base facts from old to
// now would otherwise hide from its history: each fact that changed, as an
// event of the new source at now, and each entry derived from the old
// facts (derivedEvents) that the new ones no longer derive, as it was.
func logFactChanges(tx *bolt.Tx, id string, old, now *roomRecord, at time.Time) error {
	first, rest, err := loggedEvents(tx, id)
	if err != nil {
		return err
	}
	logged := append(first, rest...)
	gone := derivedEvents(old, logged)
	var changed []eventRecord
	for _, e := range now.facts.events {
		if e.at != old.facts.event(e.kind) {
			changed = append(changed, eventRecord{Kind: e.kind, At: e.at, Source: now.factsSource(), RecordedAt: nanos(at)})
		}
	}
	kept := derivedEvents(now, append(logged, changed...))
	events := tx.Bucket(bucketEvents)
	for _, e := range gone {
		if slices.Contains(kept, e) {
			continue
		}
		// It keeps its place among the first facts.
		k := firstFactKey(id, e.Kind)
		if events.Get(k) != nil {
			if err := appendEvent(tx, id, e); err != nil {
				return err
			}
			continue
		}
		if err := events.Put(k, e.encode()); err != nil {
			return err
		}
	}
	for _, e := range changed {
		if err := appendEvent(tx, id, e); err != nil {
			return err
		}
	}
	return nil
}

func untrackRoom(tx *bolt.Tx, id string) ([]string, error) {
	v := tx.Bucket(bucketRooms).Get([]byte(id))
	if !recordTracked(v) {
		return nil, nil
	}
	rec, err := decodeRecord(v, id)
	if err != nil {
		return nil, err
	}
	was := indexOf(id, &rec)
	rec.tracked = false
	affected, err := putRoom(tx, id, was, &rec)
	if err != nil {
		return nil, err
	}
	if err := adjustTrackedCount(tx, -1); err != nil {
		return nil, err
	}
	return append(affected, id), setNext(tx, id, time.Time{})
}

func appendEvent(tx *bolt.Tx, room string, e eventRecord) error {
	events := tx.Bucket(bucketEvents)
	seq, err := events.NextSequence()
	if err != nil {
		return err
	}
	return events.Put(eventKey(room, seq), e.encode())
}

// loggedEvents reads a room's log: the entries of its first facts kept
// in the log (firstFactKey), in kind order, and the others in recorded
// order.
func loggedEvents(tx *bolt.Tx, room string) (first, rest []eventRecord, err error) {
	prefix := eventPrefix(room)
	c := tx.Bucket(bucketEvents).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		e, err := decodeEvent(v)
		if err != nil {
			return nil, nil, fmt.Errorf("event %x: %w", k, err)
		}
		if isFirstFactKey(k, prefix) {
			first = append(first, e)
		} else {
			rest = append(rest, e)
		}
	}
	return first, rest, nil
}

// derivedEvents lists the history entries a record's base facts stand for:
// one per fact, from the facts' source, learned when the room was first
// seen, unless the log already holds an entry of that kind at that
// instant (the fact changed since, or another source told it too).
func derivedEvents(rec *roomRecord, logged []eventRecord) []eventRecord {
	var derived []eventRecord
	for _, f := range rec.facts.events {
		if !slices.ContainsFunc(logged, func(e eventRecord) bool { return e.Kind == f.kind && e.At == f.at }) {
			derived = append(derived, eventRecord{Kind: f.kind, At: f.at, Source: rec.factsSource(), RecordedAt: rec.seen})
		}
	}
	return derived
}

// Room returns the merged view of a tracked room; ok is false for a room
// never synced or no longer in the YAML (see RoomInfo for those).
func (s *Store) Room(id string) (r rules.Room, ok bool, err error) {
	info, found, err := s.RoomInfo(id)
	if err != nil || !found || !info.Tracked {
		return rules.Room{}, false, err
	}
	return info.Room, true, nil
}

// RoomInfo returns a room's merged facts, whether it is tracked and which
// source set each fact; ok is false for a room never synced.
func (s *Store) RoomInfo(id string) (info RoomInfo, ok bool, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketRooms).Get([]byte(id))
		if v == nil {
			return nil
		}
		ok = true
		info, err = roomInfo(v, id)
		return err
	})
	return info, ok, s.fail(fmt.Sprintf("read room %q", id), err)
}

func roomInfo(v []byte, id string) (RoomInfo, error) {
	rec, err := decodeRecord(v, id)
	if err != nil {
		return RoomInfo{}, err
	}
	sources := make(map[rules.EventKind]string)
	r := rec.merge(id, sources)
	return RoomInfo{Room: r, Tracked: rec.tracked, Sources: sources}, nil
}

// Rooms returns every tracked room, merged, sorted by ID.
func (s *Store) Rooms() ([]rules.Room, error) {
	var rooms []rules.Room
	err := s.ForEachRoom(func(r rules.Room) error {
		rooms = append(rooms, r)
		return nil
	})
	return rooms, err
}

// ForEachRoom calls fn for every tracked room in ID order, reading scanChunk
// rooms per read transaction: memory stays flat on a large store, and fn
// runs outside any transaction so it may write to the store. A room changed
// during the walk is seen in its state at the moment its chunk was read.
// An error from fn stops the walk and is returned as is.
func (s *Store) ForEachRoom(fn func(rules.Room) error) error {
	return s.forEachRoom(false, fn)
}

// ForEachKnownRoom is ForEachRoom over every room the store has a record
// of, those no longer tracked included: a room deleted from the YAML is
// still part of its buyer's record with the seller.
func (s *Store) ForEachKnownRoom(fn func(rules.Room) error) error {
	return s.forEachRoom(true, fn)
}

func (s *Store) forEachRoom(untracked bool, fn func(rules.Room) error) error {
	var from []byte
	for {
		var chunk []rules.Room
		var last []byte
		err := s.db.View(func(tx *bolt.Tx) error {
			c := tx.Bucket(bucketRooms).Cursor()
			k, v := c.First()
			if from != nil {
				k, v = c.Seek(from)
			}
			for ; k != nil && len(chunk) < scanChunk; k, v = c.Next() {
				last = k
				if !recordTracked(v) && !untracked {
					continue
				}
				rec, err := decodeRecord(v, string(k))
				if err != nil {
					return fmt.Errorf("room %q: %w", k, err)
				}
				chunk = append(chunk, rec.merge(string(k), nil))
			}
			if k == nil {
				last = nil
			} else {
				last = afterKey(last)
			}
			return nil
		})
		if err != nil {
			return s.fail("read rooms", err)
		}
		for _, r := range chunk {
			if err := fn(r); err != nil {
				return err
			}
		}
		if last == nil {
			return nil
		}
		from = last
	}
}

// RecordEvent appends e to its room's log; the merged room takes e.At if it
// is the latest of its kind. The room must be tracked (ErrUnknownRoom).
// A zero RecordedAt is set to the current time. Concurrent calls share
// transactions (bbolt Batch), so many small events cost few fsyncs. To
// move the room's next step in the same transaction, use Update.
func (s *Store) RecordEvent(e Event) error {
	return s.Update(e.Room, func(t *RoomTx) error { return t.Record(e) })
}

// CountRooms returns the number of tracked rooms without reading them (a
// counter kept with every change of tracking), for the systemd STATUS line.
func (s *Store) CountRooms() (int, error) {
	var n int
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = trackedCount(tx)
		return err
	})
	return n, s.fail("count rooms", err)
}

// trackedCount reads the counter, or counts the rooms when a store has none
// yet (one being migrated).
func trackedCount(tx *bolt.Tx) (int, error) {
	if v := tx.Bucket(bucketMeta).Get(metaTrackedKey); v != nil {
		n, err := strconv.Atoi(string(v))
		if err != nil {
			return 0, fmt.Errorf("bad tracked room count %q", v)
		}
		return n, nil
	}
	n := 0
	err := tx.Bucket(bucketRooms).ForEach(func(_, v []byte) error {
		if recordTracked(v) {
			n++
		}
		return nil
	})
	return n, err
}

func adjustTrackedCount(tx *bolt.Tx, delta int) error {
	n, err := trackedCount(tx)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketMeta).Put(metaTrackedKey, []byte(strconv.Itoa(n+delta)))
}

// trackedRecord returns the stored record of a tracked room, or ErrUnknownRoom.
func trackedRecord(tx *bolt.Tx, room string) ([]byte, error) {
	v := tx.Bucket(bucketRooms).Get([]byte(room))
	if !recordTracked(v) {
		return nil, ErrUnknownRoom
	}
	return v, nil
}

// Events returns a room's history in recorded order, its base facts
// included (source "yaml" or the import's): first the facts as the room was
// first stored, in kind order, which the room record holds
// (derivedEvents) or, for those changed since, the log; then the events
// recorded since and the changes of its base facts, in the order they came.
func (s *Store) Events(room string) ([]Event, error) {
	var events []Event
	err := s.db.View(func(tx *bolt.Tx) error {
		first, rest, err := loggedEvents(tx, room)
		if err != nil {
			return err
		}
		if v := tx.Bucket(bucketRooms).Get([]byte(room)); v != nil {
			rec, err := decodeRecord(v, room)
			if err != nil {
				return err
			}
			first = append(derivedEvents(&rec, append(first, rest...)), first...)
			slices.SortStableFunc(first, func(a, b eventRecord) int { return cmp.Compare(kindNumber(a.Kind), kindNumber(b.Kind)) })
		}
		for _, e := range append(first, rest...) {
			events = append(events, Event{
				Room: room, Kind: e.Kind, At: instant(e.At), Source: e.Source, RecordedAt: instant(e.RecordedAt),
			})
		}
		return nil
	})
	return events, s.fail(fmt.Sprintf("read events of room %q", room), err)
}

package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
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

// syncBatch bounds the rooms written per transaction by SyncRooms, so a
// first sync of a million rooms neither holds one giant transaction in
// memory nor pays one fsync per room.
const syncBatch = 10000

// Room record status, the first byte of a rooms value: the record can then be
// compared with an incoming YAML room as bytes, without decoding.
const (
	statusTracked   = 'T'
	statusUntracked = 'U'
)

// yamlFacts is what the YAML says about a room, stored as the YAML gave it.
type yamlFacts struct {
	Title        string                    `json:"title,omitempty"`
	Buyer        string                    `json:"buyer,omitempty"`
	URL          string                    `json:"url,omitempty"`
	Platform     string                    `json:"platform,omitempty"`
	Via          rules.Via                 `json:"via,omitempty"`
	ExtraPayment rules.ExtraPaymentState   `json:"extra_payment,omitempty"`
	Due          int64                     `json:"due,omitempty"`
	Events       map[rules.EventKind]int64 `json:"events,omitempty"`
}

// roomState is what roomwatch learned about a room outside the YAML.
type roomState struct {
	Seen     int64                            `json:"seen"`
	Recorded map[rules.EventKind]recordedFact `json:"recorded,omitempty"`
}

type recordedFact struct {
	At     int64  `json:"at"`
	Source string `json:"source"`
}

type eventRecord struct {
	Kind       rules.EventKind `json:"kind"`
	At         int64           `json:"at"`
	Source     string          `json:"source"`
	RecordedAt int64           `json:"recorded_at"`
}

func factsOf(r *rules.Room) yamlFacts {
	f := yamlFacts{
		Title: r.Title, Buyer: r.Buyer, URL: r.URL, Platform: r.Platform,
		Via: r.Via, ExtraPayment: r.ExtraPayment, Due: nanos(r.Due),
	}
	for _, k := range rules.EventKinds {
		if t := r.Event(k); !t.IsZero() {
			if f.Events == nil {
				f.Events = make(map[rules.EventKind]int64, len(rules.EventKinds))
			}
			f.Events[k] = nanos(t)
		}
	}
	return f
}

func encodeRoom(status byte, f yamlFacts) []byte {
	b, err := json.Marshal(f)
	if err != nil {
		panic(fmt.Sprintf("store: encode room facts: %v", err)) // plain strings and ints cannot fail
	}
	return append([]byte{status}, b...)
}

func decodeRoom(v []byte) (status byte, f yamlFacts, err error) {
	if len(v) == 0 {
		return 0, f, errors.New("empty room record")
	}
	if err := json.Unmarshal(v[1:], &f); err != nil {
		return 0, f, fmt.Errorf("decode room record: %w", err)
	}
	return v[0], f, nil
}

func readState(b *bolt.Bucket, id string) (roomState, error) {
	var st roomState
	if v := b.Get([]byte(id)); v != nil {
		if err := json.Unmarshal(v, &st); err != nil {
			return st, fmt.Errorf("decode state of room %q: %w", id, err)
		}
	}
	return st, nil
}

func writeJSON(b *bolt.Bucket, key []byte, value any) error {
	v, err := json.Marshal(value)
	if err != nil {
		return err
	}
	return b.Put(key, v)
}

// merge builds the room the rules see: the YAML facts, then each recorded
// event; the later instant of each kind wins, so a YAML edit to an earlier
// time never erases a recorded event and a later YAML value beats an older one.
func merge(id string, f yamlFacts, st roomState) (rules.Room, map[rules.EventKind]string) {
	r := rules.Room{
		ID: id, Title: f.Title, Buyer: f.Buyer, URL: f.URL, Platform: f.Platform,
		Via: f.Via, ExtraPayment: f.ExtraPayment, Due: instant(f.Due), Seen: instant(st.Seen),
	}
	sources := make(map[rules.EventKind]string)
	for k, n := range f.Events {
		r.SetEvent(k, instant(n))
		sources[k] = SourceYAML
	}
	for k, rec := range st.Recorded {
		if before := r.Event(k); rec.At > nanos(before) {
			r.SetEvent(k, instant(rec.At))
			sources[k] = rec.Source
		}
	}
	return r, sources
}

// SyncRooms stores the YAML's rooms: their facts (source "yaml"), Seen=now
// for rooms never seen, tracked again for rooms that come back, untracked
// (history kept, due index entry removed) for stored rooms absent from the
// list. It returns the IDs, sorted, whose merged facts or tracking changed,
// so the daemon reschedules only those.
//
// Unchanged rooms cost a read and a byte comparison, no write: the stored
// records are compared in one read transaction first, and only the
// differences are written, in transactions of syncBatch rooms.
func (s *Store) SyncRooms(rooms []rules.Room, now time.Time) (changed []string, err error) {
	sorted := make([]*rules.Room, len(rooms))
	for i := range rooms {
		if err := checkRoomID(rooms[i].ID); err != nil {
			return nil, fmt.Errorf("store: sync rooms: %w", err)
		}
		sorted[i] = &rooms[i]
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	for i := 1; i < len(sorted); i++ {
		if sorted[i].ID == sorted[i-1].ID {
			return nil, fmt.Errorf("store: sync rooms: room %q listed twice", sorted[i].ID)
		}
	}

	var differ []*rules.Room
	var gone []string
	err = s.db.View(func(tx *bolt.Tx) error {
		// Both sides are sorted by ID: walk them together.
		c := tx.Bucket(bucketRooms).Cursor()
		k, v := c.First()
		i := 0
		for k != nil || i < len(sorted) {
			switch {
			case k == nil || (i < len(sorted) && sorted[i].ID < string(k)):
				differ = append(differ, sorted[i])
				i++
			case i == len(sorted) || string(k) < sorted[i].ID:
				if v[0] == statusTracked {
					gone = append(gone, string(k))
				}
				k, v = c.Next()
			default:
				if !bytes.Equal(v, encodeRoom(statusTracked, factsOf(sorted[i]))) {
					differ = append(differ, sorted[i])
				}
				i++
				k, v = c.Next()
			}
		}
		return nil
	})
	if err != nil {
		return nil, s.fail("sync rooms", err)
	}

	for start := 0; start < len(differ); start += syncBatch {
		batch := differ[start:min(start+syncBatch, len(differ))]
		var done []string
		err := s.update("sync rooms", func(tx *bolt.Tx) error {
			done = done[:0]
			for _, r := range batch {
				ch, err := syncRoom(tx, r, now)
				if err != nil {
					return fmt.Errorf("room %q: %w", r.ID, err)
				}
				if ch {
					done = append(done, r.ID)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		changed = append(changed, done...)
	}
	for start := 0; start < len(gone); start += syncBatch {
		batch := gone[start:min(start+syncBatch, len(gone))]
		var done []string
		err := s.update("untrack rooms", func(tx *bolt.Tx) error {
			done = done[:0]
			for _, id := range batch {
				ch, err := untrackRoom(tx, id)
				if err != nil {
					return fmt.Errorf("room %q: %w", id, err)
				}
				if ch {
					done = append(done, id)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		changed = append(changed, done...)
	}
	sort.Strings(changed)
	return changed, nil
}

// syncRoom writes one YAML room, re-reading the record inside the write
// transaction since an event may have been recorded after the comparison.
func syncRoom(tx *bolt.Tx, r *rules.Room, now time.Time) (changed bool, err error) {
	rooms, states := tx.Bucket(bucketRooms), tx.Bucket(bucketRoomState)
	key := []byte(r.ID)
	facts := factsOf(r)
	value := encodeRoom(statusTracked, facts)
	old := rooms.Get(key)
	if bytes.Equal(old, value) {
		return false, nil
	}
	var oldStatus byte
	var oldFacts yamlFacts
	if old != nil {
		if oldStatus, oldFacts, err = decodeRoom(old); err != nil {
			return false, err
		}
	}
	st, err := readState(states, r.ID)
	if err != nil {
		return false, err
	}
	if old == nil {
		st.Seen = nanos(now)
		if err := writeJSON(states, key, st); err != nil {
			return false, err
		}
	}
	before, _ := merge(r.ID, oldFacts, st)
	after, _ := merge(r.ID, facts, st)
	if err := rooms.Put(key, value); err != nil {
		return false, err
	}
	for _, k := range rules.EventKinds {
		if at := facts.Events[k]; at != 0 && at != oldFacts.Events[k] {
			e := eventRecord{Kind: k, At: at, Source: SourceYAML, RecordedAt: nanos(now)}
			if err := appendEvent(tx, r.ID, e); err != nil {
				return false, err
			}
		}
	}
	// Both rooms come from merge over the same encoding, so == is exact.
	return old == nil || oldStatus != statusTracked || before != after, nil
}

func untrackRoom(tx *bolt.Tx, id string) (changed bool, err error) {
	rooms := tx.Bucket(bucketRooms)
	v := rooms.Get([]byte(id))
	if v == nil || v[0] != statusTracked {
		return false, nil
	}
	untracked := append([]byte{statusUntracked}, v[1:]...)
	if err := rooms.Put([]byte(id), untracked); err != nil {
		return false, err
	}
	return true, setNext(tx, id, time.Time{})
}

func appendEvent(tx *bolt.Tx, room string, e eventRecord) error {
	events := tx.Bucket(bucketEvents)
	seq, err := events.NextSequence()
	if err != nil {
		return err
	}
	return writeJSON(events, append(eventPrefix(room), seqKey(seq)...), e)
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
		info, err = roomInfo(tx, id, v)
		return err
	})
	return info, ok, s.fail(fmt.Sprintf("read room %q", id), err)
}

func roomInfo(tx *bolt.Tx, id string, v []byte) (RoomInfo, error) {
	status, facts, err := decodeRoom(v)
	if err != nil {
		return RoomInfo{}, err
	}
	st, err := readState(tx.Bucket(bucketRoomState), id)
	if err != nil {
		return RoomInfo{}, err
	}
	r, sources := merge(id, facts, st)
	return RoomInfo{Room: r, Tracked: status == statusTracked, Sources: sources}, nil
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
				if v[0] != statusTracked {
					continue
				}
				info, err := roomInfo(tx, string(k), v)
				if err != nil {
					return fmt.Errorf("room %q: %w", k, err)
				}
				chunk = append(chunk, info.Room)
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
// transactions (bbolt Batch), so many small events cost few fsyncs.
func (s *Store) RecordEvent(e Event) error {
	op := fmt.Sprintf("record %s for room %q", e.Kind, e.Room)
	switch {
	case !e.Kind.Valid():
		return fmt.Errorf("store: %s: unknown event kind", op)
	case e.At.IsZero():
		return fmt.Errorf("store: %s: no event time", op)
	case e.Source == "":
		return fmt.Errorf("store: %s: no event source", op)
	}
	if e.RecordedAt.IsZero() {
		e.RecordedAt = time.Now()
	}
	rec := eventRecord{Kind: e.Kind, At: nanos(e.At), Source: e.Source, RecordedAt: nanos(e.RecordedAt)}
	return s.fail(op, s.db.Batch(func(tx *bolt.Tx) error {
		if err := requireTracked(tx, e.Room); err != nil {
			return err
		}
		states := tx.Bucket(bucketRoomState)
		st, err := readState(states, e.Room)
		if err != nil {
			return err
		}
		if cur, ok := st.Recorded[e.Kind]; !ok || rec.At > cur.At {
			if st.Recorded == nil {
				st.Recorded = make(map[rules.EventKind]recordedFact)
			}
			st.Recorded[e.Kind] = recordedFact{At: rec.At, Source: rec.Source}
			if err := writeJSON(states, []byte(e.Room), st); err != nil {
				return err
			}
		}
		return appendEvent(tx, e.Room, rec)
	}))
}

func requireTracked(tx *bolt.Tx, room string) error {
	v := tx.Bucket(bucketRooms).Get([]byte(room))
	if v == nil || v[0] != statusTracked {
		return ErrUnknownRoom
	}
	return nil
}

// Events returns a room's log in recorded order, YAML facts included (source
// "yaml", logged whenever the YAML sets or changes them).
func (s *Store) Events(room string) ([]Event, error) {
	var events []Event
	err := s.db.View(func(tx *bolt.Tx) error {
		prefix := eventPrefix(room)
		c := tx.Bucket(bucketEvents).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var rec eventRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("decode event %x: %w", k, err)
			}
			events = append(events, Event{
				Room: room, Kind: rec.Kind, At: instant(rec.At), Source: rec.Source, RecordedAt: instant(rec.RecordedAt),
			})
		}
		return nil
	})
	return events, s.fail(fmt.Sprintf("read events of room %q", room), err)
}

package store

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// SetNext records when the room's next step is due; a zero at removes the
// room from the due index.
func (s *Store) SetNext(room string, at time.Time) error {
	if err := checkRoomID(room); err != nil {
		return fmt.Errorf("store: set next step: %w", err)
	}
	return s.update(fmt.Sprintf("set next step of room %q", room), func(tx *bolt.Tx) error {
		return setNext(tx, room, at)
	})
}

// SetNextBatch is SetNext for many rooms in one transaction (start-up).
// The writes go in key order, rooms by ID then index keys by time, which
// touches each page once where a map's random order would touch them all.
func (s *Store) SetNextBatch(next map[string]time.Time) error {
	rooms := slices.Sorted(maps.Keys(next))
	for _, room := range rooms {
		if err := checkRoomID(room); err != nil {
			return fmt.Errorf("store: set next steps: %w", err)
		}
	}
	return s.update("set next steps", func(tx *bolt.Tx) error {
		index, byRoom := tx.Bucket(bucketDue), tx.Bucket(bucketDueRooms)
		if len(rooms) >= bulkWrite {
			byRoom.FillPercent = importFill
		}
		var add [][]byte
		for _, room := range rooms {
			var want []byte
			if at := next[room]; !at.IsZero() {
				want = sortableTime(at)
			}
			old := byRoom.Get([]byte(room))
			if bytes.Equal(old, want) {
				continue
			}
			if old != nil {
				if err := index.Delete(dueKey(old, room)); err != nil {
					return fmt.Errorf("room %q: %w", room, err)
				}
			}
			var err error
			if want == nil {
				err = byRoom.Delete([]byte(room))
			} else {
				err = byRoom.Put([]byte(room), want)
				add = append(add, dueKey(want, room))
			}
			if err != nil {
				return fmt.Errorf("room %q: %w", room, err)
			}
		}
		slices.SortFunc(add, bytes.Compare)
		for _, k := range add {
			if err := index.Put(k, nil); err != nil {
				return fmt.Errorf("room %q: %w", k[8:], err)
			}
		}
		return nil
	})
}

// setNext keeps the two due buckets in step: the reverse entry finds the
// room's old index key so that moving a room leaves no stale key behind.
func setNext(tx *bolt.Tx, room string, at time.Time) error {
	index, byRoom := tx.Bucket(bucketDue), tx.Bucket(bucketDueRooms)
	var want []byte
	if !at.IsZero() {
		want = sortableTime(at)
	}
	if old := byRoom.Get([]byte(room)); old != nil {
		if bytes.Equal(old, want) {
			return nil
		}
		if err := index.Delete(dueKey(old, room)); err != nil {
			return err
		}
	}
	if want == nil {
		return byRoom.Delete([]byte(room))
	}
	if err := index.Put(dueKey(want, room), nil); err != nil {
		return err
	}
	return byRoom.Put([]byte(room), want)
}

func dueKey(sortable []byte, room string) []byte {
	k := make([]byte, 0, len(sortable)+len(room))
	return append(append(k, sortable...), room...)
}

// DueBefore calls fn, in time order, for every room whose next step is at or
// before t, until fn returns false. It reads scanChunk entries per read
// transaction and calls fn outside it, so fn may call SetNext; a room fn
// moves to a time still at or before t is visited again.
func (s *Store) DueBefore(t time.Time, fn func(room string, at time.Time) bool) error {
	type due struct {
		room string
		at   time.Time
	}
	limit := sortableTime(t)
	var from []byte
	for {
		var chunk []due
		var next []byte
		err := s.db.View(func(tx *bolt.Tx) error {
			c := tx.Bucket(bucketDue).Cursor()
			k, _ := c.First()
			if from != nil {
				k, _ = c.Seek(from)
			}
			for ; k != nil && len(chunk) < scanChunk; k, _ = c.Next() {
				if bytes.Compare(k[:8], limit) > 0 {
					return nil
				}
				chunk = append(chunk, due{room: string(k[8:]), at: timeFromSortable(k[:8])})
				next = afterKey(k)
			}
			if k == nil {
				next = nil
			}
			return nil
		})
		if err != nil {
			return s.fail("scan due index", err)
		}
		for _, d := range chunk {
			if !fn(d.room, d.at) {
				return nil
			}
		}
		if len(chunk) < scanChunk || next == nil {
			return nil
		}
		from = next
	}
}

// Next returns when the room's next step is due, if it is in the index.
func (s *Store) Next(room string) (time.Time, bool, error) {
	var at time.Time
	var ok bool
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketDueRooms).Get([]byte(room)); v != nil {
			at, ok = timeFromSortable(v), true
		}
		return nil
	})
	return at, ok, s.fail(fmt.Sprintf("read next step of room %q", room), err)
}

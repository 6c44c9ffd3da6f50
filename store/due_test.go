package store

import (
	"fmt"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestSetNextMovesTheRoom(t *testing.T) {
	s := newStore(t)
	first, later := jst(t, "2026-11-24 09:00"), jst(t, "2026-11-25 09:00")
	if err := s.SetNext("r", first); err != nil {
		t.Fatal(err)
	}
	if err := s.SetNext("r", later); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s)
	at, ok, err := s.Next("r")
	if err != nil || !ok {
		t.Fatalf("Next: ok=%v err=%v", ok, err)
	}
	checkTime(t, "next", at, later)
	if keys := dueIndexKeys(t, s); len(keys) != 1 || keys[0] != string(dueKey(sortableTime(later), "r")) {
		t.Errorf("due index holds %q, want only the new key", keys)
	}

	if err := s.SetNext("r", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Next("r"); ok {
		t.Error("zero time left the room in the index")
	}
	if keys := dueIndexKeys(t, s); len(keys) != 0 {
		t.Errorf("due index holds %q after removal", keys)
	}
}

func dueIndexKeys(t *testing.T, s *Store) []string {
	t.Helper()
	var keys []string
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDue).ForEach(func(k, _ []byte) error {
			keys = append(keys, string(k))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func TestDueBeforeScansInTimeOrderAndStops(t *testing.T) {
	s := newStore(t)
	base := jst(t, "2026-11-24 09:00")
	next := map[string]time.Time{
		"c":    base.Add(2 * time.Hour),
		"a":    base.Add(3 * time.Hour),
		"b":    base,
		"old":  time.Date(1969, 7, 20, 20, 17, 0, 0, time.UTC), // before 1970 sorts first too
		"late": base.Add(48 * time.Hour),
		"tie":  base.Add(2 * time.Hour),
	}
	if err := s.SetNextBatch(next); err != nil {
		t.Fatal(err)
	}

	var got []string
	err := s.DueBefore(base.Add(3*time.Hour), func(room string, at time.Time) bool {
		checkTime(t, room, at, next[room])
		got = append(got, room)
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	checkIDs(t, "due by T (inclusive)", got, "old", "b", "c", "tie", "a")

	got = nil
	err = s.DueBefore(base.Add(100*time.Hour), func(room string, _ time.Time) bool {
		got = append(got, room)
		return len(got) < 2
	})
	if err != nil {
		t.Fatal(err)
	}
	checkIDs(t, "stopped after two", got, "old", "b")
}

func TestDueBeforeAcrossChunksWhileRescheduling(t *testing.T) {
	s := newStore(t)
	base := jst(t, "2026-11-24 09:00")
	n := scanChunk*2 + 5
	next := make(map[string]time.Time, n)
	for i := range n {
		next[fmt.Sprintf("r%05d", i)] = base.Add(time.Duration(i) * time.Second)
	}
	if err := s.SetNextBatch(next); err != nil {
		t.Fatal(err)
	}
	limit := base.Add(time.Duration(n-6) * time.Second) // the last five stay out
	var visited int
	last := time.Time{}
	err := s.DueBefore(limit, func(room string, at time.Time) bool {
		if at.Before(last) {
			t.Fatalf("%s at %v came after %v", room, at, last)
		}
		last = at
		visited++
		// The sweep reschedules each room past the limit from inside the scan.
		if err := s.SetNext(room, limit.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if visited != n-5 {
		t.Errorf("visited %d rooms, want %d", visited, n-5)
	}
	if left := countDue(t, s, limit); left != 0 {
		t.Errorf("%d rooms still due after rescheduling", left)
	}
}

func countDue(t *testing.T, s *Store, limit time.Time) int {
	t.Helper()
	n := 0
	if err := s.DueBefore(limit, func(string, time.Time) bool { n++; return true }); err != nil {
		t.Fatal(err)
	}
	return n
}

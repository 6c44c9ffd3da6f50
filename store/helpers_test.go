package store

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

var tokyo = time.FixedZone("JST", 9*60*60)

// jst parses "2006-01-02 15:04" in Japan time, the way the YAML writes times.
func jst(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, tokyo)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func tempPath(t testing.TB) string {
	return filepath.Join(t.TempDir(), "roomwatch.db")
}

func openAt(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func newStore(t testing.TB) *Store {
	t.Helper()
	return openAt(t, tempPath(t))
}

// reopen closes s and opens its file again, proving what follows was on disk.
func reopen(t testing.TB, s *Store) *Store {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return openAt(t, s.Path())
}

func fileHash(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func mustSync(t testing.TB, s *Store, rooms []rules.Room, now time.Time) []string {
	t.Helper()
	changed, err := s.SyncRooms(rooms, now)
	if err != nil {
		t.Fatal(err)
	}
	return changed
}

func mustRoom(t testing.TB, s *Store, id string) rules.Room {
	t.Helper()
	r, ok, err := s.Room(id)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Fatalf("room %q not tracked", id)
	}
	return r
}

func mustRecord(t testing.TB, s *Store, e Event) {
	t.Helper()
	if err := s.RecordEvent(e); err != nil {
		t.Fatal(err)
	}
}

func checkTime(t testing.TB, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func checkIDs(t testing.TB, what string, got []string, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s = %q, want %q", what, got, want)
		return
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s = %q, want %q", what, got, want)
			return
		}
	}
}

// step builds a step of a check-in alert; the name tells steps apart.
func step(room string, deadline time.Time, name string) rules.Step {
	return rules.Step{
		Alert: rules.Alert{
			Room: room, Kind: rules.CheckIn, Severity: rules.Warning,
			Deadline: deadline, Known: deadline.Add(-72 * time.Hour),
		},
		Name: name, Severity: rules.Warning, At: deadline, SendAt: deadline,
	}
}

// outboxKeys lists the ledger keys waiting in the outbox, in queue order.
func outboxKeys(t testing.TB, s *Store) []string {
	t.Helper()
	entries, err := s.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	keys := make([]string, len(entries))
	for i, e := range entries {
		keys[i] = e.Key
	}
	return keys
}

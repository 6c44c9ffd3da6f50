package store

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// millionRooms is the file a benchmark of recording among a million rooms
// starts from: built once per schema version and kept in the temporary
// folder, since building it takes most of a minute.
func millionRooms(b *testing.B) string {
	b.Helper()
	const n = 1_000_000
	path := filepath.Join(os.TempDir(), fmt.Sprintf("roomwatch-bench-1m-rooms-v%d.db", schemaVersion))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	tmp := path + ".building"
	_ = os.Remove(tmp)
	s, err := Open(tmp, Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	base := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	next := map[string]time.Time{}
	for first := 0; first < n; first += syncBatch {
		rooms := marketRooms(first, syncBatch, base)
		if _, err := s.ImportRooms(rooms, "marketplace", base); err != nil {
			b.Fatal(err)
		}
		clear(next)
		for _, r := range rooms {
			next[r.ID] = r.Opened.Add(72 * time.Hour)
		}
		if err := s.SetNextBatch(next); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkRecordEventAmongMillionRooms records one event, queues the step
// it makes due and moves the room's next step, in one transaction with
// fsync, as the engine does for each event, in a store of a million rooms.
// disk-B/event is how much the file grew per event.
func BenchmarkRecordEventAmongMillionRooms(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a store of a million rooms")
	}
	path := filepath.Join(b.TempDir(), "roomwatch.db")
	src, err := os.ReadFile(millionRooms(b))
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(path, src, 0o600); err != nil {
		b.Fatal(err)
	}
	src = nil
	s := openAt(b, path)
	before, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	base := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	i := 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		id := fmt.Sprintf("%08d", (i*7919)%1_000_000) // rooms spread over the file
		at := base.Add(time.Duration(i) * time.Second)
		i++
		err := s.Update(id, func(t *RoomTx) error {
			if err := t.Record(Event{Room: id, Kind: rules.EventBuyerMessage, At: at, Source: "mail", RecordedAt: at}); err != nil {
				return err
			}
			if _, err := t.Queue([]rules.Step{step(id, at.Add(72*time.Hour), "warn-3h")}, false, at); err != nil {
				return err
			}
			return t.SetNext(at.Add(69 * time.Hour))
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	after, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(after.Size()-before.Size())/float64(i), "disk-B/event")
}

package store

import (
	"fmt"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// Benchmarks run without fsync (Options.NoSync) to measure the store's own
// work; an fsync adds the disk's flush latency to every write transaction.

func benchStore(b *testing.B) *Store {
	b.Helper()
	s, err := Open(tempPath(b), Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}

func BenchmarkQueueMarkSent(b *testing.B) {
	s := benchStore(b)
	base := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	i := 0
	for b.Loop() {
		st := step(fmt.Sprintf("room-%d", i%1000), base.Add(time.Duration(i)*time.Minute), rules.StepDue)
		if _, err := s.Queue([]rules.Step{st}, false, base); err != nil {
			b.Fatal(err)
		}
		if err := s.MarkSent(st.Key(), map[string]string{"phone": "ok"}, base); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkDueBefore scans the rooms due in the next minute out of 100,000
// rooms spread over ten weeks: what the sweep does every minute.
func BenchmarkDueBefore(b *testing.B) {
	s := benchStore(b)
	base := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	const rooms = 100000
	next := make(map[string]time.Time, rooms)
	for i := range rooms {
		next[fmt.Sprintf("room-%06d", i)] = base.Add(time.Duration(i) * time.Minute)
	}
	if err := s.SetNextBatch(next); err != nil {
		b.Fatal(err)
	}
	now := base.Add(99 * time.Minute)
	found := 0
	for b.Loop() {
		found = 0
		err := s.DueBefore(now, func(string, time.Time) bool {
			found++
			return true
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if found != 100 {
		b.Fatalf("found %d rooms, want 100", found)
	}
	b.ReportMetric(float64(found), "rooms/op")
}

// BenchmarkDueBeforeFullScan reads every one of the 100,000 entries.
func BenchmarkDueBeforeFullScan(b *testing.B) {
	s := benchStore(b)
	base := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	const rooms = 100000
	next := make(map[string]time.Time, rooms)
	for i := range rooms {
		next[fmt.Sprintf("room-%06d", i)] = base.Add(time.Duration(i) * time.Minute)
	}
	if err := s.SetNextBatch(next); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		found := 0
		if err := s.DueBefore(base.Add(rooms*time.Minute), func(string, time.Time) bool { found++; return true }); err != nil {
			b.Fatal(err)
		}
		if found != rooms {
			b.Fatalf("found %d", found)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/rooms, "ns/room")
}

// BenchmarkSyncRoomsUnchanged is a reload of a YAML whose 100,000 rooms are
// all unchanged: it must read and compare, never write.
func BenchmarkSyncRoomsUnchanged(b *testing.B) {
	s := benchStore(b)
	base := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	const n = 100000
	rooms := make([]rules.Room, n)
	for i := range rooms {
		rooms[i] = rules.Room{
			ID: fmt.Sprintf("%07d", 4000000+i), Title: "ブログ記事 5本", Buyer: fmt.Sprintf("buyer-%d", i%5000),
			URL:    fmt.Sprintf("https://coconala.com/talkrooms/%d", 4000000+i),
			Opened: base.Add(time.Duration(i) * time.Second), SellerMessage: base.Add(time.Duration(i)*time.Second + time.Hour),
			Due: base.Add(7 * 24 * time.Hour), Via: rules.ViaPurchase, ExtraPayment: rules.ExtraNone,
		}
	}
	if _, err := s.SyncRooms(rooms, base); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		changed, err := s.SyncRooms(rooms, base)
		if err != nil {
			b.Fatal(err)
		}
		if len(changed) != 0 {
			b.Fatalf("%d rooms changed", len(changed))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/room")
}

// BenchmarkRooms loads 100,000 merged rooms, as the daemon does at start.
func BenchmarkRooms(b *testing.B) {
	s := benchStore(b)
	base := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	const n = 100000
	rooms := make([]rules.Room, n)
	for i := range rooms {
		rooms[i] = rules.Room{ID: fmt.Sprintf("%07d", i), Title: "t", Buyer: "b", Opened: base, SellerMessage: base.Add(time.Hour)}
	}
	if _, err := s.SyncRooms(rooms, base); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		count := 0
		if err := s.ForEachRoom(func(rules.Room) error { count++; return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/room")
}

// marketRooms makes n rooms of a marketplace, IDs from first, buyers with a
// few rooms each.
func marketRooms(first, n int, base time.Time) []rules.Room {
	rooms := make([]rules.Room, n)
	for i := range rooms {
		id := first + i
		rooms[i] = rules.Room{
			ID: fmt.Sprintf("%08d", id), Title: "ロゴデザイン", Buyer: fmt.Sprintf("buyer-%d", id%(n/3+1)),
			URL:    fmt.Sprintf("https://coconala.com/talkrooms/%d", id),
			Opened: base.Add(time.Duration(id) * time.Minute), SellerMessage: base.Add(time.Duration(id)*time.Minute + time.Hour),
			Via: rules.ViaPurchase, ExtraPayment: rules.ExtraNone,
		}
	}
	return rooms
}

// BenchmarkImportRooms imports 10,000 new rooms per operation into a store
// that grows by as many each time: a marketplace's first import.
func BenchmarkImportRooms(b *testing.B) {
	s := benchStore(b)
	base := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	const n = 10000
	next := 0
	for b.Loop() {
		rooms := marketRooms(next, n, base)
		next += n
		if changed, err := s.ImportRooms(rooms, "api", base); err != nil || len(changed) < n {
			b.Fatalf("import: %d changed, %v", len(changed), err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/room")
}

// BenchmarkSyncYAMLBesideImportedRooms reloads a YAML of 20 unchanged rooms
// in a store that also holds 200,000 imported rooms: the cost follows the
// YAML, not the store.
func BenchmarkSyncYAMLBesideImportedRooms(b *testing.B) {
	s := benchStore(b)
	base := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for start := 0; start < 200000; start += syncBatch {
		if _, err := s.ImportRooms(marketRooms(start, syncBatch, base), "api", base); err != nil {
			b.Fatal(err)
		}
	}
	yaml := marketRooms(900000, 20, base)
	if _, err := s.SyncRooms(yaml, base); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		changed, err := s.SyncRooms(yaml, base)
		if err != nil || len(changed) != 0 {
			b.Fatalf("sync: %d changed, %v", len(changed), err)
		}
	}
}

// BenchmarkSameBuyer reads one room's earlier same-buyer rooms from the
// index, among 100,000 rooms: what each evaluation pays.
func BenchmarkSameBuyer(b *testing.B) {
	s := benchStore(b)
	base := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	rooms := marketRooms(0, 100000, base)
	for start := 0; start < len(rooms); start += syncBatch {
		if _, err := s.ImportRooms(rooms[start:start+syncBatch], "api", base); err != nil {
			b.Fatal(err)
		}
	}
	r := mustRoom(b, s, rooms[len(rooms)-1].ID)
	b.ReportAllocs()
	for b.Loop() {
		ids, err := s.SameBuyer(r, testScope)
		if err != nil || len(ids) != 2 {
			b.Fatalf("same-buyer rooms %v, %v; want 2", ids, err)
		}
	}
}

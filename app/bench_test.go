package app

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/store"
)

// benchEngine is an engine over n imported rooms at several stages of
// their lives, on a store without fsync: the benchmarks measure the work,
// not the disk.
func benchEngine(b *testing.B, n int) (*App, []string) {
	b.Helper()
	cfg, err := config.Parse(filepath.Join(b.TempDir(), "roomwatch.yaml"), []byte("timezone: Asia/Tokyo\n"))
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(cfg.Store, store.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	now := jst(22, 12, 0)
	var rooms []rules.Room
	var ids []string
	for i := range n {
		opened := now.Add(-time.Duration(i%(30*24)) * time.Hour)
		r := rules.Room{ID: fmt.Sprintf("%08d", i), Buyer: fmt.Sprintf("buyer-%d", i%(n/3+1)), Opened: opened,
			SellerMessage: opened.Add(time.Hour)}
		switch i % 4 {
		case 1:
			r.BuyerMessage = opened.Add(5 * time.Hour)
		case 2:
			r.Delivered = opened.Add(3 * 24 * time.Hour)
		case 3:
			r.Due = opened.Add(5 * 24 * time.Hour)
		}
		rooms, ids = append(rooms, r), append(ids, r.ID)
	}
	if _, err := st.ImportRooms(rooms, "api", now); err != nil {
		b.Fatal(err)
	}
	return New(Options{Config: cfg, Store: st, Clock: clockwork.NewFakeClockAt(now)}), ids
}

// BenchmarkEvaluateAll evaluates 10,000 rooms in batches, as a first start
// does over a store whose past steps are in the ledger (the first round,
// outside the loop, puts them there); compare ns/room with
// BenchmarkEvaluate.
func BenchmarkEvaluateAll(b *testing.B) {
	const n = 10000
	e, _ := benchEngine(b, n)
	if _, err := e.EvaluateAll(context.Background()); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if got, err := e.EvaluateAll(context.Background()); err != nil || got != n {
			b.Fatalf("evaluated %d rooms, %v", got, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/room")
}

// BenchmarkEvaluate evaluates one room at a time, as a timer or an event
// does, over the same store as BenchmarkEvaluateAll.
func BenchmarkEvaluate(b *testing.B) {
	e, ids := benchEngine(b, 10000)
	if _, err := e.EvaluateAll(context.Background()); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		if _, err := e.Evaluate(context.Background(), ids[i%len(ids)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

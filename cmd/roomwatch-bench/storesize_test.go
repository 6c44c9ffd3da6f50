package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	bolt "go.etcd.io/bbolt"

	"github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/store"
)

// TestStoreBytesPerRoom prints the store's size per room as the benchmark
// generates it (import plus past steps in the ledger) and after a first
// start has filled the due index. It runs only when
// ROOMWATCH_STORE_SIZE_ROOMS names the number of rooms (say 100000).
func TestStoreBytesPerRoom(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("ROOMWATCH_STORE_SIZE_ROOMS"))
	if n <= 0 {
		t.Skip("set ROOMWATCH_STORE_SIZE_ROOMS=N to measure")
	}
	dir := t.TempDir()
	cfgPath, err := writeConfig(dir, "roomwatch", "http://127.0.0.1:9/hook")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	g, err := generate(cfg.Store, cfg, n, now, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d rooms: generated in %s, %d past steps in the ledger (%.2f per room), %d bytes, %.0f bytes per room",
		n, g.took.Round(time.Millisecond), g.marked, float64(g.marked)/float64(n), g.bytes, float64(g.bytes)/float64(n))

	st, err := store.Open(cfg.Store, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	eng := app.New(app.Options{Config: cfg, Store: st, Clock: clockwork.NewFakeClockAt(now), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	started := time.Now()
	if _, err := eng.EvaluateAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	took := time.Since(started)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Clean(cfg.Store))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("after a first start (%s): %d bytes, %.0f bytes per room", took.Round(time.Millisecond), info.Size(), float64(info.Size())/float64(n))
	logBuckets(t, cfg.Store, n)
}

// logBuckets prints each bucket's keys and pages, per room.
func logBuckets(t *testing.T, path string, n int) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		st := db.Stats()
		t.Logf("pages in use up to %d bytes (%.0f per room); %d free pages",
			tx.Size(), float64(tx.Size())/float64(n), st.FreePageN)
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			st := b.Stats()
			pages := st.BranchPageN + st.BranchOverflowN + st.LeafPageN + st.LeafOverflowN
			t.Logf("%-12s %8d keys %6d pages %6.1f bytes/room, leaves %3.0f%% full",
				name, st.KeyN, pages, float64(pages*tx.DB().Info().PageSize)/float64(n),
				100*float64(st.LeafInuse)/float64(max(1, (st.LeafPageN+st.LeafOverflowN)*tx.DB().Info().PageSize)))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

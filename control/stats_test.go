package control

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
)

// withStats is an app.Service that reports fixed Stats, as the daemon's does.
type withStats struct {
	*app.App
	stats Stats
}

func (w withStats) Stats(context.Context) (Stats, error) { return w.stats, nil }

func TestStatsAreServedOnlyByAReporter(t *testing.T) {
	f := newFixture(t)
	plain, _ := serveSocket(t, f)
	if _, err := plain.Stats(context.Background()); err == nil {
		t.Error("an app.Service without Stats answered the stats route")
	}

	want := Stats{Rooms: 2, Jobs: 1, Goroutines: 12, HeapBytes: 4 << 20}
	path := filepath.Join(socketDir(t), "stats.sock")
	srv, err := Listen(config.Control{Socket: path}, withStats{f.local, want}, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	got, err := NewClient(path).Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
}

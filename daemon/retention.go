package daemon

import (
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/roomwatch/roomwatch/store"
)

// Retention (store.retention): the sweep prunes the history of rooms that
// ended longer ago than the retention, a slice of the rooms at a time, and
// the start compacts a store that pruning left mostly empty.

// retentionScan is how many rooms one sweep looks at: a few milliseconds
// of reading, so a sweep over a marketplace's store stays short, and a
// seller's whole store in one go.
const retentionScan = 4096

// retentionRest is the pause between two passes over every room: a room
// crossing the retention waits at most this much longer.
const retentionRest = time.Hour

// compactAtStartFree is the free part of the file past which the start
// rewrites it (bbolt never shrinks a file by itself).
const compactAtStartFree = 0.5

// compactAtStartBytes spares a small store the rewrite: under a megabyte
// free is mostly the room bbolt grew the file by.
const compactAtStartBytes = 1 << 20

// retention is where the pruning walk over the rooms stands.
type retention struct {
	mu       sync.Mutex
	from     string    // the next room to look at; "" at the start of a pass
	passDone time.Time // when the last pass over every room ended
}

// prune runs one slice of the pruning walk, from the sweep.
func (d *Daemon) prune(now time.Time) {
	cfg := d.app.Config()
	if cfg.Retention <= 0 {
		return
	}
	rt := &d.retention
	if !rt.mu.TryLock() {
		return // the previous sweep's slice is still running
	}
	defer rt.mu.Unlock()
	if rt.from == "" && !rt.passDone.IsZero() && now.Sub(rt.passDone) < retentionRest {
		return
	}
	next, err := d.app.Prune(now, rt.from, retentionScan)
	if err != nil {
		d.log.Error("pruning old rooms", "err", err)
		return // the same slice again at the next sweep
	}
	rt.from = next
	if next == "" {
		rt.passDone = now
	}
}

// compactAtStart rewrites the store before the daemon opens it when more
// than half of the file is free, as pruning leaves it. A store that cannot
// be compacted is opened as it is: the open that follows reports a locked
// or damaged file in its own words.
func compactAtStart(path string, log *slog.Logger) {
	res, err := store.Compact(path, store.CompactOptions{MinFree: compactAtStartFree, MinFreeBytes: compactAtStartBytes})
	switch {
	case errors.Is(err, store.ErrLocked), errors.Is(err, store.ErrCorrupt), errors.Is(err, store.ErrNewerSchema):
	case err != nil:
		log.Warn("compacting the store at start failed; it is used as it is", "store", path, "err", err)
	case !res.Skipped:
		log.Info("compacted the store", "store", path, "before", res.Before, "after", res.After)
	}
}

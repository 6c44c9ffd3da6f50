package daemon

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// releaseEvery is how often the store's mapped pages are dropped from the
// daemon's resident memory (store.ReleaseMemory). Under load each event
// maps some hundred kilobytes of a large store afresh (the kernel maps up to
// 16 neighbouring pages on each fault); once a second keeps what `ps` shows
// within a few tens of megabytes of the daemon's own memory, while the few
// hot pages each release costs (the tree's upper levels) are refilled from
// the page cache with minor faults, no disk read.
const releaseEvery = time.Second

// startMemoryRelease drops the store's mapped pages now — a first start has
// just read every room — and then every releaseEvery until ctx ends. The
// period is wall time, not the daemon's clock: it is about the machine's
// memory, not about any deadline.
func (d *Daemon) startMemoryRelease(ctx context.Context, wg *sync.WaitGroup) {
	d.releaseMemory()
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(releaseEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				d.releaseMemory()
			}
		}
	}()
}

// releaseWarned keeps a release that keeps failing (a seccomp filter
// refusing madvise) to one warning.
var releaseWarned atomic.Bool

func (d *Daemon) releaseMemory() {
	if err := d.store.ReleaseMemory(); err != nil && !releaseWarned.Swap(true) {
		// Harmless to the alerts: the pages merely stay counted in RSS.
		d.log.Warn("releasing the store's mapped pages failed; RSS will include the store pages read", "err", err)
	}
}

package daemon

import (
	"context"
	"runtime"

	"github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/control"
)

// statsService is what the control socket serves: the daemon's operations
// and its working figures (control.StatsReporter), which roomwatch-bench
// reads and the HTTP API does not offer.
type statsService struct {
	*app.App
	d *Daemon
}

func (s statsService) Stats(context.Context) (control.Stats, error) {
	rooms, err := s.d.store.CountRooms()
	if err != nil {
		return control.Stats{}, err
	}
	jobs := s.d.sched.Jobs()
	if s.d.extraTimers != nil {
		jobs += s.d.extraTimers.Jobs()
	}
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	return control.Stats{Rooms: rooms, Jobs: jobs, Goroutines: runtime.NumGoroutine(), HeapBytes: mem.HeapAlloc}, nil
}

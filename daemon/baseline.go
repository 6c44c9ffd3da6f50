package daemon

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/scheduler"
)

// allAlertJobs is the design roomwatch-bench measures roomwatch against
// (DESIGN §6): a gocron job for every live alert of every room, made at
// start and moved with each change, instead of one job per room for the
// steps due soon. It is the scheduler again, keyed by "room|kind", with no
// horizon and no bound; the daemon's own scheduler keeps only its sweep.
// Only `roomwatch run --baseline-all-jobs` builds one.
type allAlertJobs struct {
	d     *Daemon
	sched *scheduler.Scheduler
}

// baselineHorizon is the daemon's own horizon in baseline mode: nothing
// lies within it, so its scheduler holds no room job, while its sweep
// still fires whatever is due.
const baselineHorizon = time.Nanosecond

// alertJobsHorizon lets every alert job be made, however far its step.
const alertJobsHorizon = 100 * 365 * 24 * time.Hour

// startBaseline gives every live alert of every room its job and starts
// them; the jobs stop when ctx ends.
func (d *Daemon) startBaseline(ctx context.Context) error {
	b := &allAlertJobs{d: d}
	var err error
	b.sched, err = scheduler.New(scheduler.Options{
		Clock:   d.clock,
		Horizon: alertJobsHorizon,
		Fire: func(ctx context.Context, key string) {
			room, _, _ := strings.Cut(key, "|")
			d.fire(ctx, room)
		},
		Sweep:  func(context.Context, time.Time, time.Time) {},
		Logger: d.log,
	})
	if err != nil {
		return fmt.Errorf("daemon: baseline jobs: %w", err)
	}
	err = d.store.ForEachRoom(func(r rules.Room) error {
		return b.schedule(r)
	})
	if err != nil {
		_ = b.sched.Shutdown(context.Background())
		return err
	}
	d.baseline = b
	onNext := d.engine.OnNext
	d.engine.OnNext = func(room string, at time.Time) {
		onNext(room, at)
		b.refresh(room)
	}
	b.sched.Start()
	go func() {
		<-ctx.Done()
		_ = b.sched.Shutdown(context.Background())
	}()
	d.log.Info("baseline: one job per live alert", "jobs", b.sched.Jobs())
	return nil
}

// schedule points each live alert's job at its next step, and drops the
// jobs of kinds no longer live.
func (b *allAlertJobs) schedule(r rules.Room) error {
	steps, err := b.d.engine.Steps(r)
	if err != nil {
		return err
	}
	now := b.d.clock.Now()
	next := make(map[rules.Kind]time.Time, len(steps))
	for _, s := range steps {
		if at, ok := next[s.Kind]; s.SendAt.After(now) && (!ok || s.SendAt.Before(at)) {
			next[s.Kind] = s.SendAt
		}
	}
	for _, kind := range rules.Kinds {
		key := r.ID + "|" + string(kind)
		if at, ok := next[kind]; ok {
			err = b.sched.Schedule(key, at)
		} else {
			err = b.sched.Remove(key)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// refresh follows an evaluation of room.
func (b *allAlertJobs) refresh(room string) {
	r, ok, err := b.d.engine.Room(room)
	if err == nil && !ok {
		r = rules.Room{ID: room}
	}
	if err == nil {
		err = b.schedule(r)
	}
	if err != nil {
		b.d.log.Error("baseline: scheduling a room's alerts", "room", room, "err", err)
	}
}

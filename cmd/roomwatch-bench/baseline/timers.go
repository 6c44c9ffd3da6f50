package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/daemon"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/scheduler"
)

// allAlertJobs is the design roomwatch-bench measures roomwatch against
// (DESIGN §6): a gocron job for every live alert of every room, made at
// start and moved with each change, instead of one job per room for the
// steps due soon. It is the scheduler again, keyed by "room|kind", with no
// horizon and no bound; the daemon's own scheduler keeps only its sweep
// (Horizon baselineHorizon). It plugs into the daemon through its timers
// port (daemon.Options.Timers).
type allAlertJobs struct {
	app   *app.App
	clock clockwork.Clock
	log   *slog.Logger
	sched *scheduler.Scheduler
}

var _ daemon.Timers = (*allAlertJobs)(nil)

// baselineHorizon is the daemon's own horizon in baseline mode: nothing
// lies within it, so its scheduler holds no room job, while its sweep
// still fires whatever is due.
const baselineHorizon = time.Nanosecond

// alertJobsHorizon lets every alert job be made, however far its step.
const alertJobsHorizon = 100 * 365 * 24 * time.Hour

// startAllAlertJobs gives every live alert of every room its job and
// starts them; the jobs stop when ctx ends.
func startAllAlertJobs(ctx context.Context, a *app.App, clock clockwork.Clock, log *slog.Logger) (*allAlertJobs, error) {
	b := &allAlertJobs{app: a, clock: clock, log: log}
	var err error
	b.sched, err = scheduler.New(scheduler.Options{
		Clock:   clock,
		Horizon: alertJobsHorizon,
		Fire: func(ctx context.Context, key string) {
			room, _, _ := strings.Cut(key, "|")
			if _, err := a.Evaluate(ctx, room); err != nil && !errors.Is(err, context.Canceled) {
				log.Error("baseline: evaluating a room", "room", room, "err", err)
			}
		},
		Sweep:  func(context.Context, time.Time, time.Time) {},
		Logger: log,
	})
	if err != nil {
		return nil, fmt.Errorf("baseline jobs: %w", err)
	}
	err = a.ForEachRoom(func(r rules.Room) error {
		return b.schedule(r)
	})
	if err != nil {
		_ = b.sched.Shutdown(context.Background())
		return nil, err
	}
	b.sched.Start()
	go func() {
		<-ctx.Done()
		_ = b.sched.Shutdown(context.Background())
	}()
	log.Info("baseline: one job per live alert", "jobs", b.sched.Jobs())
	return b, nil
}

// Jobs is the number of alert jobs held.
func (b *allAlertJobs) Jobs() int { return b.sched.Jobs() }

// Schedule follows an evaluation of room: each of its live alerts' jobs
// moves to the alert's next step.
func (b *allAlertJobs) Schedule(room string, _ time.Time) error {
	r, ok, err := b.app.Room(room)
	if err != nil {
		return err
	}
	if !ok {
		r = rules.Room{ID: room}
	}
	return b.schedule(r)
}

// schedule points each live alert's job at its next step, and drops the
// jobs of kinds no longer live.
func (b *allAlertJobs) schedule(r rules.Room) error {
	steps, err := b.app.Steps(r)
	if err != nil {
		return err
	}
	now := b.clock.Now()
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

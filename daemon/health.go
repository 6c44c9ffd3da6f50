package daemon

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// health holds when the daemon's two loops last turned, for the systemd
// watchdog: a daemon whose store answers but whose sweep or dispatcher is
// stuck sends no alert, and must be restarted rather than look healthy.
type health struct {
	sweep    atomic.Int64 // Unix nanoseconds at the end of the last sweep
	dispatch atomic.Int64 // Unix nanoseconds of the dispatcher's last turn
}

// healthSlack is added to each loop's period before it counts as stuck: a
// busy machine or a slow disk delays a turn, and a watchdog that restarts a
// working daemon is worse than none.
const healthSlack = 30 * time.Second

func (h *health) sweptAt(t time.Time)      { h.sweep.Store(t.UnixNano()) }
func (h *health) dispatchedAt(t time.Time) { h.dispatch.Store(t.UnixNano()) }

// healthy is the watchdog's check: the store answers, the sweep ran within
// two of its periods, and the dispatcher turned within two of its retry
// periods (it turns at least once a retry period even with nothing to do).
func (d *Daemon) healthy() error {
	if err := d.store.Ping(); err != nil {
		return err
	}
	now := d.clock.Now()
	if err := stuck("sweep", d.health.sweep.Load(), 2*d.opt.SweepEvery+healthSlack, now); err != nil {
		return err
	}
	return stuck("dispatcher", d.health.dispatch.Load(), 2*retryEvery+gatherWindow+healthSlack, now)
}

func stuck(what string, last int64, limit time.Duration, now time.Time) error {
	if last == 0 {
		return fmt.Errorf("the %s has not run yet", what)
	}
	if since := now.Sub(time.Unix(0, last)); since > limit {
		return fmt.Errorf("the %s last ran %s ago (limit %s): it is stuck", what, rules.FormatDuration(since), rules.FormatDuration(limit))
	}
	return nil
}

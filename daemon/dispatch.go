package daemon

import (
	"context"
	"sync"
	"time"

	"github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/store"
)

// gatherWindow lets steps that fall due together (a catch-up, several rooms
// at one minute) reach the outbox before it is read, so they go out as one
// message per notifier.
const gatherWindow = 150 * time.Millisecond

// retryEvery is how often the outbox is retried while some step in it could
// not be delivered.
const retryEvery = time.Minute

// wake tells the dispatcher the outbox has something new.
func (d *Daemon) wake() {
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// dispatchLoop drains the outbox whenever it is woken, and retries what
// could not be delivered every retryEvery. sendCtx outlives runCtx by the
// stop grace, so an in-flight send may finish after a SIGTERM.
func (d *Daemon) dispatchLoop(runCtx, sendCtx context.Context) {
	retry := d.clock.NewTicker(retryEvery)
	defer retry.Stop()
	for {
		d.health.dispatchedAt(d.clock.Now())
		select {
		case <-runCtx.Done():
			return
		case <-d.kick:
		case <-retry.Chan():
		}
		select {
		case <-runCtx.Done():
		case <-d.clock.After(gatherWindow):
		}
		d.drain(sendCtx)
	}
}

// drain hands the outbox to the notifiers: what is not already on its
// way, re-checked against its room (app.Outgoing: an obsolete step is
// recorded as such and not sent), late and on-time steps separately, each
// as one message per route (app.Batches). It does not wait for the sends:
// each notifier delivers on its own lane, and each result settles the
// step's ledger entry as it comes (app.Settle), so a slow notifier never
// holds the next drain.
func (d *Daemon) drain(ctx context.Context) {
	entries, err := d.app.Outgoing(ctx, d.isInFlight)
	if err != nil {
		d.log.Error("reading the outbox", "err", err)
		return
	}
	if len(entries) == 0 {
		return
	}
	now := d.clock.Now()
	late, onTime := d.app.Alerts(entries, now, func(a *notifier.Alert) {
		a.Links = d.alertLinks(a.Step, now)
		a.RoomPage = d.roomPage(a.Step.Room)
	})
	byKey := make(map[string]store.Entry, len(entries))
	for _, e := range entries {
		byKey[e.Step.Key()] = e
	}
	d.takeOff(entries)
	router := d.activeRouter()
	for _, batch := range app.Batches(late, onTime) {
		router.Deliver(ctx, batch.Alerts, batch.Late, func(results []notifier.Result) {
			for _, res := range results {
				d.app.Settle(ctx, byKey[res.Key], res, now)
				d.land(res.Key)
			}
		})
	}
}

// inFlight is the set of outbox keys handed to the notifiers and not yet
// settled: a drain while they are on their way must not send them again.
type inFlight struct {
	mu   sync.Mutex
	keys map[string]bool
	idle chan struct{} // closed while nothing is in flight
}

// isInFlight reports whether the step of outbox key is on its way.
func (d *Daemon) isInFlight(key string) bool {
	d.flight.mu.Lock()
	defer d.flight.mu.Unlock()
	return d.flight.keys[key]
}

func (d *Daemon) takeOff(entries []store.Entry) {
	d.flight.mu.Lock()
	defer d.flight.mu.Unlock()
	if d.flight.keys == nil {
		d.flight.keys = map[string]bool{}
	}
	if len(d.flight.keys) == 0 {
		d.flight.idle = make(chan struct{})
	}
	for _, e := range entries {
		d.flight.keys[e.Key] = true
	}
}

func (d *Daemon) land(key string) {
	d.flight.mu.Lock()
	defer d.flight.mu.Unlock()
	if !d.flight.keys[key] {
		return
	}
	delete(d.flight.keys, key)
	if len(d.flight.keys) == 0 {
		close(d.flight.idle)
	}
}

// waitLanded waits until every send in flight has settled, or timeout: on
// shutdown the cut-off sends report at once and leave their steps in the
// outbox, and the store must stay open until they have.
func (d *Daemon) waitLanded(timeout time.Duration) {
	d.flight.mu.Lock()
	idle := d.flight.idle
	busy := len(d.flight.keys) > 0
	d.flight.mu.Unlock()
	if !busy {
		return
	}
	select {
	case <-idle:
	case <-time.After(timeout):
		d.log.Warn("sends still in flight at shutdown; they stay in the outbox for the next start")
	}
}

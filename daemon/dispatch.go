package daemon

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/store"
)

// gatherWindow lets steps that fall due together (a catch-up, several rooms
// at one minute) reach the outbox before it is read, so they go out as one
// message per notifier.
const gatherWindow = 150 * time.Millisecond

// giveUpAfter is how long an undeliverable step keeps being retried from the
// outbox before it is marked failed: past it the alert is stale.
const giveUpAfter = 24 * time.Hour

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
// way, re-checked against its room (Engine.Recheck: an obsolete step is
// recorded as such and not sent), late and on-time steps separately, each
// as one message per route. It does not wait for the sends: each notifier
// delivers on its own lane, and each result settles the step's ledger entry
// as it comes, so a slow notifier never holds the next drain.
func (d *Daemon) drain(ctx context.Context) {
	entries, err := d.store.Outbox()
	if err != nil {
		d.log.Error("reading the outbox", "err", err)
		return
	}
	entries = d.notInFlight(entries)
	if len(entries) == 0 {
		return
	}
	entries, err = d.engine.Recheck(ctx, entries)
	if err != nil {
		d.log.Warn("re-checking the outbox", "err", err)
		return
	}
	if len(entries) == 0 {
		return
	}
	now := d.clock.Now()
	replies := d.engine.Config().Replies
	recorded := map[string]bool{} // rooms whose buyer's record this drain shows already
	var onTime, late []notifier.Alert
	byKey := make(map[string]store.Entry, len(entries))
	for _, e := range entries {
		byKey[e.Step.Key()] = e
		a := notifier.Alert{Step: e.Step, Room: d.roomFor(e.Step), Now: now, Links: d.alertLinks(e.Step, now), RoomPage: d.roomPage(e.Step.Room), Replies: replies}
		d.withBuyer(&a, now, !recorded[e.Step.Room])
		recorded[e.Step.Room] = true
		if e.Late {
			late = append(late, a)
		} else {
			onTime = append(onTime, a)
		}
	}
	d.takeOff(entries)
	router := d.activeRouter()
	for _, batch := range batches(late, onTime) {
		router.Deliver(ctx, batch.alerts, batch.late, func(results []notifier.Result) {
			for _, res := range results {
				d.settle(ctx, byKey[res.Key], res, now)
				d.land(res.Key)
			}
		})
	}
}

type batch struct {
	alerts []notifier.Alert
	late   bool
}

// batches orders a drain's sends so the most severe alerts go first. Late
// and on-time steps are separate messages (a late one says so); when a
// drain holds both, they are cut by severity too, critical first, late
// before on time within each, so a repeat of a breach that is due now does
// not wait behind a catch-up of check-ins. A drain of one kind stays one
// batch: the router leads each message with its most urgent alert.
func batches(late, onTime []notifier.Alert) []batch {
	if len(late) == 0 || len(onTime) == 0 {
		return slices.DeleteFunc([]batch{{late, true}, {onTime, false}}, func(b batch) bool { return len(b.alerts) == 0 })
	}
	// Every severity present, most severe first, so none can be left out.
	var sevs []rules.Severity
	for _, a := range slices.Concat(late, onTime) {
		if !slices.Contains(sevs, a.Step.Severity) {
			sevs = append(sevs, a.Step.Severity)
		}
	}
	slices.SortFunc(sevs, func(a, b rules.Severity) int { return b.Rank() - a.Rank() })
	var out []batch
	for _, sev := range sevs {
		for _, b := range []batch{{late, true}, {onTime, false}} {
			var alerts []notifier.Alert
			for _, a := range b.alerts {
				if a.Step.Severity == sev {
					alerts = append(alerts, a)
				}
			}
			if len(alerts) > 0 {
				out = append(out, batch{alerts, b.late})
			}
		}
	}
	return out
}

// inFlight is the set of outbox keys handed to the notifiers and not yet
// settled: a drain while they are on their way must not send them again.
type inFlight struct {
	mu   sync.Mutex
	keys map[string]bool
	idle chan struct{} // closed while nothing is in flight
}

func (d *Daemon) notInFlight(entries []store.Entry) []store.Entry {
	d.flight.mu.Lock()
	defer d.flight.mu.Unlock()
	return slices.DeleteFunc(entries, func(e store.Entry) bool { return d.flight.keys[e.Key] })
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

// settle records one step's delivery. A step cut off by shutdown stays in
// the outbox untouched; one that no notifier took is retried until stale.
func (d *Daemon) settle(ctx context.Context, e store.Entry, res notifier.Result, now time.Time) {
	key := e.Step.Key()
	results := map[string]string{}
	for name, msg := range res.Errors {
		results[name] = msg
	}
	if res.Delivered {
		results[res.Notifier] = "ok"
		if err := d.store.MarkSent(key, results, d.clock.Now()); err != nil {
			d.log.Error("marking a step sent", "key", key, "err", err)
		}
		return
	}
	if ctx.Err() != nil {
		return
	}
	if now.Sub(e.Step.SendAt) > giveUpAfter {
		d.log.Error("giving up on an alert no notifier accepted", "room", e.Step.Room, "kind", e.Step.Kind,
			"step", e.Step.Name, "errors", results)
		if err := d.store.MarkFailed(key, results, now); err != nil {
			d.log.Error("marking a step failed", "key", key, "err", err)
		}
		return
	}
	d.log.Warn("no notifier accepted an alert; it stays in the outbox and is retried", "room", e.Step.Room,
		"kind", e.Step.Kind, "step", e.Step.Name, "errors", results)
	if err := d.store.MarkAttempt(key, results, now); err != nil {
		d.log.Error("recording a delivery attempt", "key", key, "err", err)
	}
}

// roomFor returns the room a step belongs to, or a bare room when it has
// left the configuration since the step was queued.
func (d *Daemon) roomFor(s rules.Step) rules.Room {
	r, ok, err := d.engine.Room(s.Room)
	if err != nil || !ok {
		return rules.Room{ID: s.Room}
	}
	return r
}

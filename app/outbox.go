package app

import (
	"context"
	"slices"
	"time"

	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/store"
)

// GiveUpAfter is how long an undeliverable step keeps being retried from
// the outbox before it is marked failed: past it the alert is stale.
const GiveUpAfter = 24 * time.Hour

// recordScanRooms bounds the store a room's first alert reads the buyer's
// record from: the record takes one walk of every room, which is nothing
// for a seller's few hundred rooms and too much per new room for a
// marketplace's million (those get it from `roomwatch buyer`).
const recordScanRooms = 20000

// Outgoing is what a drain of the outbox sends: the queued steps the
// caller does not already have on their way (inFlight), re-checked against
// their rooms (Recheck: an obsolete step is recorded as such and not sent).
func (e *App) Outgoing(ctx context.Context, inFlight func(key string) bool) ([]store.Entry, error) {
	entries, err := e.store.Outbox()
	if err != nil {
		return nil, err
	}
	entries = slices.DeleteFunc(entries, func(en store.Entry) bool { return inFlight(en.Key) })
	if len(entries) == 0 {
		return nil, nil
	}
	return e.Recheck(ctx, entries)
}

// Alerts are entries as the notifiers get them at now, late and on-time
// apart: each with its room (a bare one when the room has left the
// configuration), its ready-to-send reply, and, on a room's first alert,
// what the seller knows of the buyer. decorate adds what only the caller
// knows (the signed action links, the room's page in the web app).
func (e *App) Alerts(entries []store.Entry, now time.Time, decorate func(*notifier.Alert)) (late, onTime []notifier.Alert) {
	replies := e.Config().Replies
	recorded := map[string]bool{} // rooms whose buyer's record these alerts show already
	for _, en := range entries {
		a := notifier.Alert{Step: en.Step, Room: e.roomFor(en.Step), Now: now, Replies: replies}
		if decorate != nil {
			decorate(&a)
		}
		e.withBuyer(&a, now, !recorded[en.Step.Room])
		recorded[en.Step.Room] = true
		if en.Late {
			late = append(late, a)
		} else {
			onTime = append(onTime, a)
		}
	}
	return late, onTime
}

// Batch is one send of a drain: alerts that go out as one message per
// route.
type Batch struct {
	Alerts []notifier.Alert
	Late   bool
}

// Batches orders a drain's sends so the most severe alerts go first. Late
// and on-time steps are separate messages (a late one says so); when a
// drain holds both, they are cut by severity too, critical first, late
// before on time within each, so a repeat of a breach that is due now does
// not wait behind a catch-up of check-ins. A drain of one kind stays one
// batch: the router leads each message with its most urgent alert.
func Batches(late, onTime []notifier.Alert) []Batch {
	if len(late) == 0 || len(onTime) == 0 {
		return slices.DeleteFunc([]Batch{{late, true}, {onTime, false}}, func(b Batch) bool { return len(b.Alerts) == 0 })
	}
	// Every severity present, most severe first, so none can be left out.
	var sevs []rules.Severity
	for _, a := range slices.Concat(late, onTime) {
		if !slices.Contains(sevs, a.Step.Severity) {
			sevs = append(sevs, a.Step.Severity)
		}
	}
	slices.SortFunc(sevs, func(a, b rules.Severity) int { return b.Rank() - a.Rank() })
	var out []Batch
	for _, sev := range sevs {
		for _, b := range []Batch{{late, true}, {onTime, false}} {
			var alerts []notifier.Alert
			for _, a := range b.Alerts {
				if a.Step.Severity == sev {
					alerts = append(alerts, a)
				}
			}
			if len(alerts) > 0 {
				out = append(out, Batch{alerts, b.Late})
			}
		}
	}
	return out
}

// Settle records one step's delivery. A step cut off by shutdown (ctx
// done) stays in the outbox untouched; one that no notifier took is
// retried until GiveUpAfter, then marked failed. now is the drain's time.
func (e *App) Settle(ctx context.Context, en store.Entry, res notifier.Result, now time.Time) {
	key := en.Step.Key()
	results := map[string]string{}
	for name, msg := range res.Errors {
		results[name] = msg
	}
	if res.Delivered {
		results[res.Notifier] = "ok"
		if err := e.store.MarkSent(key, results, e.clock.Now()); err != nil {
			e.log.Error("marking a step sent", "key", key, "err", err)
		}
		return
	}
	if ctx.Err() != nil {
		return
	}
	if now.Sub(en.Step.SendAt) > GiveUpAfter {
		e.log.Error("giving up on an alert no notifier accepted", "room", en.Step.Room, "kind", en.Step.Kind,
			"step", en.Step.Name, "errors", results)
		if err := e.store.MarkFailed(key, results, now); err != nil {
			e.log.Error("marking a step failed", "key", key, "err", err)
		}
		return
	}
	e.log.Warn("no notifier accepted an alert; it stays in the outbox and is retried", "room", en.Step.Room,
		"kind", en.Step.Kind, "step", en.Step.Name, "errors", results)
	if err := e.store.MarkAttempt(key, results, now); err != nil {
		e.log.Error("recording a delivery attempt", "key", key, "err", err)
	}
}

// roomFor returns the room a step belongs to, or a bare room when it has
// left the configuration since the step was queued.
func (e *App) roomFor(s rules.Step) rules.Room {
	r, ok, err := e.Room(s.Room)
	if err != nil || !ok {
		return rules.Room{ID: s.Room}
	}
	return r
}

// withBuyer adds what the seller knows of the buyer to a room's first
// alert — the buyer's record over earlier rooms and the seller's private
// note — and the note to a declined buyer's warning, which exists for it.
// A room's alerts that go out together carry it once (firstOfRoom).
func (e *App) withBuyer(a *notifier.Alert, now time.Time, firstOfRoom bool) {
	if a.Room.Buyer == "" {
		return
	}
	cfg := e.Config()
	note, noted := cfg.BuyerOf(a.Room)
	first := firstOfRoom && e.firstAlert(a.Step)
	if noted && (first || a.Step.Kind == rules.DeclinedBuyer) {
		a.BuyerNote = note.Note
	}
	if !first {
		return
	}
	if n, err := e.store.CountRooms(); err != nil || n > recordScanRooms {
		return
	}
	rec, err := e.PriorRecord(a.Room, now)
	if err != nil {
		e.log.Warn("reading the buyer's record", "room", a.Room.ID, "err", err)
		return
	}
	if rec.Seen() {
		a.Record = &rec
	}
}

// firstAlert reports whether nothing of s's room was sent before s.
func (e *App) firstAlert(s rules.Step) bool {
	entries, err := e.store.Ledger(s.Room)
	if err != nil {
		return false
	}
	key := s.Key()
	for _, en := range entries {
		if en.Key != key && en.State == store.StateSent {
			return false
		}
	}
	return true
}

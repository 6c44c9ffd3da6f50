package app

import (
	"context"
	"fmt"
	"hash/fnv"
	"maps"
	"runtime"
	"sync"
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/store"
)

// LateAfter is how far past its send time a step must be to count as caught
// up late (sent after downtime, a suspend or a room's first sighting).
const LateAfter = time.Minute

// Config returns the configuration in force.
func (e *App) Config() *config.Config { return e.cfg.Load() }

// SetConfig replaces the configuration (after a successful reload).
func (e *App) SetConfig(cfg *config.Config) { e.cfg.Store(cfg) }

// Now is the application's clock.
func (e *App) Now() time.Time { return e.clock.Now() }

// Sync writes the configuration's rooms into the store. It returns the
// rooms whose alerts may have changed: rooms whose facts or tracking
// changed, and rooms whose same-buyer siblings changed. It reads only the
// configuration's rooms, never the whole store.
func (e *App) Sync(ctx context.Context) ([]string, error) {
	return e.store.SyncRooms(e.Config().Rooms, e.clock.Now())
}

// Room returns a room's merged facts.
func (e *App) Room(id string) (rules.Room, bool, error) {
	return e.store.Room(id)
}

// Rooms returns every tracked room.
func (e *App) Rooms() ([]rules.Room, error) {
	return e.store.Rooms()
}

// Env builds what a room's alerts depend on beyond its own facts.
func (e *App) Env(r rules.Room) (rules.Env, error) {
	acks, err := e.store.Acks(r.ID)
	if err != nil {
		return rules.Env{}, err
	}
	snooze, err := e.store.Snooze(r.ID)
	if err != nil {
		return rules.Env{}, err
	}
	same, err := e.store.SameBuyer(r, e.BuyerScope())
	if err != nil {
		return rules.Env{}, err
	}
	return e.envOf(r, acks, snooze, same)
}

// envOf joins what the store holds of a room (its acks, its snooze, its
// buyer's earlier rooms), however it was read, to the configuration.
func (e *App) envOf(r rules.Room, acks []rules.Ack, snooze rules.Snooze, same []string) (rules.Env, error) {
	cfg := e.Config()
	platform := r.Platform
	if platform == "" {
		platform = cfg.Platform
	}
	profile, ok := cfg.Profiles[platform]
	if !ok {
		return rules.Env{}, fmt.Errorf("app: room %s: unknown platform %q", r.ID, platform)
	}
	note, noted := cfg.BuyerOf(r)
	return rules.Env{Profile: profile, Policy: cfg.Policy, SameBuyer: same, DeclinedBuyer: noted && note.Decline, Acks: acks, Snooze: snooze}, nil
}

// Steps returns every step of a room's live alerts.
func (e *App) Steps(r rules.Room) ([]rules.Step, error) {
	env, err := e.Env(r)
	if err != nil {
		return nil, err
	}
	return rules.Plan(r, env), nil
}

// Outcome is what one evaluation did.
type Outcome struct {
	Queued  []rules.Step
	Skipped []rules.Step
	Next    time.Time // the room's next send time; zero when nothing is left
}

// Evaluate queues the room's steps that have come due and are not in the
// ledger yet (per alert only the latest; earlier ones are recorded as
// skipped), then records and reports the room's next send time, all in one
// transaction.
func (e *App) Evaluate(ctx context.Context, id string) (Outcome, error) {
	lock := &e.roomLocks[lockIndex(id)]
	lock.Lock()
	defer lock.Unlock()

	now := e.clock.Now()
	var out Outcome
	err := e.store.Update(id, func(t *store.RoomTx) error {
		var err error
		out, err = e.evaluateIn(t, now)
		return err
	})
	if err != nil {
		return Outcome{}, err
	}
	e.evaluated(id, out)
	return out, nil
}

// evaluateIn is one evaluation of the room of t at now, inside its
// transaction: a room no longer tracked leaves the due index.
func (e *App) evaluateIn(t *store.RoomTx, now time.Time) (Outcome, error) {
	r, ok := t.Room()
	if !ok {
		return Outcome{}, t.SetNext(time.Time{})
	}
	acks, err := t.Acks()
	if err != nil {
		return Outcome{}, err
	}
	snooze, err := t.Snooze()
	if err != nil {
		return Outcome{}, err
	}
	same, err := t.SameBuyer(e.BuyerScope())
	if err != nil {
		return Outcome{}, err
	}
	env, err := e.envOf(r, acks, snooze, same)
	if err != nil {
		return Outcome{}, err
	}
	due, next := splitDue(nil, rules.Plan(r, env), now)
	send, skip := rules.Pick(due, t.Done)
	out, err := writeDue(t, send, skip, now)
	if err != nil {
		return Outcome{}, err
	}
	out.Next = next
	return out, t.SetNext(next)
}

// evaluated tells the ports what a committed evaluation did: the timers
// the room's next step, the waker that steps were queued.
func (e *App) evaluated(id string, out Outcome) {
	if err := e.timers.Schedule(id, out.Next); err != nil {
		e.log.Error("scheduling a room", "room", id, "at", out.Next, "err", err)
	}
	if len(out.Queued) > 0 {
		e.waker.Wake()
	}
}

// splitDue appends to due the steps whose send time has come, and finds
// the earliest of the rest: the room's next send time.
func splitDue(due, steps []rules.Step, now time.Time) ([]rules.Step, time.Time) {
	var next time.Time
	for _, s := range steps {
		if !s.SendAt.After(now) {
			due = append(due, s)
		} else if next.IsZero() || s.SendAt.Before(next) {
			next = s.SendAt
		}
	}
	return due, next
}

// stepLedger is where writeDue records steps: the store, or one room's
// transaction.
type stepLedger interface {
	Skip(steps []rules.Step, now time.Time) error
	Queue(steps []rules.Step, late bool, now time.Time) ([]rules.Step, error)
}

// writeDue applies the catch-up rule to due steps of any number of rooms,
// as rules.Pick sorted them against the ledger: earlier steps of an alert
// are recorded as skipped, and the rest is queued, marked late when it is
// more than LateAfter past its time.
func writeDue(ledger stepLedger, send, skip []rules.Step, now time.Time) (Outcome, error) {
	var out Outcome
	if len(skip) > 0 {
		if err := ledger.Skip(skip, now); err != nil {
			return Outcome{}, err
		}
	}
	out.Skipped = skip
	var onTime, late []rules.Step
	for _, s := range send {
		if now.Sub(s.SendAt) > LateAfter {
			late = append(late, s)
		} else {
			onTime = append(onTime, s)
		}
	}
	for _, batch := range []struct {
		steps []rules.Step
		late  bool
	}{{onTime, false}, {late, true}} {
		if len(batch.steps) == 0 {
			continue
		}
		queued, err := ledger.Queue(batch.steps, batch.late, now)
		if err != nil {
			return Outcome{}, err
		}
		out.Queued = append(out.Queued, queued...)
	}
	return out, nil
}

// batchSize is how many rooms EvaluateAll and EvaluateRooms take per
// round of writes: a handful of transactions for that many rooms, instead
// of several per room, each with its fsync. The due index is keyed by
// time, so each round's next times land all over it; fewer, larger rounds
// rewrite each of its pages fewer times. Measured on a first start of
// 1,000,000 rooms (2 cores): 4,096 rooms a round took 12.7 s, 16,384 took
// 8.4 s, 32,768 took 6.3 s, 65,536 took 5.3 s but kept 130 MB of
// the daemon's own memory at READY. A round holds every room lock, so
// an event during a policy reload waits for at most one round (~0.2 s).
const batchSize = 32768

// EvaluateAll evaluates every tracked room as Evaluate does: on a first
// start, or when the policy shared by every room changed. Rooms stream from
// the store in batches, so memory stays flat whatever their number, and
// each batch's next times, skipped and queued steps take a few write
// transactions. It gives no timers: at this scale the caller gives
// timers from the due index afterwards (the daemon's sweep), which keeps
// only the steps due soon. It returns the number of rooms evaluated.
func (e *App) EvaluateAll(ctx context.Context) (int, error) {
	n := 0
	batch := make([]rules.Room, 0, batchSize)
	flush := func() error {
		if err := e.evaluateBatch(ctx, batch); err != nil {
			return err
		}
		n += len(batch)
		batch = batch[:0]
		return nil
	}
	err := e.store.ForEachRoom(func(r rules.Room) error {
		batch = append(batch, r)
		if len(batch) < batchSize {
			return nil
		}
		return flush()
	})
	if err == nil {
		err = flush()
	}
	return n, err
}

// EvaluateRooms evaluates the rooms with the given IDs as Evaluate does, in
// batches like EvaluateAll, and like it gives no timers. A room no
// longer tracked leaves the due index.
func (e *App) EvaluateRooms(ctx context.Context, ids []string) error {
	for start := 0; start < len(ids); start += batchSize {
		chunk := ids[start:min(start+batchSize, len(ids))]
		batch := make([]rules.Room, 0, len(chunk))
		var gone []string
		for _, id := range chunk {
			r, ok, err := e.store.Room(id)
			if err != nil {
				return err
			}
			if ok {
				batch = append(batch, r)
			} else {
				gone = append(gone, id)
			}
		}
		if len(gone) > 0 {
			next := make(map[string]time.Time, len(gone))
			for _, id := range gone {
				next[id] = time.Time{}
			}
			if err := e.store.SetNextBatch(next); err != nil {
				return err
			}
		}
		if err := e.evaluateBatch(ctx, batch); err != nil {
			return err
		}
	}
	return nil
}

// evaluateBatch is Evaluate for many rooms with shared writes. It holds
// every room lock meanwhile: a timer firing for one of the rooms waits the
// few milliseconds a batch takes rather than race its writes.
func (e *App) evaluateBatch(ctx context.Context, rooms []rules.Room) error {
	if len(rooms) == 0 {
		return ctx.Err()
	}
	for i := range e.roomLocks {
		e.roomLocks[i].Lock()
	}
	defer func() {
		for i := range e.roomLocks {
			e.roomLocks[i].Unlock()
		}
	}()
	now := e.clock.Now()
	// Planning is pure and the reads are read transactions, which bbolt
	// runs side by side: the batch is planned in one part per core (a
	// first start at a marketplace's size is CPU-bound here), then written
	// in one go, in the rooms' order.
	parts := planParts(len(rooms))
	plans := make([]batchPlan, len(parts))
	var wg sync.WaitGroup
	for i, p := range parts {
		wg.Go(func() { plans[i] = e.planBatch(rooms[p[0]:p[1]], now) })
	}
	wg.Wait()
	next := make(map[string]time.Time, len(rooms))
	var send, skip []rules.Step
	for _, p := range plans {
		if p.err != nil {
			return p.err
		}
		maps.Copy(next, p.next)
		send, skip = append(send, p.send...), append(skip, p.skip...)
	}
	out, err := writeDue(e.store, send, skip, now)
	if err != nil {
		return err
	}
	if err := e.store.SetNextBatch(next); err != nil {
		return err
	}
	if len(out.Queued) > 0 {
		e.waker.Wake()
	}
	return ctx.Err()
}

// batchPlan is what planning one part of a batch found: each room's next
// send time, and the due steps to send or to skip.
type batchPlan struct {
	next       map[string]time.Time
	send, skip []rules.Step
	err        error
}

// planParts splits n rooms into one contiguous part per core, [from, to).
func planParts(n int) [][2]int {
	workers := min(runtime.GOMAXPROCS(0), max(1, n/256))
	parts := make([][2]int, 0, workers)
	for w := range workers {
		parts = append(parts, [2]int{n * w / workers, n * (w + 1) / workers})
	}
	return parts
}

// planBatch plans rooms at now; one read transaction serves every room's
// acks, snooze, same-buyer rooms and the ledger check.
func (e *App) planBatch(rooms []rules.Room, now time.Time) batchPlan {
	p := batchPlan{next: make(map[string]time.Time, len(rooms))}
	scope := e.BuyerScope()
	p.err = e.store.View(func(b *store.Batch) error {
		var due []rules.Step // one room's, reused
		for _, r := range rooms {
			acks, err := b.Acks(r.ID)
			if err != nil {
				return err
			}
			snooze, err := b.Snooze(r.ID)
			if err != nil {
				return err
			}
			same, err := b.SameBuyer(r, scope)
			if err != nil {
				return err
			}
			env, err := e.envOf(r, acks, snooze, same)
			if err != nil {
				return err
			}
			var n time.Time
			due, n = splitDue(due[:0], rules.Plan(r, env), now)
			p.next[r.ID] = n
			// Pick works per alert, so room by room is the same as all
			// at once, without holding every room's due steps.
			if len(due) > 0 {
				se, sk := rules.Pick(due, b.Done)
				p.send, p.skip = append(p.send, se...), append(p.skip, sk...)
			}
		}
		return nil
	})
	return p
}

// recordEvent appends an event to a room's log and re-evaluates the room,
// so a resolved condition's remaining steps are cancelled and a moved
// deadline is scheduled at once: the event, the steps it queues or skips and the room's
// next step are one transaction (shared with concurrent events).
func (e *App) recordEvent(ctx context.Context, ev store.Event) (Outcome, error) {
	lock := &e.roomLocks[lockIndex(ev.Room)]
	lock.Lock()
	defer lock.Unlock()

	now := e.clock.Now()
	var out Outcome
	err := e.store.Update(ev.Room, func(t *store.RoomTx) error {
		if err := t.Record(ev); err != nil {
			return err
		}
		var err error
		out, err = e.evaluateIn(t, now)
		return err
	})
	if err != nil {
		return Outcome{}, err
	}
	e.evaluated(ev.Room, out)
	return out, nil
}

func lockIndex(id string) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % 256)
}

// Recheck looks at queued steps again just before they are sent, against
// their rooms as they are now: a step is sent only while its key is still
// in the room's plan (the room tracked, the condition unresolved, not
// acknowledged, the deadline unmoved). One whose condition no longer holds
// is marked obsolete in the ledger with the reason and leaves the outbox;
// one a snooze or quiet hours now hold stays queued for its new time. It
// returns the entries to send now. Steps queued by the command line while
// no daemon ran meet the same check when the next daemon drains them.
//
// A room whose plan cannot be built (the store unreadable) keeps its steps
// in the list to send: a stale alert costs less than a lost one.
func (e *App) Recheck(ctx context.Context, entries []store.Entry) ([]store.Entry, error) {
	byRoom := map[string][]store.Entry{}
	var rooms []string
	for _, en := range entries {
		if _, ok := byRoom[en.Step.Room]; !ok {
			rooms = append(rooms, en.Step.Room)
		}
		byRoom[en.Step.Room] = append(byRoom[en.Step.Room], en)
	}
	send := make([]store.Entry, 0, len(entries))
	for _, id := range rooms {
		if err := ctx.Err(); err != nil {
			return send, err
		}
		kept, err := e.recheckRoom(id, byRoom[id])
		if err != nil {
			e.log.Warn("re-checking queued alerts; sending them as queued", "room", id, "err", err)
			kept = byRoom[id]
		}
		send = append(send, kept...)
	}
	return send, nil
}

func (e *App) recheckRoom(id string, entries []store.Entry) ([]store.Entry, error) {
	lock := &e.roomLocks[lockIndex(id)]
	lock.Lock()
	defer lock.Unlock()

	now := e.clock.Now()
	r, tracked, err := e.store.Room(id)
	if err != nil {
		return nil, err
	}
	var plan []rules.Step
	var env rules.Env
	if tracked {
		if env, err = e.Env(r); err != nil {
			return nil, err
		}
		plan = rules.Plan(r, env)
	}
	var send []store.Entry
	for _, en := range entries {
		sendNow, reason := e.verdict(en.Step, r, tracked, plan, env, now)
		switch {
		case sendNow:
			send = append(send, en)
		case reason == "":
			// Held: it stays queued and goes out at its new time.
		default:
			if err := e.store.MarkObsolete(en.Key, reason, now); err != nil {
				return nil, err
			}
			e.log.Info("queued alert is obsolete; not sent", "room", id, "kind", string(en.Step.Kind),
				"step", en.Step.Name, "reason", reason)
		}
	}
	return send, nil
}

// verdict decides one queued step: send it now, hold it (no reason), or
// drop it as obsolete (with the reason, as history shows it).
func (e *App) verdict(s rules.Step, r rules.Room, tracked bool, plan []rules.Step, env rules.Env, now time.Time) (send bool, reason string) {
	if !tracked {
		return false, "the room is no longer tracked (gone from the configuration)"
	}
	key := s.Key()
	var sameKind []rules.Step
	for _, p := range plan {
		if p.Key() == key {
			return !p.SendAt.After(now), ""
		}
		if p.Kind == s.Kind {
			sameKind = append(sameKind, p)
		}
	}
	if len(sameKind) == 0 {
		return false, fmt.Sprintf("resolved: no %s alert any more (the room is %s)", s.Kind, rules.StateOf(r))
	}
	for _, p := range sameKind {
		if !p.Deadline.Equal(s.Deadline) {
			return false, "the deadline moved to " + p.Deadline.In(e.Config().Timezone).Format(time.RFC3339)
		}
	}
	for _, ack := range env.Acks {
		if ack.Kind == s.Kind && ack.Deadline.Equal(s.Deadline) {
			return false, "acknowledged at " + ack.At.In(e.Config().Timezone).Format(time.RFC3339)
		}
	}
	return false, "no longer planned: the room changed after it was queued"
}

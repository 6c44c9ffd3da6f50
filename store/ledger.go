package store

import (
	"bytes"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/roomwatch/roomwatch/rules"
)

// Ledger entry states.
const (
	StateQueued  = "queued"  // in the outbox, not yet handed to a notifier
	StateSent    = "sent"    // delivered by at least one notifier
	StateFailed  = "failed"  // every notifier of the route failed; not retried
	StateSkipped = "skipped" // never to be sent (acked, resolved, snoozed past its use)
	// StateObsolete is a queued step taken out of the outbox unsent because
	// the room changed after it was queued (resolved, acknowledged, moved
	// deadline, room no longer tracked); Entry.Reason says which.
	StateObsolete = "obsolete"
)

// Entry is one ledger record: a step and what became of it.
type Entry struct {
	Key      string // Step.Key() when it was queued
	Step     rules.Step
	State    string
	Attempts int
	Late     bool              // queued after its time (missed while down)
	Results  map[string]string // notifier → "ok" or error text, of the last attempt
	QueuedAt time.Time         // when queued or skipped
	SentAt   time.Time         // when sent or failed
	// AttemptedAt is the time of the last delivery attempt (MarkAttempt,
	// MarkSent or MarkFailed); zero before the first.
	AttemptedAt time.Time
	// Reason says why an obsolete step was not sent.
	Reason string
}

// ledgerRecord is a ledger entry as stored (ledgercodec.go); schema version
// 3 stored it as JSON, with these field names.
type ledgerRecord struct {
	Step     stepRecord        `json:"step"`
	State    string            `json:"state"`
	Attempts int               `json:"attempts,omitempty"`
	Late     bool              `json:"late,omitempty"`
	Results  map[string]string `json:"results,omitempty"`
	QueuedAt int64             `json:"queued_at,omitempty"`
	SentAt   int64             `json:"sent_at,omitempty"`
	// AttemptedAt is the last delivery attempt.
	AttemptedAt int64 `json:"attempted_at,omitempty"`
	// Reason says why an obsolete step was not sent.
	Reason string `json:"reason,omitempty"`
	// Outbox is the entry's outbox key while it is queued, so sending it
	// removes exactly that outbox entry.
	Outbox uint64 `json:"outbox,omitempty"`
}

// stepRecord keeps everything needed to render the message later, when the
// room may have changed or gone.
type stepRecord struct {
	Room          string         `json:"room"`
	Kind          rules.Kind     `json:"kind"`
	AlertSeverity rules.Severity `json:"alert_severity"`
	Deadline      int64          `json:"deadline"`
	Known         int64          `json:"known,omitempty"`
	Related       int64          `json:"related,omitempty"`
	Others        []string       `json:"others,omitempty"`
	Name          string         `json:"name"`
	Severity      rules.Severity `json:"severity"`
	At            int64          `json:"at"`
	SendAt        int64          `json:"send_at,omitempty"`
}

func recordStep(s rules.Step) stepRecord {
	return stepRecord{
		Room: s.Room, Kind: s.Kind, AlertSeverity: s.Alert.Severity,
		Deadline: nanos(s.Deadline), Known: nanos(s.Known), Related: nanos(s.Related), Others: s.Others,
		Name: s.Name, Severity: s.Severity, At: nanos(s.At), SendAt: nanos(s.SendAt),
	}
}

func (r stepRecord) step() rules.Step {
	return rules.Step{
		Alert: rules.Alert{
			Room: r.Room, Kind: r.Kind, Severity: r.AlertSeverity,
			Deadline: instant(r.Deadline), Known: instant(r.Known), Related: instant(r.Related), Others: r.Others,
		},
		Name: r.Name, Severity: r.Severity, At: instant(r.At), SendAt: instant(r.SendAt),
	}
}

func (r ledgerRecord) entry(key string) Entry {
	return Entry{
		Key: key, Step: r.Step.step(), State: r.State, Attempts: r.Attempts, Late: r.Late,
		Results: r.Results, QueuedAt: instant(r.QueuedAt), SentAt: instant(r.SentAt), AttemptedAt: instant(r.AttemptedAt),
		Reason: r.Reason,
	}
}

func readLedger(b *bolt.Bucket, key string) (rec ledgerRecord, found bool, err error) {
	k := ledgerKey(key)
	v := b.Get(k)
	if v == nil {
		return rec, false, nil
	}
	if rec, err = decodeLedger(k, v); err != nil {
		return rec, true, fmt.Errorf("ledger entry %q: %w", key, err)
	}
	return rec, true, nil
}

func putLedger(b *bolt.Bucket, key string, rec *ledgerRecord) error {
	k := ledgerKey(key)
	return b.Put(k, rec.encode(k))
}

// Queue writes, in one transaction, a ledger entry (queued) and an outbox
// entry for each step whose key is not in the ledger yet. Steps already in
// the ledger, in any state, are left alone, so a restart, reload or second
// sweep cannot queue a step twice. It returns the steps newly queued.
func (s *Store) Queue(steps []rules.Step, late bool, now time.Time) (queued []rules.Step, err error) {
	err = s.update("queue steps", func(tx *bolt.Tx) error {
		queued, err = queueSteps(tx, steps, late, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return queued, nil
}

// queueSteps is Queue inside a write transaction; the outbox keeps the
// steps' order.
func queueSteps(tx *bolt.Tx, steps []rules.Step, late bool, now time.Time) ([]rules.Step, error) {
	var queued []rules.Step
	ledger, outbox := tx.Bucket(bucketLedger), tx.Bucket(bucketOutbox)
	outbox.FillPercent = appendFill
	if len(steps) >= bulkWrite {
		ledger.FillPercent = importFill
	}
	for _, st := range steps {
		ks := keyedStep{stepLedgerKey(nil, st), st}
		if ledger.Get(ks.k) != nil || settledByPrune(tx, st) {
			continue
		}
		seq, err := outbox.NextSequence()
		if err != nil {
			return nil, err
		}
		if err := outbox.Put(seqKey(seq), ks.k); err != nil {
			return nil, err
		}
		rec := ledgerRecord{Step: recordStep(ks.step), State: StateQueued, Late: late, QueuedAt: nanos(now), Outbox: seq}
		if err := ledger.Put(ks.k, rec.encode(ks.k)); err != nil {
			return nil, err
		}
		queued = append(queued, ks.step)
	}
	return queued, nil
}

type keyedStep struct {
	k    []byte
	step rules.Step
}

// keyedSteps pairs steps with their stored ledger keys, sorted by key (a
// batch's writes then touch each page once); the steps' own order is kept
// among equal keys.
func keyedSteps(steps []rules.Step) []keyedStep {
	ks := make([]keyedStep, len(steps))
	for i, st := range steps {
		ks[i] = keyedStep{stepLedgerKey(nil, st), st}
	}
	slices.SortStableFunc(ks, func(a, b keyedStep) int { return bytes.Compare(a.k, b.k) })
	return ks
}

// Skip records steps that will never be sent (state skipped), so they are
// not queued later either. Steps already in the ledger are left alone.
func (s *Store) Skip(steps []rules.Step, now time.Time) error {
	return s.update("skip steps", func(tx *bolt.Tx) error {
		return skipSteps(tx, steps, now)
	})
}

func skipSteps(tx *bolt.Tx, steps []rules.Step, now time.Time) error {
	ledger := tx.Bucket(bucketLedger)
	if len(steps) >= bulkWrite {
		ledger.FillPercent = importFill
	}
	for _, ks := range keyedSteps(steps) {
		if ledger.Get(ks.k) != nil || settledByPrune(tx, ks.step) {
			continue
		}
		rec := ledgerRecord{Step: recordStep(ks.step), State: StateSkipped, QueuedAt: nanos(now)}
		if err := ledger.Put(ks.k, rec.encode(ks.k)); err != nil {
			return err
		}
	}
	return nil
}

// Outbox returns the steps queued and not yet sent, in queue order. The
// daemon drains it at start: anything here was never confirmed sent.
func (s *Store) Outbox() ([]Entry, error) {
	var entries []Entry
	err := s.db.View(func(tx *bolt.Tx) error {
		ledger := tx.Bucket(bucketLedger)
		return tx.Bucket(bucketOutbox).ForEach(func(_, k []byte) error {
			key, err := ledgerKeyString(k)
			if err != nil {
				return fmt.Errorf("outbox: %w", err)
			}
			v := ledger.Get(k)
			if v == nil {
				return fmt.Errorf("outbox entry %q has no ledger entry", key)
			}
			rec, err := decodeLedger(k, v)
			if err != nil {
				return fmt.Errorf("ledger entry %q: %w", key, err)
			}
			entries = append(entries, rec.entry(key))
			return nil
		})
	})
	return entries, s.fail("read outbox", err)
}

// MarkSent records that the step went out: ledger state sent and the outbox
// entry removed, in one transaction. Marking a sent step again is a no-op.
func (s *Store) MarkSent(key string, results map[string]string, now time.Time) error {
	return s.settle(key, StateSent, results, now)
}

// MarkFailed records that every notifier failed after the dispatcher's own
// retries and failover: ledger state failed, attempts+1, outbox entry
// removed. The step is not queued again (its key is in the ledger).
func (s *Store) MarkFailed(key string, results map[string]string, now time.Time) error {
	return s.settle(key, StateFailed, results, now)
}

// MarkAttempt records a delivery attempt that no notifier accepted while
// the step stays queued in the outbox for a later try: attempts+1, the
// results and the attempt time are kept.
func (s *Store) MarkAttempt(key string, results map[string]string, now time.Time) error {
	return s.settle(key, StateQueued, results, now)
}

// MarkObsolete takes a queued step out of the outbox unsent, in one
// transaction with its ledger entry, which becomes obsolete with the
// reason: the room changed after the step was queued. The key stays in the
// ledger, so the step is never queued again. Marking it again is a no-op;
// a step no longer queued (sent meanwhile) is left alone with ErrNotQueued.
func (s *Store) MarkObsolete(key, reason string, now time.Time) error {
	return s.update(fmt.Sprintf("mark %q obsolete", key), func(tx *bolt.Tx) error {
		ledger := tx.Bucket(bucketLedger)
		rec, found, err := readLedger(ledger, key)
		switch {
		case err != nil:
			return err
		case !found:
			return ErrUnknownStep
		case rec.State == StateObsolete:
			return nil
		case rec.State != StateQueued:
			return fmt.Errorf("%w (it is %s)", ErrNotQueued, rec.State)
		}
		if err := tx.Bucket(bucketOutbox).Delete(seqKey(rec.Outbox)); err != nil {
			return err
		}
		rec.State, rec.Outbox, rec.Reason, rec.SentAt = StateObsolete, 0, reason, nanos(now)
		return putLedger(ledger, key, &rec)
	})
}

// settle records one delivery attempt of a queued step and moves it to
// state; a step leaving StateQueued leaves the outbox in the same transaction.
func (s *Store) settle(key, state string, results map[string]string, now time.Time) error {
	op := fmt.Sprintf("mark %q %s", key, state)
	if state == StateQueued {
		op = fmt.Sprintf("record an attempt of %q", key)
	}
	return s.update(op, func(tx *bolt.Tx) error {
		ledger := tx.Bucket(bucketLedger)
		rec, found, err := readLedger(ledger, key)
		switch {
		case err != nil:
			return err
		case !found:
			return ErrUnknownStep
		case rec.State == state && state != StateQueued:
			return nil
		case rec.State != StateQueued:
			return fmt.Errorf("%w (it is %s)", ErrNotQueued, rec.State)
		}
		rec.Attempts++
		rec.Results = maps.Clone(results)
		rec.AttemptedAt = nanos(now)
		if state != StateQueued {
			if err := tx.Bucket(bucketOutbox).Delete(seqKey(rec.Outbox)); err != nil {
				return err
			}
			rec.State, rec.Outbox, rec.SentAt = state, 0, nanos(now)
		}
		return putLedger(ledger, key, &rec)
	})
}

// Done reports whether the key is in the ledger (queued, sent, failed or skipped).
func (s *Store) Done(key string) (bool, error) {
	var done bool
	err := s.db.View(func(tx *bolt.Tx) error {
		done = tx.Bucket(bucketLedger).Get(ledgerKey(key)) != nil
		return nil
	})
	return done, s.fail("read ledger", err)
}

// DoneFunc returns a lookup like Done over one read transaction, for
// checking many keys cheaply (rules.Pick), and the function that releases
// it. The lookup is for one goroutine and must not be used after release.
// Release it before writing to the store (Queue): bbolt cannot grow the file
// while a read transaction is open, so a write from the same goroutine could
// wait forever.
//
// If the transaction cannot start, the lookup answers false (not done):
// Queue checks the ledger again in its own transaction, so a false "not
// done" costs nothing, while a false "done" would lose an alert.
func (s *Store) DoneFunc() (func(key string) bool, func()) {
	tx, err := s.db.Begin(false)
	if err != nil {
		slog.Warn("store: ledger read view unavailable; falling back to Queue's own check", "path", s.path, "err", err)
		return func(string) bool { return false }, func() {}
	}
	has := s.db.has(tx.Bucket(bucketLedger))
	var once sync.Once
	return func(key string) bool { return has(ledgerKey(key)) },
		func() { once.Do(func() { _ = tx.Rollback() }) }
}

// Ledger returns a room's ledger entries (for `history`), by step time then key.
func (s *Store) Ledger(room string) ([]Entry, error) {
	var entries []Entry
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		entries, err = roomLedger(tx, room)
		return err
	})
	sort.SliceStable(entries, func(i, j int) bool {
		if !entries[i].Step.At.Equal(entries[j].Step.At) {
			return entries[i].Step.At.Before(entries[j].Step.At)
		}
		return entries[i].Key < entries[j].Key
	})
	return entries, s.fail(fmt.Sprintf("read ledger of room %q", room), err)
}

// roomLedger reads a room's entries: those keyed under its ID, and any of
// the (normally absent) raw keys that name it.
func roomLedger(tx *bolt.Tx, room string) ([]Entry, error) {
	var entries []Entry
	err := eachRoomLedger(tx, room, func(k []byte, rec ledgerRecord) error {
		key, err := ledgerKeyString(k)
		if err != nil {
			return err
		}
		entries = append(entries, rec.entry(key))
		return nil
	})
	return entries, err
}

// eachRoomLedger calls fn with the stored key and record of each of the
// room's ledger entries; history and pruning both walk them this way.
func eachRoomLedger(tx *bolt.Tx, room string, fn func(k []byte, rec ledgerRecord) error) error {
	c := tx.Bucket(bucketLedger).Cursor()
	for _, prefix := range [][]byte{ledgerPrefix(room), {0}} {
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			rec, err := decodeLedger(k, v)
			if err != nil {
				return fmt.Errorf("ledger entry %x: %w", k, err)
			}
			if rec.Step.Room != room {
				continue
			}
			if err := fn(bytes.Clone(k), rec); err != nil {
				return err
			}
		}
	}
	return nil
}

package store

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

func TestQueueIsIdempotent(t *testing.T) {
	s := newStore(t)
	deadline := jst(t, "2026-11-24 09:00")
	now := jst(t, "2026-11-23 09:00")
	a, b := step("4012345", deadline, "warn-24h"), step("4012345", deadline, rules.StepDue)

	queued, err := s.Queue([]rules.Step{a, a}, false, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(queued) != 1 {
		t.Errorf("the same step twice in one call queued %d times", len(queued))
	}
	queued, err = s.Queue([]rules.Step{a, b}, false, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(queued) != 1 || queued[0].Key() != b.Key() {
		t.Errorf("second call queued %v, want only %s", queued, b.Key())
	}

	s = reopen(t, s)
	if _, err := s.Queue([]rules.Step{a, b}, true, now); err != nil {
		t.Fatal(err)
	}
	checkIDs(t, "outbox", outboxKeys(t, s), a.Key(), b.Key())
	ledger, err := s.Ledger("4012345")
	if err != nil {
		t.Fatal(err)
	}
	if len(ledger) != 2 {
		t.Fatalf("ledger has %d entries, want 2", len(ledger))
	}
	for _, e := range ledger {
		if e.State != StateQueued || e.Late {
			t.Errorf("entry %s: state %s late %v, want queued and not late (first queue wins)", e.Key, e.State, e.Late)
		}
	}
}

func TestLedgerKeepsTheWholeStep(t *testing.T) {
	s := newStore(t)
	want := rules.Step{
		Alert: rules.Alert{
			Room: "4012345", Kind: rules.EligibleToClose, Severity: rules.Warning,
			Deadline: jst(t, "2026-11-27 10:00"), Known: jst(t, "2026-11-24 10:00"),
			Related: jst(t, "2026-11-27 10:00"), Others: []string{"4012300", "4012301"},
		},
		Name: rules.StepDue, Severity: rules.Warning,
		At: jst(t, "2026-11-27 10:00"), SendAt: jst(t, "2026-11-27 10:00"),
	}
	now := jst(t, "2026-11-27 10:00")
	if _, err := s.Queue([]rules.Step{want}, true, now); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s)
	out, err := s.Outbox()
	if err != nil || len(out) != 1 {
		t.Fatalf("outbox = %v (err %v)", out, err)
	}
	e := out[0]
	if e.Key != want.Key() || e.Step.Key() != want.Key() || e.State != StateQueued || !e.Late || e.Attempts != 0 {
		t.Errorf("entry = %+v", e)
	}
	checkTime(t, "queued at", e.QueuedAt, now)
	got := e.Step
	for _, c := range []struct {
		name      string
		got, want time.Time
	}{
		{"deadline", got.Deadline, want.Deadline}, {"known", got.Known, want.Known},
		{"related", got.Related, want.Related}, {"at", got.At, want.At}, {"send at", got.SendAt, want.SendAt},
	} {
		checkTime(t, c.name, c.got, c.want)
	}
	if got.Room != want.Room || got.Kind != want.Kind || got.Alert.Severity != want.Alert.Severity ||
		got.Name != want.Name || got.Severity != want.Severity || !reflect.DeepEqual(got.Others, want.Others) {
		t.Errorf("step = %+v, want %+v", got, want)
	}
}

func TestMarkSentAndFailed(t *testing.T) {
	s := newStore(t)
	deadline := jst(t, "2026-11-24 09:00")
	now := jst(t, "2026-11-23 09:00")
	a, b, c := step("r", deadline, "warn-24h"), step("r", deadline, "warn-3h"), step("r", deadline, rules.StepDue)
	if _, err := s.Queue([]rules.Step{a, b, c}, false, now); err != nil {
		t.Fatal(err)
	}

	sentAt := now.Add(time.Second)
	if err := s.MarkSent(b.Key(), map[string]string{"phone": "ok"}, sentAt); err != nil {
		t.Fatal(err)
	}
	checkIDs(t, "outbox after sending b", outboxKeys(t, s), a.Key(), c.Key())
	if err := s.MarkFailed(c.Key(), map[string]string{"phone": "404 channel_not_found", "mail": "550 no such user"}, sentAt); err != nil {
		t.Fatal(err)
	}
	checkIDs(t, "outbox after c failed", outboxKeys(t, s), a.Key())

	// Repeats are no-ops; contradicting a final state is an error.
	if err := s.MarkSent(b.Key(), nil, sentAt.Add(time.Minute)); err != nil {
		t.Errorf("MarkSent twice: %v", err)
	}
	if err := s.MarkSent(c.Key(), nil, sentAt); !errors.Is(err, ErrNotQueued) {
		t.Errorf("MarkSent of a failed step: %v, want ErrNotQueued", err)
	}
	if err := s.MarkSent("r|check-in|2030-01-01T00:00:00Z|due", nil, sentAt); !errors.Is(err, ErrUnknownStep) {
		t.Errorf("MarkSent of an unknown key: %v, want ErrUnknownStep", err)
	}

	s = reopen(t, s)
	ledger, err := s.Ledger("r")
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]Entry{}
	for _, e := range ledger {
		byKey[e.Key] = e
	}
	if e := byKey[b.Key()]; e.State != StateSent || e.Attempts != 1 || e.Results["phone"] != "ok" || !e.SentAt.Equal(sentAt) {
		t.Errorf("sent entry = %+v", e)
	}
	if e := byKey[c.Key()]; e.State != StateFailed || e.Attempts != 1 || e.Results["mail"] != "550 no such user" {
		t.Errorf("failed entry = %+v", e)
	}
	if e := byKey[a.Key()]; e.State != StateQueued {
		t.Errorf("untouched entry = %+v", e)
	}
	// A sent or failed step is never queued again.
	queued, err := s.Queue([]rules.Step{a, b, c}, false, now)
	if err != nil || len(queued) != 0 {
		t.Errorf("requeue: %v (err %v), want nothing", queued, err)
	}
}

func TestSkipAndDone(t *testing.T) {
	s := newStore(t)
	deadline := jst(t, "2026-11-24 09:00")
	now := jst(t, "2026-11-23 09:00")
	acked, queuedStep, fresh := step("r", deadline, "repeat-1"), step("r", deadline, rules.StepDue), step("r", deadline, "repeat-2")
	if _, err := s.Queue([]rules.Step{queuedStep}, false, now); err != nil {
		t.Fatal(err)
	}
	if err := s.Skip([]rules.Step{acked, queuedStep}, now); err != nil {
		t.Fatal(err)
	}
	if err := s.Skip([]rules.Step{acked}, now); err != nil {
		t.Fatal(err)
	}
	ledger, err := s.Ledger("r")
	if err != nil || len(ledger) != 2 {
		t.Fatalf("ledger = %+v (err %v)", ledger, err)
	}
	for _, e := range ledger {
		want := map[string]string{acked.Key(): StateSkipped, queuedStep.Key(): StateQueued}[e.Key]
		if e.State != want {
			t.Errorf("%s: state %s, want %s", e.Key, e.State, want)
		}
	}
	checkIDs(t, "outbox", outboxKeys(t, s), queuedStep.Key())
	if q, _ := s.Queue([]rules.Step{acked}, false, now); len(q) != 0 {
		t.Error("a skipped step was queued")
	}

	for key, want := range map[string]bool{acked.Key(): true, queuedStep.Key(): true, fresh.Key(): false} {
		if done, err := s.Done(key); err != nil || done != want {
			t.Errorf("Done(%s) = %v, %v; want %v", key, done, err, want)
		}
	}
	done, release := s.DoneFunc()
	for key, want := range map[string]bool{acked.Key(): true, queuedStep.Key(): true, fresh.Key(): false} {
		if done(key) != want {
			t.Errorf("DoneFunc(%s) != %v", key, want)
		}
	}
	release()
	release() // a second release is harmless
	// After release, writes proceed.
	if _, err := s.Queue([]rules.Step{fresh}, false, now); err != nil {
		t.Fatal(err)
	}
}

func TestLedgerSeparatesRoomsSharingAPrefix(t *testing.T) {
	s := newStore(t)
	deadline := jst(t, "2026-11-24 09:00")
	now := jst(t, "2026-11-23 09:00")
	steps := []rules.Step{
		step("a", deadline.Add(time.Hour), rules.StepDue),
		step("a", deadline, rules.StepDue),
		step("a|b", deadline, rules.StepDue),
		step("ab", deadline, rules.StepDue),
	}
	if _, err := s.Queue(steps, false, now); err != nil {
		t.Fatal(err)
	}
	ledger, err := s.Ledger("a")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, e := range ledger {
		keys = append(keys, e.Key)
	}
	checkIDs(t, "ledger of a, by step time", keys, steps[1].Key(), steps[0].Key())
}

func TestMarkAttemptKeepsTheStepQueued(t *testing.T) {
	s := newStore(t)
	deadline := jst(t, "2026-11-24 09:00")
	st := step("r", deadline, rules.StepDue)
	if _, err := s.Queue([]rules.Step{st}, false, deadline); err != nil {
		t.Fatal(err)
	}
	first, second := deadline.Add(time.Minute), deadline.Add(5*time.Minute)
	if err := s.MarkAttempt(st.Key(), map[string]string{"phone": "503 service unavailable"}, first); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkAttempt(st.Key(), map[string]string{"phone": "timeout"}, second); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s)
	out, err := s.Outbox()
	if err != nil || len(out) != 1 {
		t.Fatalf("outbox = %+v (err %v), want the step still queued", out, err)
	}
	if e := out[0]; e.State != StateQueued || e.Attempts != 2 || e.Results["phone"] != "timeout" || !e.AttemptedAt.Equal(second) || !e.SentAt.IsZero() {
		t.Errorf("entry after two attempts = %+v", e)
	}
	if err := s.MarkSent(st.Key(), map[string]string{"phone": "ok"}, second.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	checkIDs(t, "outbox after the third attempt succeeded", outboxKeys(t, s))
	ledger, _ := s.Ledger("r")
	if e := ledger[0]; e.State != StateSent || e.Attempts != 3 {
		t.Errorf("entry = %+v, want sent after 3 attempts", e)
	}
	if err := s.MarkAttempt(st.Key(), nil, second); !errors.Is(err, ErrNotQueued) {
		t.Errorf("attempt on a sent step: %v, want ErrNotQueued", err)
	}
}

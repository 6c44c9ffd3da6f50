package store

import (
	"errors"
	"testing"

	"github.com/roomwatch/roomwatch/rules"
)

func TestMarkObsoleteTakesTheStepOutOfTheOutboxForGood(t *testing.T) {
	s := newStore(t)
	deadline := jst(t, "2026-11-24 09:00")
	now := jst(t, "2026-11-24 10:00")
	stale, kept := step("4012345", deadline, rules.StepDue), step("4012346", deadline, rules.StepDue)
	if _, err := s.Queue([]rules.Step{stale, kept}, true, now); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkObsolete(stale.Key(), "resolved: the room is delivered", now); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkObsolete(stale.Key(), "again", now); err != nil {
		t.Errorf("marking an obsolete step again: %v", err)
	}
	s = reopen(t, s)
	checkIDs(t, "outbox", outboxKeys(t, s), kept.Key())
	ledger, err := s.Ledger("4012345")
	if err != nil {
		t.Fatal(err)
	}
	if len(ledger) != 1 || ledger[0].State != StateObsolete || ledger[0].Reason != "resolved: the room is delivered" || !ledger[0].SentAt.Equal(now) {
		t.Fatalf("ledger = %+v", ledger)
	}
	// The key stays in the ledger: the step is never queued again.
	if queued, err := s.Queue([]rules.Step{stale}, false, now); err != nil || len(queued) != 0 {
		t.Errorf("an obsolete step was queued again: %v, %v", queued, err)
	}
	// A step sent meanwhile is not rewritten.
	if err := s.MarkSent(kept.Key(), map[string]string{"phone": "ok"}, now); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkObsolete(kept.Key(), "late", now); !errors.Is(err, ErrNotQueued) {
		t.Errorf("MarkObsolete of a sent step = %v, want ErrNotQueued", err)
	}
	if err := s.MarkObsolete("nope", "x", now); !errors.Is(err, ErrUnknownStep) {
		t.Errorf("MarkObsolete of an unknown key = %v", err)
	}
}

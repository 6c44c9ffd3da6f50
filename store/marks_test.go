package store

import (
	"errors"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

func TestAcksAndSnoozesSurviveRestart(t *testing.T) {
	s := newStore(t)
	mustSync(t, s, []rules.Room{blogRoom(t)}, jst(t, "2026-11-21 13:00"))
	ack := rules.Ack{Kind: rules.CancelRisk, Deadline: jst(t, "2026-11-25 12:00"), At: jst(t, "2026-11-25 13:00")}
	other := rules.Ack{Kind: rules.DeliveryDue, Deadline: jst(t, "2026-11-27 23:59"), At: jst(t, "2026-11-28 08:00")}
	for _, a := range []rules.Ack{ack, ack, other} {
		if err := s.AddAck("4012345", a); err != nil {
			t.Fatal(err)
		}
	}
	snooze := rules.Snooze{From: jst(t, "2026-11-25 13:00"), Until: jst(t, "2026-11-25 16:00")}
	if err := s.SetSnooze("4012345", snooze); err != nil {
		t.Fatal(err)
	}

	s = reopen(t, s)
	acks, err := s.Acks("4012345")
	if err != nil {
		t.Fatal(err)
	}
	if len(acks) != 2 || acks[0].Kind != ack.Kind || acks[1].Kind != other.Kind {
		t.Fatalf("acks = %+v, want %v then %v once each", acks, ack.Kind, other.Kind)
	}
	checkTime(t, "ack deadline", acks[0].Deadline, ack.Deadline)
	checkTime(t, "ack at", acks[0].At, ack.At)
	got, err := s.Snooze("4012345")
	if err != nil {
		t.Fatal(err)
	}
	checkTime(t, "snooze from", got.From, snooze.From)
	checkTime(t, "snooze until", got.Until, snooze.Until)
	if !got.Active(jst(t, "2026-11-25 14:00")) {
		t.Error("restored snooze is not active inside its window")
	}

	if err := s.SetSnooze("4012345", rules.Snooze{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Snooze("4012345"); !got.Until.IsZero() {
		t.Errorf("cleared snooze = %+v", got)
	}
	if acks, err := s.Acks("nope"); err != nil || len(acks) != 0 {
		t.Errorf("acks of an unknown room = %v, %v", acks, err)
	}
}

func TestAcksAndSnoozesNeedATrackedRoom(t *testing.T) {
	s := newStore(t)
	if err := s.AddAck("nope", rules.Ack{Kind: rules.CheckIn, At: time.Now()}); !errors.Is(err, ErrUnknownRoom) {
		t.Errorf("AddAck: %v, want ErrUnknownRoom", err)
	}
	if err := s.SetSnooze("nope", rules.Snooze{From: time.Now(), Until: time.Now().Add(time.Hour)}); !errors.Is(err, ErrUnknownRoom) {
		t.Errorf("SetSnooze: %v, want ErrUnknownRoom", err)
	}
}

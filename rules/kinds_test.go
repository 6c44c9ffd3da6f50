package rules

import (
	"testing"
	"time"
)

// The kind table, as DESIGN §1 states it: critical kinds and delivery-due
// warn ahead; cancel-risk and an overdue delivery repeat; the limits are
// the deadlines a seller can miss.
func TestKindTable(t *testing.T) {
	want := map[Kind][3]bool{ // warns, repeats, limit
		FirstMessage:  {true, false, true},
		CheckIn:       {false, false, true},
		CancelRisk:    {true, true, true},
		CancelRequest: {true, false, true},
		DeliveryDue:   {true, true, true},
	}
	for _, k := range Kinds {
		w := want[k]
		if k.Warns() != w[0] || k.Repeats() != w[1] || k.IsLimit() != w[2] {
			t.Errorf("%s: warns %v repeats %v limit %v, want %v", k, k.Warns(), k.Repeats(), k.IsLimit(), w)
		}
		if k.Ackable() != (w[0] || w[1]) {
			t.Errorf("%s: ackable %v", k, k.Ackable())
		}
	}
}

func TestAtRisk(t *testing.T) {
	now := jst(2026, 11, 25, 12, 0)
	past, ahead := now.Add(-time.Hour), now.Add(time.Hour)
	tests := []struct {
		kind     Kind
		deadline time.Time
		want     bool
	}{
		{FirstMessage, ahead, true},
		{CancelRisk, ahead, true},
		{CancelRequest, ahead, true},
		{DeliveryDue, ahead, false},
		{DeliveryDue, past, true},
		{CheckIn, ahead, false},
		{CheckIn, past, true},
		{MayCancel, past, false},
		{EligibleToClose, past, false},
	}
	for _, tt := range tests {
		if got := (Alert{Kind: tt.kind, Deadline: tt.deadline}).AtRisk(now); got != tt.want {
			t.Errorf("%s due %s: at risk %v, want %v", tt.kind, show(tt.deadline), got, tt.want)
		}
	}
}

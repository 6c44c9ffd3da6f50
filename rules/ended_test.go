package rules

import (
	"testing"
	"time"
)

func TestEndedAt(t *testing.T) {
	opened := time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)
	delivered := opened.Add(5 * day)
	coconala := Profiles["coconala"]
	for _, tc := range []struct {
		name  string
		r     Room
		now   time.Time
		at    time.Time
		state State
	}{
		{"running", Room{Opened: opened}, opened.Add(day), time.Time{}, ""},
		{"delivered, approval ahead", Room{Opened: opened, Delivered: delivered}, delivered.Add(time.Hour), time.Time{}, ""},
		{"approved automatically", Room{Opened: opened, Delivered: delivered}, delivered.Add(4 * day), delivered.Add(72 * time.Hour), StateClosed},
		{"closed on record before the approval", Room{Opened: opened, Delivered: delivered, Closed: delivered.Add(day)}, delivered.Add(day), delivered.Add(day), StateClosed},
		{"pushed back: not closed", Room{Opened: opened, Delivered: delivered, PushedBack: delivered.Add(day)}, delivered.Add(10 * day), time.Time{}, ""},
		{"cancelled", Room{Opened: opened, Delivered: delivered, Cancelled: delivered.Add(time.Hour)}, delivered.Add(10 * day), delivered.Add(time.Hour), StateCancelled},
	} {
		at, state := EndedAt(tc.r, coconala, tc.now)
		if !at.Equal(tc.at) || state != tc.state {
			t.Errorf("%s: EndedAt = %v %q, want %v %q", tc.name, at, state, tc.at, tc.state)
		}
	}
}

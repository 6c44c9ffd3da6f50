package main

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// TestTimelinesAreConsistent checks that generated rooms could have
// happened: no event before the opening or after now, closing after
// delivery, ratings after closing, and every state represented.
func TestTimelinesAreConsistent(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(1, 2))
	states := map[rules.State]int{}
	for i := range 20000 {
		r := timeline(rng, i, now, 15000)
		states[rules.StateOf(r)]++
		for _, e := range rules.EventKinds {
			if at := r.Event(e); !at.IsZero() && (at.Before(r.Opened) || at.After(now)) {
				t.Fatalf("room %s: %s at %s, outside [%s, %s]", r.ID, e, at, r.Opened, now)
			}
		}
		if !r.Closed.IsZero() && r.Closed.Before(r.Delivered) {
			t.Fatalf("room %s closed before its delivery", r.ID)
		}
		if !r.BuyerRated.IsZero() && r.BuyerRated.Before(r.Closed) {
			t.Fatalf("room %s rated before closing", r.ID)
		}
		if now.Sub(r.Opened) > 120*day {
			t.Fatalf("room %s opened %s ago, past the 120-day room limit", r.ID, now.Sub(r.Opened))
		}
	}
	for _, s := range []rules.State{rules.StateOpen, rules.StateDelivered, rules.StateClosed, rules.StateCancelled} {
		if states[s] == 0 {
			t.Errorf("no %s room among 20,000", s)
		}
	}
}

func TestPercentile(t *testing.T) {
	var sorted []time.Duration
	for i := 1; i <= 100; i++ {
		sorted = append(sorted, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{0.5, 50 * time.Millisecond}, {0.99, 99 * time.Millisecond}, {1, 100 * time.Millisecond}} {
		if got := percentile(sorted, c.p); got != c.want {
			t.Errorf("percentile(%v) = %s, want %s", c.p, got, c.want)
		}
	}
	if got := percentile(nil, 0.5); got != 0 {
		t.Errorf("percentile of nothing = %s", got)
	}
}

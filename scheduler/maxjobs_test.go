package scheduler

import (
	"fmt"
	"testing"
	"time"
)

func TestMaxJobsHoldsOnlyTheEarliestSteps(t *testing.T) {
	h := newHarness(t, Options{Horizon: 24 * time.Hour, MaxJobs: 3})
	h.start()
	h.track("a", start.Add(5*time.Hour))
	h.track("b", start.Add(1*time.Hour))
	h.track("c", start.Add(3*time.Hour))
	if got := h.s.Jobs(); got != 3 {
		t.Fatalf("Jobs = %d; want 3", got)
	}

	// An earlier step takes the job of the latest one.
	h.track("d", start.Add(4*time.Hour))
	h.wantNoCronJob("a")
	h.wantCronJob("d", start.Add(4*time.Hour))
	// A later one gets none while the bound is reached.
	h.track("e", start.Add(6*time.Hour))
	h.wantNoCronJob("e")
	if got := h.s.Jobs(); got != 3 {
		t.Fatalf("Jobs = %d; want the bound, 3", got)
	}

	for _, c := range []struct {
		at   time.Time
		want bool
	}{
		{start.Add(-time.Minute), true},  // past: fires at once
		{start.Add(2 * time.Hour), true}, // before the latest held job
		{start.Add(4 * time.Hour), false},
		{start.Add(6 * time.Hour), false},
		{start.Add(30 * time.Hour), false}, // beyond the horizon
	} {
		if got := h.s.Wants(c.at); got != c.want {
			t.Errorf("Wants(start+%s) = %v; want %v", c.at.Sub(start), got, c.want)
		}
	}

	// A room that holds a job may move it, whatever the bound.
	h.track("b", start.Add(7*time.Hour))
	h.wantCronJob("b", start.Add(7*time.Hour))
	if !h.s.Wants(start.Add(6 * time.Hour)) {
		t.Error("Wants(start+6h) = false once the latest held job moved to 7h")
	}

	// Once a job has run there is room again, and the sweep fills it.
	h.advanceTo(start.Add(3 * time.Hour))
	h.waitDelivered("c")
	h.advanceTo(start.Add(3*time.Hour + time.Minute))
	h.waitFor("the sweep to give a its job back", func() bool {
		_, ok := h.cronJob("a")
		return ok
	})
	h.advanceTo(start.Add(5 * time.Hour))
	h.waitDelivered("a")
}

// TestMaxJobsLosesNoStep runs more steps than the bound through the sweep:
// each is delivered once, at its time, whatever order they were scheduled in.
func TestMaxJobsLosesNoStep(t *testing.T) {
	h := newHarness(t, Options{Horizon: 24 * time.Hour, SweepEvery: time.Minute, MaxJobs: 3})
	h.start()
	order := []int{7, 2, 9, 0, 5, 3, 8, 1, 6, 4}
	for _, i := range order {
		h.track(fmt.Sprintf("r%d", i), start.Add(time.Duration(i+1)*10*time.Minute))
	}
	for i := range 3 {
		h.wantCronJob(fmt.Sprintf("r%d", i), start.Add(time.Duration(i+1)*10*time.Minute))
	}
	if got := h.s.Jobs(); got != 3 {
		t.Fatalf("Jobs = %d; want 3", got)
	}
	for i := range order {
		room := fmt.Sprintf("r%d", i)
		at := start.Add(time.Duration(i+1) * 10 * time.Minute)
		h.advanceTo(at)
		h.waitDelivered(room)
		if got := h.s.Jobs(); got > 3 {
			t.Fatalf("Jobs = %d at %s; want at most 3", got, at.Sub(start))
		}
		// The next sweep, a minute later, gives the freed job to the next room.
		h.advanceTo(at.Add(time.Minute))
		h.waitFor("the sweep after "+room, func() bool { return h.lastSweep().now.Equal(at.Add(time.Minute)) })
	}
}

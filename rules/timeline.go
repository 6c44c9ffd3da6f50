package rules

import (
	"cmp"
	"slices"
	"time"
)

// Plan returns the steps of every live alert of the room, sorted by SendAt,
// then At, then kind (in the order of Kinds), then step name.
func Plan(r Room, env Env) []Step {
	// Plan runs for every room at start: the alerts stay on the stack and
	// the steps get one allocation of the right size.
	var buf [kindCount]Alert
	alerts := appendAlerts(buf[:0], r, env)
	if len(alerts) == 0 {
		return nil
	}
	n := 0
	for _, a := range alerts {
		n += stepsCap(a, env.Policy)
	}
	steps := make([]Step, 0, n)
	for _, a := range alerts {
		steps = appendSteps(steps, a, env)
	}
	sortSteps(steps)
	return steps
}

// sortSteps sorts into Plan's order. A Step is a few hundred bytes, so it
// sorts indexes and then moves each step once, along the permutation's
// cycles, instead of swapping steps; this is most of Plan's time otherwise.
func sortSteps(steps []Step) {
	var buf [64]int
	if len(steps) > len(buf) {
		slices.SortFunc(steps, func(x, y Step) int { return compareSteps(&x, &y) })
		return
	}
	order := buf[:len(steps)]
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int { return compareSteps(&steps[i], &steps[j]) })
	// order[k] is the index of the step that belongs at k; a placed
	// position is marked by order[k] = k.
	for start := range order {
		if order[start] == start {
			continue
		}
		held := steps[start]
		k := start
		for order[k] != start {
			next := order[k]
			steps[k] = steps[next]
			order[k] = k
			k = next
		}
		steps[k] = held
		order[k] = k
	}
}

// kindCount is the number of kinds, so one room's alerts fit an array.
const kindCount = len(Kinds)

// compareSteps is Plan's order, with room and deadline as the last
// tie-breaks so steps of many rooms and moved deadlines sort deterministically.
func compareSteps(x, y *Step) int {
	if c := x.SendAt.Compare(y.SendAt); c != 0 {
		return c
	}
	if c := x.At.Compare(y.At); c != 0 {
		return c
	}
	if c := cmp.Compare(kindOrder(x.Kind), kindOrder(y.Kind)); c != 0 {
		return c
	}
	if c := cmp.Compare(x.Name, y.Name); c != 0 {
		return c
	}
	if c := cmp.Compare(x.Room, y.Room); c != 0 {
		return c
	}
	return x.Deadline.Compare(y.Deadline)
}

// kindOrder is the kind's position in Kinds; unknown kinds sort last.
func kindOrder(k Kind) int {
	if i := slices.Index(Kinds[:], k); i >= 0 {
		return i
	}
	return len(Kinds)
}

// Upcoming returns the steps whose SendAt is at or after now, in their order.
func Upcoming(steps []Step, now time.Time) []Step {
	var out []Step
	for _, s := range steps {
		if !s.SendAt.Before(now) {
			out = append(out, s)
		}
	}
	return out
}

// Next returns the step sent soonest after `after` (strictly), the first of
// equals in slice order; for Plan's output that is simply the first one.
func Next(steps []Step, after time.Time) (Step, bool) {
	best := -1
	for i, s := range steps {
		if s.SendAt.After(after) && (best < 0 || s.SendAt.Before(steps[best].SendAt)) {
			best = i
		}
	}
	if best < 0 {
		return Step{}, false
	}
	return steps[best], true
}

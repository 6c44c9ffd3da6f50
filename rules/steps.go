package rules

import (
	"slices"
	"time"
)

// Steps returns the sends of one alert (DESIGN §1, Steps), after acks,
// snooze and quiet hours, ordered by SendAt.
func Steps(a Alert, env Env) []Step {
	return appendSteps(nil, a, env)
}

// stepsCap is the most steps appendSteps can produce for a, so Plan can size
// its slice once.
func stepsCap(a Alert, pol Policy) int {
	n := 1
	if warns(a.Kind) {
		n += len(pol.WarnBefore)
	}
	if repeats(a.Kind) {
		n += repeatCount(pol)
	}
	return n
}

// warns lists the kinds sent ahead of their deadline: those where missing it
// costs the order.
func warns(k Kind) bool {
	return k == FirstMessage || k == CancelRisk || k == CancelRequest || k == DeliveryDue
}

// repeats lists the kinds that keep reminding after their deadline while the
// condition lasts.
func repeats(k Kind) bool {
	return k == CancelRisk || k == DeliveryDue
}

func repeatCount(pol Policy) int {
	if pol.RepeatEvery <= 0 || pol.RepeatFor <= 0 {
		return 0
	}
	return int(pol.RepeatFor / pol.RepeatEvery)
}

func appendSteps(dst []Step, a Alert, env Env) []Step {
	pol := env.Policy
	first := len(dst)
	if warns(a.Kind) {
		sev := a.warnSeverity() // a delivery is only critical once it is late
		for _, before := range pol.WarnBefore {
			at := a.Deadline.Add(-before)
			// A warn step already past when the deadline became known
			// would only arrive late; the next step says the same.
			if before <= 0 || at.Before(a.Known) {
				continue
			}
			dst = append(dst, newStep(a, warnName(before), sev, at))
		}
	}
	dst = append(dst, newStep(a, StepDue, a.Severity, a.Deadline))
	if repeats(a.Kind) {
		for i := 1; i <= repeatCount(pol); i++ {
			at := a.Deadline.Add(time.Duration(i) * pol.RepeatEvery)
			dst = append(dst, newStep(a, repeatName(i), a.Severity, at))
		}
	}

	steps := dropAcked(dst[first:], a, env.Acks)
	for i := range steps {
		hold(&steps[i], env)
	}
	sortSteps(steps)
	steps = collapse(steps)
	return dst[:first+len(steps)]
}

func newStep(a Alert, name string, sev Severity, at time.Time) Step {
	return Step{Alert: a, Name: name, Severity: sev, At: at, SendAt: at}
}

// dropAcked removes, in place, the warn and repeat steps an ack of this very
// alert made pointless. The due step stays: the deadline still comes.
func dropAcked(steps []Step, a Alert, acks []Ack) []Step {
	for _, ack := range acks {
		if ack.Kind != a.Kind || !ack.Deadline.Equal(a.Deadline) {
			continue
		}
		steps = slices.DeleteFunc(steps, func(s Step) bool {
			return s.Name != StepDue && s.At.After(ack.At)
		})
	}
	return steps
}

// hold moves a step's SendAt out of a snooze, then out of quiet hours. The
// due step of a critical alert goes out whatever the snooze, and critical
// steps are never held by quiet hours: they cost the order.
func hold(s *Step, env Env) {
	if env.Snooze.Active(s.SendAt) && !(s.Name == StepDue && s.Alert.Severity == Critical) {
		s.SendAt = env.Snooze.Until
	}
	if s.Severity != Critical {
		if end, ok := quietEnd(env.Policy, s.SendAt); ok {
			s.SendAt = end
		}
	}
}

// quietEnd returns the end of the quiet window holding t. The window is a
// daily wall-clock range in the policy's location and wraps midnight when
// Start > End (23:00-08:00); Start is inside it, End is not.
func quietEnd(pol Policy, t time.Time) (time.Time, bool) {
	q := pol.QuietHours
	if !q.Enabled() {
		return time.Time{}, false
	}
	loc := pol.Location
	if loc == nil {
		loc = time.UTC
	}
	local := t.In(loc)
	y, m, d := local.Date()
	hh, mm, ss := local.Clock()
	clock := time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute +
		time.Duration(ss)*time.Second + time.Duration(local.Nanosecond())
	switch {
	case q.Start < q.End && clock >= q.Start && clock < q.End:
		return wallClock(y, m, d, q.End, loc), true
	case q.Start > q.End && clock >= q.Start:
		return wallClock(y, m, d+1, q.End, loc), true
	case q.Start > q.End && clock < q.End:
		return wallClock(y, m, d, q.End, loc), true
	}
	return time.Time{}, false
}

// wallClock builds the instant showing offset-from-midnight on the clock of
// that day, so a DST change moves the instant, not the wall time.
func wallClock(y int, m time.Month, d int, offset time.Duration, loc *time.Location) time.Time {
	h := offset / time.Hour
	offset -= h * time.Hour
	mi := offset / time.Minute
	offset -= mi * time.Minute
	return time.Date(y, m, d, int(h), int(mi), 0, int(offset), loc)
}

// collapse keeps, of steps sharing a SendAt, only the latest by At: two
// messages of one alert at the same moment would say the same thing twice.
// steps must be sorted by SendAt, then At.
func collapse(steps []Step) []Step {
	kept := 0
	for i := range steps {
		if i+1 < len(steps) && steps[i+1].SendAt.Equal(steps[i].SendAt) {
			continue
		}
		if kept != i { // moving a step is costly; most stay where they are
			steps[kept] = steps[i]
		}
		kept++
	}
	return steps[:kept]
}

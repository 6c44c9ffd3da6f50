package rules

import (
	"slices"
	"strings"
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
	if a.Kind.Warns() {
		n += len(pol.WarnBefore)
	}
	if a.Kind.Repeats() {
		n += repeatCount(pol)
	}
	return n
}

// RepeatCount is how many repeat steps an alert that repeats gets under pol:
// repeat_for / repeat_every, none when either is off.
func RepeatCount(pol Policy) int { return repeatCount(pol) }

func repeatCount(pol Policy) int {
	if pol.RepeatEvery <= 0 || pol.RepeatFor <= 0 {
		return 0
	}
	return int(pol.RepeatFor / pol.RepeatEvery)
}

func appendSteps(dst []Step, a Alert, env Env) []Step {
	pol := env.Policy
	first := len(dst)
	if a.Kind.Warns() {
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
	if a.Kind.Repeats() {
		for i := 1; i <= repeatCount(pol); i++ {
			at := a.Deadline.Add(time.Duration(i) * pol.RepeatEvery)
			dst = append(dst, newStep(a, repeatName(i), a.Severity, at))
		}
	}

	steps := dropAcked(dst[first:], a, env.Acks)
	for i := range steps {
		hold(&steps[i], env)
	}
	steps = slices.DeleteFunc(steps, moot)
	sortSteps(steps)
	steps = collapse(steps)
	return dst[:first+len(steps)]
}

// moot tells the steps a hold made pointless: a warn step held to its own
// deadline or past it (the due step says the same, and says it is due),
// and any step that would go out once the condition has ended by itself
// (a room closed by automatic approval).
func moot(s Step) bool {
	if s.Name != StepDue && s.At.Before(s.Deadline) && !s.SendAt.Before(s.Deadline) {
		return true
	}
	return !s.ends.IsZero() && !s.SendAt.Before(s.ends)
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
// due step of a critical alert goes out whatever the snooze. Quiet hours
// hold info and warning steps, and the repeats of a critical alert; its
// first critical steps (the warnings before it and the breach itself) go
// out at once: they cost the order, and a breach should wake the seller
// once, not every repeat_every.
func hold(s *Step, env Env) {
	if env.Snooze.Active(s.SendAt) && !(s.Name == StepDue && s.Alert.Severity == Critical) {
		s.SendAt = env.Snooze.Until
	}
	if s.Severity != Critical || isRepeat(s.Name) {
		if end, ok := quietEnd(env.Policy, s.SendAt); ok {
			s.SendAt = end
		}
	}
}

// isRepeat tells a repeat step by its name (repeat-1, repeat-2, …).
func isRepeat(name string) bool {
	return strings.HasPrefix(name, "repeat-")
}

// quietEnd returns the end of the quiet window holding t. The window is a
// daily wall-clock range in the policy's location and wraps midnight when
// Start > End (23:00-08:00); Start is inside it, End is not. Whether t is
// inside is read on t's own local clock.
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
	hh, mm, ss := local.Clock()
	clock := time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute +
		time.Duration(ss)*time.Second + time.Duration(local.Nanosecond())
	inside := clock >= q.Start && clock < q.End
	if q.Start > q.End {
		inside = clock >= q.Start || clock < q.End
	}
	if !inside {
		return time.Time{}, false
	}
	return nextWallClock(t, q.End, loc), true
}

// nextWallClock is the first instant after t at which the local clock shows
// offset-from-midnight. On a daylight-saving night the clock may show it
// twice (fall-back: the first showing after t counts) or never (spring-
// forward: the instant the clock jumps over it counts, when it first shows
// a later time).
func nextWallClock(t time.Time, offset time.Duration, loc *time.Location) time.Time {
	local := t.In(loc)
	y, m, d := local.Date()
	if start, end := local.ZoneBounds(); (start.IsZero() || start.Before(t.Add(-2*day))) && (end.IsZero() || end.After(t.Add(2*day))) {
		// No offset change within two days either side, the case of
		// almost every night: the clock shows the time once a day.
		for _, u := range [2]time.Time{wallClock(y, m, d, offset, loc), wallClock(y, m, d+1, offset, loc)} {
			if u.After(t) {
				return u
			}
		}
	}
	// The answer is on t's local date or the next; a day before covers a
	// fall-back at midnight that repeats the previous date's last hour.
	for day := d - 1; day <= d+2; day++ {
		for _, u := range showings(y, m, day, offset, loc) {
			if u.After(t) {
				return u
			}
		}
	}
	// Unreachable with real zones: every local day shows or skips the time.
	return t
}

// wallClock builds the instant showing offset-from-midnight on the clock of
// that day; on a night without an offset change it is the only one.
func wallClock(y int, m time.Month, d int, offset time.Duration, loc *time.Location) time.Time {
	h := offset / time.Hour
	offset -= h * time.Hour
	mi := offset / time.Minute
	offset -= mi * time.Minute
	return time.Date(y, m, d, int(h), int(mi), 0, int(offset), loc)
}

// showings lists, in order, the instants of date y-m-d at which the local
// clock shows offset-from-midnight: one on most days, two when a fall-back
// repeats it, and when a spring-forward skips it, the instant of the jump.
func showings(y int, m time.Month, d int, offset time.Duration, loc *time.Location) []time.Time {
	wall := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Add(offset) // the wall time, read as UTC
	var found []time.Time
	// Every zone offset in force within a day of the wall time: a
	// candidate instant is wall - offset, and it shows the wall time when
	// that offset is the one in force at it.
	var tried [3]int
	for i, probe := range [3]time.Duration{-day, 0, day} {
		_, off := wall.Add(probe).In(loc).Zone()
		tried[i] = off
		if slices.Contains(tried[:i], off) {
			continue
		}
		u := wall.Add(-time.Duration(off) * time.Second)
		if _, at := u.In(loc).Zone(); at == off {
			found = append(found, u)
		}
	}
	if len(found) == 0 {
		// Skipped: the clock jumps from before the wall time to after it,
		// at the start of the zone period in force at the later candidate
		// (the one of the smaller offset).
		skippedAt := wall.Add(-time.Duration(slices.Min(tried[:])) * time.Second)
		start, _ := skippedAt.In(loc).ZoneBounds()
		found = append(found, start)
	}
	slices.SortFunc(found, func(a, b time.Time) int { return a.Compare(b) })
	return found
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

package rules

import (
	"cmp"
	"slices"
	"time"
)

// Overdue reports whether the alert's deadline is a limit and has passed at
// now.
func (a Alert) Overdue(now time.Time) bool {
	return a.Kind.IsLimit() && a.Deadline.Before(now)
}

// SeverityAt is how much is at stake at now: the alert's own severity, except
// for a delivery date, which warns until it has passed and is critical only
// once the delivery is late (DESIGN §1).
func (a Alert) SeverityAt(now time.Time) Severity {
	if a.Deadline.Before(now) {
		return a.Severity
	}
	return a.warnSeverity()
}

// warnSeverity is the severity of the alert's steps before its deadline.
func (a Alert) warnSeverity() Severity {
	if a.Kind == DeliveryDue {
		return Warning
	}
	return a.Severity
}

// CompareUrgency orders alerts at now, most urgent first: an overdue alert
// before any other, then by the severity at now (critical, warning, info),
// then by deadline, then in the order of Kinds, then by room. Every
// list that puts what is most at stake first — status, the digest, the web
// app — sorts with it.
func CompareUrgency(x, y Alert, now time.Time) int {
	xo, yo := x.Overdue(now), y.Overdue(now)
	if xo != yo {
		if xo {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(y.SeverityAt(now).Rank(), x.SeverityAt(now).Rank()); c != 0 {
		return c
	}
	if c := x.Deadline.Compare(y.Deadline); c != 0 {
		return c
	}
	if c := cmp.Compare(kindOrder(x.Kind), kindOrder(y.Kind)); c != 0 {
		return c
	}
	return cmp.Compare(x.Room, y.Room)
}

// SortByUrgency sorts alerts most urgent first (see CompareUrgency).
func SortByUrgency(alerts []Alert, now time.Time) {
	slices.SortStableFunc(alerts, func(x, y Alert) int { return CompareUrgency(x, y, now) })
}

// MostUrgent returns the most urgent of the alerts for which keep is true
// (all when keep is nil), and false when there is none.
func MostUrgent(alerts []Alert, now time.Time, keep func(Alert) bool) (Alert, bool) {
	best, found := Alert{}, false
	for _, a := range alerts {
		if keep != nil && !keep(a) {
			continue
		}
		if !found || CompareUrgency(a, best, now) < 0 {
			best, found = a, true
		}
	}
	return best, found
}

// CompareKinds orders kinds as DESIGN §1's table lists them; an unknown
// kind sorts last.
func CompareKinds(x, y Kind) int {
	return cmp.Compare(kindOrder(x), kindOrder(y))
}

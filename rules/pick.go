package rules

import (
	"cmp"
	"slices"
)

// Pick decides what to send of the steps whose SendAt has come (the catch-up
// rule of DESIGN §5): per alert (room, kind, deadline) only the latest step
// by At is sent and the earlier ones are skipped, so a daemon that was down
// sends "due", not "warn-24h" then "warn-3h" then "due". Steps already done
// (done, which looks a step up by its Key) are left out of both lists; a done step that is the latest of its
// alert supersedes the earlier ones, so those are skipped too. Both lists
// are in Plan's order.
func Pick(due []Step, done func(Step) bool) (send, skip []Step) {
	type candidate struct {
		Step
		done bool
	}
	all := make([]candidate, len(due))
	for i, s := range due {
		all[i] = candidate{s, done(s)}
	}
	slices.SortFunc(all, func(x, y candidate) int {
		if c := compareAlerts(x.Alert, y.Alert); c != 0 {
			return c
		}
		if c := x.At.Compare(y.At); c != 0 {
			return c
		}
		return cmp.Compare(x.Name, y.Name)
	})
	for i, c := range all {
		if c.done {
			continue
		}
		sameAlert := i+1 < len(all) && compareAlerts(all[i+1].Alert, c.Alert) == 0
		if sameAlert && all[i+1].Name == c.Name {
			continue // the same step twice: decide once, on the last copy
		}
		if sameAlert {
			skip = append(skip, c.Step) // a later step of its alert came due
		} else {
			send = append(send, c.Step)
		}
	}
	sortSteps(send)
	sortSteps(skip)
	return send, skip
}

// compareAlerts orders by the alert's identity: room, kind, deadline.
func compareAlerts(x, y Alert) int {
	if c := cmp.Compare(x.Room, y.Room); c != 0 {
		return c
	}
	if c := cmp.Compare(x.Kind, y.Kind); c != 0 {
		return c
	}
	return x.Deadline.Compare(y.Deadline)
}

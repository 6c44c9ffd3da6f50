package rules

import "time"

// facts is a room as every rule reads it (DESIGN §1): a formal delivery is a
// message the seller posts in the room, so it counts as a seller message at
// that time, and a push-back counts as a buyer message; where the profile
// has automatic approval, a delivered room with no later push-back closes
// by itself. Deriving these once keeps every rule from re-deciding them.
type facts struct {
	Room
	state State // from the recorded events; an automatic close is autoClose
	// autoClose is when the platform approves the delivery by itself: zero
	// when the room is not delivered, was pushed back, has no automatic
	// approval, or was closed or cancelled on record. The room runs as
	// delivered until then and is closed from then on.
	autoClose time.Time
}

func effective(r Room, prof Profile) facts {
	f := facts{Room: r, state: StateOf(r)}
	f.SellerMessage = later(r.SellerMessage, r.Delivered)
	f.BuyerMessage = later(r.BuyerMessage, r.PushedBack)
	if f.state == StateDelivered {
		f.autoClose = autoApproval(r, prof)
	}
	return f
}

// autoApproval is delivered + auto_approval for a delivered room that was not
// pushed back since, zero otherwise.
func autoApproval(r Room, prof Profile) time.Time {
	if prof.AutoApproval <= 0 || r.Delivered.IsZero() || r.PushedBack.After(r.Delivered) {
		return time.Time{}
	}
	return r.Delivered.Add(prof.AutoApproval)
}

// ClosedAt says whether and when the room is closed as of now: by a recorded
// `closed`, or automatically at delivered + auto_approval when the platform
// approves a delivery nobody pushed back. When both apply, the earlier wins
// (the platform closed it; the record came later), and automatic says which
// one it was. A cancelled room is not closed. This is what `status` shows as
// "closed automatically".
func ClosedAt(r Room, prof Profile, now time.Time) (at time.Time, automatic bool) {
	at, automatic = closure(r, prof)
	if at.After(now) {
		return time.Time{}, false
	}
	return at, automatic
}

// closure is ClosedAt without a present: the close the facts lead to, even
// one still ahead.
func closure(r Room, prof Profile) (at time.Time, automatic bool) {
	if !r.Cancelled.IsZero() {
		return time.Time{}, false
	}
	if auto := autoApproval(r, prof); !auto.IsZero() && (r.Closed.IsZero() || auto.Before(r.Closed)) {
		return auto, true
	}
	return r.Closed, false
}

// StateAt is StateOf as of now, counting automatic approval: a delivered room
// whose approval time has come is closed.
func StateAt(r Room, prof Profile, now time.Time) State {
	if _, automatic := ClosedAt(r, prof, now); automatic {
		return StateClosed
	}
	return StateOf(r)
}

// AlertsAt is Alerts as they stand at now: once the platform has approved a
// delivery by itself, the alerts that needed the room running are over, so
// a status or a digest shows a closed room, not its old clocks as overdue.
func AlertsAt(r Room, env Env, now time.Time) []Alert {
	alerts := Alerts(r, env)
	kept := alerts[:0]
	for _, a := range alerts {
		if a.ends.IsZero() || now.Before(a.ends) {
			kept = append(kept, a)
		}
	}
	return kept
}

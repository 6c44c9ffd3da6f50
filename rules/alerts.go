package rules

import "time"

const week = 7 * day

// Alerts returns every live alert of the room in the order of Kinds
// (DESIGN §1). A rule whose profile duration is zero, or whose basis event is
// unknown, produces nothing.
func Alerts(r Room, env Env) []Alert {
	return appendAlerts(nil, r, env)
}

// appendAlerts lets Plan collect alerts into a buffer on its own stack.
func appendAlerts(dst []Alert, r Room, env Env) []Alert {
	prof, pol := env.Profile, env.Policy
	f := effective(r, prof)
	state := f.state
	live := state.Live()
	seller, buyer := f.SellerMessage, f.BuyerMessage
	// An alert that needs the room running stops at its automatic approval
	// (DESIGN §1): nothing of it is sent at or after that instant, and one
	// whose deadline is not before it is not live at all — the platform
	// closes the room first, so a deadline at the very instant of the
	// approval is moot too.
	whileRunning := func(a Alert) {
		if f.autoClose.IsZero() {
			dst = append(dst, a)
		} else if a.Deadline.Before(f.autoClose) {
			a.ends = f.autoClose
			dst = append(dst, a)
		}
	}

	// The platform cancels the order itself if the seller never writes.
	if live && seller.IsZero() && prof.FirstMessage > 0 && !r.Opened.IsZero() {
		whileRunning(newAlert(r, FirstMessage, Critical, r.Opened.Add(prof.FirstMessage), r.Opened))
	}
	// The seller's own habit: write every few days even to a silent buyer.
	if live && !seller.IsZero() && pol.CheckInEvery > 0 {
		whileRunning(newAlert(r, CheckIn, Warning, seller.Add(pol.CheckInEvery), seller))
	}
	// The clock counts from the seller's last message, but it only becomes a
	// risk once the buyer has written after it, so that is when it is known.
	if live && !seller.IsZero() && buyer.After(seller) && prof.SellerSilenceCancel > 0 {
		whileRunning(newAlert(r, CancelRisk, Critical, seller.Add(prof.SellerSilenceCancel), buyer))
	}
	// A cancellation request cancels the order unless the seller agrees or
	// sends it back in time; the send-back is a message in the room.
	if state != StateCancelled && !r.CancelRequested.IsZero() && !seller.After(r.CancelRequested) && prof.CancelRequestAnswer > 0 {
		dst = append(dst, newAlert(r, CancelRequest, Critical, r.CancelRequested.Add(prof.CancelRequestAnswer), r.CancelRequested))
	}
	// The due date is known from the room's facts, and again from a push-back,
	// which brings a delivered room's due date back to life.
	if state == StateOpen && !r.Due.IsZero() {
		dst = append(dst, newAlert(r, DeliveryDue, Critical, r.Due, r.PushedBack))
	}
	// Two terms, both must have run: the platform's "buyer unreachable"
	// reason, and the seller's own message left unanswered for the policy's
	// time — a late reply to an old buyer message restarts the latter.
	if state == StateOpen && !seller.IsZero() && !seller.Before(buyer) && prof.BuyerUnreachableCancel > 0 {
		if base := later(buyer, r.Opened); !base.IsZero() {
			deadline := base.Add(prof.BuyerUnreachableCancel)
			if pol.CancelAfterBuyerSilence > 0 {
				deadline = later(deadline, seller.Add(pol.CancelAfterBuyerSilence))
			}
			dst = append(dst, newAlert(r, MayCancel, Info, deadline, later(base, seller)))
		}
	}
	if state == StateDelivered {
		if deadline, ok := closeDeadline(r.Delivered, buyer, pol); ok {
			a := newAlert(r, EligibleToClose, Warning, deadline, later(r.Delivered, buyer))
			if prof.AutoApproval > 0 {
				a.Related = r.Delivered.Add(prof.AutoApproval)
			}
			whileRunning(a)
		}
	}
	if r.ExtraPayment == ExtraPending && state != StateCancelled {
		// Before delivery, while it can still be collected; again after
		// a push-back, before the next delivery.
		// A deadline equal to the delivery's would be the same ledger key
		// as the alert at delivery, sent already: one of them is enough.
		if state == StateOpen {
			if a, ok := collectBeforeDelivery(r, pol); ok && !a.Deadline.Equal(r.Delivered) {
				dst = append(dst, a)
			}
		}
		// Checked on closed rooms too: an unpaid おひねり is still owed.
		if !r.Delivered.IsZero() {
			dst = append(dst, newAlert(r, ExtraPayment, Warning, r.Delivered, r.Delivered))
		}
	}
	if live && r.Via == ViaQuote && !r.Opened.IsZero() {
		whileRunning(newAlert(r, SendTerms, Warning, r.Opened, r.Opened))
	}
	if live && len(env.SameBuyer) > 0 && !r.Opened.IsZero() {
		a := newAlert(r, BuyerOpenRooms, Warning, r.Opened, r.Opened)
		a.Others = env.SameBuyer
		whileRunning(a)
	}
	// The seller decided not to work for this buyer again: say so the
	// moment the room opens, while declining costs nothing.
	if live && env.DeclinedBuyer && !r.Opened.IsZero() {
		whileRunning(newAlert(r, DeclinedBuyer, Warning, r.Opened, r.Opened))
	}
	if (state == StateClosed || !f.autoClose.IsZero()) && r.SellerRated.IsZero() && prof.RatingWindow > 0 {
		dst = append(dst, rateBuyerAlert(r, prof))
	}
	if live && prof.RoomLimit > 0 {
		base := r.Opened
		if prof.RoomLimitFromActivity {
			base = later(base, later(seller, buyer))
		}
		if !base.IsZero() {
			end := base.Add(prof.RoomLimit)
			a := newAlert(r, RoomExpiry, Info, end.Add(-week), base)
			a.Related = end
			whileRunning(a)
		}
	}
	if state == StateCancelled && prof.ContentHiddenAfterCancel > 0 {
		a := newAlert(r, ExportFiles, Info, r.Cancelled, r.Cancelled)
		a.Related = r.Cancelled.Add(prof.ContentHiddenAfterCancel)
		dst = append(dst, a)
	}
	return dst
}

// collectBeforeDelivery is the extra-payment alert of a room not delivered
// yet: it comes with the first delivery-due warning the seller gets (the
// same rule as Steps' warn steps: only those still ahead when the due date
// became known), at the due date itself when no warning is left, or a day
// after the room opened when there is no due date. Related is the instant
// to collect before: the due date, or the deadline itself without one; it
// is what tells this alert from the one after delivery
// (ExtraPaymentBeforeDelivery).
func collectBeforeDelivery(r Room, pol Policy) (Alert, bool) {
	if r.Due.IsZero() {
		if r.Opened.IsZero() {
			return Alert{}, false
		}
		a := newAlert(r, ExtraPayment, Warning, r.Opened.Add(day), later(r.Opened, r.PushedBack))
		a.Related = a.Deadline
		return a, true
	}
	dueKnown := later(r.Seen, r.PushedBack) // delivery-due's Known
	deadline := r.Due
	for _, before := range pol.WarnBefore {
		if at := r.Due.Add(-before); before > 0 && !at.Before(dueKnown) && at.Before(deadline) {
			deadline = at
		}
	}
	a := newAlert(r, ExtraPayment, Warning, deadline, later(r.Opened, r.PushedBack))
	a.Related = r.Due
	return a, true
}

// ExtraPaymentBeforeDelivery reports whether a is the extra-payment alert
// sent before delivery ("collect it before you deliver"), as opposed to the
// one at delivery ("you delivered and it is still owed"); messages word
// them differently.
func ExtraPaymentBeforeDelivery(a Alert) bool {
	return a.Kind == ExtraPayment && !a.Related.IsZero()
}

// newAlert fills what every alert shares. basis is the event that made the
// deadline known; the room may have been seen only later.
func newAlert(r Room, kind Kind, sev Severity, deadline, basis time.Time) Alert {
	return Alert{
		Room:     r.ID,
		Kind:     kind,
		Severity: sev,
		Deadline: deadline,
		Known:    later(r.Seen, basis),
	}
}

// closeDeadline is the earlier of the seller's two closing terms: some days
// of buyer silence after delivery, or a fixed time after delivery whatever
// the buyer says (the article's first trouble case). A zero policy duration
// means the seller does not use that term.
func closeDeadline(delivered, buyer time.Time, pol Policy) (time.Time, bool) {
	var deadline time.Time
	if pol.CloseAfterBuyerSilence > 0 {
		deadline = later(delivered, buyer).Add(pol.CloseAfterBuyerSilence)
	}
	if pol.CloseAfterDelivery > 0 {
		fixed := delivered.Add(pol.CloseAfterDelivery)
		if deadline.IsZero() || fixed.Before(deadline) {
			deadline = fixed
		}
	}
	return deadline, !deadline.IsZero()
}

// rateBuyerAlert follows the article's advice: rate the buyer only after
// they rated you, or a week before the window closes if they never do. The
// room is closed on record or by automatic approval; the window counts from
// the delivery or, on platforms that say so, from that close.
func rateBuyerAlert(r Room, prof Profile) Alert {
	closed, automatic := closure(r, prof)
	start := r.Delivered
	if prof.RatingFromClose || start.IsZero() {
		start = closed
	}
	end := start.Add(prof.RatingWindow)
	deadline := end.Add(-week)
	if !r.BuyerRated.IsZero() {
		deadline = r.BuyerRated
		// A rating recorded before the platform approved by itself is
		// answered once the room is closed, not before.
		if automatic {
			deadline = later(deadline, closed)
		}
	}
	a := newAlert(r, RateBuyer, Info, deadline, later(closed, r.BuyerRated))
	a.Related = end
	return a
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

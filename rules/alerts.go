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
	state := StateOf(r)
	live := state.Live()
	prof, pol := env.Profile, env.Policy
	seller, buyer := r.SellerMessage, r.BuyerMessage

	// The platform cancels the order itself if the seller never writes.
	if live && seller.IsZero() && prof.FirstMessage > 0 && !r.Opened.IsZero() {
		dst = append(dst, newAlert(r, FirstMessage, Critical, r.Opened.Add(prof.FirstMessage), r.Opened))
	}
	// The seller's own habit: write every few days even to a silent buyer.
	if live && !seller.IsZero() && pol.CheckInEvery > 0 {
		dst = append(dst, newAlert(r, CheckIn, Warning, seller.Add(pol.CheckInEvery), seller))
	}
	// The clock counts from the seller's last message, but it only becomes a
	// risk once the buyer has written after it, so that is when it is known.
	if live && !seller.IsZero() && buyer.After(seller) && prof.SellerSilenceCancel > 0 {
		dst = append(dst, newAlert(r, CancelRisk, Critical, seller.Add(prof.SellerSilenceCancel), buyer))
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
	if state == StateOpen && !seller.IsZero() && !seller.Before(buyer) && prof.BuyerUnreachableCancel > 0 {
		if base := later(buyer, r.Opened); !base.IsZero() {
			wait := max(pol.CancelAfterBuyerSilence, prof.BuyerUnreachableCancel)
			dst = append(dst, newAlert(r, MayCancel, Info, base.Add(wait), later(base, seller)))
		}
	}
	if state == StateDelivered {
		if deadline, ok := closeDeadline(r, pol); ok {
			a := newAlert(r, EligibleToClose, Warning, deadline, later(r.Delivered, buyer))
			if prof.AutoApproval > 0 {
				a.Related = r.Delivered.Add(prof.AutoApproval)
			}
			dst = append(dst, a)
		}
	}
	// Checked on closed rooms too: an unpaid おひねり is still owed.
	if !r.Delivered.IsZero() && r.ExtraPayment == ExtraPending && state != StateCancelled {
		dst = append(dst, newAlert(r, ExtraPayment, Warning, r.Delivered, r.Delivered))
	}
	if live && r.Via == ViaQuote && !r.Opened.IsZero() {
		dst = append(dst, newAlert(r, SendTerms, Warning, r.Opened, r.Opened))
	}
	if live && len(env.SameBuyer) > 0 && !r.Opened.IsZero() {
		a := newAlert(r, BuyerOpenRooms, Warning, r.Opened, r.Opened)
		a.Others = env.SameBuyer
		dst = append(dst, a)
	}
	if state == StateClosed && r.SellerRated.IsZero() && prof.RatingWindow > 0 {
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
			dst = append(dst, a)
		}
	}
	if state == StateCancelled && prof.ContentHiddenAfterCancel > 0 {
		a := newAlert(r, ExportFiles, Info, r.Cancelled, r.Cancelled)
		a.Related = r.Cancelled.Add(prof.ContentHiddenAfterCancel)
		dst = append(dst, a)
	}
	return dst
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
func closeDeadline(r Room, pol Policy) (time.Time, bool) {
	var deadline time.Time
	if pol.CloseAfterBuyerSilence > 0 {
		deadline = later(r.Delivered, r.BuyerMessage).Add(pol.CloseAfterBuyerSilence)
	}
	if pol.CloseAfterDelivery > 0 {
		fixed := r.Delivered.Add(pol.CloseAfterDelivery)
		if deadline.IsZero() || fixed.Before(deadline) {
			deadline = fixed
		}
	}
	return deadline, !deadline.IsZero()
}

// rateBuyerAlert follows the article's advice: rate the buyer only after
// they rated you, or a week before the window closes if they never do.
func rateBuyerAlert(r Room, prof Profile) Alert {
	start := r.Delivered
	if prof.RatingFromClose || start.IsZero() {
		start = r.Closed
	}
	end := start.Add(prof.RatingWindow)
	deadline := end.Add(-week)
	if !r.BuyerRated.IsZero() {
		deadline = r.BuyerRated
	}
	a := newAlert(r, RateBuyer, Info, deadline, later(r.Closed, r.BuyerRated))
	a.Related = end
	return a
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

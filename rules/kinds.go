package rules

import "time"

// kindFacts is what a kind is beyond its deadline rule. Every consumer
// (steps, acks, status, the digest, links, the web app) reads this one
// table, so a new kind is a row here, its rule in Alerts, and its words in
// the catalogue.
type kindFacts struct {
	// warns: sent ahead of its deadline (warn_before), as missing it costs
	// the order.
	warns bool
	// repeats: reminds again after its deadline while the condition lasts.
	repeats bool
	// limit: its deadline is a limit to act by, which an alert can be past
	// (overdue). The other kinds' deadlines are the moment something
	// becomes possible or worth doing (may-cancel, eligible-to-close, …):
	// past it, such an alert is current, not late.
	limit bool
	// risk: when the alert puts the order in danger (the digest's list).
	risk risk
}

type risk int

const (
	riskNever   risk = iota
	riskAlways       // a clock that costs the order is running
	riskOverdue      // once its deadline has passed
)

var kindTable = map[Kind]kindFacts{
	FirstMessage:  {warns: true, limit: true, risk: riskAlways},
	CheckIn:       {limit: true, risk: riskOverdue},
	CancelRisk:    {warns: true, repeats: true, limit: true, risk: riskAlways},
	CancelRequest: {warns: true, limit: true, risk: riskAlways},
	DeliveryDue:   {warns: true, repeats: true, limit: true, risk: riskOverdue},
	// The other kinds send once, at their deadline, and are no risk.
}

// Warns reports whether the kind is sent ahead of its deadline.
func (k Kind) Warns() bool { return kindTable[k].warns }

// Repeats reports whether the kind reminds again after its deadline.
func (k Kind) Repeats() bool { return kindTable[k].repeats }

// Ackable reports whether an ack of the kind has something to stop: warn or
// repeat steps.
func (k Kind) Ackable() bool { return k.Warns() || k.Repeats() }

// IsLimit reports whether the kind's deadline is a limit to act by, which
// an alert can be past (see Overdue).
func (k Kind) IsLimit() bool { return kindTable[k].limit }

// AtRisk reports whether the alert puts the order in danger at now: a
// critical clock is running (no first message yet, the buyer waiting on
// the seller, a cancellation request to answer), or a delivery date or a
// check-in has passed.
func (a Alert) AtRisk(now time.Time) bool {
	switch kindTable[a.Kind].risk {
	case riskAlways:
		return true
	case riskOverdue:
		return a.Overdue(now)
	}
	return false
}

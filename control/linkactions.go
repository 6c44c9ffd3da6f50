package control

import (
	"github.com/roomwatch/roomwatch/control/links"
	"github.com/roomwatch/roomwatch/rules"
)

// linkEvents are the events an alert of each kind offers as links: what
// the seller most likely did in answer to it. No "delivered" where the
// room has barely started (first-message, send-terms) or the question is
// not the work (cancel-request, extra-payment); kinds that no event of
// these answers (eligible-to-close, rate-buyer, …) offer only the snooze.
var linkEvents = map[rules.Kind][]links.Action{
	rules.FirstMessage:  {links.Sent},
	rules.SendTerms:     {links.Sent},
	rules.CheckIn:       {links.Sent, links.Replied, links.Delivered},
	rules.CancelRisk:    {links.Sent, links.Delivered},
	rules.CancelRequest: {links.Sent},
	rules.DeliveryDue:   {links.Delivered, links.Sent},
	rules.MayCancel:     {links.Sent, links.Replied, links.Delivered},
	rules.ExtraPayment:  {links.Sent, links.Replied},
}

// LinkActions lists the actions an alert of kind offers as signed links,
// in the order to show them: its events, then the snooze, then the ack
// where the kind repeats.
func LinkActions(kind rules.Kind) []links.Action {
	out := append([]links.Action(nil), linkEvents[kind]...)
	out = append(out, links.Snooze)
	if ackable(kind) {
		out = append(out, links.Ack)
	}
	return out
}

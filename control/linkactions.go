package control

import (
	"time"

	"github.com/roomwatch/roomwatch/control/links"
	"github.com/roomwatch/roomwatch/notifier/message"
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
	if kind.Ackable() {
		out = append(out, links.Ack)
	}
	return out
}

// AlertLinks are the signed action links of an alert of kind for room, as
// the daemon puts them on every alert it sends: one per LinkActions, under
// base (control.public_url), labelled in lang, working until expires.
func AlertLinks(s *links.Signer, base, room string, kind rules.Kind, lang string, expires time.Time) ([]message.ActionLink, error) {
	var out []message.ActionLink
	for _, action := range LinkActions(kind) {
		token, err := s.Sign(links.Claim{Room: room, Action: action, Expires: expires})
		if err != nil {
			return nil, err
		}
		out = append(out, message.ActionLink{
			Action: string(action),
			Label:  message.LinkLabel(string(action), lang),
			URL:    base + links.PathPrefix + token,
		})
	}
	return out, nil
}

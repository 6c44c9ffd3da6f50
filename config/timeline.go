package config

import (
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// timeline checks that a room's events could have happened in the order
// written. What can only be a typo is an error: the rules would read it as
// a real fact and drop or move an alert without a word (a seller_message
// typed with next year's date removes the cancel-risk alert today). What
// may be a fact recorded incompletely is a warning.
//
// Errors: an event (any but due) later than now + FutureTolerance; an event
// or the due date before opened; closed before delivered; both closed and
// cancelled. Warning: pushed_back without delivered.
func (p *parser) timeline(f fields, r rules.Room, loc *time.Location) {
	at := func(key string) string { return r.Event(rules.EventKind(key)).In(loc).Format("2006-01-02 15:04") }
	node := func(key string) entry { e, _ := f.get(key); return e }

	if !p.opt.Now.IsZero() {
		limit := p.opt.Now.Add(FutureTolerance)
		for _, kind := range rules.EventKinds {
			if t := r.Event(kind); t.After(limit) {
				p.errorf(node(string(kind)).val, "%s %s is in the future (now %s): a typo in the year, month or day? Events are what already happened",
					kind, at(string(kind)), p.opt.Now.In(loc).Format("2006-01-02 15:04"))
			}
		}
	}
	for _, kind := range rules.EventKinds {
		if kind == rules.EventOpened {
			continue
		}
		if t := r.Event(kind); !t.IsZero() && t.Before(r.Opened) {
			p.errorf(node(string(kind)).val, "%s %s is before opened %s: nothing happens in a talk room before it opens (messages before the purchase do not count)",
				kind, at(string(kind)), at(string(rules.EventOpened)))
		}
	}
	if !r.Due.IsZero() && r.Due.Before(r.Opened) {
		p.errorf(node("due").val, "due %s is before opened %s: the due date is set when the order is placed",
			r.Due.In(loc).Format("2006-01-02 15:04"), at(string(rules.EventOpened)))
	}
	if !r.Closed.IsZero() && !r.Delivered.IsZero() && r.Closed.Before(r.Delivered) {
		p.errorf(node(string(rules.EventClosed)).val, "closed %s is before delivered %s: a room closes after the delivery",
			at(string(rules.EventClosed)), at(string(rules.EventDelivered)))
	}
	if !r.Closed.IsZero() && !r.Cancelled.IsZero() {
		p.errorf(node(string(rules.EventCancelled)).val, "the room is both closed (line %d) and cancelled: keep the one that happened",
			node(string(rules.EventClosed)).val.Line)
	}
	if !r.PushedBack.IsZero() && r.Delivered.IsZero() {
		p.warnf(node(string(rules.EventPushedBack)).val, "pushed_back without delivered: a push-back answers a delivery; add delivered, the time you delivered")
	}
}

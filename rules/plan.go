package rules

import "time"

// Env is what a room's alerts depend on beyond its own facts.
type Env struct {
	Profile Profile
	Policy  Policy
	// SameBuyer lists the buyer's other rooms that are neither closed nor
	// cancelled and were opened before this one (see SameBuyer).
	SameBuyer []string
	// DeclinedBuyer is true when the seller takes no more orders from the
	// room's buyer (the config's `buyers: NAME: {decline: true}`).
	DeclinedBuyer bool
	Acks          []Ack
	Snooze        Snooze
}

// Ack records that the seller acknowledged a room's alert of Kind with the
// given Deadline at At: its warn and repeat steps after At are dropped (the
// due step of a critical alert still goes out). A moved deadline is a new
// alert and is not covered.
type Ack struct {
	Kind     Kind
	Deadline time.Time
	At       time.Time
}

// Snooze holds all of a room's steps sent in [From, Until) until Until,
// except the due step of a critical alert.
type Snooze struct {
	From, Until time.Time
}

// Active reports whether the snooze covers t.
func (s Snooze) Active(t time.Time) bool {
	return !s.Until.IsZero() && !t.Before(s.From) && t.Before(s.Until)
}

package rules

// StateOf derives where the room is in its life from its events. Cancelling
// wins over everything, and a push-back later than the delivery returns the
// room to open until it is delivered again.
func StateOf(r Room) State {
	switch {
	case !r.Cancelled.IsZero():
		return StateCancelled
	case !r.Closed.IsZero():
		return StateClosed
	case !r.Delivered.IsZero() && !r.PushedBack.After(r.Delivered):
		return StateDelivered
	}
	return StateOpen
}

// Live reports whether the room still runs: neither closed nor cancelled.
func (s State) Live() bool {
	return s == StateOpen || s == StateDelivered
}

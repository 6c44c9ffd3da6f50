package rules

import "time"

// EndedAt says whether and when the room ended as of now, and how: cancelled
// on record, or closed on record or by automatic approval (ClosedAt). Zero
// while it runs. Retention counts from it: nothing of a room is due long
// after it ended (the rating window is the longest wait).
func EndedAt(r Room, prof Profile, now time.Time) (time.Time, State) {
	if !r.Cancelled.IsZero() {
		return r.Cancelled, StateCancelled
	}
	if at, _ := ClosedAt(r, prof, now); !at.IsZero() {
		return at, StateClosed
	}
	return time.Time{}, ""
}

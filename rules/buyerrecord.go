package rules

import (
	"slices"
	"time"
)

// BuyerRecord is how one buyer (platform and name) has treated this seller
// over a set of rooms, from the facts roomwatch keeps: the latest of each
// event per room.
type BuyerRecord struct {
	Buyer    string
	Platform string
	// Rooms are the rooms counted, earliest opened first.
	Rooms []string
	// Cancelled counts the rooms cancelled; Approved those closed, by the
	// buyer or by the platform's automatic approval.
	Cancelled, Approved int
	// ApprovalMedian and ApprovalWorst are the time from delivery to
	// approval over the approved rooms.
	ApprovalMedian, ApprovalWorst time.Duration
	// LongestSilence is the longest the buyer stayed silent after a
	// delivery: until their next message, push-back, the close or the
	// cancellation, or until now when none came.
	LongestSilence time.Duration
	// PushBacks counts the rooms whose delivery the buyer pushed back.
	PushBacks int
}

// Seen reports whether the record holds any room.
func (b BuyerRecord) Seen() bool { return len(b.Rooms) > 0 }

// RecordOf is the record of buyer on platform over the rooms among
// candidates (which may hold anything) that belong to them, as of now.
func (s BuyerScope) RecordOf(buyer, platform string, candidates []Room, now time.Time) BuyerRecord {
	rec := BuyerRecord{Buyer: buyer, Platform: platform}
	if buyer == "" {
		return rec
	}
	var mine []Room
	for _, c := range candidates {
		if c.Buyer == buyer && s.Platform(c) == platform {
			mine = append(mine, c)
		}
	}
	slices.SortFunc(mine, CompareOpening)
	var approvals []time.Duration
	for _, r := range mine {
		rec.Rooms = append(rec.Rooms, r.ID)
		prof := s.Profiles[s.Platform(r)]
		if !r.Cancelled.IsZero() {
			rec.Cancelled++
		}
		if !r.PushedBack.IsZero() {
			rec.PushBacks++
		}
		if r.Delivered.IsZero() {
			continue
		}
		closed, _ := ClosedAt(r, prof, now)
		if !closed.IsZero() && !closed.Before(r.Delivered) {
			rec.Approved++
			approvals = append(approvals, closed.Sub(r.Delivered))
		}
		// The first sign of the buyer after the delivery ends the silence.
		end := now
		for _, t := range []time.Time{r.BuyerMessage, r.PushedBack, closed, r.Cancelled} {
			if t.After(r.Delivered) && t.Before(end) {
				end = t
			}
		}
		rec.LongestSilence = max(rec.LongestSilence, end.Sub(r.Delivered))
	}
	if n := len(approvals); n > 0 {
		slices.Sort(approvals)
		rec.ApprovalWorst = approvals[n-1]
		rec.ApprovalMedian = approvals[n/2]
		if n%2 == 0 {
			rec.ApprovalMedian = (approvals[n/2-1] + approvals[n/2]) / 2
		}
	}
	return rec
}

// PriorRecord is the record of r's buyer over the rooms opened before r:
// what the seller should know when r opens. It is empty (not Seen) for a
// buyer roomwatch has not seen before.
func (s BuyerScope) PriorRecord(r Room, candidates []Room, now time.Time) BuyerRecord {
	var earlier []Room
	for _, c := range candidates {
		if c.ID != r.ID && s.SameBuyer(r, c) && CompareOpening(c, r) < 0 {
			earlier = append(earlier, c)
		}
	}
	return s.RecordOf(r.Buyer, s.Platform(r), earlier, now)
}

package rules

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// BuyerScope is what deciding "the same buyer" (buyer-open-rooms) needs
// beyond the rooms themselves.
type BuyerScope struct {
	// DefaultPlatform is the platform of a room that names none: the
	// config's `platform`.
	DefaultPlatform string
	// Profiles holds each platform's profile; automatic approval closes a
	// delivered room even with no `closed` recorded.
	Profiles map[string]Profile
}

// Platform is the room's platform, the default when it names none.
func (s BuyerScope) Platform(r Room) string {
	return cmp.Or(r.Platform, s.DefaultPlatform)
}

// SameBuyer reports whether a and b belong to the same buyer: the same
// platform and the same (non-empty) buyer name. A name alone is not a
// person: "tanaka" on Coconala and "tanaka" on fiverr are two buyers.
func (s BuyerScope) SameBuyer(a, b Room) bool {
	return a.Buyer != "" && a.Buyer == b.Buyer && s.Platform(a) == s.Platform(b)
}

// runningAt reports whether r still counts as one of its buyer's running
// rooms at instant t: neither closed nor cancelled on record, and not
// closed by automatic approval at or before t.
func (s BuyerScope) runningAt(r Room, t time.Time) bool {
	if !StateOf(r).Live() {
		return false
	}
	auto := autoApproval(r, s.Profiles[s.Platform(r)])
	return auto.IsZero() || auto.After(t)
}

// CompareOpening orders a buyer's rooms: by opening time, then by ID in
// natural order, so rooms opened at the same instant keep a stable order
// in which numeric IDs sort as numbers ("9" before "10").
func CompareOpening(a, b Room) int {
	if c := a.Opened.Compare(b.Opened); c != 0 {
		return c
	}
	return CompareIDs(a.ID, b.ID)
}

// CompareIDs compares room IDs in natural order: runs of digits compare as
// numbers ("9" < "10" < "010a"), everything else byte by byte; IDs equal
// that way ("9" and "09") fall back to plain byte order, so only equal IDs
// compare equal.
func CompareIDs(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if isDigit(a[i]) && isDigit(b[j]) {
			ni, nj := digitsEnd(a, i), digitsEnd(b, j)
			x := strings.TrimLeft(a[i:ni], "0")
			y := strings.TrimLeft(b[j:nj], "0")
			if c := cmp.Compare(len(x), len(y)); c != 0 {
				return c
			}
			if c := strings.Compare(x, y); c != 0 {
				return c
			}
			i, j = ni, nj
			continue
		}
		if c := cmp.Compare(a[i], b[j]); c != 0 {
			return c
		}
		i++
		j++
	}
	if c := cmp.Compare(len(a)-i, len(b)-j); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func digitsEnd(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// EarlierRooms is SameBuyer's answer for one room, from candidates that
// may hold anything (other buyers and platforms, r itself): the IDs of the
// rooms of r's buyer still running when r opened and opened before it
// (CompareOpening), earliest first; nil when r has no buyer, no longer
// runs on record, or has no such sibling. The store's buyer index hands
// it the buyer's rooms opened up to r.
func (s BuyerScope) EarlierRooms(r Room, candidates []Room) []string {
	if r.Buyer == "" || !StateOf(r).Live() {
		return nil
	}
	var earlier []int // indexes into candidates; a Room is large to copy
	for i := range candidates {
		c := &candidates[i]
		if s.SameBuyer(r, *c) && CompareOpening(*c, r) < 0 && s.runningAt(*c, r.Opened) {
			earlier = append(earlier, i)
		}
	}
	if len(earlier) == 0 {
		return nil
	}
	slices.SortFunc(earlier, func(i, j int) int { return CompareOpening(candidates[i], candidates[j]) })
	ids := make([]string, len(earlier))
	for k, i := range earlier {
		ids[k] = candidates[i].ID
	}
	return ids
}

// SameBuyer maps each running room (neither closed nor cancelled on record)
// that has a buyer to EarlierRooms: the IDs of that buyer's rooms on the
// same platform still running when it opened and opened before it,
// earliest first. Rooms without such a sibling are absent. It sorts once,
// so it is O(n log n) while no room closes by automatic approval between
// its siblings' openings.
func SameBuyer(rooms []Room, scope BuyerScope) map[string][]string {
	type entry struct {
		platform, buyer, id string
		opened              time.Time
		autoClose           time.Time // zero: runs until closed on record
	}
	running := make([]entry, 0, len(rooms))
	for i := range rooms {
		r := &rooms[i]
		if r.Buyer != "" && StateOf(*r).Live() {
			platform := scope.Platform(*r)
			running = append(running, entry{platform, r.Buyer, r.ID, r.Opened, autoApproval(*r, scope.Profiles[platform])})
		}
	}
	slices.SortFunc(running, func(x, y entry) int {
		if c := cmp.Compare(x.buyer, y.buyer); c != 0 {
			return c
		}
		if c := cmp.Compare(x.platform, y.platform); c != 0 {
			return c
		}
		if c := x.opened.Compare(y.opened); c != 0 {
			return c
		}
		return CompareIDs(x.id, y.id) // CompareOpening, without copying rooms
	})

	ids := make([]string, len(running))
	for i, e := range running {
		ids[i] = e.id
	}
	out := make(map[string][]string)
	for start := 0; start < len(running); {
		end := start + 1
		for end < len(running) && running[end].platform == running[start].platform && running[end].buyer == running[start].buyer {
			end++
		}
		// While no sibling has closed automatically, every room's earlier
		// siblings are a prefix of its buyer's run, so the lists share one
		// array; the capped capacity keeps a caller's append from writing
		// into a sibling's list. Once one has closed by a room's opening
		// it is gone for every later room too (they open later), so the
		// rest of the run continues in a list of its own.
		kept := ids[start:start]
		var keptAt []int // positions in running of kept, once it has its own list
		shared := true
		var firstClose time.Time // the earliest automatic approval among kept
		for i := start; i < end; i++ {
			opened := running[i].opened
			if !firstClose.IsZero() && !firstClose.After(opened) {
				if shared {
					for k := start; k < i; k++ {
						keptAt = append(keptAt, k)
					}
				}
				var nextIDs []string
				var nextAt []int
				firstClose = time.Time{}
				for _, k := range keptAt {
					if c := running[k].autoClose; c.IsZero() || c.After(opened) {
						nextIDs, nextAt = append(nextIDs, ids[k]), append(nextAt, k)
						firstClose = earliest(firstClose, c)
					}
				}
				kept, keptAt, shared = nextIDs, nextAt, false
			}
			if len(kept) > 0 {
				out[ids[i]] = kept[:len(kept):len(kept)]
			}
			if shared {
				kept = ids[start : i+1]
			} else {
				kept, keptAt = append(kept, ids[i]), append(keptAt, i)
			}
			firstClose = earliest(firstClose, running[i].autoClose)
		}
		start = end
	}
	return out
}

// earliest is the earlier of two instants where zero means "never".
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

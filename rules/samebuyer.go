package rules

import (
	"cmp"
	"slices"
	"time"
)

// SameBuyer maps each running room (neither closed nor cancelled) that has
// a buyer to the IDs of that buyer's other running rooms opened before it,
// earliest first; equal opening times are ordered by ID. Rooms without an
// earlier sibling are absent. It sorts once, so it is O(n log n).
func SameBuyer(rooms []Room) map[string][]string {
	type entry struct {
		buyer  string
		opened time.Time
		id     string
	}
	running := make([]entry, 0, len(rooms))
	for _, r := range rooms {
		if r.Buyer != "" && StateOf(r).Live() {
			running = append(running, entry{r.Buyer, r.Opened, r.ID})
		}
	}
	slices.SortFunc(running, func(x, y entry) int {
		if c := cmp.Compare(x.buyer, y.buyer); c != 0 {
			return c
		}
		if c := x.opened.Compare(y.opened); c != 0 {
			return c
		}
		return cmp.Compare(x.id, y.id)
	})

	ids := make([]string, len(running))
	for i, e := range running {
		ids[i] = e.id
	}
	out := make(map[string][]string)
	for start := 0; start < len(running); {
		end := start + 1
		for end < len(running) && running[end].buyer == running[start].buyer {
			end++
		}
		// Every room's earlier siblings are a prefix of its buyer's run, so
		// the lists share one array; the capped capacity keeps a caller's
		// append from writing into a sibling's list.
		for i := start + 1; i < end; i++ {
			out[ids[i]] = ids[start:i:i]
		}
		start = end
	}
	return out
}

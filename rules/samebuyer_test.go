package rules

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestSameBuyer(t *testing.T) {
	day := func(d int) time.Time { return jst(2026, 11, d, 10, 0) }
	rooms := []Room{
		// The article's second case: ten articles bought as two orders of
		// five, the next order arriving before the first is closed.
		{ID: "4012345", Buyer: "tanaka", Opened: day(20)},
		{ID: "4012400", Buyer: "tanaka", Opened: day(25)},
		{ID: "4012500", Buyer: "tanaka", Opened: day(27)},
		// A closed room no longer counts, nor does a cancelled one.
		{ID: "4011000", Buyer: "tanaka", Opened: day(1), Closed: day(10)},
		{ID: "4011100", Buyer: "tanaka", Opened: day(2), Cancelled: day(3)},
		// Same opening minute: the lower ID counts as earlier.
		{ID: "b2", Buyer: "suzuki", Opened: day(21)},
		{ID: "b1", Buyer: "suzuki", Opened: day(21)},
		// A delivered room is still running.
		{ID: "c1", Buyer: "sato", Opened: day(20), Delivered: day(22)},
		{ID: "c2", Buyer: "sato", Opened: day(23)},
		// Alone, or with no buyer known.
		{ID: "d1", Buyer: "ito", Opened: day(20)},
		{ID: "e1", Opened: day(20)},
		{ID: "e2", Opened: day(21)},
	}
	want := map[string][]string{
		"4012400": {"4012345"},
		"4012500": {"4012345", "4012400"},
		"b2":      {"b1"},
		"c2":      {"c1"},
	}
	got := SameBuyer(rooms)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("SameBuyer = %v, want %v", got, want)
	}
	// The lists share storage; appending to one must not change another.
	extended := append(got["4012400"], "x")
	if got["4012500"][1] != "4012400" || extended[0] != "4012345" {
		t.Errorf("append to one list changed another: %v", got)
	}
}

// TestSameBuyerMatchesDefinition compares with the definition, room by room,
// on a random marketplace.
func TestSameBuyerMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	rooms := make([]Room, 600)
	for i := range rooms {
		r := Room{
			ID:     fmt.Sprintf("r%04d", rng.IntN(10000)*1000+i),
			Buyer:  fmt.Sprintf("buyer%d", rng.IntN(80)),
			Opened: opened.Add(time.Duration(rng.IntN(20)) * time.Hour),
		}
		switch rng.IntN(6) {
		case 0:
			r.Closed = r.Opened.Add(time.Hour)
		case 1:
			r.Cancelled = r.Opened.Add(time.Hour)
		case 2:
			r.Buyer = ""
		}
		rooms[i] = r
	}
	got := SameBuyer(rooms)
	running := func(r Room) bool { return r.Buyer != "" && StateOf(r).Live() }
	for _, r := range rooms {
		if !running(r) {
			if _, ok := got[r.ID]; ok {
				t.Fatalf("%s is not running but listed", r.ID)
			}
			continue
		}
		var earlier []Room
		for _, o := range rooms {
			if running(o) && o.Buyer == r.Buyer && (o.Opened.Before(r.Opened) || o.Opened.Equal(r.Opened) && o.ID < r.ID) {
				earlier = append(earlier, o)
			}
		}
		slices.SortFunc(earlier, func(a, b Room) int {
			if c := a.Opened.Compare(b.Opened); c != 0 {
				return c
			}
			return cmpString(a.ID, b.ID)
		})
		var want []string
		for _, o := range earlier {
			want = append(want, o.ID)
		}
		if !slices.Equal(got[r.ID], want) {
			t.Fatalf("%s: got %v, want %v", r.ID, got[r.ID], want)
		}
	}
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

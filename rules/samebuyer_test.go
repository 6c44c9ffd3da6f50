package rules

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// coconalaScope is the scope of a config whose default platform is Coconala.
var coconalaScope = BuyerScope{DefaultPlatform: "coconala", Profiles: Profiles}

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
		// A delivered room is still running until it is approved.
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
	got := SameBuyer(rooms, coconalaScope)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("SameBuyer = %v, want %v", got, want)
	}
	// The lists share storage; appending to one must not change another.
	extended := append(got["4012400"], "x")
	if got["4012500"][1] != "4012400" || extended[0] != "4012345" {
		t.Errorf("append to one list changed another: %v", got)
	}
}

// TestSameBuyerRule7 is issue 19's rule 7 on concrete rooms: a buyer is a
// platform and a name, rooms opened at one instant sort naturally, and an
// empty platform is the config's default.
func TestSameBuyerRule7(t *testing.T) {
	at := jst(2026, 11, 20, 10, 0)
	tests := []struct {
		name  string
		rooms []Room
		want  map[string][]string
	}{
		{"one name on two platforms is two buyers", []Room{
			{ID: "c1", Buyer: "tanaka", Platform: "coconala", Opened: at},
			{ID: "f1", Buyer: "tanaka", Platform: "fiverr", Opened: at.Add(time.Hour)},
		}, map[string][]string{}},
		{"an empty platform is the default one", []Room{
			{ID: "c1", Buyer: "tanaka", Platform: "coconala", Opened: at},
			{ID: "y1", Buyer: "tanaka", Opened: at.Add(time.Hour)},
			{ID: "f1", Buyer: "tanaka", Platform: "fiverr", Opened: at.Add(2 * time.Hour)},
		}, map[string][]string{"y1": {"c1"}}},
		{"same instant: 9 before 10, not after", []Room{
			{ID: "10", Buyer: "tanaka", Opened: at},
			{ID: "9", Buyer: "tanaka", Opened: at},
			{ID: "100", Buyer: "tanaka", Opened: at},
		}, map[string][]string{"10": {"9"}, "100": {"9", "10"}}},
		{"same instant: numbers inside IDs sort as numbers", []Room{
			{ID: "room-12", Buyer: "tanaka", Opened: at},
			{ID: "room-2", Buyer: "tanaka", Opened: at},
		}, map[string][]string{"room-12": {"room-2"}}},
		{"an earlier time still wins over a smaller ID", []Room{
			{ID: "10", Buyer: "tanaka", Opened: at},
			{ID: "9", Buyer: "tanaka", Opened: at.Add(time.Minute)},
		}, map[string][]string{"9": {"10"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SameBuyer(tt.rooms, coconalaScope)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("SameBuyer = %v, want %v", got, tt.want)
			}
			for _, r := range tt.rooms {
				if e := coconalaScope.EarlierRooms(r, tt.rooms); !slices.Equal(e, got[r.ID]) {
					t.Errorf("EarlierRooms(%s) = %v, SameBuyer says %v", r.ID, e, got[r.ID])
				}
			}
		})
	}
}

// TestSameBuyerAutomaticApproval: a delivered room the platform approved by
// itself before the buyer's next room opened no longer counts for it (rule
// 2); one still waiting for approval does.
func TestSameBuyerAutomaticApproval(t *testing.T) {
	delivered := jst(2026, 11, 22, 18, 0) // Coconala approves 11-25 18:00
	rooms := []Room{
		{ID: "a", Buyer: "tanaka", Opened: jst(2026, 11, 20, 10, 0), Delivered: delivered},
		{ID: "b", Buyer: "tanaka", Opened: jst(2026, 11, 24, 10, 0)}, // a is awaiting approval
		{ID: "c", Buyer: "tanaka", Opened: jst(2026, 11, 25, 18, 0)}, // a approved at this instant
		{ID: "d", Buyer: "tanaka", Opened: jst(2026, 11, 26, 10, 0)}, // a long approved
		{ID: "e", Buyer: "tanaka", Platform: "crowdworks", Opened: jst(2026, 11, 20, 10, 0), Delivered: delivered},
		{ID: "f", Buyer: "tanaka", Platform: "crowdworks", Opened: jst(2026, 11, 30, 10, 0)}, // no automatic approval there
	}
	want := map[string][]string{
		"b": {"a"},
		"c": {"b"},
		"d": {"b", "c"},
		"f": {"e"},
	}
	got := SameBuyer(rooms, coconalaScope)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("SameBuyer = %v, want %v", got, want)
	}
	for _, r := range rooms {
		if e := coconalaScope.EarlierRooms(r, rooms); !slices.Equal(e, got[r.ID]) {
			t.Errorf("EarlierRooms(%s) = %v, SameBuyer says %v", r.ID, e, got[r.ID])
		}
	}
}

func TestCompareIDs(t *testing.T) {
	sorted := []string{"", "0", "01", "1", "2", "09", "9", "10", "100", "4012345", "a", "a1", "a2", "a10", "a10b", "a010c", "b"}
	for i, a := range sorted {
		for j, b := range sorted {
			if got, want := CompareIDs(a, b), cmpInt(i, j); got != want {
				t.Errorf("CompareIDs(%q, %q) = %d, want %d", a, b, got, want)
			}
		}
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestSameBuyerMatchesDefinition compares with the definition, room by room,
// on a random marketplace of two platforms, with deliveries the platform
// may approve by itself.
func TestSameBuyerMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	rooms := make([]Room, 600)
	for i := range rooms {
		r := Room{
			ID:     fmt.Sprint(rng.IntN(10000)*1000 + i),
			Buyer:  fmt.Sprintf("buyer%d", rng.IntN(80)),
			Opened: opened.Add(time.Duration(rng.IntN(20)) * 12 * time.Hour),
		}
		switch rng.IntN(4) {
		case 0:
			r.Platform = "fiverr"
		case 1:
			r.Platform = "coconala"
		}
		switch rng.IntN(7) {
		case 0:
			r.Closed = r.Opened.Add(time.Hour)
		case 1:
			r.Cancelled = r.Opened.Add(time.Hour)
		case 2:
			r.Buyer = ""
		case 3, 4:
			r.Delivered = r.Opened.Add(time.Duration(rng.IntN(48)) * time.Hour)
		}
		rooms[i] = r
	}
	got := SameBuyer(rooms, coconalaScope)
	platform := func(r Room) string {
		if r.Platform == "" {
			return "coconala"
		}
		return r.Platform
	}
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
			approved := !o.Delivered.IsZero() && !o.Delivered.Add(72*time.Hour).After(r.Opened)
			before := o.Opened.Before(r.Opened) || o.Opened.Equal(r.Opened) && CompareIDs(o.ID, r.ID) < 0
			if running(o) && o.Buyer == r.Buyer && platform(o) == platform(r) && before && !approved {
				earlier = append(earlier, o)
			}
		}
		slices.SortFunc(earlier, CompareOpening)
		var want []string
		for _, o := range earlier {
			want = append(want, o.ID)
		}
		if !slices.Equal(got[r.ID], want) {
			t.Fatalf("%s: got %v, want %v", r.ID, got[r.ID], want)
		}
		if e := coconalaScope.EarlierRooms(r, rooms); !slices.Equal(e, want) {
			t.Fatalf("%s: EarlierRooms %v, want %v", r.ID, e, want)
		}
	}
}

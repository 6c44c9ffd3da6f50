package store

import (
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/roomwatch/roomwatch/rules"
)

func roomIDs(rooms []rules.Room) []string {
	var ids []string
	for _, r := range rooms {
		ids = append(ids, r.ID)
	}
	return ids
}

// The buyer index holds every room the store knows with a buyer — running,
// ended and untracked — follows a buyer's change, and separates buyers
// whose names begin alike.
func TestBuyerRoomsFollowsEveryRoomOfTheBuyer(t *testing.T) {
	s := newStore(t)
	now := jst(t, "2026-11-20 10:00")
	rooms := []rules.Room{
		{ID: "10", Buyer: "tanaka", Opened: now.Add(-48 * time.Hour)},
		{ID: "9", Buyer: "tanaka", Opened: now.Add(-72 * time.Hour), Closed: now.Add(-24 * time.Hour)},
		{ID: "11", Buyer: "tanaka_k", Opened: now},
		{ID: "12", Buyer: "", Opened: now},
	}
	mustSync(t, s, rooms, now)
	if _, err := s.ImportRooms([]rules.Room{{ID: "m1", Buyer: "tanaka", Opened: now, Cancelled: now.Add(time.Hour)}}, "marketplace", now); err != nil {
		t.Fatal(err)
	}
	check := func(buyer string, want ...string) {
		t.Helper()
		got, err := s.BuyerRooms(buyer)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(roomIDs(got), want) {
			t.Errorf("BuyerRooms(%q) = %v, want %v", buyer, roomIDs(got), want)
		}
		for _, r := range got {
			if r.Buyer != buyer {
				t.Errorf("BuyerRooms(%q) returned room %s of buyer %q", buyer, r.ID, r.Buyer)
			}
		}
	}
	check("tanaka", "10", "9", "m1")
	check("tanaka_k", "11")
	check("")

	// The YAML drops room 10 (untracked, still known) and gives 11 to
	// another buyer.
	mustSync(t, s, []rules.Room{rooms[1], {ID: "11", Buyer: "sato", Opened: now}, rooms[3]}, now)
	check("tanaka", "10", "9", "m1")
	check("tanaka_k")
	check("sato", "11")
}

// A schema 4 store gains the index at its first writable open.
func TestMigrationToV5BuildsTheBuyerIndex(t *testing.T) {
	s := newStore(t)
	now := jst(t, "2026-11-20 10:00")
	mustSync(t, s, []rules.Room{{ID: "1", Buyer: "a", Opened: now}, {ID: "2", Buyer: "a", Opened: now, Closed: now}, {ID: "3", Buyer: "b", Opened: now}}, now)
	// Make it a schema 4 store: no buyer_rooms, version 4.
	if err := s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketBuyerRooms); err != nil {
			return err
		}
		return writeSchemaVersion(tx, 4)
	}); err != nil {
		t.Fatal(err)
	}
	path := s.Path()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if v, _ := s2.Meta("schema_version"); v != "5" {
		t.Fatalf("schema_version = %s after the open, want 5", v)
	}
	got, err := s2.BuyerRooms("a")
	if err != nil || !slices.Equal(roomIDs(got), []string{"1", "2"}) {
		t.Fatalf("BuyerRooms(a) after the migration = %v, %v", roomIDs(got), err)
	}
}

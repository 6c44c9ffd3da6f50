package store

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/roomwatch/roomwatch/rules"
)

const api = "coconala-api"

func mustImport(t testing.TB, s *Store, rooms []rules.Room, now time.Time) []string {
	t.Helper()
	changed, err := s.ImportRooms(rooms, api, now)
	if err != nil {
		t.Fatal(err)
	}
	return changed
}

func roomWithID(t testing.TB, id string) rules.Room {
	r := blogRoom(t)
	r.ID = id
	r.Buyer = "buyer-" + id
	return r
}

func TestImportedRoomsKeepTheirSource(t *testing.T) {
	s := newStore(t)
	now := jst(t, "2026-11-21 13:00")
	y1, i1, i2 := roomWithID(t, "y1"), roomWithID(t, "i1"), roomWithID(t, "i2")
	mustSync(t, s, []rules.Room{y1}, now)

	checkIDs(t, "first import", mustImport(t, s, []rules.Room{i2, i1}, now), "i1", "i2")
	checkCount(t, s, 3)
	info, ok, err := s.RoomInfo("i1")
	if err != nil || !ok || !info.Tracked {
		t.Fatalf("RoomInfo(i1) = %+v, %v, %v", info, ok, err)
	}
	for kind, source := range info.Sources {
		if source != api {
			t.Errorf("source of %s = %q, want %q", kind, source, api)
		}
	}
	events, err := s.Events("i1")
	if err != nil || len(events) != 3 {
		t.Fatalf("events of i1: %v, %v; want the 3 imported facts", events, err)
	}
	for _, e := range events {
		if e.Source != api {
			t.Errorf("event %s logged from %q, want %q", e.Kind, e.Source, api)
		}
	}

	before := txID(t, s)
	checkIDs(t, "the same import again", mustImport(t, s, []rules.Room{i1, i2}, now.Add(time.Hour)))
	checkIDs(t, "the YAML again", mustSync(t, s, []rules.Room{y1}, now.Add(time.Hour)))
	if after := txID(t, s); after != before {
		t.Errorf("unchanged sync and import committed %d write transactions", after-before)
	}

	// The YAML untracks only its own rooms.
	checkIDs(t, "YAML emptied", mustSync(t, s, nil, now.Add(2*time.Hour)), "y1")
	checkCount(t, s, 2)
	mustRoom(t, s, "i1")
	mustRoom(t, s, "i2")

	// An import of an edited room reports it; absent rooms stay tracked.
	i2.Title = "renamed"
	checkIDs(t, "edited import", mustImport(t, s, []rules.Room{i2}, now.Add(3*time.Hour)), "i2")
	if got := mustRoom(t, s, "i2").Title; got != "renamed" {
		t.Errorf("title after the import = %q", got)
	}
	mustRoom(t, s, "i1")
	// An import brings back an untracked room, keeping when it was first seen.
	checkIDs(t, "import of a room the YAML dropped", mustImport(t, s, []rules.Room{y1}, now.Add(4*time.Hour)), "y1")
	checkTime(t, "seen", mustRoom(t, s, "y1").Seen, now)
	checkCount(t, s, 3)
}

func TestTheYAMLOwnsTheRoomsItLists(t *testing.T) {
	s := newStore(t)
	now := jst(t, "2026-11-21 13:00")
	y, i := roomWithID(t, "y"), roomWithID(t, "i")
	mustSync(t, s, []rules.Room{y}, now)
	mustImport(t, s, []rules.Room{i}, now)

	// An import does not overwrite a room the YAML lists.
	edited := y
	edited.Title = "from the marketplace"
	checkIDs(t, "import of a YAML room", mustImport(t, s, []rules.Room{edited}, now))
	if got := mustRoom(t, s, "y").Title; got != y.Title {
		t.Errorf("title = %q, want the YAML's %q", got, y.Title)
	}

	// Listing an imported room in the YAML hands it to the YAML, which may
	// then untrack it. The same facts under another source change no alert.
	checkIDs(t, "YAML takes over i", mustSync(t, s, []rules.Room{y, i}, now.Add(time.Hour)))
	info, _, err := s.RoomInfo("i")
	if err != nil || info.Sources[rules.EventOpened] != SourceYAML {
		t.Fatalf("source of i's opening = %q (%v), want yaml", info.Sources[rules.EventOpened], err)
	}
	checkIDs(t, "YAML drops i", mustSync(t, s, []rules.Room{y}, now.Add(2*time.Hour)), "i")
	if _, ok, _ := s.Room("i"); ok {
		t.Error("i still tracked after leaving the YAML that owned it")
	}
}

func TestImportRoomsRejectsBadInput(t *testing.T) {
	s := newStore(t)
	now := jst(t, "2026-11-21 13:00")
	for _, source := range []string{"", SourceYAML} {
		if _, err := s.ImportRooms([]rules.Room{roomWithID(t, "a")}, source, now); err == nil {
			t.Errorf("import with source %q succeeded", source)
		}
	}
	for name, rooms := range map[string][]rules.Room{
		"duplicate": {{ID: "a"}, {ID: "a"}},
		"empty ID":  {{ID: ""}},
	} {
		if _, err := s.ImportRooms(rooms, api, now); err == nil {
			t.Errorf("%s: import succeeded", name)
		}
	}
	checkCount(t, s, 0)
}

func TestSyncReportsRoomsWhoseEarlierSiblingsChanged(t *testing.T) {
	s := newStore(t)
	now := jst(t, "2026-11-22 13:00")
	room := func(id, opened string) rules.Room {
		return rules.Room{ID: id, Buyer: "tanaka", Opened: jst(t, opened)}
	}
	a, b := room("a", "2026-11-20 10:00"), room("b", "2026-11-21 10:00")
	mustSync(t, s, []rules.Room{a, b}, now)
	// c opened before both: each gains an earlier sibling.
	c := room("c", "2026-11-19 10:00")
	checkIDs(t, "c added", mustSync(t, s, []rules.Room{a, b, c}, now), "a", "b", "c")
	// Closing a takes it out of b's list, not out of c's (c opened first).
	a.Closed = now
	checkIDs(t, "a closed", mustSync(t, s, []rules.Room{a, b, c}, now), "a", "b")
	checkSameBuyer(t, s, "b", "c")
	checkSameBuyer(t, s, "c")
	// A title edit moves nothing in the index.
	b.Title = "renamed"
	checkIDs(t, "b renamed", mustSync(t, s, []rules.Room{a, b, c}, now), "b")
}

// testScope is a config's view of buyers: rooms without a platform are on
// Coconala, with the built-in profiles.
var testScope = rules.BuyerScope{DefaultPlatform: "coconala", Profiles: rules.Profiles}

func checkSameBuyer(t *testing.T, s *Store, id string, want ...string) {
	t.Helper()
	got, err := s.SameBuyer(mustRoom(t, s, id), testScope)
	if err != nil {
		t.Fatal(err)
	}
	checkIDs(t, "same-buyer rooms of "+id, got, want...)
}

// TestSameBuyerIndexAgreesWithTheRules drives a store through syncs,
// imports, events and untracking of rooms with random buyers, opening times
// and states, and checks after each step that the index answers for every
// room what rules.SameBuyer computes from all rooms.
func TestSameBuyerIndexAgreesWithTheRules(t *testing.T) {
	s := newStore(t)
	rng := rand.New(rand.NewPCG(8, 8))
	now := jst(t, "2026-11-22 13:00")
	randomRoom := func(id string) rules.Room {
		r := rules.Room{ID: id, Buyer: fmt.Sprintf("b%d", rng.IntN(25))}
		// A room without a platform is on the default one (Coconala).
		r.Platform = []string{"", "", "coconala", "fiverr"}[rng.IntN(4)]
		switch rng.IntN(10) {
		case 0:
			r.Buyer = ""
		case 1: // unknown opening: sorts first
		default:
			// Whole days, so that some rooms open at the same instant.
			r.Opened = now.Add(-time.Duration(rng.IntN(20)) * 24 * time.Hour)
		}
		switch rng.IntN(8) {
		case 0:
			r.Closed = now
		case 1:
			r.Cancelled = now
		case 2, 3:
			// Some approved by the platform before later rooms opened.
			r.Delivered = now.Add(-time.Duration(rng.IntN(20)) * 24 * time.Hour)
		}
		return r
	}
	// Unpadded IDs: at equal opening times, "y9" comes before "y10".
	var yaml, imported []rules.Room
	for i := range 150 {
		yaml = append(yaml, randomRoom(fmt.Sprintf("y%d", i)))
		imported = append(imported, randomRoom(fmt.Sprintf("i%d", i)))
	}
	check := func(step string) {
		t.Helper()
		rooms, err := s.Rooms()
		if err != nil {
			t.Fatal(err)
		}
		want := rules.SameBuyer(rooms, testScope)
		for _, r := range rooms {
			got, err := s.SameBuyer(r, testScope)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want[r.ID]) {
				t.Fatalf("%s: same-buyer rooms of %s = %v, want %v", step, r.ID, got, want[r.ID])
			}
		}
	}

	mustSync(t, s, yaml, now)
	mustImport(t, s, imported, now)
	check("first sync and import")

	for i := range yaml {
		if rng.IntN(3) == 0 {
			yaml[i] = randomRoom(yaml[i].ID)
		}
		if rng.IntN(3) == 0 {
			imported[i] = randomRoom(imported[i].ID)
		}
	}
	mustSync(t, s, yaml[:120], now)
	mustImport(t, s, imported, now)
	check("edits, and rooms leaving the YAML")

	for range 60 {
		id := fmt.Sprintf("i%d", rng.IntN(150))
		kind := []rules.EventKind{rules.EventClosed, rules.EventCancelled, rules.EventDelivered, rules.EventPushedBack}[rng.IntN(4)]
		mustRecord(t, s, Event{Room: id, Kind: kind, At: now.Add(time.Duration(rng.IntN(100)) * time.Minute), Source: "cli"})
	}
	check("recorded events")

	mustSync(t, s, yaml, now)
	check("rooms back in the YAML")
}

// TestMigrationToV3BuildsTheIndexes turns a store back into schema version 2
// (no index buckets) and checks that opening it builds both indexes.
func TestMigrationToV3BuildsTheIndexes(t *testing.T) {
	s := newStore(t)
	now := jst(t, "2026-11-22 13:00")
	a := rules.Room{ID: "a", Buyer: "tanaka", Opened: jst(t, "2026-11-20 10:00")}
	b := rules.Room{ID: "b", Buyer: "tanaka", Opened: jst(t, "2026-11-21 10:00")}
	mustSync(t, s, []rules.Room{a, b}, now)
	err := s.db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketYAML, bucketBuyers} {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
		}
		return writeSchemaVersion(tx, 2)
	})
	if err != nil {
		t.Fatal(err)
	}

	s = reopen(t, s)
	checkSameBuyer(t, s, "b", "a")
	checkIDs(t, "b leaves the YAML", mustSync(t, s, []rules.Room{a}, now), "b")
}

// TestSameBuyerReadsEntriesWithoutValues: buyer index entries written
// before they carried the sibling's facts (nil values) are answered from
// the room records, with the same result.
func TestSameBuyerReadsEntriesWithoutValues(t *testing.T) {
	s := newStore(t)
	now := jst(t, "2026-11-22 13:00")
	rooms := []rules.Room{
		{ID: "10", Buyer: "tanaka", Opened: jst(t, "2026-11-20 10:00")},
		{ID: "9", Buyer: "tanaka", Opened: jst(t, "2026-11-20 10:00")},
		{ID: "f", Buyer: "tanaka", Platform: "fiverr", Opened: jst(t, "2026-11-19 10:00")},
		{ID: "c", Buyer: "tanaka", Platform: "coconala", Opened: jst(t, "2026-11-21 10:00")},
	}
	mustSync(t, s, rooms, now)
	checkSameBuyer(t, s, "c", "9", "10")
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketBuyers)
		var keys [][]byte
		if err := b.ForEach(func(k, _ []byte) error { keys = append(keys, bytes.Clone(k)); return nil }); err != nil {
			return err
		}
		for _, k := range keys {
			if err := b.Put(k, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	checkSameBuyer(t, s, "c", "9", "10")
	checkSameBuyer(t, s, "10", "9")
	checkSameBuyer(t, s, "f")
}

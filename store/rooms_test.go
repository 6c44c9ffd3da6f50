package store

import (
	"errors"
	"fmt"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/roomwatch/roomwatch/rules"
)

func blogRoom(t testing.TB) rules.Room {
	return rules.Room{
		ID: "4012345", Title: "ブログ記事 5本", Buyer: "tanaka", URL: "https://coconala.com/talkrooms/4012345",
		Platform: "coconala", Via: rules.ViaQuote, ExtraPayment: rules.ExtraPending,
		Opened:        jst(t, "2026-11-20 10:00"),
		SellerMessage: jst(t, "2026-11-21 09:00"),
		BuyerMessage:  jst(t, "2026-11-21 12:00"),
		Due:           jst(t, "2026-11-27 23:59"),
	}
}

func TestSyncRoomsRoundTrip(t *testing.T) {
	s := newStore(t)
	want := blogRoom(t)
	now := jst(t, "2026-11-21 13:00")
	checkIDs(t, "changed", mustSync(t, s, []rules.Room{want}, now), "4012345")

	s = reopen(t, s)
	got := mustRoom(t, s, "4012345")
	want.Seen = now
	if got.ID != want.ID || got.Title != want.Title || got.Buyer != want.Buyer || got.URL != want.URL ||
		got.Platform != want.Platform || got.Via != want.Via || got.ExtraPayment != want.ExtraPayment {
		t.Errorf("room = %+v, want %+v", got, want)
	}
	for _, k := range rules.EventKinds {
		checkTime(t, string(k), got.Event(k), want.Event(k))
	}
	checkTime(t, "due", got.Due, want.Due)
	checkTime(t, "seen", got.Seen, now)

	events, err := s.Events("4012345")
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 3 {
		t.Fatalf("events = %+v, want the 3 YAML facts", events)
	}
	for i, kind := range []rules.EventKind{rules.EventOpened, rules.EventSellerMessage, rules.EventBuyerMessage} {
		e := events[i]
		if e.Kind != kind || e.Source != SourceYAML || e.Room != "4012345" {
			t.Errorf("event %d = %+v, want %s from yaml", i, e, kind)
		}
		checkTime(t, "event at", e.At, want.Event(kind))
		checkTime(t, "recorded at", e.RecordedAt, now)
	}
}

func TestMergeYAMLAndEvents(t *testing.T) {
	s := newStore(t)
	room := blogRoom(t)
	mustSync(t, s, []rules.Room{room}, jst(t, "2026-11-21 13:00"))

	// The seller replies through the CLI after the YAML's last value: the event wins.
	replied := jst(t, "2026-11-22 08:00")
	mustRecord(t, s, Event{Room: room.ID, Kind: rules.EventSellerMessage, At: replied, Source: "cli", RecordedAt: replied})
	checkTime(t, "after cli event", mustRoom(t, s, room.ID).SellerMessage, replied)

	// An older event recorded late does not move the fact back.
	mustRecord(t, s, Event{Room: room.ID, Kind: rules.EventSellerMessage, At: jst(t, "2026-11-21 20:00"), Source: "slack"})
	checkTime(t, "after older slack event", mustRoom(t, s, room.ID).SellerMessage, replied)

	// A YAML edit to an earlier time does not erase the recorded event…
	room.SellerMessage = jst(t, "2026-11-21 10:00")
	changed := mustSync(t, s, []rules.Room{room}, jst(t, "2026-11-22 09:00"))
	checkIDs(t, "changed by an earlier YAML value", changed)
	checkTime(t, "after earlier yaml", mustRoom(t, s, room.ID).SellerMessage, replied)

	// …and a YAML value later than the event wins.
	later := jst(t, "2026-11-23 18:00")
	room.SellerMessage = later
	checkIDs(t, "changed by a later YAML value", mustSync(t, s, []rules.Room{room}, jst(t, "2026-11-23 19:00")), room.ID)
	checkTime(t, "after later yaml", mustRoom(t, s, room.ID).SellerMessage, later)

	// A fact only an event set (delivery through the HTTP API) survives a
	// YAML that never mentions it.
	delivered := jst(t, "2026-11-24 10:00")
	mustRecord(t, s, Event{Room: room.ID, Kind: rules.EventDelivered, At: delivered, Source: "http"})
	mustSync(t, s, []rules.Room{room}, jst(t, "2026-11-24 11:00"))
	checkTime(t, "delivered", mustRoom(t, s, room.ID).Delivered, delivered)

	info, ok, err := s.RoomInfo(room.ID)
	if err != nil || !ok {
		t.Fatalf("RoomInfo: ok=%v err=%v", ok, err)
	}
	wantSources := map[rules.EventKind]string{
		rules.EventOpened: SourceYAML, rules.EventSellerMessage: SourceYAML,
		rules.EventBuyerMessage: SourceYAML, rules.EventDelivered: "http",
	}
	if fmt.Sprint(info.Sources) != fmt.Sprint(wantSources) {
		t.Errorf("sources = %v, want %v", info.Sources, wantSources)
	}

	events, err := s.Events(room.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		got = append(got, fmt.Sprintf("%s/%s@%s", e.Source, e.Kind, e.At.In(tokyo).Format("01-02 15:04")))
	}
	checkIDs(t, "log", got,
		"yaml/opened@11-20 10:00", "yaml/seller_message@11-21 09:00", "yaml/buyer_message@11-21 12:00",
		"cli/seller_message@11-22 08:00", "slack/seller_message@11-21 20:00",
		"yaml/seller_message@11-21 10:00", "yaml/seller_message@11-23 18:00", "http/delivered@11-24 10:00")
}

func TestUntrackAndRetrack(t *testing.T) {
	s := newStore(t)
	a, b := blogRoom(t), blogRoom(t)
	b.ID = "4012346"
	first := jst(t, "2026-11-21 13:00")
	mustSync(t, s, []rules.Room{a, b}, first)
	mustRecord(t, s, Event{Room: b.ID, Kind: rules.EventDelivered, At: jst(t, "2026-11-22 10:00"), Source: "cli"})
	if err := s.SetNext(b.ID, jst(t, "2026-11-25 10:00")); err != nil {
		t.Fatal(err)
	}

	checkIDs(t, "changed when b leaves the YAML", mustSync(t, s, []rules.Room{a}, jst(t, "2026-11-22 11:00")), b.ID)
	if _, ok, err := s.Room(b.ID); err != nil || ok {
		t.Fatalf("untracked room: ok=%v err=%v, want not tracked", ok, err)
	}
	rooms, err := s.Rooms()
	if err != nil {
		t.Fatal(err)
	}
	if len(rooms) != 1 || rooms[0].ID != a.ID {
		t.Errorf("rooms = %v, want only %s", rooms, a.ID)
	}
	if _, ok, _ := s.Next(b.ID); ok {
		t.Error("an untracked room stays in the due index")
	}
	err = s.RecordEvent(Event{Room: b.ID, Kind: rules.EventClosed, At: jst(t, "2026-11-23 10:00"), Source: "cli"})
	if !errors.Is(err, ErrUnknownRoom) {
		t.Errorf("event on untracked room: err = %v, want ErrUnknownRoom", err)
	}
	info, ok, err := s.RoomInfo(b.ID)
	if err != nil || !ok || info.Tracked {
		t.Fatalf("RoomInfo of untracked room: %+v ok=%v err=%v", info, ok, err)
	}
	events, err := s.Events(b.ID)
	if err != nil || len(events) != 4 {
		t.Errorf("history of untracked room: %d events (err %v), want 4", len(events), err)
	}

	checkCount(t, s, 1)
	checkIDs(t, "changed when b comes back", mustSync(t, s, []rules.Room{a, b}, jst(t, "2026-11-23 11:00")), b.ID)
	checkCount(t, s, 2)
	back := mustRoom(t, s, b.ID)
	checkTime(t, "seen kept from the first sync", back.Seen, first)
	checkTime(t, "delivered event kept", back.Delivered, jst(t, "2026-11-22 10:00"))
}

func TestSyncRoomsReturnsOnlyChanged(t *testing.T) {
	s := newStore(t)
	now := jst(t, "2026-11-21 13:00")
	var rooms []rules.Room
	for i := range 5 {
		r := blogRoom(t)
		r.ID = fmt.Sprintf("r%d", i)
		rooms = append(rooms, r)
	}
	checkCount(t, s, 0)
	checkIDs(t, "first sync", mustSync(t, s, rooms, now), "r0", "r1", "r2", "r3", "r4")
	checkIDs(t, "same rooms again", mustSync(t, s, rooms, now.Add(time.Hour)))
	checkCount(t, s, 5)

	rooms[1].Title = "renamed"
	rooms[3].Delivered = jst(t, "2026-11-22 10:00")
	rooms = append(rooms[:4:4], rules.Room{ID: "r5", Opened: now})
	checkIDs(t, "edits, a new room and a removal", mustSync(t, s, rooms, now.Add(2*time.Hour)), "r1", "r3", "r4", "r5")
	checkTime(t, "seen of the room added later", mustRoom(t, s, "r5").Seen, now.Add(2*time.Hour))
	s = reopen(t, s)
	checkCount(t, s, 5)

	// Order of the YAML list does not matter.
	reversed := []rules.Room{rooms[4], rooms[3], rooms[2], rooms[1], rooms[0]}
	checkIDs(t, "reordered", mustSync(t, s, reversed, now.Add(3*time.Hour)))
}

func TestSyncRoomsRejectsBadInput(t *testing.T) {
	s := newStore(t)
	now := jst(t, "2026-11-21 13:00")
	for name, rooms := range map[string][]rules.Room{
		"duplicate": {{ID: "a"}, {ID: "a"}},
		"empty ID":  {{ID: ""}},
		"NUL in ID": {{ID: "a\x00b"}},
	} {
		if _, err := s.SyncRooms(rooms, now); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	rooms, err := s.Rooms()
	if err != nil || len(rooms) != 0 {
		t.Errorf("rejected syncs stored %v (err %v)", rooms, err)
	}
}

func TestRecordEventValidates(t *testing.T) {
	s := newStore(t)
	mustSync(t, s, []rules.Room{blogRoom(t)}, jst(t, "2026-11-21 13:00"))
	at := jst(t, "2026-11-22 10:00")
	for name, e := range map[string]Event{
		"unknown kind":  {Room: "4012345", Kind: "replied", At: at, Source: "cli"},
		"no time":       {Room: "4012345", Kind: rules.EventClosed, Source: "cli"},
		"no source":     {Room: "4012345", Kind: rules.EventClosed, At: at},
		"never-seen ID": {Room: "nope", Kind: rules.EventClosed, At: at, Source: "cli"},
	} {
		if err := s.RecordEvent(e); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if err := s.RecordEvent(Event{Room: "nope", Kind: rules.EventClosed, At: at, Source: "cli"}); !errors.Is(err, ErrUnknownRoom) {
		t.Errorf("unknown room: %v, want ErrUnknownRoom", err)
	}
	// A missing RecordedAt is stamped.
	mustRecord(t, s, Event{Room: "4012345", Kind: rules.EventClosed, At: at, Source: "cli"})
	events, _ := s.Events("4012345")
	if last := events[len(events)-1]; last.RecordedAt.IsZero() {
		t.Errorf("RecordedAt not stamped: %+v", last)
	}
}

func TestRecordEventConcurrent(t *testing.T) {
	s := newStore(t)
	mustSync(t, s, []rules.Room{blogRoom(t)}, jst(t, "2026-11-21 13:00"))
	base := jst(t, "2026-11-22 00:00")
	const n = 40
	errs := make(chan error, n)
	for i := range n {
		go func() {
			errs <- s.RecordEvent(Event{Room: "4012345", Kind: rules.EventBuyerMessage, At: base.Add(time.Duration(i) * time.Minute), Source: "http"})
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	events, err := s.Events("4012345")
	if err != nil || len(events) != 3+n {
		t.Fatalf("%d events (err %v), want %d", len(events), err, 3+n)
	}
	checkTime(t, "latest of the batch wins", mustRoom(t, s, "4012345").BuyerMessage, base.Add((n-1)*time.Minute))
}

func TestForEachRoomStreamsInOrder(t *testing.T) {
	s := newStore(t)
	now := jst(t, "2026-11-21 13:00")
	// More than one scan chunk, with untracked rooms in between.
	n := scanChunk*2 + 17
	var rooms []rules.Room
	for i := range n {
		rooms = append(rooms, rules.Room{ID: fmt.Sprintf("room-%05d", i), Opened: now})
	}
	mustSync(t, s, rooms, now)
	var kept []rules.Room
	for i, r := range rooms {
		if i%3 != 0 {
			kept = append(kept, r)
		}
	}
	mustSync(t, s, kept, now)

	var seen []string
	err := s.ForEachRoom(func(r rules.Room) error {
		seen = append(seen, r.ID)
		// Writing from the callback must not deadlock.
		return s.SetNext(r.ID, now)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != len(kept) {
		t.Fatalf("visited %d rooms, want %d", len(seen), len(kept))
	}
	for i := range kept {
		if seen[i] != kept[i].ID {
			t.Fatalf("room %d = %s, want %s", i, seen[i], kept[i].ID)
		}
	}

	stop := errors.New("stop")
	count := 0
	err = s.ForEachRoom(func(rules.Room) error {
		count++
		if count == 10 {
			return stop
		}
		return nil
	})
	if err != stop || count != 10 {
		t.Errorf("stop: err=%v after %d rooms, want the callback's error after 10", err, count)
	}
}

func txID(t *testing.T, s *Store) int {
	t.Helper()
	var id int
	if err := s.db.View(func(tx *bolt.Tx) error { id = tx.ID(); return nil }); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestSyncRoomsManyRoomsWritesOnlyChanges(t *testing.T) {
	s := newStore(t)
	now := jst(t, "2026-11-21 13:00")
	rooms := make([]rules.Room, syncBatch+5) // more than one write transaction
	for i := range rooms {
		rooms[i] = rules.Room{ID: fmt.Sprintf("%07d", i), Title: "記事", Opened: now.Add(-time.Duration(i) * time.Minute)}
	}
	if changed := mustSync(t, s, rooms, now); len(changed) != len(rooms) {
		t.Fatalf("first sync changed %d rooms, want %d", len(changed), len(rooms))
	}
	before := txID(t, s)
	checkIDs(t, "reload", mustSync(t, s, rooms, now.Add(time.Hour)))
	if after := txID(t, s); after != before {
		t.Errorf("an unchanged reload committed %d write transactions", after-before)
	}
	rooms[syncBatch+2].Title = "edited"
	checkIDs(t, "one edit", mustSync(t, s, rooms, now.Add(2*time.Hour)), rooms[syncBatch+2].ID)
	if after := txID(t, s); after != before+1 {
		t.Errorf("one edit took %d write transactions", after-before)
	}
}

func TestDecodeRecordRejectsTruncation(t *testing.T) {
	room := blogRoom(t)
	rec := roomRecord{tracked: true, facts: factsOf(&room), seen: 42}
	rec.record(recordedFact{kind: rules.EventDelivered, at: 7, source: "slack"})
	full := rec.encode(room.ID)
	back, err := decodeRecord(full, room.ID)
	if err != nil {
		t.Fatal(err)
	}
	if back.merge(room.ID, nil) != rec.merge(room.ID, nil) || !back.tracked {
		t.Errorf("round trip: %+v, want %+v", back, rec)
	}
	for n := range len(full) {
		if _, err := decodeRecord(full[:n], room.ID); err == nil {
			t.Errorf("a record cut to %d of %d bytes decoded without error", n, len(full))
		}
	}
}

func checkCount(t *testing.T, s *Store, want int) {
	t.Helper()
	if n, err := s.CountRooms(); err != nil || n != want {
		t.Errorf("CountRooms = %d, %v; want %d", n, err, want)
	}
}

package store

import (
	"fmt"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/roomwatch/roomwatch/rules"
)

const testRetention = 180 * 24 * time.Hour

// endedOnRecord is the store tests' stand-in for the rules' answer: closed
// or cancelled as recorded (the daemon also counts automatic approval).
func endedOnRecord(r rules.Room) (time.Time, rules.State) {
	switch {
	case !r.Cancelled.IsZero():
		return r.Cancelled, rules.StateCancelled
	case !r.Closed.IsZero():
		return r.Closed, rules.StateClosed
	}
	return time.Time{}, ""
}

// roomWithHistory syncs a room that opened at opened and closed (or was
// cancelled) at ended, and gives it events, sent and queued ledger entries,
// an ack and a snooze.
func roomWithHistory(t *testing.T, s *Store, id string, opened, ended time.Time, cancelled bool) {
	t.Helper()
	r := rules.Room{ID: id, Title: "room " + id, Buyer: "buyer-" + id, Opened: opened, SellerMessage: opened.Add(time.Hour)}
	mustSync(t, s, append(trackedRooms(t, s), r), opened)
	mustRecord(t, s, Event{Room: id, Kind: rules.EventBuyerMessage, At: opened.Add(2 * time.Hour), Source: "cli", RecordedAt: opened.Add(2 * time.Hour)})
	if err := s.AddAck(id, rules.Ack{Kind: rules.CheckIn, Deadline: opened.Add(72 * time.Hour), At: opened.Add(3 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSnooze(id, rules.Snooze{From: opened, Until: opened.Add(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	sent := step(id, opened.Add(72*time.Hour), rules.StepDue)
	leftover := step(id, opened.Add(144*time.Hour), rules.StepDue)
	if _, err := s.Queue([]rules.Step{sent, leftover}, false, opened); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSent(sent.Key(), map[string]string{"console": "ok"}, opened); err != nil {
		t.Fatal(err)
	}
	kind := rules.EventClosed
	if cancelled {
		kind = rules.EventCancelled
	}
	mustRecord(t, s, Event{Room: id, Kind: kind, At: ended, Source: "cli", RecordedAt: ended})
}

// trackedRooms returns the YAML rooms stored so far, so a sync can add one.
func trackedRooms(t *testing.T, s *Store) []rules.Room {
	t.Helper()
	rooms, err := s.Rooms()
	if err != nil {
		t.Fatal(err)
	}
	for i := range rooms {
		// Keep the base facts only: recorded events stay in the store.
		r := rules.Room{ID: rooms[i].ID, Title: rooms[i].Title, Buyer: rooms[i].Buyer, Opened: rooms[i].Opened}
		r.SellerMessage = rooms[i].Opened.Add(time.Hour)
		rooms[i] = r
	}
	return rooms
}

// loggedCount counts the room's entries in the event log: what was
// recorded after the room was stored, which pruning removes (the base
// facts live in the room record and stay).
func roomLoggedCount(t *testing.T, s *Store, id string) int {
	t.Helper()
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		first, rest, err := loggedEvents(tx, id)
		n = len(first) + len(rest)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func mustPrune(t *testing.T, s *Store, now time.Time) PruneResult {
	t.Helper()
	var all PruneResult
	opt := PruneOptions{Before: now.Add(-testRetention), Ended: endedOnRecord, Now: now}
	for {
		res, err := s.Prune(opt)
		if err != nil {
			t.Fatal(err)
		}
		all.Rooms = append(all.Rooms, res.Rooms...)
		all.Events += res.Events
		all.Alerts += res.Alerts
		if res.Next == "" {
			return all
		}
		opt.From = res.Next
	}
}

func history(t *testing.T, s *Store, id string) (events []Event, ledger []Entry, acks []rules.Ack, snooze rules.Snooze) {
	t.Helper()
	var err error
	if events, err = s.Events(id); err != nil {
		t.Fatal(err)
	}
	if ledger, err = s.Ledger(id); err != nil {
		t.Fatal(err)
	}
	if acks, err = s.Acks(id); err != nil {
		t.Fatal(err)
	}
	if snooze, err = s.Snooze(id); err != nil {
		t.Fatal(err)
	}
	return events, ledger, acks, snooze
}

func TestPruneAtTheRetentionBoundary(t *testing.T) {
	s := newStore(t)
	now := jst(t, "2027-08-01 12:00")
	cutoff := now.Add(-testRetention)
	opened := cutoff.Add(-30 * 24 * time.Hour)
	roomWithHistory(t, s, "kept", opened, cutoff.Add(time.Minute), false)    // closed retention−1 min ago
	roomWithHistory(t, s, "pruned", opened, cutoff.Add(-time.Minute), false) // closed retention+1 min ago
	roomWithHistory(t, s, "cancelled", opened, cutoff.Add(-time.Hour), true) // cancelled long enough ago
	mustSync(t, s, append(trackedRooms(t, s), rules.Room{ID: "running", Opened: opened}), opened)
	if got := len(outboxKeys(t, s)); got != 3 {
		t.Fatalf("outbox holds %d leftovers before pruning, want 3", got)
	}

	res := mustPrune(t, s, now)
	checkIDs(t, "pruned rooms", res.Rooms, "cancelled", "pruned")
	// Each pruned room: the buyer message and the closing event in the
	// log (opened and seller message are base facts, in the room record);
	// one sent and one queued ledger entry.
	if res.Events != 4 || res.Alerts != 4 {
		t.Errorf("pruned %d events and %d alerts, want 4 and 4", res.Events, res.Alerts)
	}

	events, ledger, acks, snooze := history(t, s, "kept")
	if len(events) != 4 || len(ledger) != 2 || len(acks) != 1 || snooze.Until.IsZero() {
		t.Errorf("kept room lost history: %d events, %d ledger entries, %d acks, snooze %v", len(events), len(ledger), len(acks), snooze)
	}
	if _, ok, _ := s.Summary("kept"); ok {
		t.Error("the kept room has a summary")
	}
	for _, id := range []string{"pruned", "cancelled"} {
		events, ledger, acks, snooze := history(t, s, id)
		if logged := roomLoggedCount(t, s, id); logged+len(ledger)+len(acks) != 0 || !snooze.Until.IsZero() {
			t.Errorf("%s: left %d logged events, %d ledger entries, %d acks, snooze %v", id, logged, len(ledger), len(acks), snooze)
		}
		// history still shows the base facts, from the room record.
		if len(events) != 2 || events[0].Kind != rules.EventOpened || events[1].Kind != rules.EventSellerMessage {
			t.Errorf("%s: events after pruning = %+v, want the base facts opened and seller_message", id, events)
		}
		info, ok, err := s.RoomInfo(id)
		if err != nil || !ok || !info.Tracked {
			t.Fatalf("%s: the room record itself must stay: %v %v %+v", id, ok, err, info)
		}
		sum, ok, err := s.Summary(id)
		if err != nil || !ok {
			t.Fatalf("%s: no summary: %v", id, err)
		}
		checkTime(t, id+" summary opened", sum.Opened, opened)
		checkTime(t, id+" summary pruned at", sum.PrunedAt, now)
		if sum.Events != 2 || sum.Alerts != 2 || sum.Sent != 1 {
			t.Errorf("%s summary = %+v, want 2 events, 2 alerts, 1 sent", id, sum)
		}
	}
	sum, _, _ := s.Summary("cancelled")
	if sum.State != rules.StateCancelled || !sum.Ended.Equal(cutoff.Add(-time.Hour)) {
		t.Errorf("cancelled summary = %+v", sum)
	}
	// The kept room's queued step stays in the outbox; the pruned rooms'
	// leftovers went with their ledger entries.
	if keys := outboxKeys(t, s); len(keys) != 1 || keys[0] != step("kept", opened.Add(144*time.Hour), rules.StepDue).Key() {
		t.Errorf("outbox after pruning = %q", keys)
	}
	checkOutboxMatchesLedger(t, s)

	// A second pass finds nothing more to do.
	if again := mustPrune(t, s, now); len(again.Rooms) != 0 {
		t.Errorf("second pass pruned %q again", again.Rooms)
	}
	// One minute later the boundary room goes too.
	if later := mustPrune(t, s, now.Add(2*time.Minute)); len(later.Rooms) != 1 || later.Rooms[0] != "kept" {
		t.Errorf("two minutes later pruned %q, want [kept]", later.Rooms)
	}
}

func TestPrunedStepsAreNeverQueuedAgain(t *testing.T) {
	s := newStore(t)
	now := jst(t, "2027-08-01 12:00")
	opened := now.Add(-testRetention - 60*24*time.Hour)
	roomWithHistory(t, s, "old", opened, opened.Add(10*24*time.Hour), false)
	mustPrune(t, s, now)

	// The engine re-plans the room (a reload, a policy change): its old
	// steps are not in the ledger any more, and must not go out again.
	old := []rules.Step{step("old", opened.Add(72*time.Hour), rules.StepDue), step("old", opened.Add(90*time.Hour), rules.StepDue)}
	queued, err := s.Queue(old, true, now)
	if err != nil || len(queued) != 0 {
		t.Fatalf("Queue of pruned steps = %v, %v; want nothing queued", queued, err)
	}
	if err := s.Skip(old, now); err != nil {
		t.Fatal(err)
	}
	if _, ledger, _, _ := history(t, s, "old"); len(ledger) != 0 {
		t.Errorf("Skip wrote %d ledger entries back for a pruned room", len(ledger))
	}
	// Something new after the pruning is an alert like any other.
	fresh := step("old", now.Add(time.Hour), rules.StepDue)
	if queued, err := s.Queue([]rules.Step{fresh}, false, now); err != nil || len(queued) != 1 {
		t.Fatalf("a step after the pruning was not queued: %v, %v", queued, err)
	}
}

func TestPruneGainsLaterEventsIntoTheSummary(t *testing.T) {
	s := newStore(t)
	now := jst(t, "2027-08-01 12:00")
	opened := now.Add(-testRetention - 60*24*time.Hour)
	roomWithHistory(t, s, "r1", opened, opened.Add(10*24*time.Hour), false)
	mustPrune(t, s, now)
	mustRecord(t, s, Event{Room: "r1", Kind: rules.EventSellerRated, At: now, Source: "cli", RecordedAt: now})
	later := now.Add(24 * time.Hour)
	if res := mustPrune(t, s, later); len(res.Rooms) != 1 || res.Events != 1 {
		t.Fatalf("second pruning = %+v, want the late event", res)
	}
	sum, _, _ := s.Summary("r1")
	if sum.Events != 3 || !sum.PrunedAt.Equal(later) {
		t.Errorf("summary = %+v, want 3 events pruned at %v", sum, later)
	}
	if r := mustRoom(t, s, "r1"); !r.SellerRated.Equal(now) {
		t.Errorf("the room record lost the late event: %v", r.SellerRated)
	}
}

func TestPruneWalksInBoundedCalls(t *testing.T) {
	s := newStore(t)
	now := jst(t, "2027-08-01 12:00")
	opened := now.Add(-testRetention - 60*24*time.Hour)
	var rooms []rules.Room
	for i := range 100 {
		rooms = append(rooms, rules.Room{ID: fmt.Sprintf("r%03d", i), Opened: opened})
	}
	mustSync(t, s, rooms, opened)
	for i, r := range rooms {
		closed := opened.Add(time.Duration(i) * time.Hour)
		mustRecord(t, s, Event{Room: r.ID, Kind: rules.EventClosed, At: closed, Source: "cli", RecordedAt: closed})
	}
	opt := PruneOptions{Before: now.Add(-testRetention), Ended: endedOnRecord, Now: now, Limit: 30}
	calls, pruned := 0, 0
	for {
		res, err := s.Prune(opt)
		if err != nil {
			t.Fatal(err)
		}
		calls++
		if len(res.Rooms) > 30 {
			t.Fatalf("call %d pruned %d rooms, past its limit", calls, len(res.Rooms))
		}
		pruned += len(res.Rooms)
		if res.Next == "" {
			break
		}
		opt.From = res.Next
	}
	if calls != 4 || pruned != 100 {
		t.Errorf("%d calls pruned %d rooms, want 4 calls and 100 rooms", calls, pruned)
	}
}

func TestPruneRefusesWithoutARule(t *testing.T) {
	s := newStore(t)
	if _, err := s.Prune(PruneOptions{Before: time.Now()}); err == nil {
		t.Fatal("Prune without Ended succeeded")
	}
}

package rules

import (
	"testing"
	"time"
)

// TestBuyerRecordOverOneBuyersRooms follows one buyer on a platform without
// automatic approval (crowdworks): one room cancelled, two approved 2 and 9
// days after delivery, one pushed back, and a new room opening after them.
func TestBuyerRecordOverOneBuyersRooms(t *testing.T) {
	jst := time.FixedZone("JST", 9*3600)
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, jst)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	scope := BuyerScope{DefaultPlatform: "crowdworks", Profiles: Profiles}
	rooms := []Room{
		{ID: "100", Buyer: "suzuki", Opened: at("2026-10-01 10:00"), Cancelled: at("2026-10-03 10:00")},
		{ID: "101", Buyer: "suzuki", Opened: at("2026-10-10 10:00"), Delivered: at("2026-10-12 10:00"), Closed: at("2026-10-14 10:00")},
		{ID: "102", Buyer: "suzuki", Opened: at("2026-10-20 10:00"), Delivered: at("2026-10-22 10:00"),
			PushedBack: at("2026-10-25 10:00"), BuyerMessage: at("2026-10-25 10:00"), Closed: at("2026-10-31 10:00")},
		{ID: "103", Buyer: "suzuki", Opened: at("2026-11-20 10:00")},
		// Not this buyer: another name, and the same name on another platform.
		{ID: "900", Buyer: "sato", Opened: at("2026-10-01 10:00"), Cancelled: at("2026-10-02 10:00")},
		{ID: "901", Buyer: "suzuki", Platform: "coconala", Opened: at("2026-10-01 10:00"), Cancelled: at("2026-10-02 10:00")},
	}
	now := at("2026-11-21 10:00")
	rec := scope.PriorRecord(rooms[3], rooms, now)
	want := BuyerRecord{
		Buyer: "suzuki", Platform: "crowdworks", Rooms: []string{"100", "101", "102"},
		Cancelled: 1, Approved: 2,
		ApprovalMedian: 132 * time.Hour, ApprovalWorst: 9 * 24 * time.Hour,
		LongestSilence: 3 * 24 * time.Hour, PushBacks: 1,
	}
	if !equalRecord(rec, want) {
		t.Errorf("PriorRecord =\n %+v\nwant\n %+v", rec, want)
	}
	if !rec.Seen() {
		t.Error("a buyer with earlier rooms is seen")
	}
	if first := scope.PriorRecord(rooms[0], rooms, now); first.Seen() {
		t.Errorf("the buyer's first room has a record: %+v", first)
	}
	all := scope.RecordOf("suzuki", "crowdworks", rooms, now)
	if len(all.Rooms) != 4 || all.Cancelled != 1 {
		t.Errorf("RecordOf over every room = %+v", all)
	}
	// Silence until now when the buyer never answered a delivery.
	silent := Room{ID: "104", Buyer: "suzuki", Opened: at("2026-11-01 10:00"), Delivered: at("2026-11-11 10:00")}
	if got := scope.RecordOf("suzuki", "crowdworks", []Room{silent}, now).LongestSilence; got != 10*24*time.Hour {
		t.Errorf("silence of an unanswered delivery = %v, want 240h", got)
	}
}

func equalRecord(a, b BuyerRecord) bool {
	if len(a.Rooms) != len(b.Rooms) {
		return false
	}
	for i := range a.Rooms {
		if a.Rooms[i] != b.Rooms[i] {
			return false
		}
	}
	a.Rooms, b.Rooms = nil, nil
	return a.Buyer == b.Buyer && a.Platform == b.Platform && a.Cancelled == b.Cancelled && a.Approved == b.Approved &&
		a.ApprovalMedian == b.ApprovalMedian && a.ApprovalWorst == b.ApprovalWorst &&
		a.LongestSilence == b.LongestSilence && a.PushBacks == b.PushBacks
}

func TestDeclinedBuyerWarnsAtOpening(t *testing.T) {
	opened := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	r := Room{ID: "1", Buyer: "yamada", Opened: opened}
	env := Env{Profile: Profiles["coconala"], Policy: DefaultPolicy(), DeclinedBuyer: true}
	var found *Alert
	for _, a := range Alerts(r, env) {
		if a.Kind == DeclinedBuyer {
			found = &a
		}
	}
	if found == nil || !found.Deadline.Equal(opened) || found.Severity != Warning {
		t.Fatalf("declined-buyer alert = %+v, want a warning at the opening", found)
	}
	env.DeclinedBuyer = false
	for _, a := range Alerts(r, env) {
		if a.Kind == DeclinedBuyer {
			t.Error("a buyer not declined raised the warning")
		}
	}
	r.Cancelled = opened.Add(time.Hour)
	env.DeclinedBuyer = true
	for _, a := range Alerts(r, env) {
		if a.Kind == DeclinedBuyer {
			t.Error("a cancelled room of a declined buyer still warns")
		}
	}
}

package rules

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestCompareUrgency(t *testing.T) {
	now := jst(2026, 11, 25, 9, 0)
	alert := func(kind Kind, sev Severity, deadline, room string) Alert {
		var d = now
		switch deadline {
		case "6d ago":
			d = now.AddDate(0, 0, -6)
		case "1h ago":
			d = now.Add(-hour)
		case "in 2h":
			d = now.Add(2 * hour)
		case "in 3d":
			d = now.AddDate(0, 0, 3)
		case "in 101d":
			d = now.AddDate(0, 0, 101)
		}
		return Alert{Room: room, Kind: kind, Severity: sev, Deadline: d}
	}
	// Most urgent first; each line names why it comes before the next.
	want := []Alert{
		alert(DeliveryDue, Critical, "6d ago", "1"), // overdue and critical
		alert(CancelRisk, Critical, "1h ago", "2"),  // overdue, critical, later deadline
		alert(CheckIn, Warning, "6d ago", "3"),      // overdue, warning
		alert(FirstMessage, Critical, "in 3d", "5"), // upcoming critical, however far
		alert(SendTerms, Warning, "6d ago", "9"),    // warning, past its moment but not a limit: not overdue
		alert(CheckIn, Warning, "in 2h", "6"),       // upcoming warning
		alert(DeliveryDue, Critical, "in 3d", "7"),  // a delivery date only warns until it passes
		alert(SendTerms, Warning, "in 3d", "7"),     // same deadline: the order of Kinds
		alert(RateBuyer, Info, "1h ago", "4"),       // info, current
		alert(RoomExpiry, Info, "in 2h", "8"),       // upcoming info
		alert(RoomExpiry, Info, "in 101d", "1"),     // the farthest last
		alert(ExportFiles, Info, "in 101d", "1"),    // same deadline: the order of Kinds
		alert(ExportFiles, Info, "in 101d", "2"),    // then the room
	}
	for range 20 {
		got := slices.Clone(want)
		rand.Shuffle(len(got), func(i, j int) { got[i], got[j] = got[j], got[i] })
		SortByUrgency(got, now)
		for i := range want {
			if got[i].Room != want[i].Room || got[i].Kind != want[i].Kind || !got[i].Deadline.Equal(want[i].Deadline) {
				t.Fatalf("position %d: got %s/%s %s, want %s/%s %s", i,
					got[i].Room, got[i].Kind, show(got[i].Deadline), want[i].Room, want[i].Kind, show(want[i].Deadline))
			}
		}
	}
}

func TestOverdueOnlyPastALimit(t *testing.T) {
	now := jst(2026, 11, 25, 9, 0)
	for _, k := range Kinds {
		a := Alert{Kind: k, Severity: Info, Deadline: now.Add(-hour)}
		limit := k == FirstMessage || k == CheckIn || k == CancelRisk || k == CancelRequest || k == DeliveryDue
		if a.Overdue(now) != limit {
			t.Errorf("%s an hour past its deadline: overdue = %v, want %v", k, a.Overdue(now), limit)
		}
		if a.Deadline = now.Add(hour); a.Overdue(now) {
			t.Errorf("%s an hour before its deadline is overdue", k)
		}
	}
}

func TestSeverityAt(t *testing.T) {
	due := Alert{Kind: DeliveryDue, Severity: Critical, Deadline: jst(2026, 11, 27, 23, 59)}
	if got := due.SeverityAt(due.Deadline.Add(-hour)); got != Warning {
		t.Errorf("delivery-due before its date: %s, want warning", got)
	}
	if got := due.SeverityAt(due.Deadline.Add(hour)); got != Critical {
		t.Errorf("delivery-due after its date: %s, want critical", got)
	}
	first := Alert{Kind: FirstMessage, Severity: Critical, Deadline: due.Deadline}
	if got := first.SeverityAt(first.Deadline.Add(-48 * hour)); got != Critical {
		t.Errorf("first-message ahead of its deadline: %s, want critical", got)
	}
}

// An overdue delivery leads a room whose farthest clock is the room limit:
// the case `status` used to hide behind "room-expiry, 101 days left".
func TestMostUrgentOfARoom(t *testing.T) {
	r := baseRoom()
	r.SellerMessage = opened.Add(hour)
	r.Due = jst(2026, 11, 21, 23, 59)
	now := r.Due.AddDate(0, 0, 6)
	alerts := Alerts(r, envFor("coconala"))
	got, ok := MostUrgent(alerts, now, nil)
	if !ok || got.Kind != DeliveryDue {
		t.Fatalf("most urgent = %s (%v), want delivery-due; alerts: %v", got.Kind, ok, alerts)
	}
	notDelivery := func(a Alert) bool { return a.Kind != DeliveryDue }
	if got, _ := MostUrgent(alerts, now, notDelivery); got.Kind == DeliveryDue {
		t.Errorf("keep was ignored")
	}
	if _, ok := MostUrgent(nil, now, nil); ok {
		t.Errorf("MostUrgent of no alerts reported one")
	}
}

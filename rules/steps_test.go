package rules

import (
	"testing"
	"time"
)

// Alerts of the coconala order opened 2026-11-20 10:00, as Alerts makes them.
var (
	firstMessageAlert = Alert{Room: "4012345", Kind: FirstMessage, Severity: Critical,
		Deadline: jst(2026, 11, 22, 10, 0), Known: opened}
	// seller wrote 11-20 11:00, the buyer answered 11-21 12:00
	cancelRiskAlert = Alert{Room: "4012345", Kind: CancelRisk, Severity: Critical,
		Deadline: jst(2026, 11, 24, 11, 0), Known: jst(2026, 11, 21, 12, 0)}
	deliveryDueAlert = Alert{Room: "4012345", Kind: DeliveryDue, Severity: Critical,
		Deadline: jst(2026, 11, 27, 23, 59), Known: opened}
)

func checkInAt(deadline time.Time) Alert {
	return Alert{Room: "4012345", Kind: CheckIn, Severity: Warning, Deadline: deadline, Known: deadline.Add(-72 * time.Hour)}
}

var cancelRiskSteps = []string{
	"cancel-risk/warn-24h@2026-11-23 11:00",
	"cancel-risk/warn-3h@2026-11-24 08:00",
	"cancel-risk/due@2026-11-24 11:00",
	"cancel-risk/repeat-1@2026-11-24 13:00",
	"cancel-risk/repeat-2@2026-11-24 15:00",
	"cancel-risk/repeat-3@2026-11-24 17:00",
	"cancel-risk/repeat-4@2026-11-24 19:00",
	"cancel-risk/repeat-5@2026-11-24 21:00",
	"cancel-risk/repeat-6@2026-11-24 23:00",
	"cancel-risk/repeat-7@2026-11-25 01:00",
	"cancel-risk/repeat-8@2026-11-25 03:00",
	"cancel-risk/repeat-9@2026-11-25 05:00",
	"cancel-risk/repeat-10@2026-11-25 07:00",
	"cancel-risk/repeat-11@2026-11-25 09:00",
	"cancel-risk/repeat-12@2026-11-25 11:00",
}

func TestStepsNamesAndCounts(t *testing.T) {
	custom := tokyoPolicy()
	custom.WarnBefore = []time.Duration{48 * time.Hour, 90 * time.Minute, 45 * time.Minute}
	custom.RepeatEvery = 6 * time.Hour
	tests := []struct {
		name   string
		alert  Alert
		policy Policy
		want   []string
	}{
		{"first-message warns, then is due", firstMessageAlert, tokyoPolicy(), []string{
			"first-message/warn-24h@2026-11-21 10:00",
			"first-message/warn-3h@2026-11-22 07:00",
			"first-message/due@2026-11-22 10:00",
		}},
		{"cancel-risk repeats twelve times over 24h", cancelRiskAlert, tokyoPolicy(), cancelRiskSteps},
		{"check-in sends once", checkInAt(jst(2026, 11, 23, 11, 0)), tokyoPolicy(), []string{
			"check-in/due@2026-11-23 11:00",
		}},
		{"warn durations keep hours, never days", firstMessageAlert, custom, []string{
			"first-message/warn-48h@2026-11-20 10:00",
			"first-message/warn-1h30m@2026-11-22 08:30",
			"first-message/warn-45m@2026-11-22 09:15",
			"first-message/due@2026-11-22 10:00",
		}},
		{"repeat every 6h for 24h", cancelRiskAlert, custom, []string{
			"cancel-risk/warn-48h@2026-11-22 11:00",
			"cancel-risk/warn-1h30m@2026-11-24 09:30",
			"cancel-risk/warn-45m@2026-11-24 10:15",
			"cancel-risk/due@2026-11-24 11:00",
			"cancel-risk/repeat-1@2026-11-24 17:00",
			"cancel-risk/repeat-2@2026-11-24 23:00",
			"cancel-risk/repeat-3@2026-11-25 05:00",
			"cancel-risk/repeat-4@2026-11-25 11:00",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertLines(t, describeSteps(Steps(tt.alert, Env{Policy: tt.policy})), tt.want)
		})
	}
}

func TestStepsSeverity(t *testing.T) {
	for _, s := range Steps(deliveryDueAlert, Env{Policy: tokyoPolicy()}) {
		want := Critical
		if s.Name == "warn-24h" || s.Name == "warn-3h" {
			want = Warning // late only once the deadline passes
		}
		if s.Severity != want {
			t.Errorf("delivery-due %s: severity %s, want %s", s.Name, s.Severity, want)
		}
		if s.Alert.Severity != Critical {
			t.Errorf("delivery-due %s: alert severity %s", s.Name, s.Alert.Severity)
		}
	}
	for _, s := range Steps(firstMessageAlert, Env{Policy: tokyoPolicy()}) {
		if s.Severity != Critical {
			t.Errorf("first-message %s: severity %s", s.Name, s.Severity)
		}
	}
}

// TestStepsSeenLate: warn steps already past when the deadline became known
// are not produced; the due step and repeats always are.
func TestStepsSeenLate(t *testing.T) {
	env := Env{Profile: Profiles["coconala"], Policy: tokyoPolicy()}
	tests := []struct {
		name string
		room func(r *Room)
		kind Kind
		want []string
	}{
		{"seen after warn-24h", func(r *Room) { r.Seen = jst(2026, 11, 21, 20, 0) }, FirstMessage, []string{
			"first-message/warn-3h@2026-11-22 07:00",
			"first-message/due@2026-11-22 10:00",
		}},
		{"seen exactly at warn-3h", func(r *Room) { r.Seen = jst(2026, 11, 22, 7, 0) }, FirstMessage, []string{
			"first-message/warn-3h@2026-11-22 07:00",
			"first-message/due@2026-11-22 10:00",
		}},
		{"seen after the deadline", func(r *Room) { r.Seen = jst(2026, 11, 23, 0, 0) }, FirstMessage, []string{
			"first-message/due@2026-11-22 10:00",
		}},
		{"buyer wrote after warn-24h's time", func(r *Room) {
			r.SellerMessage = jst(2026, 11, 20, 11, 0)
			r.BuyerMessage = jst(2026, 11, 23, 15, 0)
		}, CancelRisk, cancelRiskSteps[1:]},
		{"due date added after warn-24h", func(r *Room) {
			r.SellerMessage = jst(2026, 11, 20, 11, 0)
			r.Due = jst(2026, 11, 27, 23, 59)
			r.Seen = jst(2026, 11, 27, 12, 0)
		}, DeliveryDue, []string{
			"delivery-due/warn-3h@2026-11-27 20:59",
			"delivery-due/due@2026-11-27 23:59",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := baseRoom()
			tt.room(&r)
			var steps []Step
			for _, a := range Alerts(r, env) {
				if a.Kind == tt.kind {
					steps = Steps(a, env)
				}
			}
			got := describeSteps(steps)
			if len(got) > len(tt.want) {
				got = got[:len(tt.want)]
			}
			assertLines(t, got, tt.want)
		})
	}
}

func TestStepsAck(t *testing.T) {
	deadline := cancelRiskAlert.Deadline
	tests := []struct {
		name string
		acks []Ack
		want []string
	}{
		{"after two repeats: later repeats stop", []Ack{{Kind: CancelRisk, Deadline: deadline, At: jst(2026, 11, 24, 16, 0)}},
			cancelRiskSteps[:5]},
		{"before the deadline: the due step stays", []Ack{{Kind: CancelRisk, Deadline: deadline.UTC(), At: jst(2026, 11, 23, 20, 0)}},
			[]string{cancelRiskSteps[0], cancelRiskSteps[2]}},
		{"an older deadline is another alert", []Ack{{Kind: CancelRisk, Deadline: deadline.Add(-time.Hour), At: jst(2026, 11, 23, 20, 0)}},
			cancelRiskSteps},
		{"another kind", []Ack{{Kind: CheckIn, Deadline: deadline, At: jst(2026, 11, 23, 20, 0)}},
			cancelRiskSteps},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := Env{Policy: tokyoPolicy(), Acks: tt.acks}
			assertLines(t, describeSteps(Steps(cancelRiskAlert, env)), tt.want)
		})
	}
}

func TestStepsSnooze(t *testing.T) {
	tests := []struct {
		name   string
		alert  Alert
		snooze Snooze
		want   []string
	}{
		{"a warning due step waits", checkInAt(jst(2026, 11, 23, 11, 0)),
			Snooze{From: jst(2026, 11, 23, 9, 0), Until: jst(2026, 11, 23, 14, 0)},
			[]string{"check-in/due@2026-11-23 14:00 (at 2026-11-23 11:00)"}},
		{"a step at Until is not held", checkInAt(jst(2026, 11, 23, 14, 0)),
			Snooze{From: jst(2026, 11, 23, 9, 0), Until: jst(2026, 11, 23, 14, 0)},
			[]string{"check-in/due@2026-11-23 14:00"}},
		{"a step before From is not held", checkInAt(jst(2026, 11, 23, 8, 59)),
			Snooze{From: jst(2026, 11, 23, 9, 0), Until: jst(2026, 11, 23, 14, 0)},
			[]string{"check-in/due@2026-11-23 08:59"}},
		// The warns are held to 12:00, past the 10:00 deadline: a warning
		// after the breach says nothing the due step did not, so they go
		// (they used to be sent, collapsed, after the due step).
		{"a critical due step goes out; warns held past it are dropped", firstMessageAlert,
			Snooze{From: jst(2026, 11, 21, 9, 0), Until: jst(2026, 11, 22, 12, 0)},
			[]string{
				"first-message/due@2026-11-22 10:00",
			}},
		{"held warns collapse", firstMessageAlert,
			Snooze{From: jst(2026, 11, 21, 9, 0), Until: jst(2026, 11, 22, 8, 0)},
			[]string{
				"first-message/warn-3h@2026-11-22 08:00 (at 2026-11-22 07:00)",
				"first-message/due@2026-11-22 10:00",
			}},
		{"critical repeats are held like warns", cancelRiskAlert,
			Snooze{From: jst(2026, 11, 24, 0, 0), Until: jst(2026, 11, 25, 6, 0)},
			append([]string{
				"cancel-risk/warn-24h@2026-11-23 11:00",
				"cancel-risk/due@2026-11-24 11:00",
				"cancel-risk/repeat-9@2026-11-25 06:00 (at 2026-11-25 05:00)",
			}, cancelRiskSteps[12:]...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := Env{Policy: tokyoPolicy(), Snooze: tt.snooze}
			assertLines(t, describeSteps(Steps(tt.alert, env)), tt.want)
		})
	}
}

func TestStepsQuietHours(t *testing.T) {
	night := QuietHours{Start: 23 * time.Hour, End: 8 * time.Hour}
	lunch := QuietHours{Start: 12 * time.Hour, End: 13 * time.Hour}
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	rateBuyer := func(deadline time.Time) Alert {
		return Alert{Room: "4012345", Kind: RateBuyer, Severity: Info, Deadline: deadline}
	}
	tests := []struct {
		name  string
		quiet QuietHours
		loc   *time.Location
		alert Alert
		want  []string
	}{
		{"before the window", night, tokyo, checkInAt(jst(2026, 11, 23, 22, 59)),
			[]string{"check-in/due@2026-11-23 22:59"}},
		{"at the window's start", night, tokyo, checkInAt(jst(2026, 11, 23, 23, 0)),
			[]string{"check-in/due@2026-11-24 08:00 (at 2026-11-23 23:00)"}},
		{"before midnight, held to the next morning", night, tokyo, checkInAt(jst(2026, 11, 23, 23, 30)),
			[]string{"check-in/due@2026-11-24 08:00 (at 2026-11-23 23:30)"}},
		{"after midnight, held to the same morning", night, tokyo, checkInAt(jst(2026, 11, 24, 2, 0)),
			[]string{"check-in/due@2026-11-24 08:00 (at 2026-11-24 02:00)"}},
		{"at the window's end", night, tokyo, checkInAt(jst(2026, 11, 24, 8, 0)),
			[]string{"check-in/due@2026-11-24 08:00"}},
		{"given in UTC, judged on Tokyo's clock", night, tokyo, checkInAt(time.Date(2026, 11, 23, 15, 30, 0, 0, time.UTC)),
			[]string{"check-in/due@2026-11-24 08:00 (at 2026-11-24 00:30)"}},
		{"info is held too", night, tokyo, rateBuyer(jst(2027, 2, 17, 3, 0)),
			[]string{"rate-buyer/due@2027-02-17 08:00 (at 2027-02-17 03:00)"}},
		{"critical is never held", night, tokyo, Alert{Room: "4012345", Kind: FirstMessage, Severity: Critical,
			Deadline: jst(2026, 11, 22, 2, 0), Known: opened}, []string{
			"first-message/warn-24h@2026-11-21 02:00",
			"first-message/warn-3h@2026-11-21 23:00",
			"first-message/due@2026-11-22 02:00",
		}},
		// The repeats of the breach are held now: those of the night
		// collapse into one at 08:00, and the last one, at 23:59, waits
		// for the next morning. The breach itself still goes at once.
		{"delivery-due: the warning waits, the deadline does not, repeats wait", night, tokyo, deliveryDueAlert, append([]string{
			"delivery-due/warn-24h@2026-11-27 08:00 (at 2026-11-26 23:59)",
			"delivery-due/warn-3h@2026-11-27 20:59",
			"delivery-due/due@2026-11-27 23:59",
			"delivery-due/repeat-4@2026-11-28 08:00 (at 2026-11-28 07:59)",
		}, append(describeSteps(Steps(deliveryDueAlert, Env{Policy: tokyoPolicy()}))[7:14],
			"delivery-due/repeat-12@2026-11-29 08:00 (at 2026-11-28 23:59)")...)},
		{"a window within the day", lunch, tokyo, checkInAt(jst(2026, 11, 23, 12, 30)),
			[]string{"check-in/due@2026-11-23 13:00 (at 2026-11-23 12:30)"}},
		{"outside a window within the day", lunch, tokyo, checkInAt(jst(2026, 11, 23, 23, 30)),
			[]string{"check-in/due@2026-11-23 23:30"}},
		{"no location means UTC", night, nil, checkInAt(time.Date(2026, 11, 24, 0, 30, 0, 0, time.UTC)),
			[]string{"check-in/due@2026-11-24 17:00 (at 2026-11-24 09:30)"}},
		{"the window ends on the wall clock across a DST change", QuietHours{Start: time.Hour, End: 3 * time.Hour}, newYork,
			checkInAt(time.Date(2026, 3, 8, 1, 30, 0, 0, newYork)),
			// 01:30 EST is 15:30 in Tokyo; 03:00 EDT, one real hour later, is 16:00
			[]string{"check-in/due@2026-03-08 16:00 (at 2026-03-08 15:30)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pol := tokyoPolicy()
			pol.QuietHours, pol.Location = tt.quiet, tt.loc
			assertLines(t, describeSteps(Steps(tt.alert, Env{Policy: pol})), tt.want)
		})
	}
}

// TestStepsCollapse: warns held to the same morning are one message, the
// later one, since it says what is still true; warns held past the deadline
// are dropped, since the due step says the same.
func TestStepsCollapse(t *testing.T) {
	pol := tokyoPolicy()
	pol.WarnBefore = []time.Duration{6 * time.Hour, 3 * time.Hour}
	pol.QuietHours = QuietHours{Start: 23 * time.Hour, End: 8 * time.Hour}
	pol.RepeatFor = 4 * time.Hour
	a := deliveryDueAlert
	a.Deadline = jst(2026, 11, 28, 7, 0)
	// The warns (01:00, 04:00) are held to 08:00, after the 07:00 breach:
	// they used to follow the due step as one warn-3h; now they are dropped.
	assertLines(t, describeSteps(Steps(a, Env{Policy: pol})), []string{
		"delivery-due/due@2026-11-28 07:00",
		"delivery-due/repeat-1@2026-11-28 09:00",
		"delivery-due/repeat-2@2026-11-28 11:00",
	})
	a.Deadline = jst(2026, 11, 28, 9, 0)
	assertLines(t, describeSteps(Steps(a, Env{Policy: pol})), []string{
		"delivery-due/warn-3h@2026-11-28 08:00 (at 2026-11-28 06:00)",
		"delivery-due/due@2026-11-28 09:00",
		"delivery-due/repeat-1@2026-11-28 11:00",
		"delivery-due/repeat-2@2026-11-28 13:00",
	})
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{24 * time.Hour, "24h"},
		{3 * time.Hour, "3h"},
		{90 * time.Minute, "1h30m"},
		{45 * time.Minute, "45m"},
		{48 * time.Hour, "48h"},
		{2160 * time.Hour, "2160h"},
		{time.Hour + 30*time.Second, "1h30s"},
		{30 * time.Second, "30s"},
		{0, "0s"},
		{-3 * time.Hour, "-3h"},
		{1500 * time.Millisecond, "1.5s"},
	}
	for _, tt := range tests {
		if got := FormatDuration(tt.d); got != tt.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestStepNamesBeyondTheTables(t *testing.T) {
	if got := repeatName(100); got != "repeat-100" {
		t.Errorf("repeatName(100) = %q", got)
	}
	for i := range maxWarnNames + 3 {
		d := time.Duration(i+1) * time.Minute
		if got, want := warnName(d), "warn-"+FormatDuration(d); got != want {
			t.Fatalf("warnName(%v) = %q, want %q", d, got, want)
		}
	}
}

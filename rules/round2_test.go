package rules

import (
	"testing"
	"time"
)

// Issue 19's rules, each on concrete timelines of the Coconala order opened
// 2026-11-20 10:00 (baseRoom), unless a case says otherwise.

// TestDeliveryIsASellerMessage: rule 1. A formal delivery is posted in the
// room, so it counts as a seller message at that time; a push-back counts
// as a buyer message.
func TestDeliveryIsASellerMessage(t *testing.T) {
	tests := []struct {
		name    string
		profile string
		room    func(r *Room)
		want    []string
	}{
		{"a delivery with no message recorded: no first-message, a check-in from the delivery", "crowdworks",
			func(r *Room) { r.Delivered = jst(2026, 11, 21, 9, 0) },
			[]string{
				"check-in warning due=2026-11-24 09:00 known=2026-11-21 09:00",
				"eligible-to-close warning due=2026-11-24 09:00 known=2026-11-21 09:00",
			}},
		{"a delivery after the buyer's question answers it: no cancel-risk", "crowdworks",
			func(r *Room) {
				r.SellerMessage = jst(2026, 11, 20, 11, 0)
				r.BuyerMessage = jst(2026, 11, 21, 12, 0)
				r.Delivered = jst(2026, 11, 22, 9, 0)
			},
			[]string{
				"check-in warning due=2026-11-25 09:00 known=2026-11-22 09:00",
				"eligible-to-close warning due=2026-11-25 09:00 known=2026-11-22 09:00",
			}},
		{"a push-back is the buyer writing last: cancel-risk from the delivery", "coconala",
			func(r *Room) {
				r.Delivered = jst(2026, 11, 22, 9, 0)
				r.PushedBack = jst(2026, 11, 23, 20, 0)
			},
			[]string{
				"check-in warning due=2026-11-25 09:00 known=2026-11-22 09:00",
				"cancel-risk critical due=2026-11-26 09:00 known=2026-11-23 20:00",
				roomExpiry,
			}},
		{"before delivery, the seller's message is a seller message", "coconala",
			func(r *Room) {},
			[]string{
				"first-message critical due=2026-11-22 10:00 known=2026-11-20 10:00",
				roomExpiry,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := baseRoom()
			tt.room(&r)
			assertLines(t, describeAlerts(Alerts(r, envFor(tt.profile))), tt.want)
		})
	}
}

// TestAutomaticApproval: rule 2. Coconala approves 72 h after a delivery
// nobody pushed back: the room's running alerts stop there — a deadline at
// or after that instant is not live, and no step goes out at or after it
// (one held there by quiet hours is dropped) — and rate-buyer counts from it.
func TestAutomaticApproval(t *testing.T) {
	delivered := jst(2026, 11, 26, 1, 0) // approved 11-29 01:00
	tests := []struct {
		name    string
		profile string
		room    func(r *Room)
		policy  func(p *Policy)
		want    []string
	}{
		{"the buyer writes after delivery and never pushes back: no cancel-risk past the approval", "coconala",
			func(r *Room) { r.BuyerMessage = jst(2026, 11, 27, 12, 0) }, nil,
			[]string{"rate-buyer/due@2027-02-17 01:00"}},
		{"a deadline before the approval still goes out", "coconala", nil,
			func(p *Policy) { p.CloseAfterBuyerSilence = 48 * time.Hour },
			[]string{
				"eligible-to-close/due@2026-11-28 01:00",
				"rate-buyer/due@2027-02-17 01:00",
			}},
		{"a step held by quiet hours past the approval is dropped", "coconala", nil,
			func(p *Policy) {
				p.CloseAfterBuyerSilence = 71 * time.Hour // due 11-29 00:00
				p.QuietHours = QuietHours{Start: 0, End: 8 * time.Hour}
			},
			[]string{"rate-buyer/due@2027-02-17 08:00 (at 2027-02-17 01:00)"}},
		{"pushed back: no approval, the room runs", "coconala",
			func(r *Room) { r.PushedBack = jst(2026, 11, 27, 9, 0) }, nil,
			[]string{
				"room-expiry/due@2027-03-13 10:00",
			}},
		{"fiverr's rating window counts from the automatic completion", "fiverr", nil, nil,
			[]string{"rate-buyer/due@2026-12-06 01:00"}},
		{"no automatic approval on crowdworks", "crowdworks", nil, nil,
			[]string{
				"check-in/due@2026-11-29 01:00",
				"eligible-to-close/due@2026-11-29 01:00",
			}},
		{"a rating given before the approval is answered once the room is closed", "coconala",
			func(r *Room) { r.BuyerRated = jst(2026, 11, 27, 12, 0) }, nil,
			[]string{"rate-buyer/due@2026-11-29 01:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := baseRoom()
			r.Delivered = delivered
			if tt.room != nil {
				tt.room(&r)
			}
			env := envFor(tt.profile)
			if tt.policy != nil {
				tt.policy(&env.Policy)
			}
			got := describeSteps(Plan(r, env))
			// The pushed-back room also has a cancel-risk and a delivery
			// follow-up; only the kinds the case is about are compared.
			if tt.name == "pushed back: no approval, the room runs" {
				if kinds := kindsOf(Alerts(r, env)); !containsAll(kinds, CheckIn, CancelRisk, RoomExpiry) || containsAll(kinds, RateBuyer) {
					t.Errorf("kinds = %v, want check-in, cancel-risk and room-expiry, no rate-buyer", kinds)
				}
				return
			}
			assertLines(t, got, tt.want)
		})
	}
}

func containsAll(kinds []Kind, want ...Kind) bool {
	for _, w := range want {
		found := false
		for _, k := range kinds {
			found = found || k == w
		}
		if !found {
			return false
		}
	}
	return true
}

// TestClosedAt is what status shows: closed on record, or automatically.
func TestClosedAt(t *testing.T) {
	delivered := jst(2026, 11, 26, 18, 0)
	auto := jst(2026, 11, 29, 18, 0)
	tests := []struct {
		name          string
		profile       string
		room          func(r *Room)
		now           time.Time
		wantAt        time.Time
		wantAutomatic bool
		wantState     State
	}{
		{"awaiting approval", "coconala", func(r *Room) {}, auto.Add(-time.Minute), time.Time{}, false, StateDelivered},
		{"approved automatically at that instant", "coconala", func(r *Room) {}, auto, auto, true, StateClosed},
		{"closed on record before the approval", "coconala", func(r *Room) { r.Closed = jst(2026, 11, 27, 9, 0) },
			auto.Add(time.Hour), jst(2026, 11, 27, 9, 0), false, StateClosed},
		{"closed recorded late: the platform closed it first", "coconala", func(r *Room) { r.Closed = jst(2026, 12, 1, 9, 0) },
			jst(2026, 12, 2, 9, 0), auto, true, StateClosed},
		{"pushed back: not closed", "coconala", func(r *Room) { r.PushedBack = jst(2026, 11, 27, 9, 0) },
			jst(2026, 12, 2, 9, 0), time.Time{}, false, StateOpen},
		{"cancelled: not closed", "coconala", func(r *Room) { r.Cancelled = jst(2026, 11, 27, 9, 0) },
			jst(2026, 12, 2, 9, 0), time.Time{}, false, StateCancelled},
		{"no automatic approval", "crowdworks", func(r *Room) {}, jst(2026, 12, 20, 9, 0), time.Time{}, false, StateDelivered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := baseRoom()
			r.Delivered = delivered
			tt.room(&r)
			at, automatic := ClosedAt(r, Profiles[tt.profile], tt.now)
			if !at.Equal(tt.wantAt) || automatic != tt.wantAutomatic {
				t.Errorf("ClosedAt = %s, %v; want %s, %v", show(at), automatic, show(tt.wantAt), tt.wantAutomatic)
			}
			if got := StateAt(r, Profiles[tt.profile], tt.now); got != tt.wantState {
				t.Errorf("StateAt = %s, want %s", got, tt.wantState)
			}
		})
	}
}

// TestMayCancelLateReply: rule 3. The buyer wrote 11-21 12:00 and the
// seller answered five days later: the platform's "buyer unreachable" term
// ran out on 11-25, but the seller's own message has not gone unanswered
// for three days yet, so may-cancel waits until 11-29 12:00.
func TestMayCancelLateReply(t *testing.T) {
	tests := []struct {
		name   string
		seller time.Time
		want   string
	}{
		{"a late reply restarts the seller's term", jst(2026, 11, 26, 12, 0),
			"may-cancel info due=2026-11-29 12:00 known=2026-11-26 12:00"},
		{"a prompt reply: the platform's term is the later", jst(2026, 11, 21, 13, 0),
			"may-cancel info due=2026-11-25 12:00 known=2026-11-21 13:00"},
		{"equal terms", jst(2026, 11, 22, 12, 0),
			"may-cancel info due=2026-11-25 12:00 known=2026-11-22 12:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := baseRoom()
			r.BuyerMessage, r.SellerMessage = jst(2026, 11, 21, 12, 0), tt.seller
			var got string
			for _, a := range Alerts(r, envFor("coconala")) {
				if a.Kind == MayCancel {
					got = describeAlert(a)
				}
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	// A seller who does not use the term: the platform's alone.
	r := baseRoom()
	r.BuyerMessage, r.SellerMessage = jst(2026, 11, 21, 12, 0), jst(2026, 11, 26, 12, 0)
	env := envFor("coconala")
	env.Policy.CancelAfterBuyerSilence = 0
	for _, a := range Alerts(r, env) {
		if a.Kind == MayCancel && !a.Deadline.Equal(jst(2026, 11, 25, 12, 0)) {
			t.Errorf("with the seller's term off: %s", describeAlert(a))
		}
	}
}

// TestExtraPaymentBeforeDelivery: rule 4. A pending おひねり is asked for with
// the first delivery-due warning, or a day after opening without a due
// date; the alert at delivery stays, with a deadline of its own.
func TestExtraPaymentBeforeDelivery(t *testing.T) {
	due := jst(2026, 11, 27, 23, 59)
	tests := []struct {
		name string
		room func(r *Room)
		want []string
	}{
		{"with a due date: at the 24h delivery-due warning", func(r *Room) { r.Due = due }, []string{
			"extra-payment warning due=2026-11-26 23:59 known=2026-11-20 10:00 related=2026-11-27 23:59",
		}},
		{"seen after the 24h warning: at the 3h one", func(r *Room) {
			r.Due = due
			r.Seen = jst(2026, 11, 27, 10, 0)
		}, []string{
			"extra-payment warning due=2026-11-27 20:59 known=2026-11-27 10:00 related=2026-11-27 23:59",
		}},
		{"seen after every warning: at the due date", func(r *Room) {
			r.Due = due
			r.Seen = jst(2026, 11, 27, 22, 0)
		}, []string{
			"extra-payment warning due=2026-11-27 23:59 known=2026-11-27 22:00 related=2026-11-27 23:59",
		}},
		{"no due date: a day after opening", func(r *Room) {}, []string{
			"extra-payment warning due=2026-11-21 10:00 known=2026-11-20 10:00 related=2026-11-21 10:00",
		}},
		{"delivered: the alert at delivery", func(r *Room) {
			r.Due = due
			r.Delivered = jst(2026, 11, 25, 9, 0)
		}, []string{
			"extra-payment warning due=2026-11-25 09:00 known=2026-11-25 09:00",
		}},
		{"pushed back: still owed, and to collect before delivering again", func(r *Room) {
			r.Due = due
			r.Delivered = jst(2026, 11, 25, 9, 0)
			r.PushedBack = jst(2026, 11, 25, 20, 0)
		}, []string{
			"extra-payment warning due=2026-11-25 09:00 known=2026-11-25 09:00",
			"extra-payment warning due=2026-11-26 23:59 known=2026-11-25 20:00 related=2026-11-27 23:59",
		}},
		{"paid: nothing", func(r *Room) { r.Due = due; r.ExtraPayment = ExtraPaid }, nil},
		{"cancelled: nothing", func(r *Room) { r.Due = due; r.Cancelled = jst(2026, 11, 22, 9, 0) }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := baseRoom()
			r.SellerMessage = jst(2026, 11, 20, 11, 0)
			r.ExtraPayment = ExtraPending
			tt.room(&r)
			var got []string
			keys := map[string]bool{}
			for _, s := range Plan(r, envFor("crowdworks")) {
				if s.Kind != ExtraPayment {
					continue
				}
				got = append(got, describeAlert(s.Alert))
				if keys[s.Key()] {
					t.Errorf("two steps with the ledger key %s", s.Key())
				}
				keys[s.Key()] = true
				if before := ExtraPaymentBeforeDelivery(s.Alert); before != !s.Related.IsZero() || before == (s.Deadline.Equal(r.Delivered)) {
					t.Errorf("%s: ExtraPaymentBeforeDelivery = %v", describeAlert(s.Alert), before)
				}
			}
			assertLines(t, got, tt.want)
		})
	}
	// The before-delivery step falls with delivery-due's first warning.
	r := baseRoom()
	r.SellerMessage, r.Due, r.ExtraPayment = jst(2026, 11, 20, 11, 0), due, ExtraPending
	var warn, extra time.Time
	for _, s := range Plan(r, envFor("crowdworks")) {
		switch {
		case s.Kind == DeliveryDue && warn.IsZero():
			warn = s.SendAt
		case s.Kind == ExtraPayment:
			extra = s.SendAt
		}
	}
	if !extra.Equal(warn) {
		t.Errorf("extra-payment at %s, delivery-due's first warning at %s", show(extra), show(warn))
	}
}

// TestQuietHoursHoldRepeats: rule 5. The breach wakes the seller once; its
// repeats wait for the morning and collapse into one; a warn step held
// past its own deadline is dropped.
func TestQuietHoursHoldRepeats(t *testing.T) {
	night := QuietHours{Start: 23 * time.Hour, End: 8 * time.Hour}
	lateRisk := Alert{Room: "4012345", Kind: CancelRisk, Severity: Critical,
		Deadline: jst(2026, 11, 24, 23, 0), Known: jst(2026, 11, 21, 12, 0)}
	dawnDelivery := Alert{Room: "4012345", Kind: DeliveryDue, Severity: Critical,
		Deadline: jst(2026, 11, 28, 6, 0), Known: opened}
	tests := []struct {
		name   string
		alert  Alert
		policy func(p *Policy)
		want   []string
	}{
		{"cancel-risk breached at 23:00: the breach at once, the night's repeats as one at 08:00", lateRisk,
			func(p *Policy) { p.RepeatFor = 12 * time.Hour }, []string{
				"cancel-risk/warn-24h@2026-11-23 23:00",
				"cancel-risk/warn-3h@2026-11-24 20:00",
				"cancel-risk/due@2026-11-24 23:00",
				"cancel-risk/repeat-4@2026-11-25 08:00 (at 2026-11-25 07:00)",
				"cancel-risk/repeat-5@2026-11-25 09:00",
				"cancel-risk/repeat-6@2026-11-25 11:00",
			}},
		{"critical warns inside the window still go out", Alert{Room: "4012345", Kind: FirstMessage, Severity: Critical,
			Deadline: jst(2026, 11, 22, 3, 0), Known: opened}, nil, []string{
			"first-message/warn-24h@2026-11-21 03:00",
			"first-message/warn-3h@2026-11-22 00:00",
			"first-message/due@2026-11-22 03:00",
		}},
		{"delivery due at 06:00: warn-3h held past it is dropped, the repeats wait", dawnDelivery,
			func(p *Policy) { p.RepeatFor = 6 * time.Hour }, []string{
				"delivery-due/warn-24h@2026-11-27 08:00 (at 2026-11-27 06:00)",
				"delivery-due/due@2026-11-28 06:00",
				"delivery-due/repeat-1@2026-11-28 08:00",
				"delivery-due/repeat-2@2026-11-28 10:00",
				"delivery-due/repeat-3@2026-11-28 12:00",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pol := tokyoPolicy()
			pol.QuietHours = night
			if tt.policy != nil {
				tt.policy(&pol)
			}
			assertLines(t, describeSteps(Steps(tt.alert, Env{Policy: pol})), tt.want)
		})
	}
}

// TestQuietHoursDST: rule 6. The window ends at the first instant after the
// step at which the local clock shows the end time: on a fall-back night
// the second showing when the step is in the repeated hour, and when a
// spring-forward skips the end time, the instant of the jump.
func TestQuietHoursDST(t *testing.T) {
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	utc := func(mo time.Month, d, h, mi int) time.Time { return time.Date(2026, mo, d, h, mi, 0, 0, time.UTC) }
	hm := func(h, m int) time.Duration { return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute }
	tests := []struct {
		name  string
		loc   *time.Location
		quiet QuietHours
		step  time.Time
		want  time.Time // zero: not held
	}{
		// New York springs forward on 2026-03-08: 02:00 EST becomes 03:00 EDT.
		{"New York spring-forward, an ordinary night: 23:30 EST to 08:00 EDT", newYork, QuietHours{hm(23, 0), hm(8, 0)},
			utc(3, 8, 4, 30), utc(3, 8, 12, 0)},
		{"New York spring-forward, the end time skipped: held to the jump", newYork, QuietHours{hm(23, 0), hm(2, 30)},
			utc(3, 8, 6, 45), utc(3, 8, 7, 0)}, // 01:45 EST → 03:00 EDT
		{"New York spring-forward, a window ending after the gap", newYork, QuietHours{hm(1, 0), hm(3, 0)},
			utc(3, 8, 6, 30), utc(3, 8, 7, 0)}, // 01:30 EST → 03:00 EDT
		// New York falls back on 2026-11-01: 02:00 EDT becomes 01:00 EST.
		{"New York fall-back, step in the first 01:10: the first 01:30", newYork, QuietHours{hm(0, 30), hm(1, 30)},
			utc(11, 1, 5, 10), utc(11, 1, 5, 30)}, // 01:10 EDT → 01:30 EDT
		{"New York fall-back, step in the repeated 01:10: the second 01:30, not before itself", newYork, QuietHours{hm(0, 30), hm(1, 30)},
			utc(11, 1, 6, 10), utc(11, 1, 6, 30)}, // 01:10 EST → 01:30 EST
		{"New York fall-back, an ordinary night: 23:30 EDT to 08:00 EST", newYork, QuietHours{hm(23, 0), hm(8, 0)},
			utc(11, 1, 3, 30), utc(11, 1, 13, 0)},
		{"New York fall-back, between the two 01:30s the clock is past the end", newYork, QuietHours{hm(0, 30), hm(1, 30)},
			utc(11, 1, 5, 45), time.Time{}}, // 01:45 EDT
		// Berlin springs forward on 2026-03-29 (02:00 CET → 03:00 CEST) and
		// falls back on 2026-10-25 (03:00 CEST → 02:00 CET).
		{"Berlin spring-forward, the end time skipped: held to the jump", berlin, QuietHours{hm(23, 0), hm(2, 30)},
			utc(3, 29, 0, 30), utc(3, 29, 1, 0)}, // 01:30 CET → 03:00 CEST
		{"Berlin spring-forward, an ordinary night: 23:30 CET to 07:00 CEST", berlin, QuietHours{hm(23, 0), hm(7, 0)},
			utc(3, 28, 22, 30), utc(3, 29, 5, 0)},
		{"Berlin fall-back, step in the first 02:10: the first 02:30", berlin, QuietHours{hm(1, 0), hm(2, 30)},
			utc(10, 25, 0, 10), utc(10, 25, 0, 30)}, // 02:10 CEST → 02:30 CEST
		{"Berlin fall-back, step in the repeated 02:10: the second 02:30", berlin, QuietHours{hm(1, 0), hm(2, 30)},
			utc(10, 25, 1, 10), utc(10, 25, 1, 30)}, // 02:10 CET → 02:30 CET
		{"Berlin fall-back, an ordinary night: 23:30 CEST to 07:00 CET", berlin, QuietHours{hm(23, 0), hm(7, 0)},
			utc(10, 24, 21, 30), utc(10, 25, 6, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pol := DefaultPolicy()
			pol.QuietHours, pol.Location = tt.quiet, tt.loc
			got, held := quietEnd(pol, tt.step)
			if held != !tt.want.IsZero() || !got.Equal(tt.want) {
				t.Fatalf("quietEnd(%s) = %s, %v; want %s", tt.step.In(tt.loc).Format("01-02 15:04 MST"),
					got.In(tt.loc).Format("01-02 15:04 MST"), held, tt.want.In(tt.loc).Format("01-02 15:04 MST"))
			}
			if held && !got.After(tt.step) {
				t.Errorf("held to %s, not after the step", got)
			}
			// Through Steps: a check-in due at the step goes out then.
			a := checkInAt(tt.step)
			steps := Steps(a, Env{Policy: pol})
			if want := cmpOr(tt.want, tt.step); len(steps) != 1 || !steps[0].SendAt.Equal(want) {
				t.Errorf("Steps: %v, want one step at %s", describeSteps(steps), want)
			}
		})
	}
}

func cmpOr(a, b time.Time) time.Time {
	if a.IsZero() {
		return b
	}
	return a
}

// TestCancelRequest: rule 8. The buyer's cancellation request gives the
// seller 24 h: warned like the other critical kinds, never held by quiet
// hours, resolved by a cancellation or by a seller message after it.
func TestCancelRequest(t *testing.T) {
	request := jst(2026, 11, 25, 2, 0) // due 11-26 02:00, inside the night
	tests := []struct {
		name string
		room func(r *Room)
		want []string
	}{
		{"warned at the request and 3 h before, due in the night, no repeats", func(r *Room) {}, []string{
			"cancel-request/warn-24h@2026-11-25 02:00",
			"cancel-request/warn-3h@2026-11-25 23:00",
			"cancel-request/due@2026-11-26 02:00",
		}},
		{"a seller message before the request does not answer it", func(r *Room) {
			r.SellerMessage = request.Add(-time.Minute)
		}, []string{
			"cancel-request/warn-24h@2026-11-25 02:00",
			"cancel-request/warn-3h@2026-11-25 23:00",
			"cancel-request/due@2026-11-26 02:00",
		}},
		{"a seller message at the same minute does not either", func(r *Room) { r.SellerMessage = request }, []string{
			"cancel-request/warn-24h@2026-11-25 02:00",
			"cancel-request/warn-3h@2026-11-25 23:00",
			"cancel-request/due@2026-11-26 02:00",
		}},
		{"a seller message after it (the send-back) resolves it", func(r *Room) {
			r.SellerMessage = request.Add(time.Hour)
		}, nil},
		{"a delivery after it is a seller message too", func(r *Room) {
			r.Delivered = request.Add(time.Hour)
		}, nil},
		{"cancelled: resolved", func(r *Room) { r.Cancelled = request.Add(time.Hour) }, nil},
		{"seen late: only the warnings still ahead", func(r *Room) { r.Seen = jst(2026, 11, 25, 12, 0) }, []string{
			"cancel-request/warn-3h@2026-11-25 23:00",
			"cancel-request/due@2026-11-26 02:00",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := baseRoom()
			r.SellerMessage = jst(2026, 11, 20, 11, 0)
			r.CancelRequested = request
			tt.room(&r)
			env := envFor("coconala")
			env.Policy.QuietHours = QuietHours{Start: 23 * time.Hour, End: 8 * time.Hour}
			var got []string
			for _, s := range Plan(r, env) {
				if s.Kind == CancelRequest {
					got = append(got, describeStep(s))
				}
			}
			assertLines(t, got, tt.want)
		})
	}
	// Platforms without the rule produce nothing.
	r := baseRoom()
	r.CancelRequested = request
	for _, a := range Alerts(r, envFor("fiverr")) {
		if a.Kind == CancelRequest {
			t.Errorf("fiverr has no cancellation request clock, got %s", describeAlert(a))
		}
	}
}

// A room delivered on 11/26 18:00 with a buyer message on 11/26 20:00 has a
// check-in due 11/29 18:00 — the same instant Coconala approves — so take a
// delivery at 11/26 18:00 and a buyer message that makes cancel-risk fall due
// before the approval: the seller's last message is the delivery, the buyer
// wrote after it, and cancel-risk is due at delivery + 96h, after the
// approval, so it is not live at all; a first-message-free room keeps
// check-in (due 11/29 18:00 = approval, moot) — so the interesting alert is
// one due before the approval: send-terms of a quote order.
func TestAlertsAtDropsRunningRoomAlertsOnceApproved(t *testing.T) {
	r := baseRoom()
	r.Via = ViaQuote // send-terms, due at opened, needs the room running
	r.SellerMessage = jst(2026, 11, 20, 11, 0)
	r.Delivered = jst(2026, 11, 26, 18, 0)
	env := envFor("coconala")
	auto := jst(2026, 11, 29, 18, 0)

	kinds := func(alerts []Alert) []Kind {
		var ks []Kind
		for _, a := range alerts {
			ks = append(ks, a.Kind)
		}
		return ks
	}
	before := kinds(AlertsAt(r, env, auto.Add(-time.Minute)))
	if !slicesContains(before, SendTerms) || !slicesContains(before, RateBuyer) {
		t.Fatalf("a minute before the approval: %v, want send-terms and rate-buyer", before)
	}
	after := kinds(AlertsAt(r, env, auto))
	if slicesContains(after, SendTerms) {
		t.Errorf("at the approval the room is closed, yet send-terms stands: %v", after)
	}
	if !slicesContains(after, RateBuyer) {
		t.Errorf("at the approval rate-buyer must stand: %v", after)
	}
	// Alerts, the timeless list Plan uses, keeps send-terms: its step came
	// before the approval.
	if all := kinds(Alerts(r, env)); !slicesContains(all, SendTerms) {
		t.Errorf("Alerts dropped send-terms: %v", all)
	}
}

func slicesContains(ks []Kind, k Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

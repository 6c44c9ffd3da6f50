package rules

import (
	"slices"
	"testing"
	"time"
)

// roomExpiry is the Coconala 120-day limit of a room opened at `opened`.
const roomExpiry = "room-expiry info due=2027-03-13 10:00 known=2026-11-20 10:00 related=2027-03-20 10:00"

func TestAlertsTimelines(t *testing.T) {
	tests := []struct {
		name    string
		profile string
		room    func(r *Room)
		env     func(e *Env)
		want    []string
	}{
		{
			name:    "seller has not written yet",
			profile: "coconala",
			room:    func(r *Room) {},
			want: []string{
				"first-message critical due=2026-11-22 10:00 known=2026-11-20 10:00",
				roomExpiry,
			},
		},
		{
			name:    "no opened time, no rule built on it",
			profile: "coconala",
			room:    func(r *Room) { r.Opened = time.Time{} },
			want:    []string{},
		},
		{
			name:    "buyer wrote last",
			profile: "coconala",
			room: func(r *Room) {
				r.SellerMessage = jst(2026, 11, 20, 11, 0)
				r.BuyerMessage = jst(2026, 11, 21, 12, 0)
			},
			want: []string{
				"check-in warning due=2026-11-23 11:00 known=2026-11-20 11:00",
				"cancel-risk critical due=2026-11-24 11:00 known=2026-11-21 12:00",
				roomExpiry,
			},
		},
		{
			name:    "seller wrote last",
			profile: "coconala",
			room: func(r *Room) {
				r.BuyerMessage = jst(2026, 11, 21, 12, 0)
				r.SellerMessage = jst(2026, 11, 21, 15, 0)
			},
			want: []string{
				"check-in warning due=2026-11-24 15:00 known=2026-11-21 15:00",
				"may-cancel info due=2026-11-25 12:00 known=2026-11-21 15:00",
				roomExpiry,
			},
		},
		{
			name:    "both wrote at the same minute: nobody waits on the seller",
			profile: "coconala",
			room: func(r *Room) {
				r.BuyerMessage = jst(2026, 11, 21, 12, 0)
				r.SellerMessage = jst(2026, 11, 21, 12, 0)
			},
			want: []string{
				"check-in warning due=2026-11-24 12:00 known=2026-11-21 12:00",
				"may-cancel info due=2026-11-25 12:00 known=2026-11-21 12:00",
				roomExpiry,
			},
		},
		{
			name:    "buyer never wrote: may-cancel counts from opening",
			profile: "coconala",
			room:    func(r *Room) { r.SellerMessage = jst(2026, 11, 20, 10, 30) },
			want: []string{
				"check-in warning due=2026-11-23 10:30 known=2026-11-20 10:30",
				"may-cancel info due=2026-11-24 10:00 known=2026-11-20 10:30",
				roomExpiry,
			},
		},
		{
			name:    "seller's own cancel term longer than the platform's",
			profile: "coconala",
			room:    func(r *Room) { r.SellerMessage = jst(2026, 11, 20, 10, 30) },
			env:     func(e *Env) { e.Policy.CancelAfterBuyerSilence = 120 * time.Hour },
			want: []string{
				"check-in warning due=2026-11-23 10:30 known=2026-11-20 10:30",
				// The seller's term counts from the seller's own message
				// (10:30 + 120h), no longer from the opening (10:00 + 120h).
				"may-cancel info due=2026-11-25 10:30 known=2026-11-20 10:30",
				roomExpiry,
			},
		},
		{
			name:    "delivery due, known since the room was seen",
			profile: "coconala",
			room: func(r *Room) {
				r.SellerMessage = jst(2026, 11, 20, 11, 0)
				r.BuyerMessage = jst(2026, 11, 20, 10, 50)
				r.Due = jst(2026, 11, 27, 23, 59)
				r.Seen = jst(2026, 11, 20, 10, 5)
			},
			want: []string{
				"check-in warning due=2026-11-23 11:00 known=2026-11-20 11:00",
				"delivery-due critical due=2026-11-27 23:59 known=2026-11-20 10:05",
				"may-cancel info due=2026-11-24 10:50 known=2026-11-20 11:00",
				"room-expiry info due=2027-03-13 10:00 known=2026-11-20 10:05 related=2027-03-20 10:00",
			},
		},
		{
			name:    "delivered, buyer silent since",
			profile: "coconala",
			room: func(r *Room) {
				r.BuyerMessage = jst(2026, 11, 21, 12, 0)
				r.SellerMessage = jst(2026, 11, 26, 18, 0)
				r.Delivered = jst(2026, 11, 26, 18, 0)
				r.Due = jst(2026, 11, 27, 23, 59)
			},
			// Coconala approves by itself at 11-29 18:00: the check-in and
			// eligible-to-close fall on that very instant and the room
			// expiry after it, so none is live; rate-buyer counts from then.
			want: []string{
				"rate-buyer info due=2027-02-17 18:00 known=2026-11-29 18:00 related=2027-02-24 18:00",
			},
		},
		{
			name:    "delivered, buyer silent since, on a platform that never approves by itself",
			profile: "crowdworks",
			room: func(r *Room) {
				r.BuyerMessage = jst(2026, 11, 21, 12, 0)
				r.SellerMessage = jst(2026, 11, 26, 18, 0)
				r.Delivered = jst(2026, 11, 26, 18, 0)
			},
			want: []string{
				"check-in warning due=2026-11-29 18:00 known=2026-11-26 18:00",
				"eligible-to-close warning due=2026-11-29 18:00 known=2026-11-26 18:00",
			},
		},
		{
			name:    "delivered, buyer says they are still checking",
			profile: "coconala",
			room: func(r *Room) {
				r.SellerMessage = jst(2026, 11, 26, 18, 0)
				r.Delivered = jst(2026, 11, 26, 18, 0)
				r.BuyerMessage = jst(2026, 11, 28, 9, 0)
			},
			// A buyer message is no push-back: Coconala still approves at
			// 11-29 18:00, before the cancel-risk and eligible-to-close
			// deadlines, and the check-in falls on that instant.
			want: []string{
				"rate-buyer info due=2027-02-17 18:00 known=2026-11-29 18:00 related=2027-02-24 18:00",
			},
		},
		{
			name:    "delivered, buyer still checking, no automatic approval",
			profile: "crowdworks",
			room: func(r *Room) {
				r.SellerMessage = jst(2026, 11, 26, 18, 0)
				r.Delivered = jst(2026, 11, 26, 18, 0)
				r.BuyerMessage = jst(2026, 11, 28, 9, 0)
			},
			// crowdworks has no seller_silence_cancel: no cancel-risk.
			want: []string{
				"check-in warning due=2026-11-29 18:00 known=2026-11-26 18:00",
				"eligible-to-close warning due=2026-12-01 09:00 known=2026-11-28 09:00",
			},
		},
		{
			name:    "delivered, still checking after a week: close a week after delivery",
			profile: "coconala",
			room: func(r *Room) {
				r.Delivered = jst(2026, 11, 26, 18, 0)
				r.SellerMessage = jst(2026, 12, 1, 9, 30)
				r.BuyerMessage = jst(2026, 12, 2, 10, 0)
			},
			// Every message came after Coconala's automatic approval at
			// 11-29 18:00: the room is closed, whatever was said since.
			want: []string{
				"rate-buyer info due=2027-02-17 18:00 known=2026-11-29 18:00 related=2027-02-24 18:00",
			},
		},
		{
			name:    "still checking after a week, no automatic approval: close a week after delivery",
			profile: "crowdworks",
			room: func(r *Room) {
				r.Delivered = jst(2026, 11, 26, 18, 0)
				r.SellerMessage = jst(2026, 12, 1, 9, 30)
				r.BuyerMessage = jst(2026, 12, 2, 10, 0)
			},
			want: []string{
				"check-in warning due=2026-12-04 09:30 known=2026-12-01 09:30",
				"eligible-to-close warning due=2026-12-03 18:00 known=2026-12-02 10:00",
			},
		},
		{
			name:    "upwork names its 14-day milestone release",
			profile: "upwork",
			room: func(r *Room) {
				r.SellerMessage = jst(2026, 11, 26, 18, 0)
				r.Delivered = jst(2026, 11, 26, 18, 0)
			},
			// Upwork releases the milestone by itself on 12-10 18:00, and
			// its rating window counts from then (rate-buyer).
			want: []string{
				"check-in warning due=2026-11-29 18:00 known=2026-11-26 18:00",
				"eligible-to-close warning due=2026-11-29 18:00 known=2026-11-26 18:00 related=2026-12-10 18:00",
				"rate-buyer info due=2026-12-17 18:00 known=2026-12-10 18:00 related=2026-12-24 18:00",
			},
		},
		{
			name:    "crowdworks has no automatic approval to name",
			profile: "crowdworks",
			room: func(r *Room) {
				r.SellerMessage = jst(2026, 11, 26, 18, 0)
				r.Delivered = jst(2026, 11, 26, 18, 0)
			},
			want: []string{
				"check-in warning due=2026-11-29 18:00 known=2026-11-26 18:00",
				"eligible-to-close warning due=2026-11-29 18:00 known=2026-11-26 18:00",
			},
		},
		{
			name:    "delivered with an unpaid extra payment",
			profile: "coconala",
			room: func(r *Room) {
				r.SellerMessage = jst(2026, 11, 26, 18, 0)
				r.Delivered = jst(2026, 11, 26, 18, 0)
				r.ExtraPayment = ExtraPending
			},
			// Still owed after the automatic approval of 11-29 18:00, which
			// ends the check-in and eligible-to-close (both due then).
			want: []string{
				"extra-payment warning due=2026-11-26 18:00 known=2026-11-26 18:00",
				"rate-buyer info due=2027-02-17 18:00 known=2026-11-29 18:00 related=2027-02-24 18:00",
			},
		},
		{
			name:    "extra payment pending but not delivered yet",
			profile: "fiverr",
			room: func(r *Room) {
				r.SellerMessage = jst(2026, 11, 20, 11, 0)
				r.ExtraPayment = ExtraPending
			},
			// Collect it before delivering: with no due date, a day after
			// the room opened; Related marks it as the before-delivery one.
			want: []string{
				"check-in warning due=2026-11-23 11:00 known=2026-11-20 11:00",
				"extra-payment warning due=2026-11-21 10:00 known=2026-11-20 10:00 related=2026-11-21 10:00",
			},
		},
		{
			name:    "extra payment paid",
			profile: "fiverr",
			room: func(r *Room) {
				r.SellerMessage = jst(2026, 11, 26, 18, 0)
				r.Delivered = jst(2026, 11, 26, 18, 0)
				r.ExtraPayment = ExtraPaid
			},
			// Nothing owed. Fiverr completes the order by itself at 11-29
			// 18:00, the instant of the check-in and eligible-to-close.
			want: []string{
				"rate-buyer info due=2026-12-06 18:00 known=2026-11-29 18:00 related=2026-12-13 18:00",
			},
		},
		{
			name:    "bought through a quote",
			profile: "coconala",
			room:    func(r *Room) { r.Via = ViaQuote },
			want: []string{
				"first-message critical due=2026-11-22 10:00 known=2026-11-20 10:00",
				"send-terms warning due=2026-11-20 10:00 known=2026-11-20 10:00",
				roomExpiry,
			},
		},
		{
			name:    "the buyer's earlier room is still open",
			profile: "coconala",
			room:    func(r *Room) {},
			env:     func(e *Env) { e.SameBuyer = []string{"4012300"} },
			want: []string{
				"first-message critical due=2026-11-22 10:00 known=2026-11-20 10:00",
				"buyer-open-rooms warning due=2026-11-20 10:00 known=2026-11-20 10:00 others=4012300",
				roomExpiry,
			},
		},
		{
			name:    "lancers deal limit topped up by the latest message",
			profile: "lancers",
			room: func(r *Room) {
				r.SellerMessage = jst(2026, 12, 1, 9, 0)
				r.BuyerMessage = jst(2026, 12, 2, 10, 0)
			},
			want: []string{
				"check-in warning due=2026-12-04 09:00 known=2026-12-01 09:00",
				"room-expiry info due=2027-11-25 10:00 known=2026-12-02 10:00 related=2027-12-02 10:00",
			},
		},
		{
			name:    "roomwatch learned of the room late",
			profile: "coconala",
			room:    func(r *Room) { r.Seen = jst(2026, 11, 21, 20, 0) },
			want: []string{
				"first-message critical due=2026-11-22 10:00 known=2026-11-21 20:00",
				"room-expiry info due=2027-03-13 10:00 known=2026-11-21 20:00 related=2027-03-20 10:00",
			},
		},
		{
			name:    "a seller who turned check-ins off",
			profile: "fiverr",
			room:    func(r *Room) { r.SellerMessage = jst(2026, 11, 20, 11, 0) },
			env:     func(e *Env) { e.Policy.CheckInEvery = 0 },
			want:    []string{},
		},
		{
			name:    "a seller who only closes on buyer silence",
			profile: "fiverr",
			room: func(r *Room) {
				r.Delivered = jst(2026, 11, 26, 18, 0)
				r.BuyerMessage = jst(2026, 12, 2, 10, 0)
			},
			env: func(e *Env) { e.Policy.CheckInEvery, e.Policy.CloseAfterDelivery = 0, 0 },
			// The buyer wrote after fiverr completed the order by itself
			// (11-29 18:00): the room is closed, only rate-buyer is left.
			want: []string{
				"rate-buyer info due=2026-12-06 18:00 known=2026-11-29 18:00 related=2026-12-13 18:00",
			},
		},
		{
			name:    "a seller who only closes on buyer silence, no automatic approval",
			profile: "crowdworks",
			room: func(r *Room) {
				r.Delivered = jst(2026, 11, 26, 18, 0)
				r.BuyerMessage = jst(2026, 12, 2, 10, 0)
			},
			env: func(e *Env) { e.Policy.CheckInEvery, e.Policy.CloseAfterDelivery = 0, 0 },
			want: []string{
				"eligible-to-close warning due=2026-12-05 10:00 known=2026-12-02 10:00",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := baseRoom()
			tt.room(&r)
			env := envFor(tt.profile)
			if tt.env != nil {
				tt.env(&env)
			}
			alerts := Alerts(r, env)
			for _, a := range alerts {
				if a.Room != r.ID {
					t.Errorf("%s: Room = %q, want %q", a.Kind, a.Room, r.ID)
				}
			}
			assertLines(t, describeAlerts(alerts), tt.want)
		})
	}
}

// TestAlertsByProfile walks one order through its life on every platform
// and checks which kinds each platform produces at each stage.
func TestAlertsByProfile(t *testing.T) {
	stages := []struct {
		name string
		room func(r *Room)
	}{
		{"fresh", func(r *Room) {}},
		{"buyer wrote last", func(r *Room) {
			r.SellerMessage = jst(2026, 11, 20, 11, 0)
			r.BuyerMessage = jst(2026, 11, 21, 12, 0)
		}},
		{"seller wrote last", func(r *Room) {
			r.BuyerMessage = jst(2026, 11, 21, 12, 0)
			r.SellerMessage = jst(2026, 11, 21, 15, 0)
		}},
		{"delivered", func(r *Room) {
			r.BuyerMessage = jst(2026, 11, 21, 12, 0)
			r.SellerMessage = jst(2026, 11, 26, 18, 0)
			r.Delivered = jst(2026, 11, 26, 18, 0)
		}},
		{"closed", func(r *Room) {
			r.SellerMessage = jst(2026, 11, 26, 18, 0)
			r.Delivered = jst(2026, 11, 26, 18, 0)
			r.Closed = jst(2026, 11, 29, 18, 0)
		}},
		{"cancelled", func(r *Room) {
			r.SellerMessage = jst(2026, 11, 20, 11, 0)
			r.BuyerMessage = jst(2026, 11, 21, 12, 0)
			r.Cancelled = jst(2026, 11, 23, 9, 0)
		}},
	}
	// Every stage carries the same order-wide facts: a quote purchase with a
	// due date, an unpaid extra payment and an earlier room of the buyer.
	common := func(r *Room) {
		r.Via = ViaQuote
		r.Due = jst(2026, 11, 27, 23, 59)
		r.ExtraPayment = ExtraPending
	}
	type kinds = []Kind
	// The unpaid extra payment is asked for before delivery too (with the
	// first delivery-due warning), and a delivery on a platform with
	// automatic approval closes the room at delivered + auto_approval:
	// Coconala and fiverr approve at 11-29 18:00, the very instant of the
	// check-in and eligible-to-close, so those and the room expiry are not
	// live and rate-buyer is; upwork approves on 12-10, after them.
	want := map[string][]kinds{ // per profile, one entry per stage
		"coconala": {
			{FirstMessage, DeliveryDue, ExtraPayment, SendTerms, BuyerOpenRooms, RoomExpiry},
			{CheckIn, CancelRisk, DeliveryDue, ExtraPayment, SendTerms, BuyerOpenRooms, RoomExpiry},
			{CheckIn, DeliveryDue, MayCancel, ExtraPayment, SendTerms, BuyerOpenRooms, RoomExpiry},
			{ExtraPayment, SendTerms, BuyerOpenRooms, RateBuyer},
			{ExtraPayment, RateBuyer},
			{ExportFiles},
		},
		"fiverr": {
			{DeliveryDue, ExtraPayment, SendTerms, BuyerOpenRooms},
			{CheckIn, DeliveryDue, ExtraPayment, SendTerms, BuyerOpenRooms},
			{CheckIn, DeliveryDue, ExtraPayment, SendTerms, BuyerOpenRooms},
			{ExtraPayment, SendTerms, BuyerOpenRooms, RateBuyer},
			{ExtraPayment, RateBuyer},
			{},
		},
		"upwork": {
			{DeliveryDue, ExtraPayment, SendTerms, BuyerOpenRooms},
			{CheckIn, DeliveryDue, ExtraPayment, SendTerms, BuyerOpenRooms},
			{CheckIn, DeliveryDue, ExtraPayment, SendTerms, BuyerOpenRooms},
			{CheckIn, EligibleToClose, ExtraPayment, SendTerms, BuyerOpenRooms, RateBuyer},
			{ExtraPayment, RateBuyer},
			{},
		},
		"crowdworks": {
			{DeliveryDue, ExtraPayment, SendTerms, BuyerOpenRooms},
			{CheckIn, DeliveryDue, ExtraPayment, SendTerms, BuyerOpenRooms},
			{CheckIn, DeliveryDue, ExtraPayment, SendTerms, BuyerOpenRooms},
			{CheckIn, EligibleToClose, ExtraPayment, SendTerms, BuyerOpenRooms},
			{ExtraPayment, RateBuyer},
			{},
		},
		"lancers": {
			{DeliveryDue, ExtraPayment, SendTerms, BuyerOpenRooms, RoomExpiry},
			{CheckIn, DeliveryDue, ExtraPayment, SendTerms, BuyerOpenRooms, RoomExpiry},
			{CheckIn, DeliveryDue, ExtraPayment, SendTerms, BuyerOpenRooms, RoomExpiry},
			{CheckIn, EligibleToClose, ExtraPayment, SendTerms, BuyerOpenRooms, RoomExpiry},
			{ExtraPayment},
			{},
		},
	}
	if len(want) != len(Profiles) {
		t.Fatalf("table covers %d profiles, Profiles has %d", len(want), len(Profiles))
	}
	for profile, perStage := range want {
		for i, stage := range stages {
			t.Run(profile+"/"+stage.name, func(t *testing.T) {
				r := baseRoom()
				common(&r)
				stage.room(&r)
				env := envFor(profile)
				env.SameBuyer = []string{"4012300"}
				if got := kindsOf(Alerts(r, env)); !slices.Equal(got, perStage[i]) {
					t.Errorf("kinds = %v, want %v", got, perStage[i])
				}
			})
		}
	}
}

// TestCancelRiskOnlyWhenBuyerWroteLast: the buyer's cancel right opens only
// when the seller left the buyer's message unanswered, before or after delivery.
func TestCancelRiskOnlyWhenBuyerWroteLast(t *testing.T) {
	seller, buyer := jst(2026, 11, 21, 9, 0), jst(2026, 11, 21, 12, 0)
	for _, delivered := range []time.Time{{}, jst(2026, 11, 20, 18, 0)} {
		tests := []struct {
			name            string
			seller, buyer   time.Time
			wantCancelRisk  bool
			wantSellerClock bool // may-cancel, before delivery only
		}{
			{"buyer last", seller, buyer, true, false},
			{"seller last", buyer, seller, false, true},
		}
		for _, tt := range tests {
			r := baseRoom()
			r.SellerMessage, r.BuyerMessage, r.Delivered = tt.seller, tt.buyer, delivered
			// Automatic approval would close the delivered room before the
			// cancel-risk deadline; this test is about who wrote last.
			env := envFor("coconala")
			env.Profile.AutoApproval = 0
			kinds := kindsOf(Alerts(r, env))
			if got := slices.Contains(kinds, CancelRisk); got != tt.wantCancelRisk {
				t.Errorf("%s, delivered=%s: cancel-risk = %v, want %v (%v)", tt.name, show(delivered), got, tt.wantCancelRisk, kinds)
			}
			wantMayCancel := tt.wantSellerClock && delivered.IsZero()
			if got := slices.Contains(kinds, MayCancel); got != wantMayCancel {
				t.Errorf("%s, delivered=%s: may-cancel = %v, want %v (%v)", tt.name, show(delivered), got, wantMayCancel, kinds)
			}
		}
	}
}

// TestDeliveryPushBackRedelivery records the events of one order in turn and
// checks the alerts after each: eligible-to-close follows the latest
// delivery, and delivery-due returns while the delivery is pushed back.
func TestDeliveryPushBackRedelivery(t *testing.T) {
	r := baseRoom()
	r.Due = jst(2026, 11, 27, 23, 59)
	steps := []struct {
		name   string
		events map[EventKind]time.Time
		want   []string
	}{
		{"working", map[EventKind]time.Time{
			EventBuyerMessage:  jst(2026, 11, 25, 19, 0),
			EventSellerMessage: jst(2026, 11, 25, 20, 0),
		}, []string{
			"check-in warning due=2026-11-28 20:00 known=2026-11-25 20:00",
			"delivery-due critical due=2026-11-27 23:59 known=2026-11-20 10:00",
			"may-cancel info due=2026-11-29 19:00 known=2026-11-25 20:00",
			roomExpiry,
		}},
		// Coconala would approve at 11-29 18:00, the instant the check-in
		// and eligible-to-close fall due: neither is live, rate-buyer is.
		{"delivered", map[EventKind]time.Time{
			EventDelivered:     jst(2026, 11, 26, 18, 0),
			EventSellerMessage: jst(2026, 11, 26, 18, 0),
		}, []string{
			"rate-buyer info due=2027-02-17 18:00 known=2026-11-29 18:00 related=2027-02-24 18:00",
		}},
		{"pushed back", map[EventKind]time.Time{
			EventPushedBack:   jst(2026, 11, 27, 9, 0),
			EventBuyerMessage: jst(2026, 11, 27, 9, 0),
		}, []string{
			"check-in warning due=2026-11-29 18:00 known=2026-11-26 18:00",
			"cancel-risk critical due=2026-11-30 18:00 known=2026-11-27 09:00",
			// The push-back brings the due date back: warnings already past then are dropped.
			"delivery-due critical due=2026-11-27 23:59 known=2026-11-27 09:00",
			roomExpiry,
		}},
		// The push-back stopped the first approval; the new delivery
		// starts another, at 12-01 15:00.
		{"delivered again", map[EventKind]time.Time{
			EventDelivered:     jst(2026, 11, 28, 15, 0),
			EventSellerMessage: jst(2026, 11, 28, 15, 0),
		}, []string{
			"rate-buyer info due=2027-02-19 15:00 known=2026-12-01 15:00 related=2027-02-26 15:00",
		}},
	}
	wantStates := []State{StateOpen, StateDelivered, StateOpen, StateDelivered}
	for i, step := range steps {
		for kind, at := range step.events {
			r.SetEvent(kind, at)
		}
		if got := StateOf(r); got != wantStates[i] {
			t.Errorf("%s: state = %s, want %s", step.name, got, wantStates[i])
		}
		t.Run(step.name, func(t *testing.T) {
			assertLines(t, describeAlerts(Alerts(r, envFor("coconala"))), step.want)
		})
	}
}

// TestCancelledRoomOnlyExportFiles: whatever else the room carried, a
// cancelled room only asks to save its files before they are hidden.
func TestCancelledRoomOnlyExportFiles(t *testing.T) {
	r := baseRoom()
	r.SellerMessage = jst(2026, 11, 20, 11, 0)
	r.BuyerMessage = jst(2026, 11, 21, 12, 0)
	r.Delivered = jst(2026, 11, 22, 18, 0)
	r.Due = jst(2026, 11, 27, 23, 59)
	r.Via = ViaQuote
	r.ExtraPayment = ExtraPending
	r.Cancelled = jst(2026, 11, 23, 9, 0)
	env := envFor("coconala")
	env.SameBuyer = []string{"4012300"}
	assertLines(t, describeAlerts(Alerts(r, env)), []string{
		"export-files info due=2026-11-23 09:00 known=2026-11-23 09:00 related=2026-11-26 09:00",
	})
	env.Profile = Profiles["fiverr"]
	if got := Alerts(r, env); len(got) != 0 {
		t.Errorf("fiverr hides nothing, yet got %v", describeAlerts(got))
	}
}

// TestRateBuyer: rate the buyer once they rated you, or a week before the
// window closes; the window counts from delivery or, on some platforms
// (and when there was no delivery), from closing.
func TestRateBuyer(t *testing.T) {
	delivered, closed := jst(2026, 11, 26, 18, 0), jst(2026, 11, 29, 18, 0)
	tests := []struct {
		name       string
		profile    string
		delivered  time.Time
		buyerRated time.Time
		rated      bool
		want       []string
	}{
		{"coconala, buyer has not rated", "coconala", delivered, time.Time{}, false, []string{
			"rate-buyer info due=2027-02-17 18:00 known=2026-11-29 18:00 related=2027-02-24 18:00",
		}},
		{"coconala, buyer rated", "coconala", delivered, jst(2026, 11, 30, 20, 0), false, []string{
			"rate-buyer info due=2026-11-30 20:00 known=2026-11-30 20:00 related=2027-02-24 18:00",
		}},
		{"coconala, closed without a delivery", "coconala", time.Time{}, time.Time{}, false, []string{
			"rate-buyer info due=2027-02-20 18:00 known=2026-11-29 18:00 related=2027-02-27 18:00",
		}},
		{"coconala, seller already rated", "coconala", delivered, jst(2026, 11, 30, 20, 0), true, []string{}},
		{"fiverr counts from completion", "fiverr", delivered, time.Time{}, false, []string{
			"rate-buyer info due=2026-12-06 18:00 known=2026-11-29 18:00 related=2026-12-13 18:00",
		}},
		{"crowdworks, one month", "crowdworks", delivered, time.Time{}, false, []string{
			"rate-buyer info due=2026-12-22 18:00 known=2026-11-29 18:00 related=2026-12-29 18:00",
		}},
		{"lancers has no rating window", "lancers", delivered, time.Time{}, false, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := baseRoom()
			r.SellerMessage, r.Delivered, r.Closed, r.BuyerRated = delivered, tt.delivered, closed, tt.buyerRated
			if tt.rated {
				r.SellerRated = jst(2026, 12, 1, 9, 0)
			}
			assertLines(t, describeAlerts(Alerts(r, envFor(tt.profile))), tt.want)
		})
	}
}

// TestDateOnlyDue: the config turns `due: 2026-11-30` into 23:59 local; the
// alert and its steps fall on that instant and around it.
func TestDateOnlyDue(t *testing.T) {
	r := baseRoom()
	r.SellerMessage = jst(2026, 11, 20, 10, 30)
	r.Due = time.Date(2026, 11, 30, 23, 59, 0, 0, tokyo)
	env := envFor("fiverr")
	var due Alert
	for _, a := range Alerts(r, env) {
		if a.Kind == DeliveryDue {
			due = a
		}
	}
	if want := time.Date(2026, 11, 30, 14, 59, 0, 0, time.UTC); !due.Deadline.Equal(want) {
		t.Fatalf("delivery-due deadline = %s, want %s", due.Deadline, want)
	}
	steps := describeSteps(Steps(due, env))
	assertLines(t, steps[:4], []string{
		"delivery-due/warn-24h@2026-11-29 23:59",
		"delivery-due/warn-3h@2026-11-30 20:59",
		"delivery-due/due@2026-11-30 23:59",
		"delivery-due/repeat-1@2026-12-01 01:59",
	})
	if last := steps[len(steps)-1]; last != "delivery-due/repeat-12@2026-12-01 23:59" {
		t.Errorf("last step = %s", last)
	}
}

// TestExplicitOffsets: the same facts written in UTC, in +09:00 and in the
// Tokyo zone are the same instants, so the same alerts and ledger keys.
func TestExplicitOffsets(t *testing.T) {
	plus9 := time.FixedZone("+09:00", 9*60*60)
	build := func(loc *time.Location) Room {
		at := func(d, h, min int) time.Time {
			return time.Date(2026, 11, d, h, min, 0, 0, time.UTC).In(loc)
		}
		r := baseRoom()
		r.Opened = at(20, 1, 0) // 10:00 in Tokyo
		r.Seen = r.Opened
		r.SellerMessage = at(20, 2, 0)
		r.BuyerMessage = at(21, 3, 0)
		r.Due = at(27, 14, 59)
		r.Via = ViaQuote
		return r
	}
	env := envFor("coconala")
	env.Policy.QuietHours = QuietHours{Start: 23 * time.Hour, End: 8 * time.Hour}
	keys := func(r Room) []string {
		var out []string
		for _, s := range Plan(r, env) {
			out = append(out, s.Key()+" "+s.SendAt.UTC().Format(time.RFC3339))
		}
		return out
	}
	want := keys(build(tokyo))
	if len(want) == 0 {
		t.Fatal("no steps planned")
	}
	for _, loc := range []*time.Location{time.UTC, plus9} {
		assertLines(t, keys(build(loc)), want)
		assertLines(t, describeAlerts(Alerts(build(loc), env)), describeAlerts(Alerts(build(tokyo), env)))
	}
}

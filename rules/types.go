// Package rules is roomwatch's domain: talk rooms, their events, the platform
// profiles and seller policy, and the pure functions that turn a room's facts
// into alerts and the steps at which each alert is sent. Nothing here does I/O
// or reads a clock; every instant comes in as an argument.
package rules

import (
	"time"
)

// Kind names an alert. The strings are a contract: they appear in
// `plan --json`, in the store's ledger keys and in messages.
type Kind string

const (
	FirstMessage    Kind = "first-message"
	CheckIn         Kind = "check-in"
	CancelRisk      Kind = "cancel-risk"
	CancelRequest   Kind = "cancel-request"
	DeliveryDue     Kind = "delivery-due"
	MayCancel       Kind = "may-cancel"
	EligibleToClose Kind = "eligible-to-close"
	ExtraPayment    Kind = "extra-payment"
	SendTerms       Kind = "send-terms"
	BuyerOpenRooms  Kind = "buyer-open-rooms"
	// DeclinedBuyer: a new room of a buyer the seller marked `decline: true`.
	DeclinedBuyer Kind = "declined-buyer"
	RateBuyer     Kind = "rate-buyer"
	RoomExpiry    Kind = "room-expiry"
	ExportFiles   Kind = "export-files"
)

// Kinds lists every alert kind in the order of DESIGN §1's table. It is an
// array so that its length is a constant (kindCount): a new kind is one
// entry here, nothing to keep in step by hand.
var Kinds = [...]Kind{
	FirstMessage, CheckIn, CancelRisk, CancelRequest, DeliveryDue, MayCancel, EligibleToClose,
	ExtraPayment, SendTerms, BuyerOpenRooms, DeclinedBuyer, RateBuyer, RoomExpiry, ExportFiles,
}

// Valid reports whether k is one of the kinds.
func (k Kind) Valid() bool {
	for _, known := range Kinds {
		if k == known {
			return true
		}
	}
	return false
}

// Severity orders alerts by how much is at stake. Routes pick notifiers by it.
type Severity string

const (
	Info     Severity = "info"
	Warning  Severity = "warning"
	Critical Severity = "critical"
)

// Rank orders severities: info < warning < critical.
func (s Severity) Rank() int {
	switch s {
	case Critical:
		return 2
	case Warning:
		return 1
	default:
		return 0
	}
}

// State is where a room is in its life.
type State string

const (
	StateOpen      State = "open"
	StateDelivered State = "delivered"
	StateClosed    State = "closed"
	StateCancelled State = "cancelled"
)

// EventKind names a fact about a room. The strings are the YAML keys and the
// names stored in the event log.
type EventKind string

const (
	EventOpened        EventKind = "opened"
	EventSellerMessage EventKind = "seller_message"
	EventBuyerMessage  EventKind = "buyer_message"
	EventDelivered     EventKind = "delivered"
	EventPushedBack    EventKind = "pushed_back"
	EventClosed        EventKind = "closed"
	EventCancelled     EventKind = "cancelled"
	EventCancelRequest EventKind = "cancel_requested"
	EventBuyerRated    EventKind = "buyer_rated"
	EventSellerRated   EventKind = "seller_rated"
)

// EventKinds lists every event kind.
var EventKinds = []EventKind{
	EventOpened, EventSellerMessage, EventBuyerMessage, EventDelivered, EventPushedBack,
	EventClosed, EventCancelled, EventCancelRequest, EventBuyerRated, EventSellerRated,
}

// Valid reports whether e is a known event kind.
func (e EventKind) Valid() bool {
	for _, known := range EventKinds {
		if e == known {
			return true
		}
	}
	return false
}

// Via says how the order was placed.
type Via string

const (
	ViaPurchase Via = "purchase"
	ViaQuote    Via = "quote"
)

// ExtraPaymentState is the state of an おひねり (extra payment) negotiated in the room.
type ExtraPaymentState string

const (
	ExtraNone    ExtraPaymentState = "none"
	ExtraPending ExtraPaymentState = "pending"
	ExtraPaid    ExtraPaymentState = "paid"
)

// Room holds every fact roomwatch knows about one talk room. A zero time means
// the event has not happened (or is not known).
type Room struct {
	ID       string
	Title    string
	Buyer    string
	URL      string
	Platform string // profile name; empty means the config's default

	Opened        time.Time
	SellerMessage time.Time // the latest message the seller sent
	BuyerMessage  time.Time // the latest message the buyer sent
	Delivered     time.Time
	PushedBack    time.Time
	Closed        time.Time
	Cancelled     time.Time
	// CancelRequested is the buyer's cancellation request (キャンセルリクエスト).
	CancelRequested time.Time
	BuyerRated      time.Time
	SellerRated     time.Time
	Due             time.Time

	Via          Via
	ExtraPayment ExtraPaymentState

	// Seen is when roomwatch first learned of the room. Warn steps that were
	// already past when a deadline became known are not produced; zero means
	// "since the facts themselves".
	Seen time.Time
}

// Event returns the time of the event of kind e (zero if unset).
func (r Room) Event(e EventKind) time.Time {
	switch e {
	case EventOpened:
		return r.Opened
	case EventSellerMessage:
		return r.SellerMessage
	case EventBuyerMessage:
		return r.BuyerMessage
	case EventDelivered:
		return r.Delivered
	case EventPushedBack:
		return r.PushedBack
	case EventClosed:
		return r.Closed
	case EventCancelled:
		return r.Cancelled
	case EventCancelRequest:
		return r.CancelRequested
	case EventBuyerRated:
		return r.BuyerRated
	case EventSellerRated:
		return r.SellerRated
	}
	return time.Time{}
}

// SetEvent sets the time of event e, keeping the later of the old and new
// value: the latest of each kind wins (DESIGN §3).
func (r *Room) SetEvent(e EventKind, t time.Time) {
	p := r.eventField(e)
	if p == nil {
		return
	}
	if t.After(*p) {
		*p = t
	}
}

func (r *Room) eventField(e EventKind) *time.Time {
	switch e {
	case EventOpened:
		return &r.Opened
	case EventSellerMessage:
		return &r.SellerMessage
	case EventBuyerMessage:
		return &r.BuyerMessage
	case EventDelivered:
		return &r.Delivered
	case EventPushedBack:
		return &r.PushedBack
	case EventClosed:
		return &r.Closed
	case EventCancelled:
		return &r.Cancelled
	case EventCancelRequest:
		return &r.CancelRequested
	case EventBuyerRated:
		return &r.BuyerRated
	case EventSellerRated:
		return &r.SellerRated
	}
	return nil
}

// Profile holds one platform's clocks. A zero duration means the platform has
// no such rule, and the kinds that depend on it are not produced.
type Profile struct {
	Name                     string
	FirstMessage             time.Duration
	SellerSilenceCancel      time.Duration
	BuyerUnreachableCancel   time.Duration
	AutoApproval             time.Duration
	RatingWindow             time.Duration
	RatingFromClose          bool // the rating window counts from closing, not from delivery
	RoomLimit                time.Duration
	RoomLimitFromActivity    bool // the room limit is topped up by each message
	ContentHiddenAfterCancel time.Duration
	// CancelRequestAnswer is how long the seller has to answer a buyer's
	// cancellation request before the order is cancelled.
	CancelRequestAnswer time.Duration
}

// Policy is the seller's own habits and alerting preferences.
type Policy struct {
	CheckInEvery            time.Duration
	CancelAfterBuyerSilence time.Duration
	CloseAfterBuyerSilence  time.Duration
	CloseAfterDelivery      time.Duration
	WarnBefore              []time.Duration // e.g. 24h, 3h; largest first after normalisation
	RepeatEvery             time.Duration
	RepeatFor               time.Duration
	QuietHours              QuietHours
	Location                *time.Location // the configured timezone; nil means UTC
}

// QuietHours is a daily window, in Policy.Location, during which info and
// warning steps are held until the window ends. Start == End means none.
type QuietHours struct {
	Start time.Duration // offset from local midnight
	End   time.Duration
}

// Enabled reports whether the window is non-empty.
func (q QuietHours) Enabled() bool { return q.Start != q.End }

// Alert is one live condition of a room with its deadline.
type Alert struct {
	Room     string
	Kind     Kind
	Severity Severity // the severity of the deadline step
	Deadline time.Time
	// Known is when the deadline became known; warn steps before it are dropped.
	Known time.Time
	// Related carries the extra instant a message names: auto approval for
	// eligible-to-close, content hidden for export-files, rating window end for
	// rate-buyer. Zero when not applicable.
	Related time.Time
	// Others lists the other rooms of the same buyer (buyer-open-rooms).
	Others []string
	// ends is when the condition ends by itself: the automatic approval of
	// a delivered room (zero: no such end). Nothing of the alert is sent
	// at or after it.
	ends time.Time
}

// Step is one send of an alert.
type Step struct {
	Alert
	Name     string    // "warn-24h", "warn-3h", "due", "repeat-1", …
	Severity Severity  // this step's severity (delivery-due warns as warning)
	At       time.Time // when the step is due, before any hold
	SendAt   time.Time // when it goes out: At, or the end of quiet hours / a snooze
}

// Key identifies a step in the ledger: room + kind + deadline + step. A moved
// deadline is a new key, so a new alert.
func (s Step) Key() string {
	return s.Room + "|" + string(s.Kind) + "|" + s.Deadline.UTC().Format(time.RFC3339) + "|" + s.Name
}

// StepDue is the name of the step sent at the deadline itself.
const StepDue = "due"

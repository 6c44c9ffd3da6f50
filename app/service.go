package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// Service is every operation the command line, Slack buttons and the HTTP
// API can ask of roomwatch. App runs them; control.Client asks a running
// daemon over its control socket, so a command prints the same thing
// whether or not a daemon is running.
type Service interface {
	Record(ctx context.Context, req EventRequest) (RoomStatus, error)
	Ack(ctx context.Context, req AckRequest) (AckResult, error)
	Snooze(ctx context.Context, req SnoozeRequest) (RoomStatus, error)
	Status(ctx context.Context, req StatusRequest) ([]RoomStatus, error)
	Plan(ctx context.Context, req PlanRequest) ([]PlanStep, error)
	History(ctx context.Context, req HistoryRequest) (History, error)
	// Buyer is a buyer's record with this seller (`roomwatch buyer`).
	Buyer(ctx context.Context, req BuyerRequest) (BuyerRecordView, error)
	Reload(ctx context.Context) error
	// Backup writes a consistent copy of the store to w.
	Backup(ctx context.Context, w io.Writer) (int64, error)
	// Where says which configuration and store the operations run on.
	Where(ctx context.Context) (Where, error)
}

// Where is which configuration and store a Service works on, and whether a
// running daemon serves it, so a command can say where an event went: the
// configuration found in the working folder and the one a service runs on
// may be different files with different stores.
type Where struct {
	// Daemon is true when a running daemon took the request; false when the
	// command opened the store itself.
	Daemon bool   `json:"daemon"`
	PID    int    `json:"pid,omitempty"` // the daemon's process
	Config string `json:"config"`        // the configuration file, absolute
	Store  string `json:"store"`         // the bbolt file, absolute
}

// EventRequest records that something happened in a room.
type EventRequest struct {
	Room   string          `json:"room"`
	Event  rules.EventKind `json:"event"`
	At     time.Time       `json:"at,omitzero"` // zero: now
	Source string          `json:"source,omitempty"`
}

// AckRequest stops the repeats of a room's live critical alerts (one kind,
// or all when Kind is empty) until their next deadline.
type AckRequest struct {
	Room string     `json:"room"`
	Kind rules.Kind `json:"kind,omitempty"`
}

// AckResult lists what was acknowledged.
type AckResult struct {
	Room  string      `json:"room"`
	Acked []AlertView `json:"acked"`
}

// SnoozeRequest holds a room's alerts for a while.
type SnoozeRequest struct {
	Room string        `json:"room"`
	For  time.Duration `json:"for"`
}

// StatusRequest selects rooms for Status (all when Room is empty).
type StatusRequest struct {
	Room string    `json:"room,omitempty"`
	Now  time.Time `json:"now,omitzero"`
}

// PlanRequest asks for every step sent in [Now, Until].
type PlanRequest struct {
	Now   time.Time `json:"now,omitzero"`
	Until time.Time `json:"until,omitzero"`
}

// HistoryRequest asks for a room's events and alerts.
type HistoryRequest struct {
	Room string `json:"room"`
}

// AlertView is an alert as shown to a person or a script. Severity is the
// alert's own (the severity of its deadline, as in `plan`); SeverityAt says
// how much is at stake at a given moment.
type AlertView struct {
	Kind     rules.Kind     `json:"kind"`
	Severity rules.Severity `json:"severity"`
	Deadline time.Time      `json:"deadline"`
	// Overdue, TimeLeft and Action are set by Status, counted from the
	// moment of the request: whether a deadline that is a limit has passed
	// (rules.Alert.Overdue), how far it is ("2d 3h left", "overdue by 6d",
	// "3d ago" — message.TimeTo) and what to do, both in the configured
	// language.
	Overdue  bool   `json:"overdue,omitempty"`
	TimeLeft string `json:"time_left,omitempty"`
	Action   string `json:"action,omitempty"`
	// Reply is the ready-to-send text to paste into the talk room, for
	// the kinds whose action is to write to the buyer (Status sets it).
	Reply string `json:"reply,omitempty"`
}

// SeverityAt is the severity of the alert at now: an upcoming delivery date
// only warns (rules.Alert.SeverityAt).
func (v AlertView) SeverityAt(now time.Time) rules.Severity {
	return rules.Alert{Kind: v.Kind, Severity: v.Severity, Deadline: v.Deadline}.SeverityAt(now)
}

// RoomStatus is one room at a glance. Next is the room's most urgent alert
// (rules.CompareUrgency: overdue first, then the most at stake, then the
// soonest), with its TimeLeft and Action repeated at the top level for
// scripts written before Alerts carried them; Alerts holds every live alert
// of the room, most urgent first.
type RoomStatus struct {
	Room  string      `json:"room"`
	Title string      `json:"title,omitempty"`
	Buyer string      `json:"buyer,omitempty"`
	URL   string      `json:"url,omitempty"`
	State rules.State `json:"state"`
	// ClosedAutomatically is when the platform approved the delivery by
	// itself (auto_approval) and so closed the room; zero otherwise.
	ClosedAutomatically time.Time   `json:"closed_automatically,omitzero"`
	Next                *AlertView  `json:"next,omitempty"`
	TimeLeft            string      `json:"time_left,omitempty"`
	Action              string      `json:"action,omitempty"`
	Alerts              []AlertView `json:"alerts"`
	Snoozed             time.Time   `json:"snoozed_until,omitzero"`
	// Events holds the room's latest event times, keyed by event kind.
	Events map[rules.EventKind]time.Time `json:"events"`
	// BuyerRecord is the buyer's record over their rooms opened before
	// this one; absent for a buyer not seen before.
	BuyerRecord *BuyerRecordView `json:"buyer_record,omitempty"`
}

// PlanStep is one future send; the JSON field names are a contract (DESIGN §4).
type PlanStep struct {
	Room     string         `json:"room"`
	Kind     rules.Kind     `json:"kind"`
	Severity rules.Severity `json:"severity"`
	Deadline time.Time      `json:"deadline"`
	At       time.Time      `json:"at"`
	Step     string         `json:"step"`
	// HeldFrom is the step's own time when quiet hours or a snooze moved it.
	HeldFrom time.Time `json:"held_from,omitzero"`
	Title    string    `json:"title,omitempty"`
	Buyer    string    `json:"buyer,omitempty"`
	Action   string    `json:"action,omitempty"`
}

// HistoryEvent is one entry of a room's event log.
type HistoryEvent struct {
	Event      rules.EventKind `json:"event"`
	At         time.Time       `json:"at"`
	Source     string          `json:"source"`
	RecordedAt time.Time       `json:"recorded_at,omitzero"`
}

// HistoryAlert is one entry of the sent-alert ledger.
type HistoryAlert struct {
	Kind     rules.Kind        `json:"kind"`
	Step     string            `json:"step"`
	Severity rules.Severity    `json:"severity"`
	Deadline time.Time         `json:"deadline"`
	At       time.Time         `json:"at"`
	State    string            `json:"state"`
	Late     bool              `json:"late,omitempty"`
	Attempts int               `json:"attempts,omitempty"`
	SentAt   time.Time         `json:"sent_at,omitzero"`
	Results  map[string]string `json:"results,omitempty"`
	// Reason says why an obsolete alert was not sent.
	Reason string `json:"reason,omitempty"`
}

// History is a room's past: its events and the alerts roomwatch sent.
type History struct {
	Room   string         `json:"room"`
	Events []HistoryEvent `json:"events"`
	Alerts []HistoryAlert `json:"alerts"`
	// BuyerRecord is the buyer's record over their rooms opened before
	// this one; absent for a buyer not seen before.
	BuyerRecord *BuyerRecordView `json:"buyer_record,omitempty"`
	// Pruned is set when the room's older history was pruned after
	// store.retention: what it held, in one line.
	Pruned *HistoryPruned `json:"pruned,omitempty"`
}

// InputError is a request roomwatch refuses: an unknown room or event, a
// time in the future, a bad duration. Commands exit 2 on it.
type InputError struct{ Msg string }

func (e *InputError) Error() string { return e.Msg }

func inputErrorf(format string, args ...any) error {
	return &InputError{Msg: fmt.Sprintf(format, args...)}
}

// IsInputError reports whether err is the caller's mistake rather than roomwatch's.
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}

// Event sources: where a recorded event came from, as history shows it.
const (
	SourceCLI   = "cli"   // a command, over the control socket or on the store
	SourceHTTP  = "http"  // a script calling the HTTP API
	SourceSlack = "slack" // a Slack button (Socket Mode)
	SourceNtfy  = "ntfy"  // an ntfy button, through its action link
	SourceLink  = "link"  // an action link opened from any other alert
	SourceMail  = "mail"  // a platform notification mail read by roomwatch
	SourceWeb   = "web"   // a button of the web app (control/web)
	SourceYAML  = "yaml"  // the configuration file (store.SourceYAML)
)

// Sources lists every event source roomwatch records.
var Sources = []string{SourceCLI, SourceHTTP, SourceSlack, SourceNtfy, SourceLink, SourceMail, SourceWeb, SourceYAML}

// MarshalJSON writes For as a duration the way a person writes one, which
// every daemon of this version reads.
func (s SnoozeRequest) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Room string `json:"room"`
		For  string `json:"for"`
	}{s.Room, s.For.String()})
}

package control

import (
	"context"
	"errors"
	"io"
	"os"
	"slices"
	"time"

	"github.com/roomwatch/roomwatch/engine"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/store"
)

// FutureSlack is how far in the future a recorded event may lie: clocks of
// a phone and a server disagree a little, never by more.
const FutureSlack = time.Minute

// Local runs the operations directly on an engine: inside the daemon, or
// from the command line when no daemon runs.
type Local struct {
	Engine *engine.Engine
	// Reloader reloads the configuration; nil outside the daemon.
	Reloader func(ctx context.Context) error
	// Build describes the running binary (version, commit, date, Go); set
	// inside the daemon, where GET /v1/status reports it.
	Build string
}

// BuildVersion is what the daemon's GET /v1/status puts in its
// Roomwatch-Version header.
func (l *Local) BuildVersion() string { return l.Build }

var _ Service = (*Local)(nil)

func (l *Local) room(id string) (rules.Room, error) {
	if id == "" {
		return rules.Room{}, inputErrorf("no room given")
	}
	r, ok, err := l.Engine.Room(id)
	if err != nil {
		return rules.Room{}, err
	}
	if !ok {
		return rules.Room{}, inputErrorf("unknown room %q: add it to %s first", id, l.Engine.Config().Path)
	}
	return r, nil
}

// Record appends an event and reschedules the room.
func (l *Local) Record(ctx context.Context, req EventRequest) (RoomStatus, error) {
	if !req.Event.Valid() {
		return RoomStatus{}, inputErrorf("unknown event %q (one of %s)", req.Event, eventNames())
	}
	if _, err := l.room(req.Room); err != nil {
		return RoomStatus{}, err
	}
	now := l.Engine.Now()
	at := req.At
	if at.IsZero() {
		at = now
	}
	if at.After(now.Add(FutureSlack)) {
		return RoomStatus{}, inputErrorf("time %s is in the future", at.In(l.Engine.Config().Timezone).Format("2006-01-02 15:04 MST"))
	}
	source := req.Source
	if source == "" {
		source = "cli"
	}
	ev := store.Event{Room: req.Room, Kind: req.Event, At: at, Source: source, RecordedAt: now}
	if _, err := l.Engine.Record(ctx, ev); err != nil {
		if errors.Is(err, store.ErrUnknownRoom) {
			return RoomStatus{}, inputErrorf("unknown room %q", req.Room)
		}
		return RoomStatus{}, err
	}
	return l.statusOf(req.Room, now)
}

// Ack stops the remaining warn and repeat steps of a room's live critical
// alerts; the step at the deadline itself still goes out.
func (l *Local) Ack(ctx context.Context, req AckRequest) (AckResult, error) {
	if req.Kind != "" && !req.Kind.Valid() {
		return AckResult{}, inputErrorf("unknown alert kind %q", req.Kind)
	}
	if req.Kind != "" && !req.Kind.Ackable() {
		return AckResult{}, inputErrorf("%s sends once and has no repeats to stop", req.Kind)
	}
	r, err := l.room(req.Room)
	if err != nil {
		return AckResult{}, err
	}
	env, err := l.Engine.Env(r)
	if err != nil {
		return AckResult{}, err
	}
	now := l.Engine.Now()
	res := AckResult{Room: r.ID}
	for _, a := range rules.Alerts(r, env) {
		if !a.Kind.Ackable() || (req.Kind != "" && a.Kind != req.Kind) {
			continue
		}
		if err := l.Engine.Store().AddAck(r.ID, rules.Ack{Kind: a.Kind, Deadline: a.Deadline, At: now}); err != nil {
			return AckResult{}, err
		}
		res.Acked = append(res.Acked, l.viewOf(a))
	}
	if len(res.Acked) == 0 {
		what := "critical alert"
		if req.Kind != "" {
			what = string(req.Kind) + " alert"
		}
		return AckResult{}, inputErrorf("room %s has no live %s to acknowledge", r.ID, what)
	}
	if _, err := l.Engine.Evaluate(ctx, r.ID); err != nil {
		return AckResult{}, err
	}
	return res, nil
}

// MaxSnooze bounds a snooze: a forgotten snooze must not hide a room for good.
const MaxSnooze = 7 * 24 * time.Hour

// Snooze holds a room's alerts, except deadline breaches, for a while.
func (l *Local) Snooze(ctx context.Context, req SnoozeRequest) (RoomStatus, error) {
	if req.For <= 0 || req.For > MaxSnooze {
		return RoomStatus{}, inputErrorf("snooze duration must be between 1m and %s", rules.FormatDuration(MaxSnooze))
	}
	r, err := l.room(req.Room)
	if err != nil {
		return RoomStatus{}, err
	}
	now := l.Engine.Now()
	if err := l.Engine.Store().SetSnooze(r.ID, rules.Snooze{From: now, Until: now.Add(req.For)}); err != nil {
		return RoomStatus{}, err
	}
	if _, err := l.Engine.Evaluate(ctx, r.ID); err != nil {
		return RoomStatus{}, err
	}
	return l.statusOf(r.ID, now)
}

// Status shows each room (or one): state, next deadline, time left, what to do.
func (l *Local) Status(ctx context.Context, req StatusRequest) ([]RoomStatus, error) {
	now := req.Now
	if now.IsZero() {
		now = l.Engine.Now()
	}
	if req.Room != "" {
		st, err := l.statusOf(req.Room, now)
		if err != nil {
			return nil, err
		}
		return []RoomStatus{st}, nil
	}
	rooms, err := l.Engine.Rooms()
	if err != nil {
		return nil, err
	}
	type described struct {
		status RoomStatus
		next   *rules.Alert
	}
	all := make([]described, 0, len(rooms))
	// A buyer's record counts the rooms no longer tracked too (deleted
	// from the YAML): group every known room of the tracked rooms' buyers.
	byBuyer := map[string][]rules.Room{}
	for _, r := range rooms {
		if r.Buyer != "" {
			byBuyer[r.Buyer] = []rules.Room{}
		}
	}
	err = l.Engine.Store().ForEachKnownRoom(func(r rules.Room) error {
		if known, ok := byBuyer[r.Buyer]; ok {
			byBuyer[r.Buyer] = append(known, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, r := range rooms {
		st, next, err := l.describe(r, now)
		if err != nil {
			return nil, err
		}
		if st.BuyerRecord, err = l.priorRecord(r, byBuyer[r.Buyer], now); err != nil {
			return nil, err
		}
		all = append(all, described{st, next})
	}
	// The most urgent room first, by its most urgent alert; rooms with
	// nothing to do last, by ID.
	slices.SortStableFunc(all, func(a, b described) int {
		switch {
		case a.next != nil && b.next != nil:
			if c := rules.CompareUrgency(*a.next, *b.next, now); c != 0 {
				return c
			}
		case a.next != nil:
			return -1
		case b.next != nil:
			return 1
		}
		return compareIDs(a.status.Room, b.status.Room)
	})
	out := make([]RoomStatus, len(all))
	for i, d := range all {
		out[i] = d.status
	}
	return out, nil
}

func compareIDs(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}

func (l *Local) statusOf(id string, now time.Time) (RoomStatus, error) {
	r, err := l.room(id)
	if err != nil {
		return RoomStatus{}, err
	}
	st, _, err := l.describe(r, now)
	if err != nil {
		return st, err
	}
	st.BuyerRecord, err = l.priorRecord(r, nil, now)
	return st, err
}

// describe is a room at now with every live alert, most urgent first; it
// also returns the most urgent alert itself (nil when there is none).
func (l *Local) describe(r rules.Room, now time.Time) (RoomStatus, *rules.Alert, error) {
	env, err := l.Engine.Env(r)
	if err != nil {
		return RoomStatus{}, nil, err
	}
	alerts := rules.AlertsAt(r, env, now)
	rules.SortByUrgency(alerts, now)
	closedAt, automatic := rules.ClosedAt(r, env.Profile, now)
	st := RoomStatus{
		Room: r.ID, Title: r.Title, Buyer: r.Buyer, URL: r.URL,
		State:  rules.StateAt(r, env.Profile, now),
		Alerts: make([]AlertView, 0, len(alerts)),
		Events: map[rules.EventKind]time.Time{},
	}
	if automatic {
		st.ClosedAutomatically = l.local(closedAt)
	}
	for _, e := range rules.EventKinds {
		if t := r.Event(e); !t.IsZero() {
			st.Events[e] = l.local(t)
		}
	}
	if env.Snooze.Active(now) {
		st.Snoozed = l.local(env.Snooze.Until)
	}
	lang := l.Engine.Config().Language
	for _, a := range alerts {
		v := l.viewOf(a)
		v.Overdue = a.Overdue(now)
		v.TimeLeft = message.TimeTo(a, now, lang)
		v.Action = message.Action(a.Kind, lang)
		v.Reply = l.replyOf(r, a, now)
		st.Alerts = append(st.Alerts, v)
	}
	if len(alerts) == 0 {
		return st, nil, nil
	}
	next := st.Alerts[0]
	st.Next = &next
	st.TimeLeft, st.Action = next.TimeLeft, next.Action
	return st, &alerts[0], nil
}

func (l *Local) viewOf(a rules.Alert) AlertView {
	return AlertView{Kind: a.Kind, Severity: a.Severity, Deadline: l.local(a.Deadline)}
}

// local puts t in the configured zone, so every time a command prints or
// sends as JSON carries the seller's offset.
func (l *Local) local(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.In(l.Engine.Config().Timezone)
}

// Plan lists every step sent from req.Now (default now) until req.Until.
// With an explicit Now, rooms are planned as if their facts had been known
// from the start, so a plan for a past moment shows every warn step.
func (l *Local) Plan(ctx context.Context, req PlanRequest) ([]PlanStep, error) {
	now := req.Now
	hypothetical := !now.IsZero()
	if !hypothetical {
		now = l.Engine.Now()
	}
	if !req.Until.IsZero() && req.Until.Before(now) {
		return nil, inputErrorf("--until is before --now")
	}
	rooms, err := l.Engine.Rooms()
	if err != nil {
		return nil, err
	}
	lang := l.Engine.Config().Language
	var out []PlanStep
	for _, r := range rooms {
		if hypothetical {
			r.Seen = time.Time{}
		}
		steps, err := l.Engine.Steps(r)
		if err != nil {
			return nil, err
		}
		for _, s := range rules.Upcoming(steps, now) {
			if !req.Until.IsZero() && s.SendAt.After(req.Until) {
				continue
			}
			ps := PlanStep{
				Room: s.Room, Kind: s.Kind, Severity: s.Severity, Deadline: l.local(s.Deadline),
				At: l.local(s.SendAt), Step: s.Name, Title: r.Title, Buyer: r.Buyer,
				Action: message.Action(s.Kind, lang),
			}
			if !s.SendAt.Equal(s.At) {
				ps.HeldFrom = l.local(s.At)
			}
			out = append(out, ps)
		}
	}
	slices.SortStableFunc(out, func(a, b PlanStep) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		if c := compareIDs(a.Room, b.Room); c != 0 {
			return c
		}
		return rules.CompareKinds(a.Kind, b.Kind)
	})
	return out, nil
}

// History returns a room's events and the alerts sent for it, including
// rooms no longer in the configuration.
func (l *Local) History(ctx context.Context, req HistoryRequest) (History, error) {
	if req.Room == "" {
		return History{}, inputErrorf("no room given")
	}
	st := l.Engine.Store()
	events, err := st.Events(req.Room)
	if err != nil {
		return History{}, err
	}
	ledger, err := st.Ledger(req.Room)
	if err != nil {
		return History{}, err
	}
	pruned, err := l.pruned(req.Room)
	if err != nil {
		return History{}, err
	}
	if len(events) == 0 && len(ledger) == 0 && pruned == nil {
		if _, ok, err := l.Engine.Room(req.Room); err != nil {
			return History{}, err
		} else if !ok {
			return History{}, inputErrorf("unknown room %q", req.Room)
		}
	}
	h := History{Room: req.Room, Events: []HistoryEvent{}, Alerts: []HistoryAlert{}, Pruned: pruned}
	for _, e := range events {
		h.Events = append(h.Events, HistoryEvent{Event: e.Kind, At: l.local(e.At), Source: e.Source, RecordedAt: l.local(e.RecordedAt)})
	}
	for _, e := range ledger {
		h.Alerts = append(h.Alerts, HistoryAlert{
			Kind: e.Step.Kind, Step: e.Step.Name, Severity: e.Step.Severity, Deadline: l.local(e.Step.Deadline),
			At: l.local(e.Step.SendAt), State: e.State, Late: e.Late, Attempts: e.Attempts, SentAt: l.local(e.SentAt), Results: e.Results,
			Reason: e.Reason,
		})
	}
	slices.SortStableFunc(h.Alerts, func(a, b HistoryAlert) int { return a.At.Compare(b.At) })
	if r, ok, err := l.Engine.Room(req.Room); err != nil {
		return History{}, err
	} else if ok {
		if h.BuyerRecord, err = l.priorRecord(r, nil, l.Engine.Now()); err != nil {
			return History{}, err
		}
	}
	return h, nil
}

// Reload re-reads the configuration in the daemon.
func (l *Local) Reload(ctx context.Context) error {
	if l.Reloader == nil {
		return inputErrorf("no daemon is running: the next start reads the configuration")
	}
	return l.Reloader(ctx)
}

// Where names the configuration and store this Local works on. Inside the
// daemon (which sets Reloader) it also gives the daemon's process ID.
func (l *Local) Where(ctx context.Context) (Where, error) {
	cfg := l.Engine.Config()
	w := Where{Config: cfg.Path, Store: cfg.Store}
	if l.Reloader != nil {
		w.Daemon, w.PID = true, os.Getpid()
	}
	return w, nil
}

// Backup writes a consistent copy of the store, taken in one read
// transaction, so it can run while the daemon works.
func (l *Local) Backup(ctx context.Context, w io.Writer) (int64, error) {
	return l.Engine.Store().WriteTo(w)
}

func eventNames() string {
	s := ""
	for i, e := range rules.EventKinds {
		if i > 0 {
			s += ", "
		}
		s += string(e)
	}
	return s
}

// EventCommands maps each event command of the CLI to its event.
var EventCommands = []struct {
	Command string
	Event   rules.EventKind
	Short   string
}{
	{"sent", rules.EventSellerMessage, "record that you sent a message in the room"},
	{"replied", rules.EventBuyerMessage, "record that the buyer wrote in the room"},
	{"delivered", rules.EventDelivered, "record a formal delivery (正式な納品)"},
	{"pushed-back", rules.EventPushedBack, "record that the buyer rejected the delivery"},
	{"closed", rules.EventClosed, "record that the room was approved and closed"},
	{"cancelled", rules.EventCancelled, "record that the order was cancelled"},
	{"cancel-requested", rules.EventCancelRequest, "record that the buyer sent a cancellation request (キャンセルリクエスト)"},
	{"buyer-rated", rules.EventBuyerRated, "record that the buyer rated you"},
	{"rated", rules.EventSellerRated, "record that you rated the buyer"},
}

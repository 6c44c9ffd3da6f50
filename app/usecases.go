package app

import (
	"context"
	"errors"
	"io"
	"os"
	"slices"
	"time"

	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/store"
)

// FutureSlack is how far in the future a recorded event may lie: clocks of
// a phone and a server disagree a little, never by more.
const FutureSlack = time.Minute

// BuildVersion is what the daemon's GET /v1/status puts in its
// Roomwatch-Version header.
func (e *App) BuildVersion() string { return e.build }

var _ Service = (*App)(nil)

func (e *App) room(id string) (rules.Room, error) {
	if id == "" {
		return rules.Room{}, inputErrorf("no room given")
	}
	r, ok, err := e.Room(id)
	if err != nil {
		return rules.Room{}, err
	}
	if !ok {
		return rules.Room{}, inputErrorf("unknown room %q: add it to %s first", id, e.Config().Path)
	}
	return r, nil
}

// Record appends an event and reschedules the room.
func (e *App) Record(ctx context.Context, req EventRequest) (RoomStatus, error) {
	if !req.Event.Valid() {
		return RoomStatus{}, inputErrorf("unknown event %q (one of %s)", req.Event, eventNames())
	}
	if _, err := e.room(req.Room); err != nil {
		return RoomStatus{}, err
	}
	now := e.Now()
	at := req.At
	if at.IsZero() {
		at = now
	}
	if at.After(now.Add(FutureSlack)) {
		return RoomStatus{}, inputErrorf("time %s is in the future", at.In(e.Config().Timezone).Format("2006-01-02 15:04 MST"))
	}
	source := req.Source
	if source == "" {
		source = SourceCLI
	}
	ev := store.Event{Room: req.Room, Kind: req.Event, At: at, Source: source, RecordedAt: now}
	if _, err := e.recordEvent(ctx, ev); err != nil {
		if errors.Is(err, store.ErrUnknownRoom) {
			return RoomStatus{}, inputErrorf("unknown room %q", req.Room)
		}
		return RoomStatus{}, err
	}
	return e.statusOf(req.Room, now)
}

// Ack stops the remaining warn and repeat steps of a room's live critical
// alerts; the step at the deadline itself still goes out.
func (e *App) Ack(ctx context.Context, req AckRequest) (AckResult, error) {
	if req.Kind != "" && !req.Kind.Valid() {
		return AckResult{}, inputErrorf("unknown alert kind %q", req.Kind)
	}
	if req.Kind != "" && !req.Kind.Ackable() {
		return AckResult{}, inputErrorf("%s sends once and has no repeats to stop", req.Kind)
	}
	r, err := e.room(req.Room)
	if err != nil {
		return AckResult{}, err
	}
	env, err := e.Env(r)
	if err != nil {
		return AckResult{}, err
	}
	now := e.Now()
	res := AckResult{Room: r.ID}
	for _, a := range rules.Alerts(r, env) {
		if !a.Kind.Ackable() || (req.Kind != "" && a.Kind != req.Kind) {
			continue
		}
		if err := e.store.AddAck(r.ID, rules.Ack{Kind: a.Kind, Deadline: a.Deadline, At: now}); err != nil {
			return AckResult{}, err
		}
		res.Acked = append(res.Acked, e.viewOf(a))
	}
	if len(res.Acked) == 0 {
		what := "critical alert"
		if req.Kind != "" {
			what = string(req.Kind) + " alert"
		}
		return AckResult{}, inputErrorf("room %s has no live %s to acknowledge", r.ID, what)
	}
	if _, err := e.Evaluate(ctx, r.ID); err != nil {
		return AckResult{}, err
	}
	return res, nil
}

// MaxSnooze bounds a snooze: a forgotten snooze must not hide a room for good.
const MaxSnooze = 7 * 24 * time.Hour

// Snooze holds a room's alerts, except deadline breaches, for a while.
func (e *App) Snooze(ctx context.Context, req SnoozeRequest) (RoomStatus, error) {
	if req.For <= 0 || req.For > MaxSnooze {
		return RoomStatus{}, inputErrorf("snooze duration must be between 1m and %s", rules.FormatDuration(MaxSnooze))
	}
	r, err := e.room(req.Room)
	if err != nil {
		return RoomStatus{}, err
	}
	now := e.Now()
	if err := e.store.SetSnooze(r.ID, rules.Snooze{From: now, Until: now.Add(req.For)}); err != nil {
		return RoomStatus{}, err
	}
	if _, err := e.Evaluate(ctx, r.ID); err != nil {
		return RoomStatus{}, err
	}
	return e.statusOf(r.ID, now)
}

// Status shows each room (or one): state, next deadline, time left, what to do.
func (e *App) Status(ctx context.Context, req StatusRequest) ([]RoomStatus, error) {
	now := req.Now
	if now.IsZero() {
		now = e.Now()
	}
	if req.Room != "" {
		st, err := e.statusOf(req.Room, now)
		if err != nil {
			return nil, err
		}
		return []RoomStatus{st}, nil
	}
	rooms, err := e.Rooms()
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
	err = e.store.ForEachKnownRoom(func(r rules.Room) error {
		if known, ok := byBuyer[r.Buyer]; ok {
			byBuyer[r.Buyer] = append(known, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, r := range rooms {
		st, next, err := e.describe(r, now)
		if err != nil {
			return nil, err
		}
		if st.BuyerRecord, err = e.priorRecordView(r, byBuyer[r.Buyer], now); err != nil {
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

func (e *App) statusOf(id string, now time.Time) (RoomStatus, error) {
	r, err := e.room(id)
	if err != nil {
		return RoomStatus{}, err
	}
	st, _, err := e.describe(r, now)
	if err != nil {
		return st, err
	}
	st.BuyerRecord, err = e.priorRecordView(r, nil, now)
	return st, err
}

// describe is a room at now with every live alert, most urgent first; it
// also returns the most urgent alert itself (nil when there is none).
func (e *App) describe(r rules.Room, now time.Time) (RoomStatus, *rules.Alert, error) {
	env, err := e.Env(r)
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
		st.ClosedAutomatically = e.local(closedAt)
	}
	for _, kind := range rules.EventKinds {
		if t := r.Event(kind); !t.IsZero() {
			st.Events[kind] = e.local(t)
		}
	}
	if env.Snooze.Active(now) {
		st.Snoozed = e.local(env.Snooze.Until)
	}
	lang := e.Config().Language
	for _, a := range alerts {
		v := e.viewOf(a)
		v.Overdue = a.Overdue(now)
		v.TimeLeft = message.TimeTo(a, now, lang)
		v.Action = message.Action(a.Kind, lang)
		v.Reply = e.replyOf(r, a, now)
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

func (e *App) viewOf(a rules.Alert) AlertView {
	return AlertView{Kind: a.Kind, Severity: a.Severity, Deadline: e.local(a.Deadline)}
}

// local puts t in the configured zone, so every time a command prints or
// sends as JSON carries the seller's offset.
func (e *App) local(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.In(e.Config().Timezone)
}

// Plan lists every step sent from req.Now (default now) until req.Until.
// With an explicit Now, rooms are planned as if their facts had been known
// from the start, so a plan for a past moment shows every warn step.
func (e *App) Plan(ctx context.Context, req PlanRequest) ([]PlanStep, error) {
	now := req.Now
	hypothetical := !now.IsZero()
	if !hypothetical {
		now = e.Now()
	}
	if !req.Until.IsZero() && req.Until.Before(now) {
		return nil, inputErrorf("--until is before --now")
	}
	rooms, err := e.Rooms()
	if err != nil {
		return nil, err
	}
	lang := e.Config().Language
	var out []PlanStep
	for _, r := range rooms {
		if hypothetical {
			r.Seen = time.Time{}
		}
		steps, err := e.Steps(r)
		if err != nil {
			return nil, err
		}
		for _, s := range rules.Upcoming(steps, now) {
			if !req.Until.IsZero() && s.SendAt.After(req.Until) {
				continue
			}
			ps := PlanStep{
				Room: s.Room, Kind: s.Kind, Severity: s.Severity, Deadline: e.local(s.Deadline),
				At: e.local(s.SendAt), Step: s.Name, Title: r.Title, Buyer: r.Buyer,
				Action: message.Action(s.Kind, lang),
			}
			if !s.SendAt.Equal(s.At) {
				ps.HeldFrom = e.local(s.At)
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
func (e *App) History(ctx context.Context, req HistoryRequest) (History, error) {
	if req.Room == "" {
		return History{}, inputErrorf("no room given")
	}
	st := e.store
	events, err := st.Events(req.Room)
	if err != nil {
		return History{}, err
	}
	ledger, err := st.Ledger(req.Room)
	if err != nil {
		return History{}, err
	}
	pruned, err := e.pruned(req.Room)
	if err != nil {
		return History{}, err
	}
	if len(events) == 0 && len(ledger) == 0 && pruned == nil {
		if _, ok, err := e.Room(req.Room); err != nil {
			return History{}, err
		} else if !ok {
			return History{}, inputErrorf("unknown room %q", req.Room)
		}
	}
	h := History{Room: req.Room, Events: []HistoryEvent{}, Alerts: []HistoryAlert{}, Pruned: pruned}
	for _, ev := range events {
		h.Events = append(h.Events, HistoryEvent{Event: ev.Kind, At: e.local(ev.At), Source: ev.Source, RecordedAt: e.local(ev.RecordedAt)})
	}
	for _, en := range ledger {
		h.Alerts = append(h.Alerts, HistoryAlert{
			Kind: en.Step.Kind, Step: en.Step.Name, Severity: en.Step.Severity, Deadline: e.local(en.Step.Deadline),
			At: e.local(en.Step.SendAt), State: en.State, Late: en.Late, Attempts: en.Attempts, SentAt: e.local(en.SentAt), Results: en.Results,
			Reason: en.Reason,
		})
	}
	slices.SortStableFunc(h.Alerts, func(a, b HistoryAlert) int { return a.At.Compare(b.At) })
	if r, ok, err := e.Room(req.Room); err != nil {
		return History{}, err
	} else if ok {
		if h.BuyerRecord, err = e.priorRecordView(r, nil, e.Now()); err != nil {
			return History{}, err
		}
	}
	return h, nil
}

// Reload re-reads the configuration in the daemon.
func (e *App) Reload(ctx context.Context) error {
	if e.reload == nil {
		return inputErrorf("no daemon is running: the next start reads the configuration")
	}
	return e.reload(ctx)
}

// Where names the configuration and store this App works on. Inside the
// daemon (which gives Options.Reload) it also gives the daemon's process ID.
func (e *App) Where(ctx context.Context) (Where, error) {
	cfg := e.Config()
	w := Where{Config: cfg.Path, Store: cfg.Store}
	if e.reload != nil {
		w.Daemon, w.PID = true, os.Getpid()
	}
	return w, nil
}

// Backup writes a consistent copy of the store, taken in one read
// transaction, so it can run while the daemon works.
func (e *App) Backup(ctx context.Context, w io.Writer) (int64, error) {
	return e.store.WriteTo(w)
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

// Location is the configured timezone, which a reload may change: the zone
// a transport reads times without an offset in.
func (e *App) Location() *time.Location { return e.Config().Timezone }

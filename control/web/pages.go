package web

import (
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	core "github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

// view is what every page template gets.
type view struct {
	W        message.WebWords
	Title    string
	CSRF     string
	SignedIn bool
	Nav      string // the menu entry of the page
	Notice   string
	Error    string
	ReadAt   string
	Refresh  bool

	// The room list.
	Filter      string
	Rooms       []roomCard
	CountAction int
	CountAll    int

	// The room page.
	Room *roomPage

	// The new-order form.
	Form      roomForm
	Platforms []option
	Vias      []option
	Extras    []option

	// The calendar page.
	CalendarURL string
	QR          template.URL // a data: URI of the QR code's PNG, made here
}

type option struct {
	Value, Label string
	Selected     bool
}

// roomCard is a room in the list.
type roomCard struct {
	ID, Title, Buyer, State string
	Severity                string // critical, warning, info, or "" with nothing to do
	Overdue                 bool
	Action                  string
	Deadline                string
	TimeLeft                string
	Snoozed                 string
	NeedsAction             bool
}

// roomPage is everything a room's page shows.
type roomPage struct {
	roomCard
	URL     string
	Facts   []fact
	Alerts  []alertRow
	Events  []fact
	Sent    []fact
	Buttons []option // Value: the event
	CanAck  bool
	Snoozes []option
	At      string
}

type fact struct{ Label, Value, Note string }

type alertRow struct {
	Kind, Severity, SeverityLabel, Deadline, TimeLeft, Action string
	Overdue                                                   bool
	Steps                                                     []string
}

func (a *app) page(r *http.Request, title string) view {
	v := view{W: a.words(), Title: title}
	if s, ok, _ := a.currentSession(r); ok {
		v.SignedIn, v.CSRF = true, s.csrf
	}
	return v
}

func (a *app) signedPage(s session, title, nav string) view {
	return view{W: a.words(), Title: title, CSRF: s.csrf, SignedIn: true, Nav: nav}
}

// when writes a time as a seller reads it, in the configured zone.
func (a *app) when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(a.cfg().Timezone)
	now := a.opt.Now().In(a.cfg().Timezone)
	if a.lang() == message.Japanese {
		s := fmt.Sprintf("%d/%d(%s) %s", t.Month(), t.Day(), message.Weekday(t, message.Japanese), t.Format("15:04"))
		if t.Year() != now.Year() {
			s = strconv.Itoa(t.Year()) + "/" + s
		}
		return s
	}
	layout := "Mon 2 Jan 15:04"
	if t.Year() != now.Year() {
		layout = "Mon 2 Jan 2006 15:04"
	}
	return t.Format(layout)
}

// needsAction is a room whose most urgent alert is overdue, critical, or
// due within a day.
func needsAction(st core.RoomStatus, now time.Time) bool {
	n := st.Next
	return n != nil && (n.Overdue || n.SeverityAt(now) == rules.Critical || n.Deadline.Sub(now) < 24*time.Hour)
}

func (a *app) card(st core.RoomStatus, now time.Time) roomCard {
	lang := a.lang()
	c := roomCard{ID: st.Room, Title: st.Title, Buyer: st.Buyer, State: message.StateLabel(st.State, lang),
		Action: a.words().NothingToDo, NeedsAction: needsAction(st, now)}
	if !st.ClosedAutomatically.IsZero() {
		c.State = message.ClosedAutomaticallyLabel(lang)
	}
	if n := st.Next; n != nil {
		c.Severity = string(n.SeverityAt(now))
		c.Overdue = n.Overdue
		c.Action = st.Action
		c.Deadline = a.when(n.Deadline)
		c.TimeLeft = st.TimeLeft
	}
	if !st.Snoozed.IsZero() {
		c.Snoozed = fmt.Sprintf(a.words().Snoozedf, a.when(st.Snoozed))
	}
	return c
}

// list is every room, most urgent first: the order of `status`.
func (a *app) list(w http.ResponseWriter, r *http.Request, s session) {
	now := a.opt.Now()
	rooms, err := a.opt.Service.Status(r.Context(), core.StatusRequest{Now: now})
	if err != nil {
		a.serviceFailed(w, r, err)
		return
	}
	v := a.signedPage(s, a.words().Rooms, "rooms")
	v.Refresh = true
	v.ReadAt = fmt.Sprintf(v.W.ReadAtf, a.when(now))
	v.Filter = "all"
	if r.URL.Query().Get("show") == "action" {
		v.Filter = "action"
	}
	for _, st := range rooms {
		c := a.card(st, now)
		v.CountAll++
		if c.NeedsAction {
			v.CountAction++
		} else if v.Filter == "action" {
			continue
		}
		v.Rooms = append(v.Rooms, c)
	}
	a.render(w, http.StatusOK, "list", v)
}

// eventsFor are the events a room's page offers in each state, the most
// likely first.
var eventsFor = map[rules.State][]rules.EventKind{
	rules.StateOpen: {rules.EventSellerMessage, rules.EventBuyerMessage, rules.EventDelivered,
		rules.EventCancelRequest, rules.EventCancelled},
	rules.StateDelivered: {rules.EventSellerMessage, rules.EventBuyerMessage, rules.EventClosed,
		rules.EventPushedBack, rules.EventCancelRequest, rules.EventCancelled},
	rules.StateClosed:    {rules.EventBuyerRated, rules.EventSellerRated, rules.EventSellerMessage, rules.EventBuyerMessage},
	rules.StateCancelled: {rules.EventSellerMessage},
}

// snoozeChoices are the snooze durations a room's page offers.
var snoozeChoices = []time.Duration{2 * time.Hour, 6 * time.Hour, 24 * time.Hour, 3 * 24 * time.Hour}

// room shows one room, with a word on what the last form did.
func (a *app) room(w http.ResponseWriter, r *http.Request, s session) {
	v := a.signedPage(s, "", "rooms")
	q := r.URL.Query()
	switch q.Get("ok") {
	case "recorded":
		v.Notice = fmt.Sprintf(v.W.Recordedf, message.WebEventLabel(rules.EventKind(q.Get("event")), a.lang()))
	case "acked":
		n, _ := strconv.Atoi(q.Get("n"))
		v.Notice = fmt.Sprintf(v.W.Ackedf, n)
	case "added":
		v.Notice = fmt.Sprintf(v.W.Addedf, r.PathValue("id"))
	}
	a.showRoom(w, r, v, http.StatusOK)
}

// showRoom renders the room page of r's room with code.
func (a *app) showRoom(w http.ResponseWriter, r *http.Request, v view, code int) {
	id := r.PathValue("id")
	now := a.opt.Now()
	sts, err := a.opt.Service.Status(r.Context(), core.StatusRequest{Room: id, Now: now})
	if (err == nil && len(sts) == 0) || core.IsInputError(err) {
		// The only refusal of a room's status is a room roomwatch does not track.
		a.fail(w, r, http.StatusNotFound, a.words().NotFound)
		return
	}
	if err != nil {
		a.serviceFailed(w, r, err)
		return
	}
	st := sts[0]
	plan, err := a.opt.Service.Plan(r.Context(), core.PlanRequest{})
	if err != nil {
		a.serviceFailed(w, r, err)
		return
	}
	hist, err := a.opt.Service.History(r.Context(), core.HistoryRequest{Room: id})
	if err != nil {
		a.serviceFailed(w, r, err)
		return
	}
	lang := a.lang()
	p := &roomPage{roomCard: a.card(st, now), URL: st.URL, At: r.PostFormValue("at")}
	if r.Method == http.MethodGet && r.URL.Query().Get("ok") == "snoozed" {
		v.Notice = p.Snoozed
	}
	v.Title = st.Room + " " + st.Title
	p.Facts = append(p.Facts, fact{Label: v.W.State, Value: p.State}, fact{Label: v.W.Buyer, Value: st.Buyer})
	for _, e := range rules.EventKinds {
		if t, ok := st.Events[e]; ok {
			p.Facts = append(p.Facts, fact{Label: message.WebEventLabel(e, lang), Value: a.when(t)})
		}
	}
	for _, al := range st.Alerts {
		row := alertRow{Kind: message.KindLabel(al.Kind, lang), Severity: string(al.SeverityAt(now)),
			SeverityLabel: message.SeverityLabel(al.SeverityAt(now), lang),
			Deadline:      a.when(al.Deadline), TimeLeft: al.TimeLeft, Action: al.Action, Overdue: al.Overdue}
		for _, step := range plan {
			if step.Room == st.Room && step.Kind == al.Kind && step.Deadline.Equal(al.Deadline) {
				row.Steps = append(row.Steps, message.StepLabel(step.Step, lang)+" "+a.when(step.At))
			}
		}
		if al.Kind.Ackable() {
			p.CanAck = true
		}
		p.Alerts = append(p.Alerts, row)
	}
	for i := len(hist.Events) - 1; i >= 0; i-- {
		e := hist.Events[i]
		p.Events = append(p.Events, fact{Label: message.WebEventLabel(e.Event, lang), Value: a.when(e.At), Note: e.Source})
	}
	for i := len(hist.Alerts) - 1; i >= 0; i-- {
		al := hist.Alerts[i]
		p.Sent = append(p.Sent, fact{Label: message.KindLabel(al.Kind, lang) + " · " + message.StepLabel(al.Step, lang),
			Value: a.when(al.At), Note: al.State})
	}
	for _, e := range eventsFor[st.State] {
		p.Buttons = append(p.Buttons, option{Value: string(e), Label: message.WebEventLabel(e, lang)})
	}
	for _, d := range snoozeChoices {
		p.Snoozes = append(p.Snoozes, option{Value: rules.FormatDuration(d), Label: message.Span(d, lang)})
	}
	v.Room = p
	a.render(w, code, "room", v)
}

// clockOnly is a time of day alone, "09:30": today, for "earlier today".
var clockOnly = regexp.MustCompile(`^([01]?[0-9]|2[0-3]):([0-5][0-9])$`)

// parseAt reads the optional time of an event: empty is now, a time of day
// is today, anything else is read as the command line reads --at.
func (a *app) parseAt(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	loc := a.cfg().Timezone
	if s == "" {
		return time.Time{}, nil
	}
	if m := clockOnly.FindStringSubmatch(s); m != nil {
		h, _ := strconv.Atoi(m[1])
		mi, _ := strconv.Atoi(m[2])
		now := a.opt.Now().In(loc)
		return time.Date(now.Year(), now.Month(), now.Day(), h, mi, 0, 0, loc), nil
	}
	return config.ParseTime(s, loc)
}

// act records what the room page's form asks: an event, a snooze or an ack.
func (a *app) act(w http.ResponseWriter, r *http.Request, s session) {
	id := r.PathValue("id")
	f := r.PostForm
	refuse := func(msg string) {
		v := a.signedPage(s, "", "rooms")
		v.Error = msg
		a.showRoom(w, r, v, http.StatusBadRequest)
	}
	var err error
	var next url.Values
	switch {
	case f.Has("event"):
		ev := rules.EventKind(f.Get("event"))
		if !slices.Contains(rules.EventKinds, ev) || ev == rules.EventOpened {
			refuse(a.words().BadChoice)
			return
		}
		at, perr := a.parseAt(f.Get("at"))
		if perr != nil {
			refuse(fmt.Sprintf(a.words().BadTimef, perr))
			return
		}
		if at.After(a.opt.Now().Add(core.FutureSlack)) {
			refuse(a.words().FutureTime)
			return
		}
		_, err = a.opt.Service.Record(r.Context(), core.EventRequest{Room: id, Event: ev, At: at, Source: core.SourceWeb})
		next = url.Values{"ok": {"recorded"}, "event": {string(ev)}}
	case f.Has("snooze"):
		d, perr := config.ParseDuration(f.Get("snooze"))
		if perr != nil || !slices.Contains(snoozeChoices, d) {
			refuse(a.words().BadChoice)
			return
		}
		_, err = a.opt.Service.Snooze(r.Context(), core.SnoozeRequest{Room: id, For: d})
		next = url.Values{"ok": {"snoozed"}}
	case f.Has("ack"):
		var res core.AckResult
		res, err = a.opt.Service.Ack(r.Context(), core.AckRequest{Room: id})
		next = url.Values{"ok": {"acked"}, "n": {strconv.Itoa(len(res.Acked))}}
	default:
		refuse(a.words().BadChoice)
		return
	}
	if err != nil {
		if core.IsInputError(err) {
			refuse(err.Error())
			return
		}
		a.serviceFailed(w, r, err)
		return
	}
	a.opt.Log.Info("web: recorded", "room", id, "what", next.Encode(), "remote", r.RemoteAddr)
	http.Redirect(w, r, "/rooms/"+url.PathEscape(id)+"?"+next.Encode(), http.StatusSeeOther)
}

// serviceFailed answers a failed read or action: a refusal says why, a
// failure says to try again.
func (a *app) serviceFailed(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case core.IsInputError(err):
		a.fail(w, r, http.StatusBadRequest, err.Error())
	default:
		a.opt.Log.Error("web: the service failed", "path", r.URL.Path, "err", err)
		a.fail(w, r, http.StatusInternalServerError, a.words().Failed)
	}
}

// roomForm is the new-order form as typed, to show again when refused.
type roomForm struct {
	ID, Title, Buyer, Platform, Opened, Due, Via, Extra, URL string
}

func (a *app) formView(s session, f roomForm) view {
	v := a.signedPage(s, a.words().NewRoom, "new")
	v.Form = f
	cfg := a.cfg()
	names := make([]string, 0, len(cfg.Profiles))
	for name := range cfg.Profiles {
		names = append(names, name)
	}
	slices.Sort(names)
	v.Platforms = []option{{Value: "", Label: fmt.Sprintf(v.W.PlatformDefault, cfg.Platform), Selected: f.Platform == ""}}
	for _, n := range names {
		v.Platforms = append(v.Platforms, option{Value: n, Label: n, Selected: f.Platform == n})
	}
	v.Vias = []option{
		{Value: "", Label: v.W.ViaPurchase, Selected: f.Via == "" || f.Via == string(rules.ViaPurchase)},
		{Value: string(rules.ViaQuote), Label: v.W.ViaQuote, Selected: f.Via == string(rules.ViaQuote)},
	}
	v.Extras = []option{
		{Value: "", Label: v.W.ExtraNone, Selected: f.Extra == "" || f.Extra == string(rules.ExtraNone)},
		{Value: string(rules.ExtraPending), Label: v.W.ExtraPending, Selected: f.Extra == string(rules.ExtraPending)},
		{Value: string(rules.ExtraPaid), Label: v.W.ExtraPaid, Selected: f.Extra == string(rules.ExtraPaid)},
	}
	return v
}

func (a *app) newRoomForm(w http.ResponseWriter, r *http.Request, s session) {
	a.render(w, http.StatusOK, "new", a.formView(s, roomForm{}))
}

// roomIDFromURL finds the room ID in a talk room's address: its last path
// segment (https://coconala.com/talkrooms/4012345 → 4012345).
func roomIDFromURL(s string) (string, bool) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	last := segs[len(segs)-1]
	return last, last != ""
}

// addRoom appends the form's room to the configuration file, exactly as
// `roomwatch add` does, and shows the room with its plan.
func (a *app) addRoom(w http.ResponseWriter, r *http.Request, s session) {
	p := r.PostForm
	f := roomForm{ID: strings.TrimSpace(p.Get("id")), Title: p.Get("title"), Buyer: p.Get("buyer"), Platform: p.Get("platform"),
		Opened: p.Get("opened"), Due: p.Get("due"), Via: p.Get("via"), Extra: p.Get("extra"), URL: strings.TrimSpace(p.Get("url"))}
	cfg := a.cfg()
	refuse := func(msg string) {
		v := a.formView(s, f)
		v.Error = msg
		a.render(w, http.StatusBadRequest, "new", v)
	}
	room := config.NewRoom{ID: f.ID, Title: f.Title, Buyer: f.Buyer, URL: f.URL, Platform: f.Platform,
		Via: rules.Via(f.Via), ExtraPayment: rules.ExtraPaymentState(f.Extra)}
	if strings.Contains(f.ID, "://") {
		id, ok := roomIDFromURL(f.ID)
		if !ok {
			refuse(a.words().NoRoomID)
			return
		}
		room.ID = id
		if room.URL == "" {
			room.URL = f.ID
		}
	}
	if room.ID == "" {
		refuse(a.words().NoRoomID)
		return
	}
	now := a.opt.Now()
	var err error
	if strings.TrimSpace(f.Opened) == "" {
		room.Opened = now.Truncate(time.Minute)
	} else if room.Opened, err = config.ParseTime(f.Opened, cfg.Timezone); err != nil {
		refuse(a.words().Opened + ": " + fmt.Sprintf(a.words().BadTimef, err))
		return
	}
	if room.Opened.After(now.Add(core.FutureSlack)) {
		refuse(a.words().Opened + ": " + a.words().FutureTime)
		return
	}
	if strings.TrimSpace(f.Due) != "" {
		if room.Due, err = config.ParseTime(f.Due, cfg.Timezone); err != nil {
			refuse(a.words().Due + ": " + fmt.Sprintf(a.words().BadTimef, err))
			return
		}
		room.DueDateOnly = config.IsDateOnly(f.Due)
	}
	err = config.AddRoom(cfg.Path, room, cfg.Timezone, cfg.Options())
	var refused *config.RoomError
	switch {
	case errors.As(err, &refused):
		refuse(refused.Msg)
		return
	case err != nil:
		a.opt.Log.Error("web: adding a room", "room", room.ID, "err", err)
		refuse(a.words().Failed)
		return
	}
	a.opt.Log.Info("web: added a room", "room", room.ID, "remote", r.RemoteAddr)
	// The daemon also notices the edited file; reloading now shows the
	// room and its plan on the next page at once.
	if err := a.opt.Service.Reload(r.Context()); err != nil && !core.IsInputError(err) {
		a.opt.Log.Warn("web: reloading after adding a room", "err", err)
	}
	http.Redirect(w, r, "/rooms/"+url.PathEscape(room.ID)+"?ok=added", http.StatusSeeOther)
}

// calendar shows the feed's address with the read-only token, and its QR code.
func (a *app) calendar(w http.ResponseWriter, r *http.Request, s session) {
	v := a.signedPage(s, a.words().Calendar, "calendar")
	ctrl := a.cfg().Control
	if !ctrl.ReadToken.IsZero() {
		base := ctrl.PublicURL
		if base == "" {
			scheme := "http"
			if r.TLS != nil {
				scheme = "https"
			}
			base = scheme + "://" + r.Host
		}
		v.CalendarURL = base + "/calendar.ics?token=" + url.QueryEscape(ctrl.ReadToken.Value())
		png, err := qrcode.Encode(v.CalendarURL, qrcode.Medium, 320)
		if err != nil {
			a.opt.Log.Error("web: drawing the calendar QR code", "err", err)
		} else {
			v.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
		}
	}
	a.render(w, http.StatusOK, "calendar", v)
}

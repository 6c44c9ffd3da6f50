package control

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

// pathCalendar is the iCalendar feed of coming deadlines.
const pathCalendar = "/calendar.ics"

// HTTPServer is the daemon's HTTP API: the control API over TCP behind a
// bearer token, and a calendar feed of the coming deadlines.
type HTTPServer struct {
	addr string
	http *http.Server
	done chan struct{}
}

// ListenHTTP serves svc's API on addr (host:port; an empty host means
// 127.0.0.1) to callers holding token, plus GET /calendar.ics?token=TOKEN.
// Times in the feed's descriptions are shown in loc.
func ListenHTTP(addr string, token config.Secret, svc Service, loc *time.Location, log *slog.Logger) (*HTTPServer, error) {
	return listenHTTP(addr, token, svc, loc, log, time.Now)
}

// listenHTTP is ListenHTTP with the clock that decides which deadlines
// are still coming.
func listenHTTP(addr string, token config.Secret, svc Service, loc *time.Location, log *slog.Logger, now func() time.Time) (*HTTPServer, error) {
	if token.IsZero() {
		return nil, errors.New("control: the HTTP API needs a token (control.token or control.token_file)")
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("control: bad HTTP API address %q: %w", addr, err)
	}
	if host == "" {
		// Go would bind every interface; the API is loopback unless told otherwise.
		host = "127.0.0.1"
	}
	if loc == nil {
		loc = time.UTC
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, fmt.Errorf("control: HTTP API: %w", err)
	}
	s := &HTTPServer{addr: ln.Addr().String(), done: make(chan struct{})}
	s.http = &http.Server{
		Handler:           httpHandler(token, svc, calendar{svc: svc, loc: loc, now: now, log: log}, log),
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	go func() {
		defer close(s.done)
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("HTTP API stopped", "err", err)
		}
	}()
	log.Info("HTTP API listening", "addr", s.addr)
	return s, nil
}

// Addr is the address the API listens on, with the port the system chose
// when the configured one was 0.
func (s *HTTPServer) Addr() string { return s.addr }

// Close stops serving. Requests still running after a short grace period
// (a long backup download) are cut, so the daemon stops in time.
func (s *HTTPServer) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	err := s.http.Shutdown(ctx)
	if err != nil {
		err = s.http.Close()
	}
	<-s.done
	return err
}

// httpHandler puts the token check in front of the API and the feed. The
// feed also takes the token in its query, because phone calendars that
// subscribe to a URL cannot send headers.
func httpHandler(token config.Secret, svc Service, feed http.Handler, log *slog.Logger) http.Handler {
	// Comparing digests keeps the comparison's time independent of the
	// token's length as well as its content.
	want := sha256.Sum256([]byte(token.Value()))
	valid := func(got string) bool {
		if got == "" {
			return false
		}
		sum := sha256.Sum256([]byte(got))
		return subtle.ConstantTimeCompare(sum[:], want[:]) == 1
	}
	refuse := func(w http.ResponseWriter, r *http.Request) {
		// The query is never logged: a calendar's token travels in it.
		path := strings.ReplaceAll(r.URL.Path, token.Value(), "<secret>")
		log.Warn("HTTP API refused a request without a valid token", "remote", r.RemoteAddr, "method", r.Method, "path", path)
		w.Header().Set("WWW-Authenticate", `Bearer realm="roomwatch"`)
		writeJSON(w, http.StatusUnauthorized, errorBody{Error: "control: this API needs Authorization: Bearer <token>"})
	}
	api := Handler(svc, log)
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+pathCalendar, func(w http.ResponseWriter, r *http.Request) {
		if !valid(r.URL.Query().Get("token")) && !valid(bearerToken(r)) {
			refuse(w, r)
			return
		}
		feed.ServeHTTP(w, r)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if !valid(bearerToken(r)) {
			refuse(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
	return mux
}

// bearerToken is the credential of an "Authorization: Bearer …" header.
func bearerToken(r *http.Request) string {
	scheme, cred, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(cred)
}

// calendar serves the coming deadlines of every room as an iCalendar feed
// (RFC 5545), so they show in the seller's phone calendar beside the alerts.
type calendar struct {
	svc Service
	loc *time.Location
	now func() time.Time
	log *slog.Logger
}

func (c calendar) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rooms, err := c.svc.Status(r.Context(), StatusRequest{})
	if err != nil {
		reply(w, c.log)(nil, err)
		return
	}
	body := renderCalendar(rooms, c.now(), c.loc)
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="roomwatch.ics"`)
	// The URL carries the token; nothing in between should keep a copy.
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(body)
}

// calendarRefresh is how often subscribers are asked to fetch the feed again.
const calendarRefresh = "PT15M"

// eventLength is the length of a deadline's event: RFC 5545 wants DTEND
// after DTSTART, and a deadline has no length of its own.
const eventLength = 15 * time.Minute

// alarmBefore is when a critical deadline's event rings, before the deadline.
const alarmBefore = "-PT3H"

// renderCalendar writes one event per room, alert kind and deadline still
// ahead of now.
func renderCalendar(rooms []RoomStatus, now time.Time, loc *time.Location) []byte {
	var f icsWriter
	f.line("BEGIN:VCALENDAR")
	f.line("VERSION:2.0")
	f.line("PRODID:-//roomwatch//roomwatch//EN")
	f.line("CALSCALE:GREGORIAN")
	f.line("METHOD:PUBLISH")
	f.line("X-WR-CALNAME:roomwatch")
	f.line("REFRESH-INTERVAL;VALUE=DURATION:" + calendarRefresh)
	f.line("X-PUBLISHED-TTL:" + calendarRefresh)
	lang := feedLanguage(rooms)
	stamp := icsTime(now)
	seen := map[string]bool{}
	for _, st := range rooms {
		for _, a := range st.Alerts {
			uid := eventUID(st.Room, a.Kind, a.Deadline)
			if !a.Deadline.After(now) || seen[uid] {
				continue
			}
			seen[uid] = true
			summary := eventSummary(st, a, lang)
			f.line("BEGIN:VEVENT")
			f.line("UID:" + uid)
			f.line("DTSTAMP:" + stamp)
			f.line("DTSTART:" + icsTime(a.Deadline))
			f.line("DTEND:" + icsTime(a.Deadline.Add(eventLength)))
			f.line("SUMMARY:" + icsText(summary))
			f.line("DESCRIPTION:" + icsText(eventDescription(st, a, loc)))
			f.line("CATEGORIES:" + icsText(string(a.Severity)) + "," + icsText(string(a.Kind)))
			if usableURI(st.URL) {
				f.line("URL:" + st.URL)
			}
			f.line("TRANSP:TRANSPARENT")
			if a.Severity == rules.Critical {
				f.line("BEGIN:VALARM")
				f.line("ACTION:DISPLAY")
				f.line("DESCRIPTION:" + icsText(summary))
				f.line("TRIGGER:" + alarmBefore)
				f.line("END:VALARM")
			}
			f.line("END:VEVENT")
		}
	}
	f.line("END:VCALENDAR")
	return []byte(f.b.String())
}

// feedLanguage finds the configured language in the service's own answer:
// each room's Action is worded in it. The feed thereby follows a reload
// that changes the language, over the socket as in process.
func feedLanguage(rooms []RoomStatus) string {
	for _, st := range rooms {
		if st.Next == nil || st.Action == "" {
			continue
		}
		for _, lang := range []string{message.Japanese, message.English} {
			if message.Action(st.Next.Kind, lang) == st.Action {
				return lang
			}
		}
	}
	return message.English
}

// eventUID names an event after what makes an alert: the same deadline
// keeps its UID across fetches, so calendars update instead of duplicating;
// a moved deadline is a new event, as it is a new alert.
func eventUID(room string, kind rules.Kind, deadline time.Time) string {
	sum := sha1.Sum([]byte(room + "|" + string(kind) + "|" + deadline.UTC().Format(time.RFC3339)))
	return hex.EncodeToString(sum[:]) + "@roomwatch"
}

// eventSummary is what the calendar shows: what to do, for which room and buyer.
func eventSummary(st RoomStatus, a AlertView, lang string) string {
	what := message.Action(a.Kind, lang)
	if what == "" {
		what = string(a.Kind)
	}
	s := what + " — " + st.Room
	if st.Buyer != "" {
		s += " (" + st.Buyer + ")"
	}
	return s
}

func eventDescription(st RoomStatus, a AlertView, loc *time.Location) string {
	lines := []string{}
	if st.Title != "" {
		lines = append(lines, st.Title)
	}
	lines = append(lines, fmt.Sprintf("%s (%s), %s", a.Kind, a.Severity, a.Deadline.In(loc).Format("2006-01-02 15:04 MST")))
	if st.URL != "" {
		lines = append(lines, st.URL)
	}
	return strings.Join(lines, "\n")
}

// icsTime is a UTC DATE-TIME, which needs no VTIMEZONE.
func icsTime(t time.Time) string {
	return t.UTC().Format("20060102T150405Z")
}

// icsText escapes a TEXT value (RFC 5545 §3.3.11). Control characters other
// than tabs are not allowed in content lines and are dropped.
func icsText(s string) string {
	var b strings.Builder
	for _, r := range strings.ReplaceAll(s, "\r\n", "\n") {
		switch {
		case r == '\\' || r == ';' || r == ',':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t' || !unicode.IsControl(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// usableURI reports whether s can stand as a URI value as it is.
func usableURI(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
}

// icsLineLimit is the longest content line RFC 5545 allows, in octets,
// without the line break.
const icsLineLimit = 75

// icsWriter writes content lines with CRLF, folded at 75 octets.
type icsWriter struct{ b strings.Builder }

func (w *icsWriter) line(s string) {
	limit := icsLineLimit
	for len(s) > limit {
		// Fold between characters, never inside a UTF-8 sequence.
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		w.b.WriteString(s[:cut])
		w.b.WriteString("\r\n ")
		s = s[cut:]
		limit = icsLineLimit - 1 // the continuation's leading space counts
	}
	w.b.WriteString(s)
	w.b.WriteString("\r\n")
}

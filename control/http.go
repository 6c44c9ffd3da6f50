package control

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/control/links"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

// pathCalendar is the iCalendar feed of coming deadlines.
const pathCalendar = "/calendar.ics"

// HTTPServer is the daemon's HTTP API: the control API over TCP behind a
// bearer token, a calendar feed of the coming deadlines, and the pages of
// signed action links.
type HTTPServer struct {
	addr   string
	scheme string
	http   *http.Server
	done   chan struct{}
}

// HTTPOptions configure the HTTP API.
type HTTPOptions struct {
	// Control gives the listen address, the tokens and the TLS files.
	Control config.Control
	Service app.Service
	// Links checks action links; nil serves no /a/ pages.
	Links *links.Signer
	// Marks remembers which links were used; required with Links.
	Marks LinkMarks
	// Language is the configured language of the link pages and the
	// calendar feed, read per request so a reload changes it; nil is
	// English.
	Language func() string
	// Location shows times in the feed's descriptions; nil is UTC.
	Location *time.Location
	Log      *slog.Logger
	// Now is the clock deciding which deadlines are still coming, which
	// links have expired and how long a refused client waits; nil is time.Now.
	Now func() time.Time
	// Web makes the handler of the web app (control/web), served on every
	// path outside /v1/; refused is to be called on every refused
	// credential, so guessing counts against the same limit as the API.
	// Nil: the API alone.
	Web func(refused func(*http.Request)) http.Handler
}

// LinkMarks remembers used action links (store.Store does, across restarts).
type LinkMarks interface {
	LinkUsed(id string) (bool, error)
	UseLink(id string, expires, now time.Time) (first bool, err error)
}

// ListenHTTP serves the API on o.Control.HTTP (host:port; an empty host
// means 127.0.0.1), over HTTPS when TLS files are configured. A
// non-loopback address without TLS needs Control.InsecureRemote, and then
// logs a warning every time it starts.
func ListenHTTP(o HTTPOptions) (*HTTPServer, error) {
	ctrl := o.Control
	if ctrl.Token.IsZero() {
		return nil, errors.New("control: the HTTP API needs a token (control.token or control.token_file)")
	}
	if o.Links != nil && o.Marks == nil {
		return nil, errors.New("control: action links need a store for their used-marks")
	}
	host, port, err := net.SplitHostPort(ctrl.HTTP)
	if err != nil {
		return nil, fmt.Errorf("control: bad HTTP API address %q: %w", ctrl.HTTP, err)
	}
	if host == "" {
		// Go would bind every interface; the API is loopback unless told otherwise.
		host = "127.0.0.1"
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Language == nil {
		o.Language = func() string { return message.English }
	}
	remote := !config.Loopback(host)
	switch {
	case remote && !ctrl.TLS() && !ctrl.InsecureRemote:
		return nil, fmt.Errorf("control: the HTTP API on %s would be reachable from other machines in plain HTTP: configure tls_cert_file and tls_key_file, or insecure_remote: true", ctrl.HTTP)
	case remote && !ctrl.TLS():
		o.Log.Warn("HTTP API on a non-loopback address in plain HTTP (control.insecure_remote): its token and your rooms cross the network unencrypted",
			"addr", ctrl.HTTP)
	}
	var cert tls.Certificate
	if ctrl.TLS() {
		if cert, err = tls.LoadX509KeyPair(ctrl.TLSCertFile, ctrl.TLSKeyFile); err != nil {
			return nil, fmt.Errorf("control: HTTP API TLS: %w", err)
		}
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, fmt.Errorf("control: HTTP API: %w", err)
	}
	s := &HTTPServer{addr: ln.Addr().String(), scheme: "http", done: make(chan struct{})}
	if ctrl.TLS() {
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		s.scheme = "https"
	}
	s.http = &http.Server{
		Handler:           httpHandler(o),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(o.Log.Handler(), slog.LevelWarn),
	}
	go func() {
		defer close(s.done)
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			o.Log.Error("HTTP API stopped", "err", err)
		}
	}()
	o.Log.Info("HTTP API listening", "addr", s.addr, "tls", ctrl.TLS(), "links", o.Links != nil)
	return s, nil
}

// Addr is the address the API listens on, with the port the system chose
// when the configured one was 0.
func (s *HTTPServer) Addr() string { return s.addr }

// URL is the API's base URL on its own address: http:// or https://.
func (s *HTTPServer) URL() string { return s.scheme + "://" + s.addr }

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

// scope is what a credential may do.
type scope int

const (
	scopeNone scope = iota
	scopeRead       // control.read_token: the feed, status and plan
	scopeFull       // control.token: everything
)

// readPaths are what the read-only token opens, all with GET: what a
// calendar or a dashboard shows, nothing of the history or the store.
var readPaths = []string{pathCalendar, pathStatus, pathPlan}

// httpHandler puts the token check in front of the API and the feed, and
// serves the link pages, which carry their own credential. The feed also
// takes a token in its query, because phone calendars that subscribe to a
// URL cannot send headers.
func httpHandler(o HTTPOptions) http.Handler {
	full := secretMatcher(o.Control.Token)
	read := secretMatcher(o.Control.ReadToken)
	scopeOf := func(cred string) scope {
		switch {
		case full(cred):
			return scopeFull
		case read(cred):
			return scopeRead
		}
		return scopeNone
	}
	limit := newFailureLimit(o.Now)
	refuse := func(w http.ResponseWriter, r *http.Request) {
		// Neither the query (a calendar's token travels in it) nor the
		// Authorization header is ever logged.
		o.Log.Warn("HTTP API refused a request without a valid token", "remote", r.RemoteAddr, "method", r.Method, "path", r.URL.Path)
		limit.fail(r)
		w.Header().Set("WWW-Authenticate", `Bearer realm="roomwatch"`)
		writeJSON(w, http.StatusUnauthorized, errorBody{Error: "control: this API needs Authorization: Bearer <token>"})
	}
	api := serve(o.Service, o.Log, wire{source: app.SourceHTTP, sources: remoteSources, loc: location(o.Service)})
	feed := calendar{svc: o.Service, loc: o.Location, now: o.Now, lang: o.Language, log: o.Log}
	mux := http.NewServeMux()
	mux.HandleFunc(pathCalendar, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: pathCalendar + " takes GET", Input: true})
			return
		}
		if max(scopeOf(r.URL.Query().Get("token")), scopeOf(bearerToken(r))) == scopeNone {
			refuse(w, r)
			return
		}
		feed.ServeHTTP(w, r)
	})
	if o.Links != nil {
		lp := &linkPages{opt: o, limit: limit}
		mux.Handle(links.PathPrefix+"{token}", lp)
	}
	var web http.Handler
	if o.Web != nil {
		web = o.Web(limit.fail)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if web != nil && !strings.HasPrefix(r.URL.Path, "/v1/") {
			web.ServeHTTP(w, r)
			return
		}
		switch scopeOf(bearerToken(r)) {
		case scopeNone:
			refuse(w, r)
		case scopeRead:
			if r.Method != http.MethodGet || !slices.Contains(readPaths, r.URL.Path) {
				writeJSON(w, http.StatusForbidden, errorBody{Error: "control: the read-only token may only GET " + strings.Join(readPaths, ", ")})
				return
			}
			api.ServeHTTP(w, r)
		default:
			api.ServeHTTP(w, r)
		}
	})
	return limit.guard(mux)
}

// secretMatcher compares credentials with secret. Comparing digests keeps
// the comparison's time independent of the token's length as well as its
// content; a zero secret matches nothing.
func secretMatcher(secret config.Secret) func(string) bool {
	if secret.IsZero() {
		return func(string) bool { return false }
	}
	want := sha256.Sum256([]byte(secret.Value()))
	return func(got string) bool {
		if got == "" {
			return false
		}
		sum := sha256.Sum256([]byte(got))
		return subtle.ConstantTimeCompare(sum[:], want[:]) == 1
	}
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
	svc app.Service
	loc *time.Location
	now func() time.Time
	// lang is the configured language (HTTPOptions.Language).
	lang func() string
	log  *slog.Logger
}

func (c calendar) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rooms, err := c.svc.Status(r.Context(), app.StatusRequest{})
	if err != nil {
		reply(w, c.log)(nil, err)
		return
	}
	body := renderCalendar(rooms, c.now(), c.loc, c.lang())
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
// ahead of now, its words in lang.
func renderCalendar(rooms []app.RoomStatus, now time.Time, loc *time.Location, lang string) []byte {
	var f icsWriter
	f.line("BEGIN:VCALENDAR")
	f.line("VERSION:2.0")
	f.line("PRODID:-//roomwatch//roomwatch//EN")
	f.line("CALSCALE:GREGORIAN")
	f.line("METHOD:PUBLISH")
	f.line("X-WR-CALNAME:roomwatch")
	f.line("REFRESH-INTERVAL;VALUE=DURATION:" + calendarRefresh)
	f.line("X-PUBLISHED-TTL:" + calendarRefresh)
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

// eventUID names an event after what makes an alert: the same deadline
// keeps its UID across fetches, so calendars update instead of duplicating;
// a moved deadline is a new event, as it is a new alert.
func eventUID(room string, kind rules.Kind, deadline time.Time) string {
	sum := sha1.Sum([]byte(room + "|" + string(kind) + "|" + deadline.UTC().Format(time.RFC3339)))
	return hex.EncodeToString(sum[:]) + "@roomwatch"
}

// eventSummary is what the calendar shows: what to do, for which room and buyer.
func eventSummary(st app.RoomStatus, a app.AlertView, lang string) string {
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

func eventDescription(st app.RoomStatus, a app.AlertView, loc *time.Location) string {
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

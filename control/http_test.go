package control

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

const testToken = "tok-3f9a1c7e5b2d4e60"

// lockedBuffer collects log output written from the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serveHTTP serves the fixture's API on a loopback port; the feed's clock
// is the fixture's.
func serveHTTP(t *testing.T, f fixture) (base string, logs *lockedBuffer) {
	t.Helper()
	logs = &lockedBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := ListenHTTP(HTTPOptions{
		Control: config.Control{HTTP: "127.0.0.1:0", Token: config.NewSecret(testToken)},
		Service: f.local, Location: f.loc, Log: log, Now: f.clock.Now,
	})
	if err != nil {
		t.Fatalf("ListenHTTP: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return "http://" + srv.Addr(), logs
}

func do(t *testing.T, method, u, auth string, body any) *http.Response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestHTTPNeedsAToken(t *testing.T) {
	f := newFixture(t)
	if srv, err := ListenHTTP(HTTPOptions{Control: config.Control{HTTP: "127.0.0.1:0"}, Service: f.local, Location: f.loc, Log: quietLog()}); err == nil {
		srv.Close()
		t.Fatal("ListenHTTP started without a token")
	}
}

func TestHTTPBindsLoopbackWithoutAHost(t *testing.T) {
	f := newFixture(t)
	srv, err := ListenHTTP(HTTPOptions{Control: config.Control{HTTP: ":0", Token: config.NewSecret(testToken)}, Service: f.local, Location: f.loc, Log: quietLog()})
	if err != nil {
		t.Fatalf("ListenHTTP: %v", err)
	}
	host, _, err := net.SplitHostPort(srv.Addr())
	if err != nil || host != "127.0.0.1" {
		t.Errorf("bound %s, want 127.0.0.1", srv.Addr())
	}
	if err := srv.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if c, err := net.DialTimeout("tcp", srv.Addr(), time.Second); err == nil {
		c.Close()
		t.Error("the API still accepts connections after Close")
	}
}

func TestHTTPRefusesWithoutTheToken(t *testing.T) {
	base, logs := serveHTTP(t, newFixture(t))
	cases := []struct{ name, method, path, auth string }{
		{"no header", "GET", "/v1/status", ""},
		{"wrong token", "GET", "/v1/status", "Bearer wrong-" + testToken},
		{"token as basic auth", "GET", "/v1/status", "Basic " + testToken},
		{"token in the query of the API", "GET", "/v1/status?token=" + testToken, ""},
		{"event without a token", "POST", "/v1/events", ""},
		{"calendar without a token", "GET", "/calendar.ics", ""},
		{"calendar with a wrong token", "GET", "/calendar.ics?token=wrong-" + testToken, ""},
		{"calendar with a prefix of the token", "GET", "/calendar.ics?token=" + testToken[:len(testToken)-1], ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body any
			if tc.method == "POST" {
				body = app.EventRequest{Room: "4012345", Event: rules.EventSellerMessage}
			}
			resp := do(t, tc.method, base+tc.path, tc.auth, body)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status %s, want 401", resp.Status)
			}
			if got := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
				t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", got)
			}
		})
	}
	out := logs.String()
	if strings.Count(out, "without a valid token") != len(cases) {
		t.Errorf("want one log line per refused request, got:\n%s", out)
	}
	if strings.Contains(out, testToken[:8]) {
		t.Errorf("a token reached the log:\n%s", out)
	}
}

func TestHTTPServesTheAPIWithTheToken(t *testing.T) {
	f := newFixture(t)
	base, _ := serveHTTP(t, f)
	auth := "Bearer " + testToken

	resp := do(t, "GET", base+"/v1/status", auth, nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("status: %s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	var rooms []app.RoomStatus
	if err := json.NewDecoder(resp.Body).Decode(&rooms); err != nil {
		t.Fatalf("status JSON: %v", err)
	}
	if len(rooms) != 2 {
		t.Fatalf("status lists %d rooms, want 2", len(rooms))
	}

	resp = do(t, "POST", base+"/v1/events", auth, app.EventRequest{Room: "4012345", Event: rules.EventSellerMessage, Source: "http"})
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("event: %s %s", resp.Status, b)
	}
	got, ok := deadlineOf(t, f.local, "4012345", rules.CheckIn)
	if want := f.clock.Now().Add(72 * time.Hour); !ok || !got.Equal(want) {
		t.Errorf("check-in after the event = %v (%v), want %v", got, ok, want)
	}
	h, err := f.local.History(context.Background(), app.HistoryRequest{Room: "4012345"})
	if err != nil || len(h.Events) == 0 || h.Events[len(h.Events)-1].Source != "http" {
		t.Errorf("history = %+v, %v; want the event from http last", h, err)
	}

	resp = do(t, "POST", base+"/v1/events", auth, app.EventRequest{Room: "nope", Event: rules.EventSellerMessage})
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown room: %s, want 400", resp.Status)
	}
}

// icsEvent is one VEVENT's properties, unfolded, by name.
type icsEvent map[string][]string

// parseICS checks a feed's structure and returns its events: CRLF line
// ends, lines of at most 75 octets split between characters, matched
// BEGIN/END pairs.
func parseICS(t *testing.T, body string) []icsEvent {
	t.Helper()
	if !strings.HasSuffix(body, "\r\n") {
		t.Fatal("the feed does not end with CRLF")
	}
	raw := strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n")
	var lines []string
	for i, l := range raw {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("line %d holds a bare line break: %q", i+1, l)
		}
		if len(l) > icsLineLimit {
			t.Errorf("line %d is %d octets: %q", i+1, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d splits a character: %q", i+1, l)
		}
		if strings.HasPrefix(l, " ") {
			if len(lines) == 0 {
				t.Fatal("the feed starts with a continuation line")
			}
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	var stack []string
	var events []icsEvent
	var cur icsEvent
	for _, l := range lines {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("content line without a colon: %q", l)
		}
		switch name {
		case "BEGIN":
			stack = append(stack, value)
			if value == "VEVENT" {
				cur = icsEvent{}
			}
		case "END":
			if len(stack) == 0 || stack[len(stack)-1] != value {
				t.Fatalf("END:%s does not close %v", value, stack)
			}
			stack = stack[:len(stack)-1]
			if value == "VEVENT" {
				events = append(events, cur)
				cur = nil
			}
		default:
			if cur != nil {
				key := name
				if slices.Contains(stack, "VALARM") {
					key = "VALARM/" + name
				}
				cur[key] = append(cur[key], value)
			}
		}
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed components: %v", stack)
	}
	if !strings.HasPrefix(lines[0], "BEGIN:VCALENDAR") || lines[len(lines)-1] != "END:VCALENDAR" {
		t.Fatalf("the feed is not one VCALENDAR: %q … %q", lines[0], lines[len(lines)-1])
	}
	return events
}

func unescapeICS(s string) string {
	return strings.NewReplacer(`\\`, `\`, `\;`, ";", `\,`, ",", `\n`, "\n", `\N`, "\n").Replace(s)
}

func fetchCalendar(t *testing.T, u string) []icsEvent {
	t.Helper()
	resp := do(t, "GET", u, "", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("calendar: %s", resp.Status)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Errorf("Content-Type = %q", ct)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return parseICS(t, string(body))
}

var utcStamp = regexp.MustCompile(`^\d{8}T\d{6}Z$`)

func TestCalendarFeed(t *testing.T) {
	f := newFixture(t)
	base, _ := serveHTTP(t, f)
	feed := base + "/calendar.ics?" + url.Values{"token": {testToken}}.Encode()

	// What the feed must hold: every live alert whose deadline is ahead.
	rooms, err := f.local.Status(context.Background(), app.StatusRequest{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]app.AlertView{}
	titles := map[string]string{}
	for _, st := range rooms {
		for _, a := range st.Alerts {
			if a.Deadline.After(f.clock.Now()) {
				want[eventUID(st.Room, a.Kind, a.Deadline)] = a
				titles[eventUID(st.Room, a.Kind, a.Deadline)] = st.Title
			}
		}
	}
	if len(want) < 4 {
		t.Fatalf("the fixture has %d future deadlines; want several to check", len(want))
	}

	events := fetchCalendar(t, feed)
	if len(events) != len(want) {
		t.Fatalf("%d events, want %d (one per room, kind and future deadline)", len(events), len(want))
	}
	var uids []string
	for _, ev := range events {
		for _, prop := range []string{"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION"} {
			if len(ev[prop]) != 1 {
				t.Fatalf("event %v has %d %s", ev["UID"], len(ev[prop]), prop)
			}
		}
		uid := ev["UID"][0]
		uids = append(uids, uid)
		a, ok := want[uid]
		if !ok {
			t.Errorf("event %s matches no future alert", uid)
			continue
		}
		for _, prop := range []string{"DTSTAMP", "DTSTART", "DTEND"} {
			if !utcStamp.MatchString(ev[prop][0]) {
				t.Errorf("%s = %q, want a UTC date-time", prop, ev[prop][0])
			}
		}
		if ev["DTSTART"][0] != a.Deadline.UTC().Format("20060102T150405Z") {
			t.Errorf("%s: DTSTART %s, want the deadline %v", a.Kind, ev["DTSTART"][0], a.Deadline.UTC())
		}
		if ev["DTEND"][0] <= ev["DTSTART"][0] {
			t.Errorf("%s: DTEND %s is not after DTSTART %s", a.Kind, ev["DTEND"][0], ev["DTSTART"][0])
		}
		desc := unescapeICS(ev["DESCRIPTION"][0])
		if !strings.HasPrefix(desc, titles[uid]+"\n") || !strings.Contains(desc, string(a.Kind)) {
			t.Errorf("DESCRIPTION = %q, want the title %q and the kind %s", desc, titles[uid], a.Kind)
		}
		alarms := ev["VALARM/TRIGGER"]
		if critical := a.Severity == rules.Critical; critical != (len(alarms) == 1) || (critical && alarms[0] != "-PT3H") {
			t.Errorf("%s (%s): alarms %v, want one -PT3H alarm exactly for critical kinds", a.Kind, a.Severity, alarms)
		}
	}
	if len(slices.Compact(slices.Sorted(slices.Values(uids)))) != len(uids) {
		t.Errorf("UIDs repeat: %v", uids)
	}

	// The title of 4012345 holds , ; and \, which must arrive escaped and whole.
	var cancel icsEvent
	for _, ev := range events {
		if strings.Contains(ev["SUMMARY"][0], "4012345") && strings.Contains(ev["CATEGORIES"][0], string(rules.CancelRisk)) {
			cancel = ev
		}
	}
	if cancel == nil {
		t.Fatal("no cancel-risk event for 4012345")
	}
	if got := cancel["SUMMARY"][0]; got != "Reply to the buyer — 4012345 (tanaka)" {
		t.Errorf("SUMMARY = %q", got)
	}
	if d := cancel["DESCRIPTION"][0]; !strings.Contains(d, `5本\, part 1\; draft \\ notes`) {
		t.Errorf("DESCRIPTION not escaped: %q", d)
	}
	if got := cancel["URL"]; len(got) != 1 || got[0] != "https://coconala.com/talkrooms/4012345" {
		t.Errorf("URL = %v", got)
	}

	// A second fetch names the same events the same way.
	var again []string
	for _, ev := range fetchCalendar(t, feed) {
		again = append(again, ev["UID"][0])
	}
	if !slices.Equal(uids, again) {
		t.Errorf("UIDs changed between fetches:\n%v\n%v", uids, again)
	}

	// A bearer header works too, for clients that can send one.
	if n := len(fetchCalendarWithHeader(t, base+"/calendar.ics")); n != len(events) {
		t.Errorf("with a bearer header: %d events, want %d", n, len(events))
	}
}

func fetchCalendarWithHeader(t *testing.T, u string) []icsEvent {
	t.Helper()
	resp := do(t, "GET", u, "Bearer "+testToken, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("calendar with a header: %s", resp.Status)
	}
	body, _ := io.ReadAll(resp.Body)
	return parseICS(t, string(body))
}

func TestCalendarFollowsAMovedDeadline(t *testing.T) {
	f := newFixture(t)
	rooms := func() []app.RoomStatus {
		rs, err := f.local.Status(context.Background(), app.StatusRequest{})
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	checkInUID := func(body string) string {
		for _, ev := range parseICS(t, body) {
			if strings.Contains(ev["SUMMARY"][0], "4012345") && ev["CATEGORIES"][0] == "warning,check-in" {
				return ev["UID"][0]
			}
		}
		t.Fatal("no check-in event for 4012345")
		return ""
	}
	before := checkInUID(string(renderCalendar(rooms(), f.clock.Now(), f.loc, message.English)))
	if _, err := f.local.Record(context.Background(), app.EventRequest{Room: "4012345", Event: rules.EventSellerMessage}); err != nil {
		t.Fatal(err)
	}
	after := checkInUID(string(renderCalendar(rooms(), f.clock.Now(), f.loc, message.English)))
	if before == after {
		t.Error("a moved check-in deadline kept its event UID; calendars would not show the new time")
	}
	// Once every deadline has passed, the feed is an empty calendar.
	f.clock.Advance(400 * 24 * time.Hour)
	if evs := parseICS(t, string(renderCalendar(rooms(), f.clock.Now(), f.loc, message.English))); len(evs) != 0 {
		t.Errorf("%d events after every deadline passed", len(evs))
	}
}

func TestICSFoldingAndEscaping(t *testing.T) {
	long := strings.Repeat("締切まであと少し, ", 12) + `a;b\c` + "\r\nnext line\tend\x07"
	var w icsWriter
	w.line("SUMMARY:" + icsText(long))
	out := w.b.String()
	events := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
	if len(events) < 3 {
		t.Fatalf("a %d-octet line was folded into %d lines", len(out), len(events))
	}
	unfolded := ""
	for i, l := range events {
		if len(l) > icsLineLimit || !utf8.ValidString(l) {
			t.Errorf("line %d: %d octets, valid UTF-8 %v", i, len(l), utf8.ValidString(l))
		}
		if i > 0 {
			if !strings.HasPrefix(l, " ") {
				t.Fatalf("continuation line %d lacks the leading space: %q", i, l)
			}
			l = l[1:]
		}
		unfolded += l
	}
	value := strings.TrimPrefix(unfolded, "SUMMARY:")
	if strings.ContainsAny(value, "\r\n\x07") {
		t.Errorf("raw line breaks or control characters survived: %q", value)
	}
	if got, want := unescapeICS(value), strings.ReplaceAll(strings.ReplaceAll(long, "\r\n", "\n"), "\x07", ""); got != want {
		t.Errorf("unescaped value = %q, want %q", got, want)
	}
}

func TestCalendarSpeaksTheConfiguredLanguage(t *testing.T) {
	deadline := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	alert := app.AlertView{Kind: rules.CheckIn, Severity: rules.Warning, Deadline: deadline}
	for _, lang := range []string{message.Japanese, message.English} {
		// The room's own Action is in the other language (or missing):
		// the feed follows the configuration, not the service's words.
		other := message.Japanese
		if lang == message.Japanese {
			other = message.English
		}
		for _, action := range []string{message.Action(rules.CheckIn, other), ""} {
			st := app.RoomStatus{Room: "4012345", Buyer: "tanaka", Alerts: []app.AlertView{alert}, Next: &alert, Action: action}
			evs := parseICS(t, string(renderCalendar([]app.RoomStatus{st}, deadline.Add(-time.Hour), time.UTC, lang)))
			want := message.Action(rules.CheckIn, lang) + " — 4012345 (tanaka)"
			if len(evs) != 1 || unescapeICS(evs[0]["SUMMARY"][0]) != want {
				t.Errorf("%s (room action %q): events %v, want one with SUMMARY %q", lang, action, evs, want)
			}
		}
	}
}

// TestCalendarFeedFollowsTheLanguageOption serves the feed with a language
// that changes between fetches, as a reload changes it.
func TestCalendarFeedFollowsTheLanguageOption(t *testing.T) {
	f := newFixture(t)
	var lang atomic.Value // read by the server's goroutines
	lang.Store(message.Japanese)
	srv, err := ListenHTTP(HTTPOptions{
		Control: config.Control{HTTP: "127.0.0.1:0", Token: config.NewSecret(testToken)},
		Service: f.local, Location: f.loc, Log: quietLog(), Now: f.clock.Now,
		Language: func() string { return lang.Load().(string) },
	})
	if err != nil {
		t.Fatalf("ListenHTTP: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	feed := "http://" + srv.Addr() + "/calendar.ics?" + url.Values{"token": {testToken}}.Encode()
	for _, l := range []string{message.Japanese, message.English} {
		lang.Store(l)
		var found bool
		for _, ev := range fetchCalendar(t, feed) {
			if ev["CATEGORIES"][0] == "critical,cancel-risk" && strings.Contains(ev["SUMMARY"][0], "4012345") {
				found = true
				if want := message.Action(rules.CancelRisk, l) + " — 4012345 (tanaka)"; ev["SUMMARY"][0] != want {
					t.Errorf("%s: SUMMARY = %q, want %q", l, ev["SUMMARY"][0], want)
				}
			}
		}
		if !found {
			t.Fatalf("%s: no cancel-risk event for 4012345", l)
		}
	}
}

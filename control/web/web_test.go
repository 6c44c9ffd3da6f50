package web

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	core "github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
)

func TestSignInWithTheToken(t *testing.T) {
	f := newFixture(t, "en")
	c := f.client()
	if a := f.do(c, "GET", "/", nil); a.code != http.StatusSeeOther || a.location != "/signin" {
		t.Fatalf("the room list without a session: %d → %q", a.code, a.location)
	}
	bad := f.do(c, "POST", "/signin", url.Values{"token": {testToken + "x"}})
	if bad.code != http.StatusUnauthorized || bad.header.Get("Set-Cookie") != "" || !strings.Contains(bad.body, "not right") {
		t.Fatalf("a wrong token: %d, cookie %q", bad.code, bad.header.Get("Set-Cookie"))
	}
	// The read-only token opens the calendar feed, not the app.
	if a := f.do(c, "POST", "/signin", url.Values{"token": {testReadToken}}); a.code != http.StatusUnauthorized {
		t.Fatalf("the read-only token signed in: %d", a.code)
	}
	ok := f.do(c, "POST", "/signin", url.Values{"token": {testToken}})
	if ok.code != http.StatusSeeOther {
		t.Fatalf("the token: %d %s", ok.code, ok.body)
	}
	cookie := ok.header.Get("Set-Cookie")
	for _, want := range []string{cookieName + "=", "HttpOnly", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("cookie %q lacks %s", cookie, want)
		}
	}
	if strings.Contains(cookie, "Secure") {
		t.Errorf("cookie %q is Secure on plain HTTP: the browser would drop it", cookie)
	}
	if a := f.do(c, "GET", "/", nil); a.code != http.StatusOK || !strings.Contains(a.body, "4012345") {
		t.Fatalf("the room list after signing in: %d", a.code)
	}
}

func TestSessionCookieIsSecureBehindTLS(t *testing.T) {
	f := newFixture(t, "en")
	cfg := *f.local.Config()
	cfg.Control.PublicURL = "https://pi.example.ts.net"
	f.local.SetConfig(&cfg)
	a := f.do(f.client(), "POST", "/signin", url.Values{"token": {testToken}})
	if !strings.Contains(a.header.Get("Set-Cookie"), "Secure") {
		t.Errorf("cookie %q is not Secure behind an https public address", a.header.Get("Set-Cookie"))
	}
}

func TestRoomsInTheOrderOfStatus(t *testing.T) {
	f := newFixture(t, "en")
	c, _ := f.signedIn()
	page := f.do(c, "GET", "/", nil).body
	sts, err := f.local.Status(context.Background(), core.StatusRequest{})
	if err != nil {
		t.Fatal(err)
	}
	last := -1
	for _, st := range sts {
		i := strings.Index(page, `data-room="`+st.Room+`"`)
		if i < 0 || i < last {
			t.Fatalf("room %s is at %d, after %d: not the order of status", st.Room, i, last)
		}
		last = i
	}
	for _, want := range []string{`http-equiv="refresh"`, "Read at", "overdue by", "sev-critical"} {
		if !strings.Contains(page, want) {
			t.Errorf("the room list lacks %q", want)
		}
	}
	// "Needs action" hides the room with nothing due within a day.
	action := f.do(c, "GET", "/?show=action", nil).body
	if strings.Contains(action, `data-room="4012347"`) || !strings.Contains(action, `data-room="4012348"`) {
		t.Errorf("needs-action filter:\n%s", action)
	}
}

func TestRecordFromTheRoomPage(t *testing.T) {
	f := newFixture(t, "en")
	c, csrf := f.signedIn()
	a := f.do(c, "POST", "/rooms/4012346", url.Values{"csrf": {csrf}, "event": {"seller_message"}, "at": {"11:30"}})
	if a.code != http.StatusSeeOther || !strings.HasPrefix(a.location, "/rooms/4012346?") || !strings.Contains(a.location, "ok=recorded") {
		t.Fatalf("record: %d → %q %s", a.code, a.location, a.body)
	}
	ev := f.events("4012346")
	got := ev[len(ev)-1]
	if got.Event != "seller_message" || got.Source != core.SourceWeb || !got.At.Equal(testNow.Add(-30*time.Minute)) {
		t.Fatalf("recorded %+v; want seller_message at 11:30 from web", got)
	}
	page := f.do(c, "GET", a.location, nil).body
	if !strings.Contains(page, "Recorded: I wrote.") || !strings.Contains(page, "from web") {
		t.Errorf("the room page after recording:\n%s", page)
	}
	// Snooze and ack go through the same service.
	if a := f.do(c, "POST", "/rooms/4012345", url.Values{"csrf": {csrf}, "snooze": {"6h"}}); a.code != http.StatusSeeOther {
		t.Fatalf("snooze: %d %s", a.code, a.body)
	}
	st, _ := f.local.Status(context.Background(), core.StatusRequest{Room: "4012345"})
	if !st[0].Snoozed.Equal(testNow.Add(6 * time.Hour)) {
		t.Errorf("snoozed until %v", st[0].Snoozed)
	}
	if a := f.do(c, "POST", "/rooms/4012345", url.Values{"csrf": {csrf}, "ack": {"1"}}); a.code != http.StatusSeeOther || !strings.Contains(a.location, "ok=acked") {
		t.Fatalf("ack: %d → %q %s", a.code, a.location, a.body)
	}
}

// TestRoomPageRefusesBadInput sends every field of the room page's forms
// wrong: each is refused with a reason and records nothing.
func TestRoomPageRefusesBadInput(t *testing.T) {
	f := newFixture(t, "en")
	c, csrf := f.signedIn()
	cases := []struct {
		name string
		form url.Values
		code int
		want string
	}{
		{"unknown event", url.Values{"event": {"buyer_wrote"}}, 400, "Choose one"},
		{"opened is not recorded", url.Values{"event": {"opened"}}, 400, "Choose one"},
		{"time is not a time", url.Values{"event": {"seller_message"}, "at": {"yesterday-ish"}}, 400, "Not a time"},
		{"time of day out of range", url.Values{"event": {"seller_message"}, "at": {"25:10"}}, 400, "Not a time"},
		{"time in the future", url.Values{"event": {"seller_message"}, "at": {"2026-11-23 09:00"}}, 400, "in the future"},
		{"snooze not offered", url.Values{"snooze": {"90d"}}, 400, "Choose one"},
		{"snooze not a duration", url.Values{"snooze": {"soon"}}, 400, "Choose one"},
		{"no action", url.Values{}, 400, "Choose one"},
		{"ack with nothing to ack", url.Values{"ack": {"1"}}, 400, "no live critical alert"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			room := "4012345"
			if strings.HasPrefix(tc.name, "ack") {
				room = "4012347"
			}
			before := len(f.events(room))
			form := tc.form
			form.Set("csrf", csrf)
			a := f.do(c, "POST", "/rooms/"+room, form)
			if a.code != tc.code || !strings.Contains(a.body, tc.want) {
				t.Errorf("answer %d, want %d with %q:\n%s", a.code, tc.code, tc.want, a.body)
			}
			if n := len(f.events(room)); n != before {
				t.Errorf("%d events written", n-before)
			}
		})
	}
	if a := f.do(c, "POST", "/rooms/9999999", url.Values{"csrf": {csrf}, "event": {"seller_message"}}); a.code != http.StatusNotFound {
		t.Errorf("an unknown room: %d", a.code)
	}
	if a := f.do(c, "GET", "/rooms/9999999", nil); a.code != http.StatusNotFound {
		t.Errorf("an unknown room's page: %d", a.code)
	}
}

// TestNoSessionOrBadCSRFWritesNothing: a form from another site, or from
// a browser that is not signed in, changes nothing.
func TestNoSessionOrBadCSRFWritesNothing(t *testing.T) {
	f := newFixture(t, "en")
	c, csrf := f.signedIn()
	_, otherCSRF := f.signedIn()
	yaml := f.configText()
	before := len(f.events("4012345"))
	addForm := url.Values{"id": {"5550001"}, "title": {"x"}, "buyer": {"y"}}
	cases := []struct {
		name   string
		client *http.Client
		csrf   string
	}{
		{"no session", f.client(), csrf},
		{"no CSRF token", c, ""},
		{"a wrong CSRF token", c, csrf[:len(csrf)-2] + "xx"},
		{"another session's CSRF token", c, otherCSRF},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, req := range []struct {
				path string
				form url.Values
			}{
				{"/rooms/4012345", url.Values{"event": {"buyer_message"}}},
				{"/rooms/4012345", url.Values{"snooze": {"2h"}}},
				{"/rooms/new", addForm},
				{"/signout", url.Values{}},
			} {
				form := url.Values{}
				for k, v := range req.form {
					form[k] = v
				}
				if tc.csrf != "" {
					form.Set("csrf", tc.csrf)
				}
				if a := f.do(tc.client, "POST", req.path, form); a.code != http.StatusForbidden {
					t.Errorf("POST %s answered %d, want 403", req.path, a.code)
				}
			}
		})
	}
	if n := len(f.events("4012345")); n != before {
		t.Errorf("%d events written", n-before)
	}
	if st, _ := f.local.Status(context.Background(), core.StatusRequest{Room: "4012345"}); !st[0].Snoozed.IsZero() {
		t.Error("a refused snooze was recorded")
	}
	if f.configText() != yaml {
		t.Error("a refused form changed the configuration file")
	}
	if a := f.do(c, "GET", "/", nil); a.code != http.StatusOK {
		t.Errorf("a refused sign-out signed out: %d", a.code)
	}
}

func TestAddRoomKeepsEveryComment(t *testing.T) {
	f := newFixture(t, "en")
	c, csrf := f.signedIn()
	before := f.configText()
	a := f.do(c, "POST", "/rooms/new", url.Values{"csrf": {csrf},
		"id": {"https://coconala.com/talkrooms/4019999"}, "title": {"名刺のデザイン"}, "buyer": {"ito"},
		"opened": {"2026-11-22 10:00"}, "due": {"2026-11-29"}, "via": {"quote"}, "extra": {"pending"}})
	if a.code != http.StatusSeeOther || a.location != "/rooms/4019999?ok=added" {
		t.Fatalf("add: %d → %q\n%s", a.code, a.location, a.body)
	}
	after := f.configText()
	for _, line := range strings.Split(before, "\n") {
		if !strings.Contains(after, line) {
			t.Errorf("the line %q was lost", line)
		}
	}
	for _, want := range []string{`id: "4019999"`, "url: https://coconala.com/talkrooms/4019999", "due: 2026-11-29", "via: quote", "extra_payment: pending"} {
		if !strings.Contains(after, want) {
			t.Errorf("the new room lacks %q:\n%s", want, after)
		}
	}
	page := f.do(c, "GET", a.location, nil)
	if page.code != http.StatusOK || !strings.Contains(page.body, "Added room 4019999") || !strings.Contains(page.body, "send-terms") {
		t.Errorf("the new room's page (%d):\n%s", page.code, page.body)
	}
}

// TestAddRoomRefusesEveryBadField sends each field of the new-order form
// wrong: each is refused with a reason, and the file is not touched.
func TestAddRoomRefusesEveryBadField(t *testing.T) {
	f := newFixture(t, "en")
	c, csrf := f.signedIn()
	good := url.Values{"id": {"4020000"}, "title": {"翻訳"}, "buyer": {"kato"}, "opened": {"2026-11-22 09:00"},
		"due": {"2026-11-30"}, "via": {""}, "extra": {""}, "platform": {""}, "url": {""}}
	cases := []struct {
		field, value, want string
	}{
		{"id", "", "Give the room"},
		{"id", "https://coconala.com/", "Give the room"},
		{"id", "40 20000", "bad room ID"},
		{"id", "4012345", "already in"},
		{"title", "  ", "needs a title"},
		{"title", "two\nlines", "line break"},
		{"buyer", "", "needs a buyer"},
		{"opened", "last week", "Not a time"},
		{"opened", "2026-11-23 09:00", "in the future"},
		{"due", "end of month", "Not a time"},
		{"platform", "mercari", "unknown platform"},
		{"via", "auction", "via"},
		{"extra", "maybe", "extra_payment"},
		{"url", "ftp://coconala.com/talkrooms/4020000", "not an http(s) URL"},
	}
	before := f.configText()
	for _, tc := range cases {
		t.Run(tc.field+"="+tc.value, func(t *testing.T) {
			form := url.Values{"csrf": {csrf}}
			for k, v := range good {
				form[k] = v
			}
			form.Set(tc.field, tc.value)
			a := f.do(c, "POST", "/rooms/new", form)
			if a.code != http.StatusBadRequest || !strings.Contains(a.body, tc.want) {
				t.Errorf("answer %d, want 400 with %q:\n%s", a.code, tc.want, a.body)
			}
			// The form comes back filled in.
			if tc.field == "title" && !strings.Contains(a.body, `value="kato"`) {
				t.Error("the refused form lost what was typed")
			}
			if f.configText() != before {
				t.Fatal("a refused room changed the file")
			}
		})
	}
	// The same form with nothing wrong is taken.
	form := url.Values{"csrf": {csrf}}
	for k, v := range good {
		form[k] = v
	}
	if a := f.do(c, "POST", "/rooms/new", form); a.code != http.StatusSeeOther {
		t.Fatalf("the good form: %d %s", a.code, a.body)
	}
}

func TestSignInLinkWorksOnceWithinTenMinutes(t *testing.T) {
	f := newFixture(t, "ja")
	ctrl := f.local.Config().Control
	ctrl.PublicURL = f.base // the address the phone reaches
	link, err := SignInLink(ctrl, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, f.base+"/signin/") {
		t.Fatalf("link %q is not under %s", link, f.base)
	}
	path := strings.TrimPrefix(link, f.base)
	c := f.client()
	// Opening the link (a chat preview does) signs nobody in.
	if a := f.do(c, "GET", path, nil); a.code != http.StatusOK || a.header.Get("Set-Cookie") != "" || !strings.Contains(a.body, "ログインしますか") {
		t.Fatalf("GET of the link: %d cookie %q", a.code, a.header.Get("Set-Cookie"))
	}
	if a := f.do(c, "POST", path, url.Values{}); a.code != http.StatusSeeOther || a.header.Get("Set-Cookie") == "" {
		t.Fatalf("pressing the button: %d", a.code)
	}
	if a := f.do(c, "GET", "/", nil); a.code != http.StatusOK {
		t.Fatalf("signed in by the link: %d", a.code)
	}
	if a := f.do(f.client(), "POST", path, url.Values{}); a.code != http.StatusForbidden {
		t.Errorf("a second use: %d", a.code)
	}
	late, _ := SignInLink(ctrl, f.clock.Now())
	f.clock.Advance(SignInTTL)
	if a := f.do(f.client(), "POST", strings.TrimPrefix(late, f.base), url.Values{}); a.code != http.StatusForbidden {
		t.Errorf("a link after 10 minutes: %d", a.code)
	}
	// A link made with another token (an action link's key would be
	// another) is refused.
	other := ctrl
	other.Token = config.NewSecret(strings.Repeat("z", 40))
	forged, _ := SignInLink(other, f.clock.Now())
	if a := f.do(f.client(), "POST", strings.TrimPrefix(forged, f.base), url.Values{}); a.code != http.StatusForbidden {
		t.Errorf("a link made with another token: %d", a.code)
	}
}

func TestSessionsSurviveARestartAndWebLogoutEndsThem(t *testing.T) {
	f := newFixture(t, "en")
	c, _ := f.signedIn()
	// A second web app on the same store: the daemon after a restart.
	restarted := New(Options{Service: f.local, Sessions: f.store, Marks: f.store, Config: f.local.Config, Now: f.clock.Now})
	req, _ := http.NewRequest("GET", f.base+"/", nil)
	u, _ := url.Parse(f.base)
	for _, ck := range c.Jar.Cookies(u) {
		req.AddCookie(ck)
	}
	rec := httptest.NewRecorder()
	restarted.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("after a restart the session answered %d", rec.Code)
	}
	res, err := f.local.RevokeWebSessions(context.Background())
	if err != nil || res.Revoked != 1 {
		t.Fatalf("web-logout --all = %+v, %v", res, err)
	}
	if a := f.do(c, "GET", "/", nil); a.code != http.StatusSeeOther {
		t.Errorf("a revoked session still opens the list: %d", a.code)
	}
}

func TestSignOut(t *testing.T) {
	f := newFixture(t, "en")
	c, csrf := f.signedIn()
	if a := f.do(c, "POST", "/signout", url.Values{"csrf": {csrf}}); a.code != http.StatusSeeOther {
		t.Fatalf("sign out: %d", a.code)
	}
	if a := f.do(c, "GET", "/", nil); a.code != http.StatusSeeOther {
		t.Errorf("signed out, the list answered %d", a.code)
	}
}

func TestCalendarPageGivesTheReadOnlyToken(t *testing.T) {
	f := newFixture(t, "en")
	c, _ := f.signedIn()
	page := f.do(c, "GET", "/calendar", nil).body
	if !strings.Contains(page, "/calendar.ics?token="+testReadToken) || strings.Contains(page, testToken) {
		t.Errorf("the calendar page must carry the read-only token and never the full one:\n%s", page)
	}
	if !strings.Contains(page, `src="data:image/png;base64,`) {
		t.Error("no QR code")
	}
	cfg := *f.local.Config()
	cfg.Control.ReadToken = config.Secret{}
	f.local.SetConfig(&cfg)
	if page := f.do(c, "GET", "/calendar", nil).body; !strings.Contains(page, "control.read_token") || strings.Contains(page, "calendar.ics?token") {
		t.Errorf("without a read-only token:\n%s", page)
	}
}

func TestManifestAndIcons(t *testing.T) {
	f := newFixture(t, "en")
	c := f.client()
	a := f.do(c, "GET", "/manifest.webmanifest", nil)
	var m struct {
		StartURL string `json:"start_url"`
		Display  string
		Icons    []struct{ Src, Sizes string }
	}
	if err := json.Unmarshal([]byte(a.body), &m); err != nil || m.StartURL != "/" || m.Display != "standalone" || len(m.Icons) != 2 {
		t.Fatalf("manifest %+v, %v", m, err)
	}
	for _, icon := range m.Icons {
		b := f.do(c, "GET", icon.Src, nil)
		img, err := png.Decode(bytes.NewReader([]byte(b.body)))
		if err != nil {
			t.Fatalf("%s: %v", icon.Src, err)
		}
		if got := img.Bounds().Dx(); !slices.Contains([]string{"192x192", "512x512"}, icon.Sizes) || icon.Sizes != strconv.Itoa(got)+"x"+strconv.Itoa(got) {
			t.Errorf("%s is %d wide, the manifest says %s", icon.Src, got, icon.Sizes)
		}
	}
	if a := f.do(c, "GET", "/app.css", nil); a.code != 200 || !strings.HasPrefix(a.header.Get("Content-Type"), "text/css") {
		t.Errorf("app.css: %d %s", a.code, a.header.Get("Content-Type"))
	}
}

func TestTheAPIStaysBehindItsToken(t *testing.T) {
	f := newFixture(t, "en")
	c, _ := f.signedIn()
	// A session cookie is not a bearer token.
	if a := f.do(c, "GET", "/v1/status", nil); a.code != http.StatusUnauthorized {
		t.Errorf("/v1/status with a session cookie: %d", a.code)
	}
	if a := f.do(c, "GET", "/nowhere", nil); a.code != http.StatusNotFound {
		t.Errorf("an unknown page: %d", a.code)
	}
}

func TestBaseURL(t *testing.T) {
	cases := []struct {
		ctrl config.Control
		want string
	}{
		{config.Control{HTTP: ":8765"}, "http://127.0.0.1:8765"},
		{config.Control{HTTP: "[::1]:8765"}, "http://[::1]:8765"},
		{config.Control{HTTP: "0.0.0.0:8765", TLSCertFile: "c", TLSKeyFile: "k"}, "https://0.0.0.0:8765"},
		{config.Control{HTTP: "127.0.0.1:8765", PublicURL: "https://pi.example.ts.net"}, "https://pi.example.ts.net"},
	}
	for _, c := range cases {
		if got := BaseURL(c.ctrl); got != c.want {
			t.Errorf("BaseURL(%+v) = %q, want %q", c.ctrl, got, c.want)
		}
	}
	if got := RoomURL("https://pi.example.ts.net", "a/b c"); got != "https://pi.example.ts.net/rooms/a%2Fb%20c" {
		t.Errorf("RoomURL = %q", got)
	}
}

func TestAckOnlyWhereItStopsSomething(t *testing.T) {
	f := newFixture(t, "en")
	c, _ := f.signedIn()
	if page := f.do(c, "GET", "/rooms/4012346", nil).body; !strings.Contains(page, `id="do-ack"`) {
		t.Error("no ack button on a first-message alert, which repeats")
	}
	if page := f.do(c, "GET", "/rooms/4012347", nil).body; strings.Contains(page, `id="do-ack"`) {
		t.Error("an ack button on a room with nothing to stop")
	}
}

package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	core "github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/control"
	"github.com/roomwatch/roomwatch/store"
)

const (
	testToken     = "0123456789abcdef0123456789abcdef-full"
	testReadToken = "fedcba9876543210fedcba9876543210-read"
)

// testNow is a Sunday noon in Tokyo.
var testNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.FixedZone("JST", 9*3600))

// testConfig is a seller's file with comments everywhere, which adding a
// room must keep.
const testConfig = `# roomwatch — my rooms
timezone: Asia/Tokyo
language: {{lang}}   # the pages follow this
control:
  socket: roomwatch.sock
  http: 127.0.0.1:0
  token: ` + testToken + `
  read_token: ` + testReadToken + `
rooms:
  # a quote order, the buyer wrote last
  - id: "4012345"
    title: ブログ記事 5本
    buyer: tanaka
    url: https://coconala.com/talkrooms/4012345
    opened: 2026-11-20 10:00
    seller_message: 2026-11-21 09:00
    buyer_message: 2026-11-21 12:00
    due: 2026-11-27
    via: quote
  # brand new: no first message yet
  - id: "4012346"
    title: ロゴデザイン（名刺用）
    buyer: suzuki
    opened: 2026-11-22 08:00
  - id: "4012347"   # delivered, waiting for approval
    title: 議事録の文字起こし 60分
    buyer: sato
    opened: 2026-11-10 10:00
    seller_message: 2026-11-20 15:00
    delivered: 2026-11-20 15:00
  - id: "4012348"
    title: LP のコーディング
    buyer: yamada
    opened: 2026-11-01 10:00
    seller_message: 2026-11-21 18:00
    due: 2026-11-20
  # the seller wrote last
  - id: "4012349"
    title: ナレーション録音 3分
    buyer: kobayashi
    opened: 2026-11-20 10:00
    buyer_message: 2026-11-20 12:00
    seller_message: 2026-11-21 10:00
# end of rooms
`

// fixture is a web app on a real HTTP listener of the control API, over a
// store in a temporary folder and a clock stopped at testNow.
type fixture struct {
	t       testing.TB
	cfgPath string
	clock   *clockwork.FakeClock
	store   *store.Store
	local   *core.App
	server  *control.HTTPServer
	base    string
}

func newFixture(t testing.TB, lang string) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{t: t, cfgPath: filepath.Join(dir, "roomwatch.yaml"), clock: clockwork.NewFakeClockAt(testNow)}
	if err := os.WriteFile(f.cfgPath, []byte(strings.Replace(testConfig, "{{lang}}", lang, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(f.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if f.store, err = store.Open(cfg.Store, store.Options{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.store.Close() })
	log := slog.New(slog.DiscardHandler)
	f.local = core.New(core.Options{Config: cfg, Store: f.store, Clock: f.clock, Log: log, Reload: f.reload})
	if _, err := f.local.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.server, err = control.ListenHTTP(control.HTTPOptions{
		Control: cfg.Control, Service: f.local, Log: log, Now: f.clock.Now,
		Language: func() string { return f.local.Config().Language },
		Web: func(refused func(*http.Request)) http.Handler {
			return New(Options{Service: f.local, Sessions: f.store, Marks: f.store,
				Config: f.local.Config, Now: f.clock.Now, Log: log, Refused: refused})
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.server.Close() })
	f.base = f.server.URL()
	return f
}

// reload is what the daemon's reload does for these tests: read the file,
// sync the store.
func (f *fixture) reload(ctx context.Context) error {
	cfg, err := config.Load(f.cfgPath)
	if err != nil {
		return err
	}
	f.local.SetConfig(cfg)
	_, err = f.local.Sync(ctx)
	return err
}

// client is a browser without JavaScript: it keeps cookies and does not
// follow redirects, so a test sees each answer.
func (f *fixture) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

type answer struct {
	code     int
	body     string
	location string
	header   http.Header
}

func (f *fixture) do(c *http.Client, method, path string, form url.Values) answer {
	f.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, f.base+path, body)
	if err != nil {
		f.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{code: resp.StatusCode, body: string(b), location: resp.Header.Get("Location"), header: resp.Header}
}

// signedIn returns a client signed in with the token, and its CSRF token.
func (f *fixture) signedIn() (*http.Client, string) {
	f.t.Helper()
	c := f.client()
	a := f.do(c, "POST", "/signin", url.Values{"token": {testToken}})
	if a.code != http.StatusSeeOther || a.location != "/" {
		f.t.Fatalf("sign-in answered %d → %q: %s", a.code, a.location, a.body)
	}
	return c, f.csrf(c)
}

// csrf reads the form token off the room list.
func (f *fixture) csrf(c *http.Client) string {
	f.t.Helper()
	page := f.do(c, "GET", "/", nil).body
	_, rest, ok := strings.Cut(page, `name="csrf" value="`)
	if !ok {
		f.t.Fatalf("no CSRF token on the room list:\n%s", page)
	}
	tok, _, _ := strings.Cut(rest, `"`)
	return tok
}

// events is the room's event log, as `roomwatch history` prints it.
func (f *fixture) events(room string) []core.HistoryEvent {
	f.t.Helper()
	h, err := f.local.History(context.Background(), core.HistoryRequest{Room: room})
	if err != nil {
		f.t.Fatal(err)
	}
	return h.Events
}

func (f *fixture) configText() string {
	f.t.Helper()
	b, err := os.ReadFile(f.cfgPath)
	if err != nil {
		f.t.Fatal(err)
	}
	return string(b)
}

package ntfy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/internal/testalert"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

const (
	token = "tk_s3cretNtfyT0ken"
	topic = "roomwatch-alerts"
)

// request is one publish the test server received.
type request struct {
	method, path string
	header       http.Header
	body         []byte
}

// payload decodes the JSON body generically, so the tests check ntfy's field
// names rather than this package's struct tags.
func (r request) payload(t *testing.T) map[string]any {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("publish body is not JSON: %v\n%s", err, r.body)
	}
	return p
}

// reply is a scripted answer of the test server.
type reply struct {
	status int
	header map[string]string
	body   string
}

// ntfyServer records every request and answers with the next scripted reply
// (200 with a message JSON once the script runs out).
type ntfyServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []request
	script   []reply
}

func newServer(t *testing.T, script ...reply) *ntfyServer {
	t.Helper()
	s := &ntfyServer{script: script}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		n := len(s.requests)
		s.requests = append(s.requests, request{method: r.Method, path: r.URL.Path, header: r.Header.Clone(), body: body})
		s.mu.Unlock()
		rep := reply{status: http.StatusOK, body: `{"id":"abc","event":"message"}`}
		if n < len(s.script) {
			rep = s.script[n]
		}
		for k, v := range rep.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(rep.status)
		_, _ = io.WriteString(w, rep.body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *ntfyServer) received(t *testing.T) []request {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]request(nil), s.requests...)
}

func (s *ntfyServer) only(t *testing.T) request {
	t.Helper()
	got := s.received(t)
	if len(got) != 1 {
		t.Fatalf("server got %d requests, want 1", len(got))
	}
	return got[0]
}

func newNotifier(t *testing.T, cfg config.NtfyConfig, opts Options) *Notifier {
	t.Helper()
	if cfg.Topic == "" {
		cfg.Topic = topic
	}
	if opts.Location == nil {
		opts.Location = testalert.Now.Location()
	}
	return New(cfg, opts)
}

func send(t *testing.T, n *Notifier, m notifier.Message) {
	t.Helper()
	if retry, err := n.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: retry=%v err=%v", retry, err)
	}
}

func TestPublishesAlertAsJSON(t *testing.T) {
	srv := newServer(t)
	n := newNotifier(t, config.NtfyConfig{Server: srv.URL, Token: config.NewSecret(token)}, Options{Language: "ja"})
	alert := testalert.WithLinks(testalert.Make(rules.CancelRisk, rules.Critical, "4012345", "ブログ記事 5本"), "ja")
	send(t, n, notifier.Message{Alerts: []notifier.Alert{alert}})

	req := srv.only(t)
	if req.method != http.MethodPost || req.path != "/" {
		t.Errorf("request = %s %s, want POST / (JSON publishing goes to the server root)", req.method, req.path)
	}
	if got := req.header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q", got)
	}
	if got := req.header.Get("Authorization"); got != "Bearer "+token {
		t.Errorf("Authorization = %q, want the bearer token", got)
	}

	rendered := message.RenderMessage(notifier.Message{Alerts: []notifier.Alert{alert}}, "ja", testalert.Now.Location())
	p := req.payload(t)
	if p["topic"] != topic {
		t.Errorf("topic = %v", p["topic"])
	}
	title, _ := p["title"].(string)
	if title != rendered.Preview || !strings.Contains(title, "4012345") || !strings.Contains(title, "tanakaさん") {
		t.Errorf("title = %q, want the Japanese preview %q", title, rendered.Preview)
	}
	body, _ := p["message"].(string)
	if strings.Contains(body, rendered.Preview) {
		t.Errorf("message repeats the title:\n%s", body)
	}
	for _, line := range rendered.Texts[0].Lines {
		if !strings.Contains(body, line) {
			t.Errorf("message lacks %q:\n%s", line, body)
		}
	}
	if p["priority"] != float64(5) {
		t.Errorf("priority = %v, want 5 (urgent) for critical", p["priority"])
	}
	if fmt.Sprint(p["tags"]) != "[rotating_light]" {
		t.Errorf("tags = %v", p["tags"])
	}
	if p["click"] != "https://coconala.com/talkrooms/4012345" {
		t.Errorf("click = %v, want the talk room URL", p["click"])
	}

	// The first three links become buttons that POST to them: the press
	// records through the link alone, and says it came from ntfy.
	actions, _ := p["actions"].([]any)
	if len(actions) != maxActions {
		t.Fatalf("actions = %v, want %d", actions, maxActions)
	}
	for i, l := range alert.Links[:maxActions] {
		a, _ := actions[i].(map[string]any)
		if a["action"] != "http" || a["label"] != l.Label || a["url"] != l.URL || a["method"] != "POST" || a["body"] != "source=ntfy" || a["clear"] != true {
			t.Errorf("action %d = %v, want http %q POST %s", i, a, l.Label, l.URL)
		}
		headers, _ := a["headers"].(map[string]any)
		if _, ok := headers["Authorization"]; ok || len(headers) != 1 {
			t.Errorf("action %d headers = %v, want only the form's Content-Type", i, headers)
		}
	}
}

func TestPriorityAndTagFollowSeverity(t *testing.T) {
	cases := []struct {
		sev      rules.Severity
		priority float64
		tag      string
	}{
		{rules.Critical, 5, "rotating_light"},
		{rules.Warning, 4, "warning"},
		{rules.Info, 3, "information_source"},
	}
	for _, c := range cases {
		t.Run(string(c.sev), func(t *testing.T) {
			srv := newServer(t)
			n := newNotifier(t, config.NtfyConfig{Server: srv.URL}, Options{})
			send(t, n, notifier.Message{Alerts: []notifier.Alert{testalert.Make(rules.CheckIn, c.sev, "4012345", "Logo")}})
			p := srv.only(t).payload(t)
			if p["priority"] != c.priority || fmt.Sprint(p["tags"]) != "["+c.tag+"]" {
				t.Errorf("priority %v tags %v, want %v [%s]", p["priority"], p["tags"], c.priority, c.tag)
			}
		})
	}
}

func TestNoButtonsWithoutLinks(t *testing.T) {
	srv := newServer(t)
	n := newNotifier(t, config.NtfyConfig{Server: srv.URL}, Options{})
	send(t, n, notifier.Message{Alerts: []notifier.Alert{testalert.Make(rules.CheckIn, rules.Warning, "4012345", "Logo")}})
	req := srv.only(t)
	if _, ok := req.payload(t)["actions"]; ok {
		t.Errorf("payload has actions without links:\n%s", req.body)
	}
	if got := req.header.Get("Authorization"); got != "" {
		t.Errorf("Authorization = %q without a token", got)
	}
}

func TestEnglishButtonsAndNoClickWithoutLink(t *testing.T) {
	srv := newServer(t)
	n := newNotifier(t, config.NtfyConfig{Server: srv.URL}, Options{Language: "en"})
	alert := testalert.WithLinks(testalert.Make(rules.DeliveryDue, rules.Warning, "4012345", "Logo"), "en")
	alert.Room.URL = "javascript:alert(1)"
	send(t, n, notifier.Message{Alerts: []notifier.Alert{alert}})

	p := srv.only(t).payload(t)
	if _, ok := p["click"]; ok {
		t.Errorf("click = %v for a room without an http(s) URL", p["click"])
	}
	var labels []string
	actions, _ := p["actions"].([]any)
	for _, a := range actions {
		labels = append(labels, fmt.Sprint(a.(map[string]any)["label"]))
	}
	if got := strings.Join(labels, "|"); got != "I wrote|Delivered|Snooze 2h" {
		t.Errorf("labels = %s", got)
	}
}

func TestClassifiesFailures(t *testing.T) {
	cases := []struct {
		name       string
		reply      reply
		retry      bool
		retryAfter time.Duration
		says       string
	}{
		{"server error", reply{status: 500, body: `{"code":50001,"http":500,"error":"internal server error"}`}, true, 0, "internal server error"},
		{"bad gateway", reply{status: 502, body: "<html>\n<h1>502</h1>"}, true, 0, "502 Bad Gateway: <html>"},
		{"rate limited", reply{status: 429, header: map[string]string{"Retry-After": "2"}, body: `{"code":42901,"http":429,"error":"limit reached: too many requests"}`}, true, 2 * time.Second, "too many requests"},
		{"bad token", reply{status: 401, body: `{"code":40101,"http":401,"error":"unauthorized"}`}, false, 0, "401 Unauthorized: unauthorized"},
		{"forbidden topic", reply{status: 403, body: `{"code":40301,"http":403,"error":"forbidden"}`}, false, 0, "403 Forbidden"},
		{"not found", reply{status: 404, body: "404 page not found"}, false, 0, "404 Not Found"},
		{"bad request", reply{status: 400, body: `{"code":40009,"http":400,"error":"invalid request: topic invalid"}`}, false, 0, "topic invalid"},
		{"redirect", reply{status: 301, header: map[string]string{"Location": "/elsewhere"}}, false, 0, "set the server to the final URL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := newServer(t, c.reply)
			n := newNotifier(t, config.NtfyConfig{Server: srv.URL, Token: config.NewSecret(token)}, Options{})
			retry, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{testalert.Make(rules.CheckIn, rules.Warning, "4012345", "Logo")}})
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if retry != c.retry {
				t.Errorf("retry = %v, want %v (%v)", retry, c.retry, err)
			}
			if !strings.Contains(err.Error(), c.says) {
				t.Errorf("error %q does not say %q", err, c.says)
			}
			var ra notifier.RetryAfterError
			got := time.Duration(0)
			if errors.As(err, &ra) {
				got = ra.RetryAfter()
			}
			if got != c.retryAfter {
				t.Errorf("RetryAfter = %v, want %v", got, c.retryAfter)
			}
			// A redirect must not be followed: that would turn the publish
			// into a GET that the server answers with a 200.
			if n := len(srv.received(t)); n != 1 {
				t.Errorf("server got %d requests, want 1", n)
			}
		})
	}
}

func TestTimeoutCutsOffHangingServer(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })

	n := newNotifier(t, config.NtfyConfig{Server: srv.URL, Token: config.NewSecret(token)}, Options{Timeout: 100 * time.Millisecond})
	start := time.Now()
	retry, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{testalert.Make(rules.CheckIn, rules.Warning, "4012345", "Logo")}})
	if err == nil {
		t.Fatal("Send succeeded against a server that never answers")
	}
	if !retry {
		t.Errorf("a timeout should be worth retrying: %v", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v does not unwrap to context.DeadlineExceeded", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Send took %v despite a 100ms timeout", elapsed)
	}
}

func TestSecretsStayOutOfErrors(t *testing.T) {
	// A server (or a proxy before it) that echoes what it was sent.
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		msg := r.Header.Get("Authorization") + " " + string(body)
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
	}))
	t.Cleanup(echo.Close)
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()

	for name, server := range map[string]string{"echoing server": echo.URL, "unreachable server": down.URL} {
		t.Run(name, func(t *testing.T) {
			n := newNotifier(t, config.NtfyConfig{Server: server, Token: config.NewSecret(token)}, Options{Timeout: 2 * time.Second})
			_, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{testalert.Make(rules.CancelRisk, rules.Critical, "4012345", "Logo")}})
			if err == nil {
				t.Fatal("Send succeeded")
			}
			for _, secret := range []string{token} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error text leaks %q: %v", secret, err)
				}
			}
		})
	}
}

func TestServerWithPathPrefix(t *testing.T) {
	srv := newServer(t)
	n := newNotifier(t, config.NtfyConfig{Server: srv.URL + "/ntfy/"}, Options{})
	if n.Name() != "ntfy" {
		t.Errorf("Name = %q, want the default", n.Name())
	}
	send(t, n, notifier.Message{Alerts: []notifier.Alert{testalert.Make(rules.CheckIn, rules.Info, "4012345", "Logo")}})
	if got := srv.only(t).path; got != "/ntfy/" {
		t.Errorf("published to %s, want /ntfy/", got)
	}
}

func TestRouterDeliversNotice(t *testing.T) {
	srv := newServer(t, reply{status: http.StatusServiceUnavailable})
	n := newNotifier(t, config.NtfyConfig{Server: srv.URL}, Options{Name: "phone", Language: "ja"})
	router := notifier.NewRouter([]notifier.Notifier{n}, nil, noWait(), nil)

	lines := []string{"config.yaml:12:3: unknown key \"tiemzone\"", "直前の正しい設定で動作を続けます。"}
	if err := router.Notice(context.Background(), rules.Warning, "設定ファイルの再読み込みに失敗しました", lines); err != nil {
		t.Fatal(err)
	}
	got := srv.received(t)
	if len(got) != 2 {
		t.Fatalf("server got %d requests, want a 503 then a success", len(got))
	}
	p := got[1].payload(t)
	if p["title"] != "設定ファイルの再読み込みに失敗しました" || p["priority"] != float64(4) {
		t.Errorf("title %v priority %v", p["title"], p["priority"])
	}
	if p["message"] != strings.Join(lines, "\n") {
		t.Errorf("message = %q", p["message"])
	}
	if _, ok := p["actions"]; ok {
		t.Error("a notice about roomwatch has no room to act on, yet got buttons")
	}
	if _, ok := p["click"]; ok {
		t.Error("a notice has no talk room, yet got a click URL")
	}
}

func TestRouterGroupsAlertsIntoOnePublish(t *testing.T) {
	srv := newServer(t)
	n := newNotifier(t, config.NtfyConfig{Server: srv.URL}, Options{Language: "en"})
	router := notifier.NewRouter([]notifier.Notifier{n}, nil, noWait(), nil)

	alerts := []notifier.Alert{
		testalert.WithLinks(testalert.Make(rules.CheckIn, rules.Info, "4012001", "Banner"), "en"),
		testalert.WithLinks(testalert.Make(rules.CancelRisk, rules.Critical, "4012002", "Logo"), "en"),
	}
	results := router.Dispatch(context.Background(), alerts, true)
	for _, r := range results {
		if !r.Delivered || r.Notifier != "ntfy" {
			t.Errorf("result %+v, want delivered by ntfy", r)
		}
	}
	p := srv.only(t).payload(t)
	title, _ := p["title"].(string)
	if !strings.HasPrefix(title, "[late] ") || !strings.Contains(title, "4012002") || !strings.HasSuffix(title, "(+1 more)") {
		t.Errorf("title = %q, want the late critical alert first with a count", title)
	}
	body, _ := p["message"].(string)
	if !strings.Contains(body, "Banner") || !strings.Contains(body, "Logo") || !strings.Contains(body, "roomwatch was not running") {
		t.Errorf("message lacks an alert or the late notice:\n%s", body)
	}
	if p["priority"] != float64(5) || p["click"] != "https://coconala.com/talkrooms/4012002" {
		t.Errorf("priority %v click %v, want the critical room's", p["priority"], p["click"])
	}
	actions, _ := p["actions"].([]any)
	if len(actions) != 3 {
		t.Fatalf("actions = %v, want three buttons", actions)
	}
	for i, a := range actions {
		if u := a.(map[string]any)["url"]; u != testalert.LinkURL("4012002", testalert.LinkActions[i]) {
			t.Errorf("action %d url %v, want room 4012002's link", i, u)
		}
	}
}

// TestLongCatchUpGoesOutWhole: a catch-up too long for one notification
// is published in parts, each within ntfy's limits, and every alert is in
// one of them: none is only counted.
func TestLongCatchUpGoesOutWhole(t *testing.T) {
	srv := newServer(t)
	n := newNotifier(t, config.NtfyConfig{Server: srv.URL}, Options{Language: "ja"})
	var alerts []notifier.Alert
	for i := range 200 {
		alerts = append(alerts, testalert.Make(rules.CheckIn, rules.Warning, fmt.Sprintf("40%05d", i), "ブログ記事 5本"))
	}
	send(t, n, notifier.Message{Alerts: alerts, Late: true})

	got := srv.received(t)
	if len(got) < 2 {
		t.Fatalf("%d publishes; 200 alerts cannot fit in one", len(got))
	}
	seen := map[string]int{}
	for i, req := range got {
		if len(req.body) > requestLimit {
			t.Errorf("publish %d: request of %d bytes, over %d", i, len(req.body), requestLimit)
		}
		p := req.payload(t)
		body, _ := p["message"].(string)
		if len(body) > messageLimit || !utf8.ValidString(body) {
			t.Errorf("publish %d: message of %d bytes (valid UTF-8: %v), over %d", i, len(body), utf8.ValidString(body), messageLimit)
		}
		if strings.Contains(body, "ほか") || strings.Contains(body, "…") {
			t.Errorf("publish %d hides or cuts alerts:\n%s", i, body)
		}
		for _, a := range alerts {
			if strings.Contains(body, "（"+a.Room.ID+"）") {
				seen[a.Room.ID]++
			}
		}
		shown := strings.Count(body, "■ ")
		title, _ := p["title"].(string)
		if more := fmt.Sprintf("（他%d件）", shown-1); shown > 1 && !strings.HasSuffix(title, more) {
			t.Errorf("publish %d shows %d alerts, title %q should count %s", i, shown, title, more)
		}
		if !strings.HasPrefix(title, "【遅延】") || !strings.Contains(body, "遅れて送信") {
			t.Errorf("publish %d lost the late mark: %q", i, title)
		}
	}
	for _, a := range alerts {
		if seen[a.Room.ID] != 1 {
			t.Errorf("room %s shown %d times, want once", a.Room.ID, seen[a.Room.ID])
		}
	}
}

func TestCutBytesKeepsCharactersWhole(t *testing.T) {
	s := strings.Repeat("納", 10) // 3 bytes each
	for n := 4; n <= len(s); n++ {
		got := cutBytes(s, n)
		if len(got) > n || !utf8.ValidString(got) {
			t.Errorf("cutBytes(_, %d) = %q (%d bytes)", n, got, len(got))
		}
	}
	if got := cutBytes(s, len(s)); got != s {
		t.Errorf("cutBytes shortened a string that fits: %q", got)
	}
}

func TestRetryAfterForms(t *testing.T) {
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"2":                             2 * time.Second,
		" 30 ":                          30 * time.Second,
		"":                              0,
		"-5":                            0,
		"soon":                          0,
		"Wed, 25 Nov 2026 00:01:00 GMT": time.Minute,
		"Tue, 24 Nov 2026 23:00:00 GMT": 0,
	}
	for in, want := range cases {
		if got := retryAfter(in, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

// noWait is a Retrier whose waits return at once, so retries cost no time.
func noWait() notifier.Retrier {
	r := notifier.DefaultRetrier()
	r.Sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	return r
}

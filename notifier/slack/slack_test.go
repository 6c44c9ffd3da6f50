package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/internal/testalert"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

const (
	webhookPath = "/services/T0001/B0001/s3cretW3bhookPath"
	token       = "xoxb-s3cret-t0ken"
)

// hostileAlert is a room whose title tries to ping everyone and whose buyer
// name carries an ampersand.
func hostileAlert() notifier.Alert {
	a := testalert.Make(rules.CancelRisk, rules.Critical, "4012345", "<!channel> Logo & banner <@U123>")
	a.Room.Buyer = "tom&jerry"
	return a
}

// webhookServer records every payload and answers with the next scripted
// status (200 once the script runs out).
type webhookServer struct {
	*httptest.Server
	mu       sync.Mutex
	bodies   [][]byte
	statuses []int
	headers  []http.Header
}

func newWebhookServer(t *testing.T, statuses []int, headers []http.Header) *webhookServer {
	ws := &webhookServer{statuses: statuses, headers: headers}
	ws.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ws.mu.Lock()
		n := len(ws.bodies)
		ws.bodies = append(ws.bodies, body)
		ws.mu.Unlock()
		if r.URL.Path != webhookPath {
			http.Error(w, "no_service", http.StatusNotFound)
			return
		}
		status := http.StatusOK
		if n < len(statuses) {
			status = statuses[n]
		}
		if n < len(headers) {
			for k, v := range headers[n] {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(status)
		if status == http.StatusOK {
			_, _ = io.WriteString(w, "ok")
		} else {
			_, _ = io.WriteString(w, http.StatusText(status))
		}
	}))
	t.Cleanup(ws.Close)
	return ws
}

func (ws *webhookServer) payloads(t *testing.T) []map[string]any {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	var out []map[string]any
	for _, b := range ws.bodies {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("payload is not JSON: %v\n%s", err, b)
		}
		out = append(out, m)
	}
	return out
}

func (ws *webhookServer) raw() string {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return string(bytes.Join(ws.bodies, []byte("\n")))
}

func newWebhook(t *testing.T, ws *webhookServer, edit func(*config.SlackConfig, *Options)) *Notifier {
	t.Helper()
	cfg := config.SlackConfig{WebhookURL: config.NewSecret(ws.URL + webhookPath)}
	opts := Options{Name: "phone", Location: testalert.Now.Location(), Timeout: 2 * time.Second}
	if edit != nil {
		edit(&cfg, &opts)
	}
	return New(cfg, opts)
}

func TestWebhookPayloadEscapesRoomText(t *testing.T) {
	ws := newWebhookServer(t, nil, nil)
	n := newWebhook(t, ws, func(c *config.SlackConfig, _ *Options) { c.AppToken = config.NewSecret("xapp-1-buttons") })
	retry, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{hostileAlert()}})
	if err != nil || retry {
		t.Fatalf("Send = %v, %v", retry, err)
	}
	raw := ws.raw()
	// encoding/json writes < > & as \u003c \u003e \u0026, so check the
	// decoded tree: that is what Slack reads.
	payload := ws.payloads(t)[0]
	text, _ := payload["text"].(string)
	want := Escape(message.RenderMessage(notifier.Message{Alerts: []notifier.Alert{hostileAlert()}}, "", testalert.Now.Location()).Preview)
	if text != want {
		t.Errorf("fallback text = %q, want the escaped preview %q", text, want)
	}
	for _, s := range allStrings(payload) {
		if strings.Contains(s, "<!channel>") || strings.Contains(s, "<@U123>") {
			t.Errorf("unescaped mention reached Slack: %q", s)
		}
		if strings.Contains(s, "tom&jerry") {
			t.Errorf("unescaped ampersand reached Slack: %q", s)
		}
	}
	section := blockText(t, payload, "alert-0")
	for _, want := range []string{
		":rotating_light:",
		"&lt;!channel&gt; Logo &amp; banner &lt;@U123&gt;",
		"tom&amp;jerry",
		"<https://coconala.com/talkrooms/4012345|",
		"Reply by: Wed 11/25 12:00 (3h left)",
	} {
		if !strings.Contains(section, want) {
			t.Errorf("section lacks %q:\n%s", want, section)
		}
	}
	if !strings.Contains(text, "tom&amp;jerry") {
		t.Errorf("fallback text does not carry escaped room data: %q", text)
	}
	actions := findBlock(t, payload, "room-0-4012345")
	elements, _ := actions["elements"].([]any)
	var ids []string
	for _, e := range elements {
		el := e.(map[string]any)
		ids = append(ids, el["action_id"].(string))
		if el["value"] != "4012345" {
			t.Errorf("button value = %v, want the room ID", el["value"])
		}
	}
	if strings.Join(ids, ",") != "sent,delivered,snooze" {
		t.Errorf("button action IDs = %v", ids)
	}
	if strings.Contains(raw, token) {
		t.Error("token in payload")
	}
}

func TestWebhookWithoutButtonsHasNoActions(t *testing.T) {
	ws := newWebhookServer(t, nil, nil)
	n := newWebhook(t, ws, nil)
	if _, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{hostileAlert()}}); err != nil {
		t.Fatal(err)
	}
	for _, b := range ws.payloads(t)[0]["blocks"].([]any) {
		if b.(map[string]any)["type"] == "actions" {
			t.Fatal("actions block without Options.Buttons")
		}
	}
}

func TestGroupedMessageListsEachAlert(t *testing.T) {
	ws := newWebhookServer(t, nil, nil)
	n := newWebhook(t, ws, func(_ *config.SlackConfig, o *Options) { o.Language = "ja" })
	alerts := []notifier.Alert{
		testalert.Make(rules.CancelRisk, rules.Critical, "4012345", "ブログ記事 5本"),
		testalert.Make(rules.CheckIn, rules.Warning, "4012346", "ロゴ作成"),
		testalert.Make(rules.SendTerms, rules.Warning, "4012347", "翻訳"),
	}
	if _, err := n.Send(context.Background(), notifier.Message{Alerts: alerts, Late: true}); err != nil {
		t.Fatal(err)
	}
	payload := ws.payloads(t)[0]
	text := payload["text"].(string)
	if !strings.HasPrefix(text, "【遅延】") || !strings.HasSuffix(text, "（他2件）") {
		t.Errorf("fallback text = %q", text)
	}
	for i, a := range alerts {
		section := blockText(t, payload, fmt.Sprintf("alert-%d", i))
		if !strings.Contains(section, a.Room.Title) || !strings.Contains(section, a.Room.ID) {
			t.Errorf("section %d does not list room %s:\n%s", i, a.Room.ID, section)
		}
	}
	notice := findBlock(t, payload, "notice")
	if !strings.Contains(fmt.Sprint(notice), "遅れて送信") {
		t.Errorf("late notice missing: %v", notice)
	}
}

// recorder keeps the requests a client sends, to check what reached slacktest.
type recorder struct {
	mu    sync.Mutex
	forms []url.Values
	auth  []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		r.mu.Lock()
		r.forms = append(r.forms, form)
		r.auth = append(r.auth, req.Header.Get("Authorization"))
		r.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(req)
}

func TestWebAPIPostsToSlacktest(t *testing.T) {
	server := slacktest.NewTestServer()
	server.Start()
	t.Cleanup(server.Stop)
	rec := &recorder{}
	n := New(config.SlackConfig{Token: config.NewSecret(token), Channel: "C0ALERTS", APIURL: server.GetAPIURL()}, Options{
		Name: "bot", HTTPClient: &http.Client{Transport: rec}, Location: testalert.Now.Location(),
	})
	retry, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{hostileAlert()}})
	if err != nil || retry {
		t.Fatalf("Send = %v, %v", retry, err)
	}
	if len(rec.forms) != 1 {
		t.Fatalf("%d requests, want 1", len(rec.forms))
	}
	form := rec.forms[0]
	if form.Get("channel") != "C0ALERTS" {
		t.Errorf("channel = %q", form.Get("channel"))
	}
	if form.Get("token") != token && rec.auth[0] != "Bearer "+token {
		t.Error("the bot token was not sent")
	}
	text := form.Get("text")
	if strings.Contains(text, "<!channel>") || !strings.Contains(text, "4012345") {
		t.Errorf("text = %q", text)
	}
	var blocks slack.Blocks
	if err := json.Unmarshal([]byte(form.Get("blocks")), &blocks); err != nil {
		t.Fatalf("blocks do not parse as Block Kit: %v", err)
	}
	section := blocks.BlockSet[0].(*slack.SectionBlock)
	if !strings.Contains(section.Text.Text, "&lt;!channel&gt; Logo &amp; banner") {
		t.Errorf("section text = %q", section.Text.Text)
	}
}

func TestClassification(t *testing.T) {
	retryAfter := http.Header{"Retry-After": []string{"2"}}
	cases := []struct {
		name      string
		status    int
		header    http.Header
		retry     bool
		waitAfter time.Duration
	}{
		{"server error", 500, nil, true, 0},
		{"bad gateway", 502, nil, true, 0},
		{"rate limited", 429, retryAfter, true, 2 * time.Second},
		{"rate limited without header", 429, nil, true, 0},
		{"invalid token", 403, nil, false, 0},
		{"not found", 404, nil, false, 0},
		{"bad request", 400, nil, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ws := newWebhookServer(t, []int{c.status}, []http.Header{c.header})
			n := newWebhook(t, ws, nil)
			retry, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{hostileAlert()}})
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if retry != c.retry {
				t.Errorf("retry = %v, want %v (%v)", retry, c.retry, err)
			}
			var ra notifier.RetryAfterError
			got := time.Duration(0)
			if errors.As(err, &ra) {
				got = ra.RetryAfter()
			}
			if got != c.waitAfter {
				t.Errorf("retry after = %v, want %v", got, c.waitAfter)
			}
			if strings.Contains(err.Error(), webhookPath) {
				t.Errorf("error leaks the webhook URL: %v", err)
			}
		})
	}
}

func TestWebAPIErrorCodes(t *testing.T) {
	cases := map[string]bool{
		"invalid_auth":      false,
		"invalid_token":     false,
		"channel_not_found": false,
		"not_in_channel":    false,
		"internal_error":    true,
		"ratelimited":       true,
	}
	for code, retryable := range cases {
		t.Run(code, func(t *testing.T) {
			server := slacktest.NewTestServer(func(c slacktest.Customize) {
				c.Handle("/chat.postMessage", func(w http.ResponseWriter, _ *http.Request) {
					w.Header().Set("Content-Type", "application/json")
					_, _ = fmt.Fprintf(w, `{"ok":false,"error":%q}`, code)
				})
			})
			server.Start()
			t.Cleanup(server.Stop)
			n := New(config.SlackConfig{Token: config.NewSecret(token), Channel: "C1", APIURL: server.GetAPIURL()}, Options{})
			retry, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{hostileAlert()}})
			if err == nil || retry != retryable {
				t.Fatalf("Send = %v, %v; want retry=%v and an error", retry, err, retryable)
			}
			if !strings.Contains(err.Error(), code) || strings.Contains(err.Error(), token) {
				t.Errorf("error = %q", err)
			}
		})
	}
}

func TestHangingServerIsCutOffByTimeout(t *testing.T) {
	release := make(chan struct{})
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(server.Close)
	t.Cleanup(func() { close(release) })
	n := New(config.SlackConfig{WebhookURL: config.NewSecret(server.URL + webhookPath)}, Options{Timeout: 150 * time.Millisecond})
	start := time.Now()
	retry, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{hostileAlert()}})
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("Send took %v despite a 150ms timeout", took)
	}
	if err == nil || !retry {
		t.Fatalf("Send = %v, %v; want a retryable timeout", retry, err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v is not a deadline", err)
	}
	if strings.Contains(err.Error(), webhookPath) {
		t.Errorf("error leaks the webhook URL: %v", err)
	}
}

func TestUnreachableWebhookErrorHasNoSecret(t *testing.T) {
	server := httptest.NewServer(http.NotFoundHandler())
	url := server.URL + webhookPath
	server.Close()
	n := New(config.SlackConfig{WebhookURL: config.NewSecret(url)}, Options{})
	retry, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{hostileAlert()}})
	if err == nil || !retry {
		t.Fatalf("Send = %v, %v; want a retryable connection error", retry, err)
	}
	if strings.Contains(err.Error(), webhookPath) || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error leaks the webhook URL: %v", err)
	}
}

// allStrings walks a decoded JSON value and returns every string in it.
func allStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, allStrings(e)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, e := range v {
			out = append(out, allStrings(e)...)
		}
		return out
	}
	return nil
}

func findBlock(t *testing.T, payload map[string]any, id string) map[string]any {
	t.Helper()
	blocks, _ := payload["blocks"].([]any)
	for _, b := range blocks {
		if m, ok := b.(map[string]any); ok && m["block_id"] == id {
			return m
		}
	}
	t.Fatalf("no block %q in %v", id, payload["blocks"])
	return nil
}

func blockText(t *testing.T, payload map[string]any, id string) string {
	t.Helper()
	text, _ := findBlock(t, payload, id)["text"].(map[string]any)
	s, _ := text["text"].(string)
	return s
}

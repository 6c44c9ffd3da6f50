package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/discord/discordcheck"
	"github.com/roomwatch/roomwatch/notifier/internal/testalert"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const (
	hookID    = "1234567890123456789"
	hookToken = "s3cretT0ken-abc_DEF"
	hookURL   = "https://discord.com/api/webhooks/" + hookID + "/" + hookToken
	hookPath  = "/api/v10/webhooks/" + hookID + "/" + hookToken
)

// answer is one scripted reply of the fake Discord.
type answer struct {
	status int
	header map[string]string
	body   string
}

// fakeDiscord answers webhook executions as Discord does: it refuses a
// payload over any documented limit with 400 Invalid Form Body, an unknown
// webhook with 404 and code 10015, and otherwise plays its script (200 with
// the created message once the script runs out).
type fakeDiscord struct {
	*httptest.Server
	mu       sync.Mutex
	payloads []payload
	script   []answer
	calls    int
}

func newFakeDiscord(t *testing.T, script ...answer) *fakeDiscord {
	t.Helper()
	f := &fakeDiscord{script: script}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeDiscord) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	w.Header().Set("Content-Type", "application/json")
	if r.Method != http.MethodPost || r.URL.Path != hookPath {
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"message": "Unknown Webhook", "code": 10015}`)
		return
	}
	if r.URL.Query().Get("wait") != "true" {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"message": "wait not set", "code": 0}`)
		return
	}
	raw, _ := io.ReadAll(r.Body)
	if problems := checkLimits(raw); len(problems) > 0 {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"code": 50035, "errors": {"embeds": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": %q}]}}, "message": "Invalid Form Body"}`,
			strings.Join(problems, "; "))
		return
	}
	if len(f.script) > 0 {
		a := f.script[0]
		f.script = f.script[1:]
		for k, v := range a.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(a.status)
		io.WriteString(w, a.body)
		if a.status >= 300 {
			return
		}
	}
	var p payload
	_ = json.Unmarshal(raw, &p)
	f.payloads = append(f.payloads, p)
	if len(f.script) == 0 {
		io.WriteString(w, `{"id": "1100000000000000000", "type": 0, "content": "", "channel_id": "1000"}`)
	}
}

func (f *fakeDiscord) received() []payload {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]payload(nil), f.payloads...)
}

// checkLimits lists every documented Discord limit raw breaks.
func checkLimits(raw []byte) []string { return discordcheck.Check(raw) }

func newNotifier(t *testing.T, server *fakeDiscord, lang string) *Notifier {
	t.Helper()
	n, err := New(config.DiscordConfig{WebhookURL: config.NewSecret(hookURL), APIURL: server.URL + "/api/v10"}, Options{Name: "chat",
		Language: lang, Location: testalert.Now.Location(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// recordingRetrier retries at once, recording the waits it was asked for.
func recordingRetrier(waits *[]time.Duration) notifier.Retrier {
	r := notifier.DefaultRetrier()
	r.Deadline = time.Hour
	r.Jitter = func(d time.Duration) time.Duration { return d }
	r.Sleep = func(_ context.Context, d time.Duration) error {
		*waits = append(*waits, d)
		return nil
	}
	return r
}

func TestSendPostsEmbedsThatPingNobody(t *testing.T) {
	server := newFakeDiscord(t)
	n := newNotifier(t, server, message.Japanese)
	a := testalert.Make(rules.CancelRisk, rules.Critical, "4012345", "@everyone ロゴ **至急** <@123> [x](https://evil.example)")
	a.Room.Buyer = "<@&456> @here"
	if _, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{a}}); err != nil {
		t.Fatal(err)
	}
	got := server.received()
	if len(got) != 1 || len(got[0].Embeds) != 1 {
		t.Fatalf("got %d posts: %+v", len(got), got)
	}
	p := got[0]
	if p.AllowedMentions.Parse == nil || len(p.AllowedMentions.Parse) != 0 {
		t.Errorf("allowed_mentions = %+v, want parse: []", p.AllowedMentions)
	}
	e := p.Embeds[0]
	for where, text := range map[string]string{"content": p.Content, "title": e.Title, "description": e.Description} {
		for _, live := range []string{"@everyone", "<@123>", "<@&456>", "@here", "**", "[x]("} {
			if strings.Contains(unescaped(text), live) {
				t.Errorf("%s carries live markdown %q: %s", where, live, text)
			}
		}
	}
	if !strings.Contains(e.Title, `\@everyone`) || !strings.Contains(e.Description, `\<\@\&456\>`) && !strings.Contains(e.Description, `\<\@&456\>`) {
		t.Errorf("mentions not shown escaped: title %q, description %q", e.Title, e.Description)
	}
	if e.Color != colours[rules.Critical] || e.URL != "https://coconala.com/talkrooms/4012345" {
		t.Errorf("colour %x, url %q", e.Color, e.URL)
	}
}

// unescaped drops every escaped character, leaving what Discord would
// still read as markdown.
func unescaped(s string) string {
	var b strings.Builder
	skip := false
	for _, r := range s {
		switch {
		case skip:
			skip = false
			b.WriteRune('·')
		case r == '\\':
			skip = true
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestEscape(t *testing.T) {
	cases := map[string]string{
		"@everyone":        `\@everyone`,
		"<@123>":           `\<\@123\>`,
		"**bold** _i_":     `\*\*bold\*\* \_i\_`,
		"- list":           `\- list`,
		"a-b":              "a-b",
		"ブログ記事 5本":         "ブログ記事 5本",
		"`code` ||spoil||": "\\`code\\` \\|\\|spoil\\|\\|",
		`back\slash`:       `back\\slash`,
	}
	for in, want := range cases {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

// longCJK is a title far past every Discord limit, with characters outside
// the basic plane that count twice in UTF-16.
func longCJK(i int) string {
	return fmt.Sprintf("第%d案件 ", i) + strings.Repeat("納品物の修正と追加のご依頼について𠮷野家", 300) + " @everyone"
}

var mixedKinds = []struct {
	kind rules.Kind
	sev  rules.Severity
}{
	{rules.CheckIn, rules.Warning},
	{rules.FirstMessage, rules.Critical},
	{rules.RateBuyer, rules.Info},
	{rules.CancelRisk, rules.Critical},
	{rules.DeliveryDue, rules.Warning},
}

func catchUp(n int, title func(int) string) []notifier.Alert {
	alerts := make([]notifier.Alert, n)
	for i := range alerts {
		k := mixedKinds[i%len(mixedKinds)]
		a := testalert.Make(k.kind, k.sev, fmt.Sprint(4000000+i), title(i))
		a.Room.Buyer = strings.Repeat("購入者", 80)
		a.Links = []message.ActionLink{
			{Action: "sent", Label: "送信済み", URL: "https://rw.example.net/a/" + strings.Repeat("x", 200) + fmt.Sprint(i)},
			{Action: "snooze", Label: "2時間スヌーズ", URL: "https://rw.example.net/s/" + fmt.Sprint(i)},
		}
		alerts[i] = a
	}
	return alerts
}

// TestCatchUpOf40LongCJKAlertsDropsNothing sends a 40-alert catch-up of
// long Japanese titles through the retry loop against a Discord that
// refuses anything over its limits: every alert arrives once, in parts
// that each fit, most severe first.
func TestCatchUpOf40LongCJKAlertsDropsNothing(t *testing.T) {
	for _, lang := range []string{message.Japanese, message.English} {
		t.Run(lang, func(t *testing.T) {
			server := newFakeDiscord(t)
			n := newNotifier(t, server, lang)
			alerts := catchUp(40, longCJK)
			m := notifier.Message{Late: true, Alerts: alerts}
			var waits []time.Duration
			router := notifier.NewRouter([]notifier.Notifier{n}, nil, recordingRetrier(&waits), nil)
			for _, res := range router.Dispatch(context.Background(), alerts, true) {
				if !res.Delivered {
					t.Errorf("%s not delivered: %v", res.Key, res.Errors)
				}
			}
			posts := server.received()
			if len(posts) != len(n.Split(m)) || len(posts) < 4 {
				t.Fatalf("%d posts for %d parts", len(posts), len(n.Split(m)))
			}
			seen := map[string]int{}
			lastColourRank := 3
			rank := map[int]int{colours[rules.Critical]: 2, colours[rules.Warning]: 1, colours[rules.Info]: 0}
			for i, p := range posts {
				raw, _ := json.Marshal(p)
				if problems := checkLimits(raw); len(problems) > 0 {
					t.Errorf("post %d: %v", i, problems)
				}
				if !strings.Contains(p.Content, map[string]string{"ja": "【遅延】", "en": "[late]"}[lang]) {
					t.Errorf("post %d content not marked late: %q", i, p.Content)
				}
				for _, e := range p.Embeds {
					seen[e.URL]++
					if rank[e.Color] > lastColourRank {
						t.Errorf("post %d: a more severe alert after a less severe one", i)
					}
					lastColourRank = rank[e.Color]
					if !strings.Contains(e.Description, "](https://rw.example.net/s/") {
						t.Errorf("action link missing: %q", e.Description)
					}
				}
			}
			for _, a := range alerts {
				if seen[a.Room.URL] != 1 {
					t.Errorf("room %s arrived %d times", a.Room.ID, seen[a.Room.URL])
				}
			}
			if len(waits) != 0 {
				t.Errorf("retried: %v", waits)
			}
		})
	}
}

func TestSplitKeepsTenEmbedsAtMost(t *testing.T) {
	server := newFakeDiscord(t)
	n := newNotifier(t, server, message.Japanese)
	alerts := catchUp(40, func(i int) string { return fmt.Sprintf("記事 %d", i) })
	for i := range alerts {
		alerts[i].Links = nil
		alerts[i].Room.Buyer = "tanaka"
	}
	parts := n.Split(notifier.Message{Alerts: alerts})
	if len(parts) != 4 {
		t.Errorf("40 short alerts in %d parts, want 4 of 10", len(parts))
	}
	count := 0
	for _, p := range parts {
		if len(p.Alerts) > MaxEmbeds {
			t.Errorf("part of %d alerts", len(p.Alerts))
		}
		count += len(p.Alerts)
	}
	if count != 40 {
		t.Errorf("%d alerts in the parts, want 40", count)
	}
}

func TestRateLimitWaitsWhatDiscordAsks(t *testing.T) {
	cases := []struct {
		name string
		a    answer
		want time.Duration
	}{
		{"body retry_after", answer{status: 429,
			header: map[string]string{"Retry-After": "2", "X-RateLimit-Scope": "user"},
			body:   `{"message": "You are being rate limited.", "retry_after": 1.517, "global": false}`}, 1517 * time.Millisecond},
		{"header only", answer{status: 429, header: map[string]string{"Retry-After": "3"},
			body: `{"message": "You are being rate limited.", "global": true}`}, 3 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			server := newFakeDiscord(t, c.a)
			n := newNotifier(t, server, message.Japanese)
			var waits []time.Duration
			attempts, err := recordingRetrier(&waits).Send(context.Background(), n,
				notifier.Message{Alerts: []notifier.Alert{testalert.Make(rules.CheckIn, rules.Warning, "1", "t")}})
			if err != nil || attempts != 2 {
				t.Fatalf("attempts %d, err %v", attempts, err)
			}
			if len(waits) != 1 || waits[0] != c.want {
				t.Errorf("waited %v, want [%s]", waits, c.want)
			}
			if len(server.received()) != 1 {
				t.Errorf("%d delivered", len(server.received()))
			}
		})
	}
}

func TestServerErrorsAreRetriedAndRefusalsAreNot(t *testing.T) {
	alert := testalert.Make(rules.CheckIn, rules.Warning, "1", "t")
	m := notifier.Message{Alerts: []notifier.Alert{alert}}

	t.Run("502 then ok", func(t *testing.T) {
		server := newFakeDiscord(t, answer{status: 502, body: "<html>bad gateway</html>"}, answer{status: 500, body: `{"message": "500: Internal Server Error", "code": 0}`})
		var waits []time.Duration
		attempts, err := recordingRetrier(&waits).Send(context.Background(), newNotifier(t, server, "ja"), m)
		if err != nil || attempts != 3 || len(server.received()) != 1 {
			t.Errorf("attempts %d, err %v, delivered %d", attempts, err, len(server.received()))
		}
	})

	refusals := []struct {
		name   string
		a      answer
		wanted []string
	}{
		{"unknown webhook", answer{status: 404, body: `{"message": "Unknown Webhook", "code": 10015}`},
			[]string{"404 Not Found", "Unknown Webhook", "Discord error 10015"}},
		{"bad token", answer{status: 401, body: `{"message": "Invalid Webhook Token", "code": 50027}`},
			[]string{"401", "Invalid Webhook Token", "50027"}},
		{"form body", answer{status: 400, body: `{"code": 50035, "errors": {"embeds": {"0": {"title": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 256 or fewer in length."}]}}}}, "message": "Invalid Form Body"}`},
			[]string{"Invalid Form Body", "50035", "embeds.0.title: Must be 256 or fewer in length."}},
	}
	for _, c := range refusals {
		t.Run(c.name, func(t *testing.T) {
			server := newFakeDiscord(t, c.a)
			n := newNotifier(t, server, "ja")
			var waits []time.Duration
			attempts, err := recordingRetrier(&waits).Send(context.Background(), n, m)
			if err == nil || attempts != 1 {
				t.Fatalf("attempts %d, err %v", attempts, err)
			}
			for _, w := range c.wanted {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), hookToken) {
				t.Errorf("error leaks the token: %v", err)
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.Status != c.a.status {
				t.Errorf("not an APIError with status %d: %#v", c.a.status, err)
			}
		})
	}
}

func TestTransportErrorHidesTheToken(t *testing.T) {
	server := newFakeDiscord(t)
	n := newNotifier(t, server, "ja")
	server.Close()
	retry, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{testalert.Make(rules.CheckIn, rules.Warning, "1", "t")}})
	if err == nil || !retry {
		t.Fatalf("retry %v, err %v", retry, err)
	}
	if strings.Contains(err.Error(), hookToken) || strings.Contains(err.Error(), hookID) {
		t.Errorf("error leaks the webhook: %v", err)
	}
}

func TestNoticeAndNotifyTest(t *testing.T) {
	server := newFakeDiscord(t)
	n := newNotifier(t, server, "en")
	notice := notifier.Message{Notice: &message.Notice{Severity: rules.Warning, Title: "Config rejected: @everyone",
		Lines: []string{"roomwatch.yaml:3:5: unknown key"}}}
	if _, err := n.Send(context.Background(), notice); err != nil {
		t.Fatal(err)
	}
	if err := notifier.Test(context.Background(), n, testalert.Now); err != nil {
		t.Fatal(err)
	}
	got := server.received()
	if len(got) != 2 {
		t.Fatalf("%d posts", len(got))
	}
	if e := got[0].Embeds[0]; e.Color != colours[rules.Warning] || !strings.Contains(e.Description, "unknown key") || !strings.Contains(e.Title, `\@everyone`) {
		t.Errorf("notice embed %+v", e)
	}
	if !strings.HasPrefix(got[1].Content, `[TEST]`) {
		t.Errorf("test content %q", got[1].Content)
	}
}

// TestGoldenEmbedsJa pins the Discord payload of one alert of each
// severity in Japanese, action links included.
func TestGoldenEmbedsJa(t *testing.T) {
	n, err := New(config.DiscordConfig{WebhookURL: config.NewSecret(hookURL)}, Options{Language: message.Japanese, Location: testalert.Now.Location()})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		kind rules.Kind
		sev  rules.Severity
	}{{rules.FirstMessage, rules.Critical}, {rules.CheckIn, rules.Warning}, {rules.MayCancel, rules.Info}} {
		a := testalert.Make(c.kind, c.sev, "4012345", "ブログ記事 5本")
		a.Links = []message.ActionLink{
			{Action: "sent", Label: "送信済み", URL: "https://rw.example.net/act/sent?sig=abc"},
			{Action: "snooze", Label: "2時間スヌーズ", URL: "https://rw.example.net/act/snooze?sig=def"},
		}
		got, err := json.MarshalIndent(n.payload(notifier.Message{Alerts: []notifier.Alert{a}}), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, '\n')
		path := filepath.Join("testdata", string(c.sev)+".ja.golden")
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s:\n%s", c.kind, path, got)
		}
	}
}

func TestTalkRoomURLTooLongToLinkStaysAsText(t *testing.T) {
	n, err := New(config.DiscordConfig{WebhookURL: config.NewSecret(hookURL)}, Options{Language: message.Japanese, Location: testalert.Now.Location()})
	if err != nil {
		t.Fatal(err)
	}
	a := testalert.Make(rules.CheckIn, rules.Warning, "4012345", "t")
	a.Room.URL = "https://coconala.com/talkrooms/4012345?x=" + strings.Repeat("y", 1500)
	p := n.payload(notifier.Message{Alerts: []notifier.Alert{a}})
	e := p.Embeds[0]
	if e.URL != "" || strings.Contains(e.Description, "](") || !strings.Contains(e.Description, "URL：https://coconala.com/talkrooms/4012345") {
		t.Errorf("embed url %q, description %q", e.URL, e.Description)
	}
	raw, _ := json.Marshal(p)
	if problems := checkLimits(raw); len(problems) > 0 {
		t.Error(problems)
	}
}

package line

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/internal/testalert"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func newTest(t *testing.T, f *fakeLINE, lang string) *Notifier {
	t.Helper()
	return New(config.LineConfig{ChannelAccessToken: config.NewSecret(testToken), To: testUser, APIURL: f.srv.URL}, Options{
		Name: "phone", Timeout: 2 * time.Second, Language: lang, Location: testalert.Now.Location(),
	})
}

func withLinks(a notifier.Alert) notifier.Alert {
	base := "https://home.example.net/act/" + a.Step.Room
	a.Links = []message.ActionLink{
		{Action: "sent", Label: "メッセージ送信済み", URL: base + "/sent?sig=abc&exp=1"},
		{Action: "snooze", Label: "2時間スヌーズ", URL: base + "/snooze?sig=def&for=2h"},
		{Action: "ack", Label: "確認済み（この件はもう通知しないでください）", URL: base + "/ack?sig=ghi"},
	}
	return a
}

func TestGoldenFlexJa(t *testing.T) {
	for _, tt := range []struct {
		kind rules.Kind
		sev  rules.Severity
	}{
		{rules.CancelRisk, rules.Critical},
		{rules.CheckIn, rules.Warning},
		{rules.MayCancel, rules.Info},
	} {
		t.Run(string(tt.sev), func(t *testing.T) {
			f := newFakeLINE(t)
			n := newTest(t, f, "ja")
			a := withLinks(testalert.Make(tt.kind, tt.sev, "4012345", "ブログ記事 5本 <!channel> & 納品"))
			if _, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{a}}); err != nil {
				t.Fatal(err)
			}
			pushes := f.taken()
			if len(pushes) != 1 || len(pushes[0].messages) != 1 {
				t.Fatalf("pushes = %d, want one push of one message", len(pushes))
			}
			var got bytes.Buffer
			enc := json.NewEncoder(&got)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(pushes[0].messages[0]); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", string(tt.sev)+".ja.json")
			if *update {
				if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("Flex Message differs from %s:\n%s", golden, got.String())
			}
		})
	}
}

func TestOneAlertPush(t *testing.T) {
	f := newFakeLINE(t)
	n := newTest(t, f, "ja")
	a := withLinks(testalert.Make(rules.CancelRisk, rules.Critical, "4012345", "ブログ記事 5本"))
	if _, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{a}}); err != nil {
		t.Fatal(err)
	}
	p := f.taken()[0]
	msg := p.messages[0]
	if msg["type"] != "flex" {
		t.Fatalf("message type %v", msg["type"])
	}
	alt := msg["altText"].(string)
	for _, want := range []string{"【至急】", "tanaka", "ブログ記事 5本", "11/25"} {
		if !strings.Contains(alt, want) {
			t.Errorf("altText %q lacks %q", alt, want)
		}
	}
	contents := msg["contents"].(map[string]any)
	if contents["type"] != "bubble" {
		t.Errorf("one alert should be one bubble, got %v", contents["type"])
	}
	header := contents["header"].(map[string]any)
	if header["backgroundColor"] != severityColour[rules.Critical] {
		t.Errorf("header colour %v", header["backgroundColor"])
	}
	raw := string(p.raw)
	for _, want := range []string{"緊急・残り3時間", "https://coconala.com/talkrooms/4012345", "トークルームを開く",
		"/act/4012345/sent?sig=abc\\u0026exp=1", "確認済み（この件はもう通知しないでくだ…\""} {
		if !strings.Contains(raw, want) {
			t.Errorf("push lacks %q:\n%s", want, raw)
		}
	}
}

func TestStatusCodes(t *testing.T) {
	alert := testalert.Make(rules.CheckIn, rules.Warning, "4012345", "t")
	tests := []struct {
		name       string
		answer     answer
		retry      bool
		retryAfter time.Duration
		want       []string // in the error text
	}{
		{"bad request with details", answer{status: 400, body: `{"message":"The request body has 2 error(s)","details":[{"message":"May not be empty","property":"messages[0].text"},{"message":"Length must be between 0 and 5000","property":"messages[1].text"}]}`},
			false, 0, []string{"400 Bad Request: The request body has 2 error(s) (messages[0].text: May not be empty; messages[1].text: Length must be between 0 and 5000)"}},
		{"bad token", answer{status: 401, body: `{"message":"Authentication failed. Confirm that the access token in the authorization header is valid."}`},
			false, 0, []string{"401 Unauthorized: Authentication failed"}},
		{"no permission", answer{status: 403, body: `{"message":"Access to this API is not available for your account"}`},
			false, 0, []string{"403 Forbidden: Access to this API is not available"}},
		{"rate limit with Retry-After", answer{status: 429, header: map[string]string{"Retry-After": "7"}, body: `{"message":"The API rate limit has been exceeded. Try again later."}`},
			true, 7 * time.Second, []string{"429 Too Many Requests: The API rate limit has been exceeded"}},
		{"rate limit without Retry-After", answer{status: 429, body: `{"message":"The API rate limit has been exceeded. Try again later."}`},
			true, 0, []string{"429 Too Many Requests"}},
		{"monthly quota used up", answer{status: 429, header: map[string]string{"Retry-After": "60"}, body: `{"message":"You have reached your monthly limit."}`},
			false, 0, []string{"You have reached your monthly limit.", "all the messages its plan allows this month"}},
		{"server error", answer{status: 500, body: `{"message":"An error occurred in the server"}`},
			true, 0, []string{"500 Internal Server Error: An error occurred in the server"}},
		{"proxy page", answer{status: 502, body: `<html><body>Bad Gateway</body></html>`},
			true, 0, []string{"502 Bad Gateway"}},
		{"token echoed back", answer{status: 400, body: `{"message":"Invalid token ` + testToken + `"}`},
			false, 0, []string{"Invalid token <secret>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeLINE(t)
			n := newTest(t, f, "en")
			f.then(tt.answer)
			retry, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{alert}})
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if retry != tt.retry {
				t.Errorf("retry = %v, want %v (%v)", retry, tt.retry, err)
			}
			var ra notifier.RetryAfterError
			if got := errors.As(err, &ra); got != (tt.retryAfter > 0) || (got && ra.RetryAfter() != tt.retryAfter) {
				t.Errorf("Retry-After: %v %v, want %v", got, ra, tt.retryAfter)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error shows the token: %v", err)
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != tt.answer.status {
				t.Errorf("error %v is not an APIError of %d", err, tt.answer.status)
			}
		})
	}
}

func TestWrongTokenAndNetwork(t *testing.T) {
	f := newFakeLINE(t)
	n := New(config.LineConfig{ChannelAccessToken: config.NewSecret("wrong-token-VALUE"), To: testUser, APIURL: f.srv.URL}, Options{})
	m := notifier.Message{Alerts: []notifier.Alert{testalert.Make(rules.CheckIn, rules.Warning, "1", "t")}}
	retry, err := n.Send(context.Background(), m)
	if err == nil || retry || !strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), "wrong-token-VALUE") {
		t.Errorf("wrong token: retry %v, err %v", retry, err)
	}

	f.srv.Close()
	n = New(config.LineConfig{ChannelAccessToken: config.NewSecret(testToken), To: testUser, APIURL: f.srv.URL}, Options{})
	retry, err = n.Send(context.Background(), m)
	if err == nil || !retry || strings.Contains(err.Error(), testToken) {
		t.Errorf("server gone: retry %v, err %v", retry, err)
	}
}

func TestTimeoutRetries(t *testing.T) {
	release := make(chan struct{})
	f := newFakeLINE(t)
	slow := f.srv.Config.Handler
	f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		slow.ServeHTTP(w, r)
	})
	defer close(release)
	n := New(config.LineConfig{ChannelAccessToken: config.NewSecret(testToken), To: testUser, APIURL: f.srv.URL}, Options{Timeout: 50 * time.Millisecond})
	retry, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{testalert.Make(rules.CheckIn, rules.Warning, "1", "t")}})
	if err == nil || !retry {
		t.Errorf("timeout: retry %v, err %v", retry, err)
	}
}

// A push LINE took although the answer never arrived (a 500 after the
// fact, a timeout) is retried with the same key: LINE answers 409 and the
// seller gets it once.
func TestRetryKeyDeliversOnce(t *testing.T) {
	f := newFakeLINE(t)
	n := newTest(t, f, "ja")
	f.then(answer{status: 500, body: `{"message":"An error occurred in the server"}`, accept: true})
	m := notifier.Message{Alerts: []notifier.Alert{testalert.Make(rules.CancelRisk, rules.Critical, "4012345", "t")}}
	r := notifier.Retrier{Sleep: func(context.Context, time.Duration) error { return nil }}
	attempts, err := r.Send(context.Background(), n, m)
	if err != nil || attempts != 2 {
		t.Fatalf("attempts %d, err %v; want delivered on the second", attempts, err)
	}
	if got := len(f.taken()); got != 1 {
		t.Errorf("LINE took %d pushes, want 1", got)
	}
	// The outbox resending the same step after a restart: LINE refuses it.
	if _, err := n.Send(context.Background(), m); err != nil {
		t.Errorf("a repeat of an accepted push: %v", err)
	}
	if got := len(f.taken()); got != 1 || f.requests != 3 {
		t.Errorf("LINE took %d pushes of %d requests, want 1 of 3", got, f.requests)
	}

	// Another step of the same alert is another push.
	next := m
	next.Alerts = []notifier.Alert{m.Alerts[0]}
	next.Alerts[0].Step.Name = "due"
	if n.retryKey(next) == n.retryKey(m) {
		t.Error("two steps share a retry key")
	}
	// Each notify-test arrives, even twice in a minute.
	a, b := notifier.Message{Test: true, Alerts: []notifier.Alert{notifier.TestAlert(testalert.Now)}},
		notifier.Message{Test: true, Alerts: []notifier.Alert{notifier.TestAlert(testalert.Now.Add(time.Second))}}
	if n.retryKey(a) == n.retryKey(b) {
		t.Error("two notify-tests share a retry key")
	}
}

func longCJKTitle(i int) string {
	return fmt.Sprintf("第%d回 ", i) + strings.Repeat("締め切り間近のロゴデザイン制作と名刺・チラシ一式＆<修正>", 60)
}

var mixed = []struct {
	kind rules.Kind
	sev  rules.Severity
}{
	{rules.CheckIn, rules.Warning},
	{rules.FirstMessage, rules.Critical},
	{rules.RateBuyer, rules.Info},
	{rules.CancelRisk, rules.Critical},
	{rules.SendTerms, rules.Warning},
}

func catchUp(count int) []notifier.Alert {
	alerts := make([]notifier.Alert, count)
	for i := range alerts {
		k := mixed[i%len(mixed)]
		alerts[i] = withLinks(testalert.Make(k.kind, k.sev, fmt.Sprint(4000000+i), longCJKTitle(i)))
	}
	return alerts
}

// A 40-alert catch-up with long CJK titles goes through the router: every
// alert delivered in exactly one push, each push within LINE's limits, the
// most severe first.
func TestCatchUpFortyAlerts(t *testing.T) {
	for _, lang := range []string{"ja", "en"} {
		t.Run(lang, func(t *testing.T) {
			f := newFakeLINE(t)
			n := newTest(t, f, lang)
			alerts := catchUp(40)
			parts := n.Split(notifier.Message{Alerts: alerts, Late: true})
			router := notifier.NewRouter([]notifier.Notifier{n}, nil,
				notifier.Retrier{Sleep: func(context.Context, time.Duration) error { return nil }}, nil)
			var mu sync.Mutex
			var results []notifier.Result
			var wg sync.WaitGroup
			wg.Add(len(parts))
			router.Deliver(context.Background(), alerts, true, func(rs []notifier.Result) {
				mu.Lock()
				results = append(results, rs...)
				mu.Unlock()
				wg.Done()
			})
			wg.Wait()
			if len(results) != 40 {
				t.Fatalf("%d results, want 40", len(results))
			}
			for _, r := range results {
				if !r.Delivered || r.Notifier != "phone" {
					t.Errorf("%s not delivered: %v", r.Key, r.Errors)
				}
			}
			pushes := f.taken()
			if len(pushes) != len(parts) {
				t.Errorf("%d pushes for %d parts", len(pushes), len(parts))
			}
			seen := map[string]int{}
			for _, p := range pushes {
				for _, msg := range p.messages {
					raw, _ := json.Marshal(msg)
					for _, a := range alerts {
						if strings.Contains(string(raw), "talkrooms/"+a.Step.Room+`"`) {
							seen[a.Step.Room]++
						}
					}
				}
			}
			for _, a := range alerts {
				if seen[a.Step.Room] != 1 {
					t.Errorf("room %s shown %d times", a.Step.Room, seen[a.Step.Room])
				}
			}
			// Most severe first: no part holds a more severe alert than the
			// last alert of the part before it.
			var prev rules.Severity = rules.Critical
			for i, part := range parts {
				for _, a := range part.Alerts {
					if a.Step.Severity.Rank() > prev.Rank() {
						t.Errorf("part %d: %s after %s", i, a.Step.Severity, prev)
					}
					prev = a.Step.Severity
				}
			}
			t.Logf("%s: 40 alerts in %d pushes, %d messages in the first", lang, len(pushes), len(pushes[0].messages))
		})
	}
}

// A card stays within 30 KB whatever the room holds: a title of thousands
// of characters that JSON escapes six bytes each, and links of 1,000
// characters. The alert still shows, with its room ID.
func TestHostileRoomFits(t *testing.T) {
	f := newFakeLINE(t)
	n := newTest(t, f, "ja")
	a := testalert.Make(rules.FirstMessage, rules.Critical, "9"+strings.Repeat("8", 120), strings.Repeat("<&>", 3000))
	a.Room.Buyer = strings.Repeat("&", 500)
	a.Room.URL = "https://coconala.com/talkrooms/" + strings.Repeat("&", 960)
	long := "https://home.example.net/act?" + strings.Repeat("&x", 480)
	for i := range 6 {
		a.Links = append(a.Links, message.ActionLink{Action: fmt.Sprint(i), Label: strings.Repeat("長", 40), URL: long})
	}
	a.Links = append(a.Links, message.ActionLink{Action: "bad", Label: "bad", URL: "javascript:alert(1)"},
		message.ActionLink{Action: "huge", Label: "huge", URL: "https://x.example/" + strings.Repeat("a", 2000)})
	if _, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{a}}); err != nil {
		t.Fatal(err)
	}
	raw := string(f.taken()[0].raw)
	if !strings.Contains(raw, "8888888888") {
		t.Error("the room ID is gone")
	}
	if strings.Contains(raw, "javascript:") {
		t.Error("a javascript: link became a button")
	}
}

func TestNoticeAsText(t *testing.T) {
	f := newFakeLINE(t)
	n := newTest(t, f, "ja")
	lines := []string{"期限が近いトークルーム：", "・4012345 ブログ記事 5本 — 11/25(水) 12:00"}
	if err := notifier.NewRouter([]notifier.Notifier{n}, nil, notifier.Retrier{}, nil).
		Notice(context.Background(), rules.Info, "今日の予定 11/25(水)", lines); err != nil {
		t.Fatal(err)
	}
	p := f.taken()[0]
	if len(p.messages) != 1 || p.messages[0]["type"] != "text" {
		t.Fatalf("notice = %v", p.messages)
	}
	if got, want := p.messages[0]["text"], "今日の予定 11/25(水)\n"+strings.Join(lines, "\n"); got != want {
		t.Errorf("text = %q, want %q", got, want)
	}

	// A notice longer than one text message continues in the next.
	var many []string
	for i := range 400 {
		many = append(many, fmt.Sprintf("・%d %s", i, strings.Repeat("長", 40)))
	}
	n2 := notifier.Message{Notice: &message.Notice{Severity: rules.Warning, Title: "設定エラー", Lines: many}}
	if _, err := n.Send(context.Background(), n2); err != nil {
		t.Fatal(err)
	}
	p = f.taken()[1]
	var all strings.Builder
	for _, m := range p.messages {
		all.WriteString(m["text"].(string) + "\n")
	}
	if len(p.messages) < 2 || !strings.Contains(all.String(), "・0 ") || !strings.Contains(all.String(), "・399 ") {
		t.Errorf("long notice: %d messages", len(p.messages))
	}
}

func TestAltTextOfLongTitle(t *testing.T) {
	m := notifier.Message{Alerts: catchUp(3), Late: true}
	got := altText(m, "ja", testalert.Now.Location())
	if n := units(got); n > maxAltText {
		t.Errorf("altText of %d characters", n)
	}
	for _, want := range []string{"【遅延】", "ほか2件"} {
		if !strings.Contains(got, want) {
			t.Errorf("altText %q lacks %q", got, want)
		}
	}
	emoji := testalert.Make(rules.CheckIn, rules.Warning, "1", strings.Repeat("😀", 500))
	if got := altText(notifier.Message{Alerts: []notifier.Alert{emoji}}, "en", nil); units(got) > maxAltText {
		t.Errorf("emoji altText of %d units", units(got))
	}
}

func TestShorten(t *testing.T) {
	for _, tt := range []struct {
		in    string
		limit int
		want  string
	}{
		{"abc", 3, "abc"},
		{"abcdefghij", 7, "abcd…ij"},
		{"トークルーム：長い題名（4012345）", 12, "トークルーム：長…45）"},
		{"😀😀😀😀", 5, "😀…😀"},
	} {
		if got := shorten(tt.in, tt.limit); got != tt.want || units(got) > tt.limit {
			t.Errorf("shorten(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
		}
	}
}

package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/internal/testalert"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/notifier/webhook/body"
	"github.com/roomwatch/roomwatch/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const signingSecret = "whsec-s3cret"

// request is one POST the receiver got.
type request struct {
	header http.Header
	body   []byte
}

// receiver records POSTs, checks the signature when it knows the secret,
// and answers with its script (200 once it runs out).
type receiver struct {
	*httptest.Server
	t        *testing.T
	secret   string
	mu       sync.Mutex
	requests []request
	script   []func(w http.ResponseWriter)
}

func newReceiver(t *testing.T, secret string, script ...func(w http.ResponseWriter)) *receiver {
	r := &receiver{t: t, secret: secret, script: script}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/hook" || r.URL.Query().Get("key") != "k3y" {
		http.Error(w, "no such hook", http.StatusNotFound)
		return
	}
	if rc.secret != "" {
		// What a receiver does: recompute the HMAC over the raw body and
		// compare in constant time; check the timestamp is recent.
		mac := Sign(rc.secret, body)
		if !hmac.Equal([]byte(mac), []byte(r.Header.Get(SignatureHeader))) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		ts, err := strconv.ParseInt(r.Header.Get(TimestampHeader), 10, 64)
		if err != nil || time.Unix(ts, 0).Before(testalert.Now.Add(-5*time.Minute)) {
			http.Error(w, "stale", http.StatusUnauthorized)
			return
		}
	}
	if len(rc.script) > 0 {
		answer := rc.script[0]
		rc.script = rc.script[1:]
		answer(w)
		return
	}
	rc.requests = append(rc.requests, request{header: r.Header.Clone(), body: body})
	w.WriteHeader(http.StatusNoContent)
}

func (rc *receiver) got() []request {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]request(nil), rc.requests...)
}

func newNotifier(t *testing.T, rc *receiver, cfg config.WebhookConfig, opts Options) *Notifier {
	t.Helper()
	cfg.URL = config.NewSecret(rc.URL + "/hook?key=k3y")
	opts.Location = testalert.Now.Location()
	opts.Now = func() time.Time { return testalert.Now }
	if opts.Language == "" {
		opts.Language = message.Japanese
	}
	n, err := New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// secretHeaders is headers as config holds them.
func secretHeaders(headers map[string]string) map[string]config.Secret {
	out := make(map[string]config.Secret, len(headers))
	for name, value := range headers {
		out[name] = config.NewSecret(value)
	}
	return out
}

func alertWithLinks() notifier.Alert {
	a := testalert.Make(rules.CancelRisk, rules.Critical, "4012345", "ブログ記事 \"5本\"")
	a.Links = []message.ActionLink{
		{Action: "replied", Label: "返信した", URL: "https://rw.example.net/act/replied?sig=abc"},
		{Action: "snooze", Label: "2時間スヌーズ", URL: "https://rw.example.net/act/snooze?sig=def"},
	}
	return a
}

func retrier(waits *[]time.Duration) notifier.Retrier {
	r := notifier.DefaultRetrier()
	r.Deadline = time.Hour
	r.Jitter = func(d time.Duration) time.Duration { return d }
	r.Sleep = func(_ context.Context, d time.Duration) error {
		*waits = append(*waits, d)
		return nil
	}
	return r
}

// TestDefaultBodyGolden pins the documented default body, signed.
func TestDefaultBodyGolden(t *testing.T) {
	rc := newReceiver(t, signingSecret)
	n := newNotifier(t, rc, config.WebhookConfig{Secret: config.NewSecret(signingSecret)}, Options{})
	if _, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{alertWithLinks()}}); err != nil {
		t.Fatal(err)
	}
	got := rc.got()
	if len(got) != 1 {
		t.Fatalf("%d requests", len(got))
	}
	if ct := got[0].header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if ts := got[0].header.Get(TimestampHeader); ts != strconv.FormatInt(testalert.Now.Unix(), 10) {
		t.Errorf("timestamp header %q", ts)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, got[0].body, "", "  "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteByte('\n')
	golden(t, "default.ja.golden", pretty.Bytes())
	var p body.Payload
	if err := json.Unmarshal(got[0].body, &p); err != nil || p.SentAt != testalert.Now.Format(time.RFC3339) {
		t.Errorf("sent_at %q, %v", p.SentAt, err)
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n%s", path, got)
	}
}

// TestBodyTemplateAndHeaders writes a Mattermost-style body with the
// template functions and sends the configured headers.
func TestBodyTemplateAndHeaders(t *testing.T) {
	rc := newReceiver(t, "")
	tmpl := `{"username": "roomwatch",
 "text": {{json (printf "%s %s" (markdown .Preview) .URL)}},
 "props": {"severity": {{json .Severity}}, "links": [{{range $i, $l := .Links}}{{if $i}}, {{end}}{{json $l.URL}}{{end}}]}}`
	n := newNotifier(t, rc, config.WebhookConfig{BodyTemplate: tmpl, Headers: secretHeaders(map[string]string{"Authorization": "Bearer t0ken", "X-Source": "roomwatch"})}, Options{})
	a := alertWithLinks()
	a.Room.Buyer = "@channel"
	if _, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{a}}); err != nil {
		t.Fatal(err)
	}
	got := rc.got()
	if len(got) != 1 {
		t.Fatalf("%d requests", len(got))
	}
	if got[0].header.Get("Authorization") != "Bearer t0ken" || got[0].header.Get("X-Source") != "roomwatch" {
		t.Errorf("headers %v", got[0].header)
	}
	if got[0].header.Get(SignatureHeader) != "" {
		t.Error("signed without a secret")
	}
	var body struct {
		Username string `json:"username"`
		Text     string `json:"text"`
		Props    struct {
			Severity string   `json:"severity"`
			Links    []string `json:"links"`
		} `json:"props"`
	}
	if err := json.Unmarshal(got[0].body, &body); err != nil {
		t.Fatalf("%v: %s", err, got[0].body)
	}
	if strings.Contains(body.Text, "@channel") || !strings.Contains(body.Text, "@\u200bchannel") {
		t.Errorf("mention not broken: %q", body.Text)
	}
	if !strings.HasSuffix(body.Text, " https://coconala.com/talkrooms/4012345") || body.Props.Severity != "critical" ||
		len(body.Props.Links) != 2 {
		t.Errorf("body %+v", body)
	}
}

func TestRetryClassification(t *testing.T) {
	m := notifier.Message{Alerts: []notifier.Alert{alertWithLinks()}}
	status := func(code int, header, body string) func(w http.ResponseWriter) {
		return func(w http.ResponseWriter) {
			if header != "" {
				w.Header().Set("Retry-After", header)
			}
			w.WriteHeader(code)
			io.WriteString(w, body)
		}
	}
	t.Run("503 then 429 then ok", func(t *testing.T) {
		rc := newReceiver(t, signingSecret, status(503, "", "busy"), status(429, "7", "slow down"))
		n := newNotifier(t, rc, config.WebhookConfig{Secret: config.NewSecret(signingSecret)}, Options{})
		var waits []time.Duration
		attempts, err := retrier(&waits).Send(context.Background(), n, m)
		if err != nil || attempts != 3 || len(rc.got()) != 1 {
			t.Fatalf("attempts %d, err %v, delivered %d", attempts, err, len(rc.got()))
		}
		if len(waits) != 2 || waits[1] != 7*time.Second {
			t.Errorf("waits %v, want the second to be Retry-After's 7s", waits)
		}
	})
	t.Run("400 is permanent and names why", func(t *testing.T) {
		rc := newReceiver(t, "", status(400, "", "Invalid webhook payload: missing text\nmore"))
		n := newNotifier(t, rc, config.WebhookConfig{Headers: secretHeaders(map[string]string{"Authorization": "Bearer t0ken-value"})}, Options{})
		var waits []time.Duration
		attempts, err := retrier(&waits).Send(context.Background(), n, m)
		if err == nil || attempts != 1 {
			t.Fatalf("attempts %d, err %v", attempts, err)
		}
		if !strings.Contains(err.Error(), "400 Bad Request: Invalid webhook payload: missing text") || strings.Contains(err.Error(), "more") {
			t.Errorf("error %q", err)
		}
		var se *StatusError
		if !errors.As(err, &se) || se.Status != 400 {
			t.Errorf("not a StatusError: %#v", err)
		}
	})
	t.Run("bad signature is permanent", func(t *testing.T) {
		rc := newReceiver(t, signingSecret)
		n := newNotifier(t, rc, config.WebhookConfig{Secret: config.NewSecret("wrong")}, Options{})
		if retry, err := n.Send(context.Background(), m); err == nil || retry || !strings.Contains(err.Error(), "401") {
			t.Errorf("retry %v, err %v", retry, err)
		}
	})
	t.Run("transport errors hide the URL and headers", func(t *testing.T) {
		rc := newReceiver(t, "")
		n := newNotifier(t, rc, config.WebhookConfig{Headers: secretHeaders(map[string]string{"Authorization": "Bearer t0ken-value"})}, Options{})
		rc.Close()
		retry, err := n.Send(context.Background(), m)
		if err == nil || !retry {
			t.Fatalf("retry %v, err %v", retry, err)
		}
		if strings.Contains(err.Error(), "k3y") || strings.Contains(err.Error(), "t0ken-value") {
			t.Errorf("error leaks a secret: %v", err)
		}
	})
}

// TestCatchUpOf40IsOnePostPerAlert sends a 40-alert catch-up with long
// Japanese titles through the router: 40 POSTs, each alert once, each
// signed body within the cap.
func TestCatchUpOf40IsOnePostPerAlert(t *testing.T) {
	rc := newReceiver(t, signingSecret)
	n := newNotifier(t, rc, config.WebhookConfig{Secret: config.NewSecret(signingSecret)}, Options{})
	kinds := []struct {
		kind rules.Kind
		sev  rules.Severity
	}{{rules.CheckIn, rules.Warning}, {rules.FirstMessage, rules.Critical}, {rules.RateBuyer, rules.Info}}
	alerts := make([]notifier.Alert, 40)
	for i := range alerts {
		k := kinds[i%len(kinds)]
		alerts[i] = testalert.Make(k.kind, k.sev, fmt.Sprint(4000000+i), strings.Repeat("納品物の修正について𠮷", 500))
	}
	parts := n.Split(notifier.Message{Alerts: alerts, Late: true})
	if len(parts) != 40 || parts[0].Alerts[0].Step.Severity != rules.Critical || parts[39].Alerts[0].Step.Severity != rules.Info {
		t.Fatalf("split into %d parts, most severe first?", len(parts))
	}
	var waits []time.Duration
	router := notifier.NewRouter([]notifier.Notifier{n}, nil, retrier(&waits), nil)
	for _, res := range router.Dispatch(context.Background(), alerts, true) {
		if !res.Delivered {
			t.Errorf("%s not delivered: %v", res.Key, res.Errors)
		}
	}
	seen := map[string]int{}
	for _, r := range rc.got() {
		if len(r.body) > MaxBody {
			t.Errorf("body of %d bytes", len(r.body))
		}
		var p body.Payload
		if err := json.Unmarshal(r.body, &p); err != nil {
			t.Fatal(err)
		}
		if !p.Late || p.Room == "" {
			t.Errorf("payload %+v", p)
		}
		seen[p.Room]++
	}
	for _, a := range alerts {
		if seen[a.Room.ID] != 1 {
			t.Errorf("room %s posted %d times", a.Room.ID, seen[a.Room.ID])
		}
	}
}

func TestNoticeAndNotifyTest(t *testing.T) {
	rc := newReceiver(t, "")
	n := newNotifier(t, rc, config.WebhookConfig{}, Options{Language: message.English})
	if err := notifier.Test(context.Background(), n, testalert.Now); err != nil {
		t.Fatal(err)
	}
	notice := notifier.Message{Notice: &message.Notice{Severity: rules.Warning, Title: "Config rejected", Lines: []string{"a:1:1: bad"}}}
	if _, err := n.Send(context.Background(), notice); err != nil {
		t.Fatal(err)
	}
	got := rc.got()
	if len(got) != 2 {
		t.Fatalf("%d requests", len(got))
	}
	var test, note body.Payload
	_ = json.Unmarshal(got[0].body, &test)
	_ = json.Unmarshal(got[1].body, &note)
	if !test.Test || test.Kind != string(rules.CheckIn) || !strings.HasPrefix(test.Preview, "[TEST]") {
		t.Errorf("test payload %+v", test)
	}
	if note.Notice == nil || note.Notice.Title != "Config rejected" || note.Severity != "warning" || note.Room != "" {
		t.Errorf("notice payload %+v", note)
	}
}

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

	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/internal/testalert"
	"github.com/roomwatch/roomwatch/notifier/message"
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

func newNotifier(t *testing.T, rc *receiver, opts Options) *Notifier {
	t.Helper()
	opts.URL = rc.URL + "/hook?key=k3y"
	opts.Location = testalert.Now.Location()
	opts.Now = func() time.Time { return testalert.Now }
	if opts.Language == "" {
		opts.Language = message.Japanese
	}
	n, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return n
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
	n := newNotifier(t, rc, Options{Secret: signingSecret})
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
	var p Payload
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
	n := newNotifier(t, rc, Options{BodyTemplate: tmpl, Headers: map[string]string{"Authorization": "Bearer t0ken", "X-Source": "roomwatch"}})
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

func TestCompileRefusesBadTemplatesWithTheirPlace(t *testing.T) {
	cases := []struct {
		name, tmpl   string
		line, column int
		wanted       string
	}{
		{"unknown field", "{\n  \"text\": {{json .Nope}}\n}", 2, 18, "can't evaluate field Nope"},
		{"unknown function", `{"text": {{shout .Text}}}`, 1, 0, `function "shout" not defined`},
		{"unclosed action", "{\"a\": 1}\n{{if .Late}}", 2, 0, "unexpected EOF"},
		{"nil notice on an alert", `{"t": {{json .Notice.Title}}}`, 1, 0, "nil pointer"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Compile(c.tmpl, true)
			var te *TemplateError
			if !errors.As(err, &te) {
				t.Fatalf("error %v is not a TemplateError", err)
			}
			if te.Line != c.line || (c.column != 0 && te.Column != c.column) || !strings.Contains(te.Msg, c.wanted) {
				t.Errorf("got line %d col %d %q, want line %d col %d %q", te.Line, te.Column, te.Msg, c.line, c.column, c.wanted)
			}
		})
	}
	_, err := Compile(`{"text": "{{.Title}}"}`, true)
	if err == nil || !strings.Contains(err.Error(), "{{json .Text}}") {
		t.Errorf("unescaped title inside JSON: %v", err)
	}
	if _, err := Compile(`text={{.Title}}`, false); err != nil {
		t.Errorf("a non-JSON body with a non-JSON Content-Type: %v", err)
	}
	if _, err := Compile(`{"t": {{json (printf "%070000d" 1)}}}`, true); err == nil || !strings.Contains(err.Error(), "cap") {
		t.Errorf("a body over the cap: %v", err)
	}
	if _, err := Compile(`{"t": {{if .Notice}}{{json .Notice.Title}}{{else}}{{json .Preview}}{{end}}}`, true); err != nil {
		t.Errorf("a template for alerts and notices: %v", err)
	}
}

func TestCheckHeader(t *testing.T) {
	for name, value := range map[string]string{"Authorization": "Bearer x", "X-Api-Key": "k", "content-type": "application/json"} {
		if err := CheckHeader(name, value); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, value := range map[string]string{"Bad Name": "x", "X-A": "a\r\nInjected: 1", "Host": "x", "x-roomwatch-signature": "x", "": "x"} {
		if err := CheckHeader(name, value); err == nil {
			t.Errorf("%q: %q accepted", name, value)
		}
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
		n := newNotifier(t, rc, Options{Secret: signingSecret})
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
		n := newNotifier(t, rc, Options{Headers: map[string]string{"Authorization": "Bearer t0ken-value"}})
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
		n := newNotifier(t, rc, Options{Secret: "wrong"})
		if retry, err := n.Send(context.Background(), m); err == nil || retry || !strings.Contains(err.Error(), "401") {
			t.Errorf("retry %v, err %v", retry, err)
		}
	})
	t.Run("transport errors hide the URL and headers", func(t *testing.T) {
		rc := newReceiver(t, "")
		n := newNotifier(t, rc, Options{Headers: map[string]string{"Authorization": "Bearer t0ken-value"}})
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
	n := newNotifier(t, rc, Options{Secret: signingSecret})
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
		var p Payload
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
	n := newNotifier(t, rc, Options{Language: message.English})
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
	var test, note Payload
	_ = json.Unmarshal(got[0].body, &test)
	_ = json.Unmarshal(got[1].body, &note)
	if !test.Test || test.Kind != string(rules.CheckIn) || !strings.HasPrefix(test.Preview, "[TEST]") {
		t.Errorf("test payload %+v", test)
	}
	if note.Notice == nil || note.Notice.Title != "Config rejected" || note.Severity != "warning" || note.Room != "" {
		t.Errorf("notice payload %+v", note)
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	for name, opts := range map[string]Options{
		"no url":       {},
		"ftp url":      {URL: "ftp://x"},
		"bad header":   {URL: "https://x.example", Headers: map[string]string{"A B": "c"}},
		"bad template": {URL: "https://x.example", BodyTemplate: "{{.Nope}}"},
	} {
		if _, err := New(opts); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

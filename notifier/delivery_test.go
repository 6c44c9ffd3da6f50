package notifier_test

// These tests drive the retry loop and the router through the real backends
// against real local servers: an httptest Slack webhook, slacktest for the
// Web API and an in-process SMTP server.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	slackapi "github.com/slack-go/slack/slacktest"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/email"
	"github.com/roomwatch/roomwatch/notifier/internal/smtptest"
	"github.com/roomwatch/roomwatch/notifier/internal/testalert"
	"github.com/roomwatch/roomwatch/notifier/slack"
	"github.com/roomwatch/roomwatch/rules"
)

const (
	hookPath = "/services/T0001/B0001/hunter2WebhookSecret"
	botToken = "xoxb-hunter2-bot-token"
	mailPass = "hunter2-mail-password"
)

// scriptedHook is a Slack webhook endpoint answering with scripted statuses
// (then 200), or hanging when hang is set.
type scriptedHook struct {
	*httptest.Server
	mu       sync.Mutex
	posts    int
	statuses []int
	header   http.Header
	hang     bool
}

func newHook(t *testing.T, statuses ...int) *scriptedHook {
	h := &scriptedHook{statuses: statuses}
	release := make(chan struct{})
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		h.mu.Lock()
		n := h.posts
		h.posts++
		hang := h.hang
		h.mu.Unlock()
		if hang {
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		status := http.StatusOK
		if n < len(h.statuses) {
			status = h.statuses[n]
		}
		for k, v := range h.header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		if status == http.StatusForbidden {
			_, _ = io.WriteString(w, "invalid_token")
		}
	}))
	t.Cleanup(h.Close)
	t.Cleanup(func() { close(release) })
	return h
}

func (h *scriptedHook) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.posts
}

func hookNotifier(t *testing.T, h *scriptedHook, timeout time.Duration) *slack.Notifier {
	t.Helper()
	return slack.New(config.SlackConfig{WebhookURL: config.NewSecret(h.URL + hookPath)}, slack.Options{Name: "phone", Timeout: timeout})
}

func mailNotifier(t *testing.T, srv *smtptest.Server, password string) *email.Notifier {
	t.Helper()
	return email.New(config.EmailConfig{
		Host: srv.Host, Port: srv.Port, TLS: email.StartTLS,
		Username: "me@example.com", Password: config.NewSecret(password),
		From: "roomwatch@example.com", To: []string{"me@example.com"},
	}, email.Options{Name: "mail", Timeout: 5 * time.Second, TLSConfig: srv.ClientTLS})
}

func smtpReject(stage smtptest.Stage, code int, times int) func(smtptest.Stage, int) *smtp.SMTPError {
	return func(s smtptest.Stage, n int) *smtp.SMTPError {
		if s == stage && n <= times {
			return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 0, 0}, Message: "scripted"}
		}
		return nil
	}
}

var critical = map[rules.Severity][]string{rules.Critical: {"phone", "mail"}}

func criticalAlert() []notifier.Alert {
	return []notifier.Alert{testalert.Make(rules.CancelRisk, rules.Critical, "4012345", "ブログ記事 5本")}
}

func TestDeliveryRetryTable(t *testing.T) {
	s := time.Second
	cases := []struct {
		name        string
		hook        []int          // webhook statuses, then 200
		retryAfter  string         // Retry-After header on the hook's replies
		smtpStage   smtptest.Stage // scripted SMTP rejection …
		smtpCode    int
		smtpTimes   int
		route       []string
		wantBy      string
		wantTries   int // attempts over the route
		wantWaits   []time.Duration
		wantHook    int // posts the webhook saw
		wantMails   int
		wantErrFrom string
	}{
		{name: "500,500,200 delivers once after three attempts", hook: []int{500, 500},
			route: []string{"phone", "mail"}, wantBy: "phone", wantTries: 3,
			wantWaits: []time.Duration{s, 2 * s}, wantHook: 3},
		{name: "429 with Retry-After 2 waits 2s", hook: []int{429}, retryAfter: "2",
			route: []string{"phone", "mail"}, wantBy: "phone", wantTries: 2,
			wantWaits: []time.Duration{2 * s}, wantHook: 2},
		{name: "invalid_token is not retried and fails over", hook: []int{403},
			route: []string{"phone", "mail"}, wantBy: "mail", wantTries: 2, wantHook: 1, wantMails: 1, wantErrFrom: "phone"},
		{name: "404 is not retried and fails over", hook: []int{404},
			route: []string{"phone", "mail"}, wantBy: "mail", wantTries: 2, wantHook: 1, wantMails: 1, wantErrFrom: "phone"},
		{name: "SMTP 550 is not retried and fails over", smtpStage: smtptest.StageRcpt, smtpCode: 550, smtpTimes: 99,
			route: []string{"mail", "phone"}, wantBy: "phone", wantTries: 2, wantHook: 1, wantErrFrom: "mail"},
		{name: "SMTP 451 is retried", smtpStage: smtptest.StageData, smtpCode: 451, smtpTimes: 2,
			route: []string{"mail", "phone"}, wantBy: "mail", wantTries: 3,
			wantWaits: []time.Duration{s, 2 * s}, wantMails: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hook := newHook(t, c.hook...)
			if c.retryAfter != "" {
				hook.header = http.Header{"Retry-After": []string{c.retryAfter}}
			}
			opts := smtptest.Options{Username: "me@example.com", Password: mailPass}
			if c.smtpCode != 0 {
				opts.Reject = smtpReject(c.smtpStage, c.smtpCode, c.smtpTimes)
			}
			srv := smtptest.Start(t, opts)
			retrier, rec := fastRetrier()
			r := notifier.NewRouter(
				[]notifier.Notifier{hookNotifier(t, hook, 5*time.Second), mailNotifier(t, srv, mailPass)},
				map[rules.Severity][]string{rules.Critical: c.route}, retrier, nil)

			res := r.Dispatch(context.Background(), criticalAlert(), false)[0]

			if !res.Delivered || res.Notifier != c.wantBy || res.Attempts != c.wantTries {
				t.Errorf("result = %+v; want delivered by %s after %d attempts", res, c.wantBy, c.wantTries)
			}
			if got := rec.all(); !slices.Equal(got, c.wantWaits) {
				t.Errorf("waits = %v, want %v", got, c.wantWaits)
			}
			if hook.count() != c.wantHook {
				t.Errorf("webhook saw %d posts, want %d", hook.count(), c.wantHook)
			}
			if got := len(srv.Mails()); got != c.wantMails {
				t.Errorf("%d mails delivered, want %d", got, c.wantMails)
			}
			if c.wantErrFrom != "" && res.Errors[c.wantErrFrom] == "" {
				t.Errorf("no error recorded for %s: %v", c.wantErrFrom, res.Errors)
			}
		})
	}
}

func TestHangingNotifierIsCutOffAndRouteMovesOn(t *testing.T) {
	hook := newHook(t)
	hook.hang = true
	srv := smtptest.Start(t, smtptest.Options{Username: "me@example.com", Password: mailPass})
	rec := &sleeps{}
	retrier := notifier.Retrier{Base: 100 * time.Millisecond, Max: time.Second, Deadline: time.Second, Sleep: rec.Sleep, Jitter: noJitter}
	r := notifier.NewRouter(
		[]notifier.Notifier{hookNotifier(t, hook, 100*time.Millisecond), mailNotifier(t, srv, mailPass)},
		critical, retrier, nil)

	start := time.Now()
	res := r.Dispatch(context.Background(), criticalAlert(), false)[0]
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("dispatch took %v; the 100ms timeout did not cut the hanging webhook off", took)
	}
	if res.Notifier != "mail" || hook.count() < 2 {
		t.Fatalf("result = %+v after %d webhook tries; want retries, then failover to mail", res, hook.count())
	}
	if !strings.Contains(res.Errors["phone"], "deadline exceeded") {
		t.Errorf("phone error = %q, want a timeout", res.Errors["phone"])
	}
}

func TestNoSecretInLogsOrErrors(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	hook := newHook(t, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500)
	gone := httptest.NewServer(http.NotFoundHandler())
	goneURL := gone.URL + hookPath
	gone.Close()
	unreachable := slack.New(config.SlackConfig{WebhookURL: config.NewSecret(goneURL)}, slack.Options{Name: "gone"})
	api := slackapi.NewTestServer(func(c slackapi.Customize) {
		c.Handle("/chat.postMessage", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = fmt.Fprint(w, `{"ok":false,"error":"invalid_auth"}`)
		})
	})
	api.Start()
	t.Cleanup(api.Stop)
	bot := slack.New(config.SlackConfig{Token: config.NewSecret(botToken), Channel: "C1", APIURL: api.GetAPIURL()}, slack.Options{Name: "bot"})
	srv := smtptest.Start(t, smtptest.Options{Username: "me@example.com", Password: "not-" + mailPass})

	retrier := notifier.Retrier{Base: time.Second, Deadline: 4 * time.Second, Sleep: (&sleeps{}).Sleep, Jitter: noJitter}
	r := notifier.NewRouter(
		[]notifier.Notifier{hookNotifier(t, hook, time.Second), unreachable, bot, mailNotifier(t, srv, mailPass)},
		nil, retrier, log)
	res := r.Dispatch(context.Background(), criticalAlert(), false)[0]
	if res.Delivered || len(res.Errors) != 4 {
		t.Fatalf("result = %+v; want four failures", res)
	}
	texts := []string{logs.String()}
	for _, e := range res.Errors {
		texts = append(texts, e)
	}
	for _, text := range texts {
		for _, secret := range []string{hookPath, "hunter2", botToken, mailPass} {
			if strings.Contains(text, secret) {
				t.Errorf("secret %q leaked into %q", secret, text)
			}
		}
	}
	if !strings.Contains(res.Errors["gone"], "connection refused") {
		t.Errorf("unreachable webhook error lost its cause: %q", res.Errors["gone"])
	}
}

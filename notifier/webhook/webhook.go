// Package webhook delivers alerts as JSON POSTs to any URL: Microsoft Teams,
// Mattermost, Google Chat, Home Assistant, or a script of the seller's own.
// Each alert is one POST (Split makes one message per alert, most urgent
// first), with the documented default body (body.Payload) or a body written by a
// Go text/template, extra headers, and an HMAC-SHA256 signature when a
// secret is set.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/notifier/webhook/body"
)

// DefaultTimeout bounds one attempt when Options.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// MaxBody caps one POST's body; see body.MaxBody.
const MaxBody = body.MaxBody

// The headers a signed POST carries; see body.SignatureHeader.
const (
	SignatureHeader = body.SignatureHeader
	TimestampHeader = body.TimestampHeader
)

// Options are a webhook notifier's settings from outside its config entry.
type Options struct {
	Name       string // notifier name in routes and logs; default "webhook"
	Timeout    time.Duration
	Language   string
	Location   *time.Location
	HTTPClient *http.Client
	// Now stamps sent_at and the timestamp header; tests fix it.
	Now func() time.Time
}

// Notifier POSTs alerts to one URL.
type Notifier struct {
	opts     Options
	url      string
	secret   string // signs every body when set
	headers  map[string]string
	template *template.Template // nil: the default body
	json     bool               // the body is JSON (Content-Type not overridden)
	client   *http.Client
	secrets  []string
}

var _ notifier.Notifier = (*Notifier)(nil)

// New builds a notifier from settings config has checked. The body
// template is compiled again here (config keeps none), and fails only for
// settings that did not come through config.
func New(cfg config.WebhookConfig, opts Options) (*Notifier, error) {
	if opts.Name == "" {
		opts.Name = "webhook"
	}
	n := &Notifier{url: cfg.URL.Value(), secret: cfg.Secret.Value(), headers: cfg.HeaderValues()}
	n.json = body.IsJSON(n.headers)
	if cfg.BodyTemplate != "" {
		t, err := body.Compile(cfg.BodyTemplate, n.json)
		if err != nil {
			return nil, fmt.Errorf("webhook %s: body_template: %w", opts.Name, err)
		}
		n.template = t
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	n.opts = opts
	n.client = &http.Client{}
	if opts.HTTPClient != nil {
		copied := *opts.HTTPClient
		n.client = &copied
	}
	// A redirect would turn the POST into a GET that many servers answer
	// with a 200: the alert would look sent.
	n.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	n.secrets = []string{n.url, n.secret}
	for _, v := range n.headers {
		n.secrets = append(n.secrets, v)
	}
	return n, nil
}

// Name is the notifier's name in routes and logs.
func (n *Notifier) Name() string { return n.opts.Name }

var _ notifier.Splitter = (*Notifier)(nil)

// Split makes one message per alert, most urgent first: each alert is one
// POST with its own retries, so a receiver that acts per alert (a phone
// notification, a Home Assistant automation) sees each once. A notice is
// one message.
func (n *Notifier) Split(m notifier.Message) []notifier.Message {
	if m.Notice != nil || len(m.Alerts) <= 1 {
		return []notifier.Message{m}
	}
	alerts := slices.Clone(m.Alerts)
	slices.SortStableFunc(alerts, message.Urgency)
	parts := make([]notifier.Message, len(alerts))
	for i, a := range alerts {
		parts[i] = m
		parts[i].Alerts = []notifier.Alert{a}
	}
	return parts
}

// Send POSTs each alert of m (one POST when the router split it) and
// classifies a failure as worth retrying or not. When a later POST fails,
// the retry sends the earlier ones again: a repeat costs less than a
// hidden alert.
func (n *Notifier) Send(ctx context.Context, m notifier.Message) (bool, error) {
	for _, part := range n.Split(m) {
		body, err := n.Body(part)
		if err != nil {
			// A template that worked on the sample cannot write this
			// alert: no retry will, and the route moves on.
			return false, notifier.Redact(fmt.Errorf("webhook %s: %w", n.opts.Name, err), n.secrets...)
		}
		if retry, err := n.post(ctx, body); err != nil {
			return retry, err
		}
	}
	return false, nil
}

// Body is what Send POSTs for a message of one alert (or a notice): the
// default body or the template's, within MaxBody.
func (n *Notifier) Body(m notifier.Message) ([]byte, error) {
	p := body.NewPayload(m, n.opts.Language, n.opts.Location, n.opts.Now())
	var out []byte
	var err error
	if n.template == nil {
		if out, err = json.Marshal(p); err != nil {
			return nil, fmt.Errorf("encode: %w", err)
		}
	} else if out, err = body.Execute(n.template, p, n.json); err != nil {
		return nil, err
	}
	if len(out) > MaxBody {
		return nil, fmt.Errorf("the body is %d bytes, over the %d-byte cap", len(out), MaxBody)
	}
	return out, nil
}

// post sends one body.
func (n *Notifier) post(ctx context.Context, body []byte) (bool, error) {
	header := http.Header{}
	header.Set("User-Agent", "roomwatch")
	for name, value := range n.headers {
		header.Set(name, value)
	}
	if n.secret != "" {
		header.Set(TimestampHeader, strconv.FormatInt(n.opts.Now().Unix(), 10))
		header.Set(SignatureHeader, Sign(n.secret, body))
	}
	resp, detail, retry, err := notifier.PostJSON(ctx, n.client, n.url, n.opts.Timeout, body, header, maxErrorBody)
	if err != nil {
		return retry, notifier.Redact(fmt.Errorf("webhook %s: post: %w", n.opts.Name, err), n.secrets...)
	}
	if notifier.Succeeded(resp) {
		return false, nil
	}
	retry, err = classify(resp, detail, time.Now())
	return retry, notifier.Redact(fmt.Errorf("webhook %s: %w", n.opts.Name, err), n.secrets...)
}

// Sign is the signature header's value for body: "sha256=" and the hex
// HMAC-SHA256 of the body keyed with secret.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// maxErrorBody bounds what is read of a failed response.
const maxErrorBody = 4 << 10

// StatusError is a refusal: the HTTP status and the first line of what the
// server said.
type StatusError struct {
	Status int
	Reason string // "400 Bad Request"
	Detail string
}

func (e *StatusError) Error() string {
	if e.Detail == "" {
		return "post: " + e.Reason
	}
	return "post: " + e.Reason + ": " + e.Detail
}

// classify says whether another attempt could succeed after a failed
// response: yes for 5xx, 408 and 429 (waiting what Retry-After asks); no
// for redirects and every other 4xx, a wrong URL or a refused body.
func classify(resp *http.Response, body []byte, now time.Time) (bool, error) {
	e := &StatusError{Status: resp.StatusCode, Reason: oneLine(resp.Status)}
	if text := strings.TrimSpace(string(body)); text != "" && !strings.HasPrefix(text, "<") {
		first, _, _ := strings.Cut(text, "\n")
		e.Detail = oneLine(first)
	}
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests:
		if wait := retryAfter(resp.Header.Get("Retry-After"), now); wait > 0 {
			return true, notifier.WithRetryAfter(e, wait)
		}
		return true, e
	case code >= 500, code == http.StatusRequestTimeout:
		return true, e
	case code >= 300 && code < 400:
		return false, fmt.Errorf("%w (redirected; set url to the final address)", e)
	default:
		return false, e
	}
}

// retryAfter reads Retry-After, in seconds or as an HTTP date.
func retryAfter(value string, now time.Time) time.Duration {
	value = strings.TrimSpace(value)
	if secs, err := strconv.ParseFloat(value, 64); err == nil && secs > 0 && secs < 24*60*60 {
		return time.Duration(secs * float64(time.Second))
	}
	if at, err := http.ParseTime(value); err == nil {
		return max(at.Sub(now), 0)
	}
	return 0
}

// oneLine keeps a server's words to one short line.
func oneLine(s string) string {
	return message.Shorten(strings.TrimSpace(message.OneLine(strings.ToValidUTF8(s, "?"))), 200)
}

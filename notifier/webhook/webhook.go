// Package webhook delivers alerts as JSON POSTs to any URL: Microsoft Teams,
// Mattermost, Google Chat, Home Assistant, or a script of the seller's own.
// Each alert is one POST (Split makes one message per alert, most urgent
// first), with the documented default body (Payload) or a body written by a
// Go text/template, extra headers, and an HMAC-SHA256 signature when a
// secret is set.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/message"
)

// DefaultTimeout bounds one attempt when Options.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// MaxBody caps one POST's body. A default body is a few kilobytes at most
// (room text is shortened first); a template that writes more is refused by
// check, and at send time, rather than sent to a service that would cut or
// refuse it (Teams and Google Chat take about 28–32 KB).
const MaxBody = 64 << 10

// The headers a signed POST carries. The signature is HMAC-SHA256 over the
// exact body bytes, keyed with the secret, in hex; the timestamp is the
// send time in Unix seconds, and the default body carries the same instant
// as sent_at, so a receiver can refuse an old body replayed.
const (
	SignatureHeader = "X-Roomwatch-Signature"
	TimestampHeader = "X-Roomwatch-Timestamp"
)

// Options configures a webhook notifier.
type Options struct {
	Name string // notifier name in routes and logs; default "webhook"
	URL  string // where to POST; a secret, as such URLs often carry a key
	// Secret, when set, signs every body (SignatureHeader).
	Secret string
	// Headers are sent with every POST; their values are kept out of
	// errors, as they often carry a token.
	Headers map[string]string
	// BodyTemplate, when set, writes the body from a Payload; see Compile.
	BodyTemplate string
	Timeout      time.Duration
	Language     string
	Location     *time.Location
	HTTPClient   *http.Client
	// Now stamps sent_at and the timestamp header; tests fix it.
	Now func() time.Time
}

// Notifier POSTs alerts to one URL.
type Notifier struct {
	opts     Options
	template *template.Template // nil: the default body
	json     bool               // the body is JSON (Content-Type not overridden)
	client   *http.Client
	secrets  []string
}

var _ notifier.Notifier = (*Notifier)(nil)

// New checks opts and builds a notifier.
func New(opts Options) (*Notifier, error) {
	if opts.Name == "" {
		opts.Name = "webhook"
	}
	fail := func(format string, args ...any) (*Notifier, error) {
		return nil, fmt.Errorf("webhook %s: "+format, append([]any{opts.Name}, args...)...)
	}
	if err := CheckURL(opts.URL); err != nil {
		return fail("url: %w", err)
	}
	for _, name := range slices.Sorted(maps.Keys(opts.Headers)) {
		if err := CheckHeader(name, opts.Headers[name]); err != nil {
			return fail("headers: %w", err)
		}
	}
	n := &Notifier{opts: opts, json: IsJSON(opts.Headers)}
	if opts.BodyTemplate != "" {
		t, err := Compile(opts.BodyTemplate, n.json)
		if err != nil {
			return fail("body_template: %w", err)
		}
		n.template = t
	}
	if n.opts.Timeout <= 0 {
		n.opts.Timeout = DefaultTimeout
	}
	if n.opts.Location == nil {
		n.opts.Location = time.UTC
	}
	if n.opts.Now == nil {
		n.opts.Now = time.Now
	}
	n.client = &http.Client{}
	if opts.HTTPClient != nil {
		copied := *opts.HTTPClient
		n.client = &copied
	}
	// A redirect would turn the POST into a GET that many servers answer
	// with a 200: the alert would look sent.
	n.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	n.secrets = []string{opts.URL, opts.Secret}
	for _, v := range opts.Headers {
		n.secrets = append(n.secrets, v)
	}
	return n, nil
}

// CheckURL checks that raw is an absolute http(s) URL. A query is allowed
// (Google Chat puts its key there); the errors never repeat the URL.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return errors.New("a URL is required")
	case err != nil:
		return errors.New("not a valid URL")
	case (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return errors.New("not an http(s) URL")
	}
	return nil
}

// reservedHeaders are set by roomwatch or by HTTP itself.
var reservedHeaders = []string{"Host", "Content-Length", "Transfer-Encoding", "Connection", SignatureHeader, TimestampHeader}

// CheckHeader checks one entry of headers: a valid field name roomwatch
// does not set itself, and a value on one line.
func CheckHeader(name, value string) error {
	if name == "" || strings.IndexFunc(name, func(r rune) bool { return !isTokenChar(r) }) >= 0 {
		return fmt.Errorf("%q is not a header name", name)
	}
	canonical := http.CanonicalHeaderKey(name)
	if slices.Contains(reservedHeaders, canonical) {
		return fmt.Errorf("%s is set by roomwatch; leave it out", canonical)
	}
	if strings.ContainsAny(value, "\r\n\x00") {
		return fmt.Errorf("the value of %s must be one line", canonical)
	}
	return nil
}

// isTokenChar reports whether r may appear in a header name (RFC 9110 token).
func isTokenChar(r rune) bool {
	return r < 0x7f && r > 0x20 && !strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r)
}

// IsJSON reports whether bodies sent with headers are JSON: yes unless a
// Content-Type header says otherwise.
func IsJSON(headers map[string]string) bool {
	for name, value := range headers {
		if http.CanonicalHeaderKey(name) == "Content-Type" {
			media, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(value)), ";")
			return media == "application/json" || strings.HasSuffix(media, "+json")
		}
	}
	return true
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
	p := NewPayload(m, n.opts.Language, n.opts.Location, n.opts.Now())
	var body []byte
	if n.template == nil {
		var err error
		if body, err = json.Marshal(p); err != nil {
			return nil, fmt.Errorf("encode: %w", err)
		}
	} else {
		var err error
		if body, err = execute(n.template, p, n.json); err != nil {
			return nil, err
		}
	}
	if len(body) > MaxBody {
		return nil, fmt.Errorf("the body is %d bytes, over the %d-byte cap", len(body), MaxBody)
	}
	return body, nil
}

// post sends one body.
func (n *Notifier) post(ctx context.Context, body []byte) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, n.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.opts.URL, bytes.NewReader(body))
	if err != nil {
		return false, notifier.Redact(fmt.Errorf("webhook %s: %w", n.opts.Name, err), n.secrets...)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "roomwatch")
	for name, value := range n.opts.Headers {
		req.Header.Set(name, value)
	}
	if n.opts.Secret != "" {
		req.Header.Set(TimestampHeader, strconv.FormatInt(n.opts.Now().Unix(), 10))
		req.Header.Set(SignatureHeader, Sign(n.opts.Secret, body))
	}
	resp, detail, err := notifier.Do(n.client, req, maxErrorBody)
	if err != nil {
		// The retry loop's deadline bounds the wait for the network.
		return true, notifier.Redact(fmt.Errorf("webhook %s: post: %w", n.opts.Name, err), n.secrets...)
	}
	if notifier.Succeeded(resp) {
		return false, nil
	}
	retry, err := classify(resp, detail, time.Now())
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

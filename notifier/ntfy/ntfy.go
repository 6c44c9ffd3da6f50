// Package ntfy delivers alerts as push notifications through an ntfy server
// (https://ntfy.sh or a self-hosted one). Each message is published as JSON to
// the server root, which carries Japanese titles and action buttons without
// the escaping rules of ntfy's header format. A group too big for one
// notification is split (Split), never cut short, and a refusal carries
// ntfy's own error code and words.
package ntfy

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier"
)

// DefaultTimeout bounds one attempt when Options.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// Options are an ntfy notifier's settings from outside its config entry.
type Options struct {
	Name       string // notifier name in routes and logs; default "ntfy"
	Timeout    time.Duration
	Language   string
	Location   *time.Location
	HTTPClient *http.Client
}

// Notifier publishes alerts to one ntfy topic.
type Notifier struct {
	opts       Options
	topic      string
	token      string // access token sent as a bearer token; secret, optional
	publishURL string
	client     *http.Client
	secrets    []string
}

var _ notifier.Notifier = (*Notifier)(nil)

// New builds a notifier from settings config has checked (an http(s)
// server without credentials or query, a topic ntfy accepts).
func New(cfg config.NtfyConfig, opts Options) *Notifier {
	if opts.Name == "" {
		opts.Name = "ntfy"
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	client := &http.Client{}
	if opts.HTTPClient != nil {
		copied := *opts.HTTPClient
		client = &copied
	}
	// A redirect turns the POST into a GET that an ntfy server answers with
	// its web app and a 200: the alert would be lost while looking sent.
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Notifier{
		opts:       opts,
		topic:      cfg.Topic,
		token:      cfg.Token.Value(),
		publishURL: strings.TrimRight(cfg.Server, "/") + "/",
		client:     client,
		secrets:    []string{cfg.Token.Value()},
	}
}

// Name is the notifier's name in routes and logs.
func (n *Notifier) Name() string { return n.opts.Name }

// Send publishes m once and classifies a failure as worth retrying or not.
// A message too big for one publish (a caller that did not Split it) goes
// out in the parts Split makes; when one fails the retry sends the earlier
// parts again, as a repeat costs less than a hidden alert.
func (n *Notifier) Send(ctx context.Context, m notifier.Message) (bool, error) {
	for _, part := range n.Split(m) {
		if retry, err := n.publish(ctx, fit(n.build(part))); err != nil {
			return retry, err
		}
	}
	return false, nil
}

// publish posts one publication.
func (n *Notifier) publish(ctx context.Context, p publication) (bool, error) {
	payload, err := json.Marshal(p)
	if err != nil {
		return false, fmt.Errorf("ntfy: encode: %w", err)
	}
	header := http.Header{}
	if n.token != "" {
		header.Set("Authorization", "Bearer "+n.token)
	}
	resp, detail, retry, err := notifier.PostJSON(ctx, n.client, n.publishURL, n.opts.Timeout, payload, header, maxErrorBody)
	if err != nil {
		return retry, notifier.Redact(fmt.Errorf("ntfy: publish: %w", err), n.secrets...)
	}
	if notifier.Succeeded(resp) {
		return false, nil
	}
	retry, err = classify(resp, serverError(resp, detail))
	return retry, notifier.Redact(err, n.secrets...)
}

// ServerError is an ntfy server's refusal: the HTTP status and what ntfy's
// JSON error body says ({"code":40301,"http":403,"error":"forbidden",
// "link":…}), so the log shows why, not only "403 Forbidden".
type ServerError struct {
	Status int    // HTTP status code
	Reason string // the status line's text, "403 Forbidden"
	// Code is ntfy's own error code (40301); 0 when the body was not ntfy's.
	Code int
	// Message is ntfy's "error", or the first line of another body, on one
	// short line.
	Message string
	Link    string // ntfy's documentation of the error, when it gives one
}

func (e *ServerError) Error() string {
	var b strings.Builder
	b.WriteString("ntfy: publish: ")
	b.WriteString(e.Reason)
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	switch {
	case e.Code != 0 && e.Link != "":
		fmt.Fprintf(&b, " (ntfy error %d, see %s)", e.Code, e.Link)
	case e.Code != 0:
		fmt.Fprintf(&b, " (ntfy error %d)", e.Code)
	}
	return b.String()
}

// classify says whether another attempt could succeed after a failed
// response: yes for 5xx, 429 (waiting what Retry-After asks) and 408; no for
// every other status, a bad token or unknown topic among them.
func classify(resp *http.Response, refused *ServerError) (bool, error) {
	var err error = refused
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests:
		if wait := retryAfter(resp.Header.Get("Retry-After"), time.Now()); wait > 0 {
			return true, notifier.WithRetryAfter(err, wait)
		}
		return true, err
	case code >= 500, code == http.StatusRequestTimeout:
		return true, err
	case code >= 300 && code < 400:
		return false, fmt.Errorf("%w (redirected to %s; set the server to the final URL)",
			err, redactedLocation(resp.Header.Get("Location")))
	default:
		return false, err
	}
}

// retryAfter reads a Retry-After header, in seconds or as an HTTP date.
func retryAfter(value string, now time.Time) time.Duration {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0
	}
	if secs, err := strconv.Atoi(value); err == nil {
		return max(time.Duration(secs)*time.Second, 0)
	}
	if at, err := http.ParseTime(value); err == nil {
		return max(at.Sub(now), 0)
	}
	return 0
}

// redactedLocation shows where a redirect points without any credentials.
func redactedLocation(loc string) string {
	u, err := url.Parse(loc)
	if err != nil || loc == "" {
		return "an unreadable location"
	}
	return u.Redacted()
}

// maxErrorBody bounds what is read of a failed response for its message.
const maxErrorBody = 4 << 10

// maxErrorText bounds the server's words kept in an error text.
const maxErrorText = 200

// serverError reads what the server said went wrong: ntfy's JSON error,
// or else the first line of the body, kept short and on one line since it
// ends up in logs and the store.
func serverError(resp *http.Response, body []byte) *ServerError {
	e := &ServerError{Status: resp.StatusCode, Reason: oneLine(resp.Status, maxErrorText)}
	var ntfyErr struct {
		Code  int    `json:"code"`
		Error string `json:"error"`
		Link  string `json:"link"`
	}
	text := string(body)
	if json.Unmarshal(body, &ntfyErr) == nil && ntfyErr.Error != "" {
		text = ntfyErr.Error
		e.Code = ntfyErr.Code
		e.Link = oneLine(ntfyErr.Link, maxErrorText)
	}
	text, _, _ = strings.Cut(strings.TrimSpace(text), "\n")
	e.Message = oneLine(text, maxErrorText)
	return e
}

// oneLine keeps a server's words to one line of at most n runes, without
// control characters or broken UTF-8.
func oneLine(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
	return cutRunes(strings.TrimSpace(s), n)
}

// cutRunes shortens s to at most n runes, marking the cut.
func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

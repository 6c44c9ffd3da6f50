// Package discord delivers alerts to a Discord channel through an incoming
// webhook (Server Settings → Integrations → Webhooks), one embed per alert,
// coloured by severity. A group too big for one Discord message is split
// (Split), never cut short; no text from a room can ping anyone, as every
// message carries allowed_mentions with nothing allowed and room text is
// escaped for Discord's markdown.
package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/message"
)

// DefaultTimeout bounds one attempt when Options.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// DefaultAPIURL is the base of Discord's API that webhook posts go to.
const DefaultAPIURL = "https://discord.com/api/v10"

// Options are a Discord notifier's settings from outside its config entry.
type Options struct {
	Name       string // notifier name in routes and logs; default "discord"
	Timeout    time.Duration
	Language   string
	Location   *time.Location
	HTTPClient *http.Client
}

// Notifier posts alerts to one Discord webhook.
type Notifier struct {
	opts    Options
	postURL string
	client  *http.Client
	secrets []string
}

var _ notifier.Notifier = (*Notifier)(nil)

// New builds a notifier from settings config has checked. It takes the
// webhook's ID and token from the URL, which fails only for a URL that did
// not come through config.
func New(cfg config.DiscordConfig, opts Options) (*Notifier, error) {
	if opts.Name == "" {
		opts.Name = "discord"
	}
	hook, err := config.ParseDiscordWebhookURL(cfg.WebhookURL.Value())
	if err != nil {
		return nil, fmt.Errorf("discord %s: webhook URL: %w", opts.Name, err)
	}
	base := DefaultAPIURL
	if cfg.APIURL != "" {
		base = strings.TrimRight(cfg.APIURL, "/")
	}
	// wait=true makes Discord answer once the message exists, so a refusal
	// comes back as an error instead of vanishing after a 204.
	query := url.Values{"wait": {"true"}}
	if hook.ThreadID != "" {
		query.Set("thread_id", hook.ThreadID)
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
	// A redirect would turn the POST into a GET, which Discord answers
	// with the webhook's details and a 200: the alert would look sent.
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Notifier{
		opts:    opts,
		postURL: base + "/webhooks/" + hook.ID + "/" + hook.Token + "?" + query.Encode(),
		client:  client,
		secrets: []string{cfg.WebhookURL.Value(), hook.Token},
	}, nil
}

// Name is the notifier's name in routes and logs.
func (n *Notifier) Name() string { return n.opts.Name }

// Send posts m once and classifies a failure as worth retrying or not. The
// router hands it messages that fit (Split); a message too big for one
// Discord message is posted in parts here too, so no caller can hide an
// alert. When a later part fails, the retry posts the earlier ones again:
// a repeat costs less than a hidden alert.
func (n *Notifier) Send(ctx context.Context, m notifier.Message) (bool, error) {
	for _, part := range n.Split(m) {
		if retry, err := n.post(ctx, n.payload(part)); err != nil {
			return retry, err
		}
	}
	return false, nil
}

// post sends one payload that fits Discord's limits.
func (n *Notifier) post(ctx context.Context, p payload) (bool, error) {
	raw, err := json.Marshal(p)
	if err != nil {
		return false, fmt.Errorf("discord: encode: %w", err)
	}
	resp, body, retry, err := notifier.PostJSON(ctx, n.client, n.postURL, n.opts.Timeout, raw, nil, maxErrorBody)
	if err != nil {
		return retry, notifier.Redact(fmt.Errorf("discord: post: %w", err), n.secrets...)
	}
	if notifier.Succeeded(resp) {
		return false, nil
	}
	retry, err = classify(resp, body, time.Now())
	return retry, notifier.Redact(err, n.secrets...)
}

// maxErrorBody bounds what is read of a failed response.
const maxErrorBody = 16 << 10

// maxErrorText bounds Discord's words kept in an error text.
const maxErrorText = 300

// APIError is Discord's refusal: the HTTP status and what its JSON error
// body says ({"message": "Unknown Webhook", "code": 10015}), with the
// fields a 400 Invalid Form Body names, so the log shows why.
type APIError struct {
	Status int    // HTTP status code
	Reason string // the status line's text, "404 Not Found"
	// Code is Discord's JSON error code (10015); 0 when the body was not
	// Discord's.
	Code int
	// Message is Discord's "message", or the first line of another body.
	Message string
	// Fields lists what a form error names: "embeds.0.title: Must be 256
	// or fewer in length."
	Fields []string
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("discord: post: ")
	b.WriteString(e.Reason)
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Code != 0 {
		fmt.Fprintf(&b, " (Discord error %d)", e.Code)
	}
	if len(e.Fields) > 0 {
		b.WriteString(": ")
		b.WriteString(oneLine(strings.Join(e.Fields, "; ")))
	}
	return b.String()
}

// errorBody is Discord's JSON error, and its rate-limit answer.
type errorBody struct {
	Message    string          `json:"message"`
	Code       int             `json:"code"`
	RetryAfter float64         `json:"retry_after"`
	Global     bool            `json:"global"`
	Errors     json.RawMessage `json:"errors"`
}

// classify says whether another attempt could succeed after a failed
// response: yes for 5xx and 408, and for 429 after the wait Discord asks
// (retry_after in the body, in seconds, or the Retry-After header); no for
// every other status: an unknown webhook, a bad token, a refused payload.
func classify(resp *http.Response, body []byte, now time.Time) (bool, error) {
	e := &APIError{Status: resp.StatusCode, Reason: oneLine(resp.Status)}
	var parsed errorBody
	if json.Unmarshal(body, &parsed) == nil && (parsed.Message != "" || parsed.Code != 0) {
		e.Message = oneLine(parsed.Message)
		e.Code = parsed.Code
		e.Fields = formErrors(parsed.Errors)
	} else if text := strings.TrimSpace(string(body)); text != "" && !strings.HasPrefix(text, "<") {
		first, _, _ := strings.Cut(text, "\n")
		e.Message = oneLine(first)
	}
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests:
		wait := secondsToDuration(parsed.RetryAfter)
		if wait <= 0 {
			wait = retryAfterHeader(resp.Header.Get("Retry-After"), now)
		}
		if wait > 0 {
			return true, notifier.WithRetryAfter(e, wait)
		}
		return true, e
	case code >= 500, code == http.StatusRequestTimeout:
		return true, e
	case code >= 300 && code < 400:
		return false, fmt.Errorf("%w (redirected; set api_url to the final address)", e)
	default:
		return false, e
	}
}

// secondsToDuration turns Discord's float seconds (0.517) into a duration,
// rounded up to the millisecond so the wait is never shorter than asked.
func secondsToDuration(secs float64) time.Duration {
	if secs <= 0 || secs > 24*60*60 {
		return 0
	}
	ms := int64(secs * 1000)
	if float64(ms) < secs*1000 {
		ms++
	}
	return time.Duration(ms) * time.Millisecond
}

// retryAfterHeader reads Retry-After: seconds (Discord may send a
// fraction) or an HTTP date.
func retryAfterHeader(value string, now time.Time) time.Duration {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(value, 64); err == nil {
		return secondsToDuration(secs)
	}
	if at, err := http.ParseTime(value); err == nil {
		return max(at.Sub(now), 0)
	}
	return 0
}

// formErrors flattens the "errors" tree of a 400 Invalid Form Body into
// "path: message" lines, sorted, at most a few.
func formErrors(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var tree any
	if json.Unmarshal(raw, &tree) != nil {
		return nil
	}
	var out []string
	var walk func(path string, node any)
	walk = func(path string, node any) {
		m, ok := node.(map[string]any)
		if !ok {
			return
		}
		if list, ok := m["_errors"].([]any); ok {
			for _, item := range list {
				if e, ok := item.(map[string]any); ok {
					if msg, ok := e["message"].(string); ok {
						out = append(out, path+": "+msg)
					}
				}
			}
		}
		for key, child := range m {
			if key == "_errors" {
				continue
			}
			next := key
			if path != "" {
				next = path + "." + key
			}
			walk(next, child)
		}
	}
	walk("", tree)
	slices.Sort(out)
	const maxFields = 5
	if len(out) > maxFields {
		out = append(out[:maxFields], fmt.Sprintf("and %d more", len(out)-maxFields))
	}
	return out
}

// oneLine keeps a server's words to one line of at most maxErrorText
// characters, without control characters.
func oneLine(s string) string {
	return message.Shorten(strings.TrimSpace(message.OneLine(s)), maxErrorText)
}

// Package line pushes alerts to the seller's own LINE account through the
// Messaging API of a LINE Official Account: one Flex Message card per alert
// (a carousel when several fall due together), coloured by severity, with
// the talk room and the alert's action links as buttons, and a plain
// altText that is what the phone's notification shows.
package line

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/message"
)

// DefaultTimeout bounds one attempt when Options.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// Options are a LINE notifier's settings from outside its config entry.
type Options struct {
	Name       string // notifier name in routes and logs; default "line"
	Timeout    time.Duration
	Language   string
	Location   *time.Location
	HTTPClient *http.Client
}

// Notifier pushes alerts to one LINE user.
type Notifier struct {
	opts Options
	// token is the channel access token of the Messaging API channel; a
	// secret. to is the seller's user ID ("U" and 32 hex digits).
	token, to string
	// apiURL is the API base ("https://api.line.me" when empty); tests
	// point it at a local server.
	apiURL string
	client *http.Client
}

var (
	_ notifier.Notifier = (*Notifier)(nil)
	_ notifier.Splitter = (*Notifier)(nil)
)

// New builds a notifier from settings config has checked (a token on one
// line, a user ID of the right shape, an http(s) api_url).
func New(cfg config.LineConfig, opts Options) *Notifier {
	if opts.Name == "" {
		opts.Name = "line"
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	n := &Notifier{opts: opts, token: cfg.ChannelAccessToken.Value(), to: cfg.To, apiURL: cfg.APIURL, client: opts.HTTPClient}
	if n.client == nil {
		n.client = &http.Client{}
	}
	return n
}

// Name is the notifier's name in routes and logs.
func (n *Notifier) Name() string { return n.opts.Name }

// push is one request to LINE: up to five messages, the alerts they show,
// and the retry key that makes a repeated request harmless.
type push struct {
	messages []messaging_api.MessageInterface
	alerts   []message.Alert
	key      string
}

// Split cuts m into messages that each fit one push, most urgent alerts in
// the first: every alert is in exactly one part, shown whole. The router
// sends each part as a message of its own.
func (n *Notifier) Split(m notifier.Message) []notifier.Message {
	if m.Notice != nil || len(m.Alerts) == 0 {
		return []notifier.Message{m}
	}
	var parts []notifier.Message
	for _, p := range n.pushes(m) {
		part := m
		part.Alerts = p.alerts
		parts = append(parts, part)
	}
	return parts
}

// pushes lays m out as the pushes that carry it: a notice as text messages,
// alerts as Flex Messages of at most 12 cards, five to a push.
func (n *Notifier) pushes(m notifier.Message) []push {
	lang, loc := n.opts.Language, n.opts.Location
	if m.Notice != nil {
		r := message.RenderMessage(m, lang, loc)
		return []push{{messages: noticeTexts(r), key: n.retryKey(m)}}
	}
	carousels := packCarousels(n.cards(m))
	var out []push
	for chunk := range slices.Chunk(carousels, maxMessagesPerPush) {
		var p push
		for _, cards := range chunk {
			sub := m
			sub.Alerts = make([]message.Alert, len(cards))
			for i, c := range cards {
				sub.Alerts[i] = c.alert
			}
			p.alerts = append(p.alerts, sub.Alerts...)
			p.messages = append(p.messages, flexMessage(altText(sub, lang, loc), cards))
		}
		part := m
		part.Alerts = p.alerts
		p.key = n.retryKey(part)
		out = append(out, p)
	}
	return out
}

// retryKeySpace makes roomwatch's retry keys its own.
var retryKeySpace = uuid.MustParse("5d0c4c1e-52a4-4b7e-9d3a-6c8e0b1f7a21")

// retryKey is the X-Line-Retry-Key of a push: a UUID derived from what the
// push says (its recipient and each alert's room, kind, deadline and step,
// as the ledger keys them), so every retry of it — by the retry loop, the
// outbox after a restart, or a second part of the same message — carries
// the same key, and LINE delivers it once (a repeat gets 409) for 24 hours.
// A test message also keys on its instant, so each notify-test arrives.
func (n *Notifier) retryKey(m notifier.Message) string {
	var b strings.Builder
	b.WriteString(n.to)
	fmt.Fprintf(&b, "\x00late=%t test=%t", m.Late, m.Test)
	if nt := m.Notice; nt != nil {
		fmt.Fprintf(&b, "\x00notice\x00%s\x00%s", nt.Severity, nt.Title)
		for _, l := range nt.Lines {
			b.WriteString("\x00" + l)
		}
	}
	for _, a := range m.Alerts {
		fmt.Fprintf(&b, "\x00%s\x1f%s\x1f%s\x1f%s", a.Step.Room, a.Step.Kind, a.Step.Deadline.UTC().Format(time.RFC3339Nano), a.Step.Name)
		if m.Test {
			b.WriteString("\x1f" + a.Now.UTC().Format(time.RFC3339Nano))
		}
	}
	return uuid.NewSHA1(retryKeySpace, []byte(b.String())).String()
}

// Send pushes m and classifies a failure as worth retrying or not. The
// router hands it messages that fit one push (Split); a bigger one is
// pushed in parts here too, so no caller can hide an alert, and a retry
// after a partial success repeats nothing (each part has its retry key).
func (n *Notifier) Send(ctx context.Context, m notifier.Message) (bool, error) {
	for _, p := range n.pushes(m) {
		if retry, err := n.post(ctx, p); err != nil {
			return retry, err
		}
	}
	return false, nil
}

// maxErrorBody bounds how much of a refusal's body is read.
const maxErrorBody = 16 << 10

// post sends one push.
func (n *Notifier) post(ctx context.Context, p push) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, n.opts.Timeout)
	defer cancel()
	options := []messaging_api.MessagingApiAPIOption{messaging_api.WithHTTPClient(n.client)}
	if n.apiURL != "" {
		options = append(options, messaging_api.WithEndpoint(n.apiURL))
	}
	api, err := messaging_api.NewMessagingApiAPI(n.token, options...)
	if err != nil {
		return false, notifier.Redact(fmt.Errorf("line push: %w", err), n.token)
	}
	// A client per push: WithContext sets the context on the client itself.
	res, _, err := api.WithContext(ctx).PushMessageWithHttpInfo(&messaging_api.PushMessageRequest{
		To:       n.to,
		Messages: p.messages,
	}, p.key)
	if res == nil {
		if err == nil {
			return false, nil
		}
		// Timeouts, refused or reset connections, DNS hiccups: the
		// network may come back, and the retry key makes a retry of a
		// push LINE did take harmless.
		return true, notifier.Redact(fmt.Errorf("line push: %w", err), n.token)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, maxErrorBody))
	if res.StatusCode/100 == 2 || res.StatusCode == http.StatusConflict {
		// 409: a push with this retry key was accepted before; the
		// seller has it already.
		return false, nil
	}
	apiErr := newAPIError(res, body)
	retry, classified := classify(apiErr, res.Header)
	return retry, notifier.Redact(fmt.Errorf("line push: %w", classified), n.token)
}

// APIError is LINE's refusal of a push: the HTTP status and LINE's message
// and details ({"message": …, "details": [{"message": …, "property": …}]}).
type APIError struct {
	StatusCode int
	Status     string // "400 Bad Request"
	Message    string // "The request body has 1 error(s)"
	Details    []string
	// MonthlyLimit is set when the Official Account has used up the
	// messages its plan allows this month.
	MonthlyLimit bool
}

func (e *APIError) Error() string {
	text := e.Status
	if e.Message != "" {
		text += ": " + e.Message
	}
	if len(e.Details) > 0 {
		text += " (" + strings.Join(e.Details, "; ") + ")"
	}
	if e.MonthlyLimit {
		text += ": the LINE Official Account has sent all the messages its plan allows this month; " +
			"alerts go to the next notifier of the route until the month ends or the plan is upgraded"
	}
	return text
}

// monthlyLimitMessage is how LINE words a 429 for a used-up monthly quota
// ("You have reached your monthly limit.").
const monthlyLimitMessage = "monthly limit"

func newAPIError(res *http.Response, body []byte) *APIError {
	e := &APIError{StatusCode: res.StatusCode, Status: res.Status}
	if e.Status == "" {
		e.Status = strconv.Itoa(res.StatusCode)
	}
	var parsed messaging_api.ErrorResponse
	if json.Unmarshal(body, &parsed) == nil {
		e.Message = clean(parsed.Message, 300)
		for i, d := range parsed.Details {
			if i == 5 {
				e.Details = append(e.Details, fmt.Sprintf("%d more", len(parsed.Details)-i))
				break
			}
			detail := clean(d.Message, 200)
			if d.Property != "" {
				detail = clean(d.Property, 100) + ": " + detail
			}
			e.Details = append(e.Details, detail)
		}
	}
	e.MonthlyLimit = res.StatusCode == http.StatusTooManyRequests &&
		strings.Contains(strings.ToLower(parsed.Message), monthlyLimitMessage)
	return e
}

// classify decides whether a refused push is worth retrying: a rate limit
// (honouring Retry-After when LINE sends one) and a 5xx are; a used-up
// monthly quota, a bad token (401), a missing permission (403) or a bad
// request (400) are not, so the route fails over at once.
func classify(e *APIError, header http.Header) (bool, error) {
	switch {
	case e.MonthlyLimit:
		return false, e
	case e.StatusCode == http.StatusTooManyRequests:
		if d := retryAfter(header.Get("Retry-After")); d > 0 {
			return true, notifier.WithRetryAfter(e, d)
		}
		return true, e
	case e.StatusCode >= 500:
		return true, e
	}
	return false, e
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil && secs > 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t)
	}
	return 0
}

// clean makes a text from LINE safe for one log line.
func clean(s string, limit int) string {
	return message.Shorten(message.OneLine(strings.TrimSpace(s)), limit)
}

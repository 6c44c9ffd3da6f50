// Package slack delivers alerts to Slack, through an incoming webhook or the
// Web API (chat.postMessage with a bot token), as Block Kit messages whose
// plain-text fallback is the alert's one-line preview.
package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/message"
)

// DefaultTimeout bounds one attempt when Options.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// Options are a Slack notifier's settings from outside its config entry.
type Options struct {
	Name       string // notifier name in routes and logs; default "slack"
	Timeout    time.Duration
	Language   string
	Location   *time.Location
	HTTPClient *http.Client
}

// Notifier sends alerts to Slack.
type Notifier struct {
	opts       Options
	webhookURL string        // secret; used when api is nil
	channel    string        // where the Web API posts
	api        *slack.Client // nil in webhook mode
	// buttons adds "I sent a message", "Delivered" and "Snooze 2h" buttons
	// to each alert: an app token means an app receives the presses.
	buttons bool
	client  *http.Client
	secrets []string
}

var _ notifier.Notifier = (*Notifier)(nil)

// New builds a notifier from settings config has checked: the Web API
// when a bot token is set (config requires its channel), else the
// incoming webhook.
func New(cfg config.SlackConfig, opts Options) *Notifier {
	if opts.Name == "" {
		opts.Name = "slack"
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	n := &Notifier{
		opts:       opts,
		webhookURL: cfg.WebhookURL.Value(),
		channel:    cfg.Channel,
		buttons:    !cfg.AppToken.IsZero(),
		client:     opts.HTTPClient,
		secrets:    []string{cfg.WebhookURL.Value(), cfg.Token.Value()},
	}
	if n.client == nil {
		n.client = &http.Client{}
	}
	if !cfg.Token.IsZero() {
		n.api = webAPI(cfg.Token.Value(), cfg.APIURL, n.client)
	}
	return n
}

// webAPI is a Web API client with the bot token, pointed at apiURL when set
// (a test server, a proxy); more adds options such as the app-level token.
func webAPI(token, apiURL string, client *http.Client, more ...slack.Option) *slack.Client {
	options := []slack.Option{slack.OptionHTTPClient(client)}
	if apiURL != "" {
		if !strings.HasSuffix(apiURL, "/") {
			// slack-go joins method names straight onto the base.
			apiURL += "/"
		}
		options = append(options, slack.OptionAPIURL(apiURL))
	}
	return slack.New(token, append(options, more...)...)
}

// Name is the notifier's name in routes and logs.
func (n *Notifier) Name() string { return n.opts.Name }

// Send posts m once and classifies a failure as worth retrying or not. The
// router hands it messages that fit (Split); a message too big for one
// Slack message is posted in parts here too, so no caller can hide an alert.
func (n *Notifier) Send(ctx context.Context, m notifier.Message) (bool, error) {
	for _, part := range n.Split(m) {
		if retry, err := n.post(ctx, part); err != nil {
			return retry, err
		}
	}
	return false, nil
}

// post sends one message that fits Slack's limits.
func (n *Notifier) post(ctx context.Context, m notifier.Message) (bool, error) {
	fallback, blocks := payload(m, n.opts.Language, n.opts.Location, n.buttons)

	ctx, cancel := context.WithTimeout(ctx, n.opts.Timeout)
	defer cancel()

	var err error
	via := "webhook"
	if n.api == nil {
		err = n.postWebhook(ctx, &slack.WebhookMessage{
			Text:   fallback,
			Blocks: &slack.Blocks{BlockSet: blocks},
		})
	} else {
		via = "chat.postMessage"
		_, _, err = n.api.PostMessageContext(ctx, n.channel,
			slack.MsgOptionText(fallback, false),
			slack.MsgOptionBlocks(blocks...),
		)
	}
	if err == nil {
		return false, nil
	}
	retry, err := classify(err)
	return retry, notifier.Redact(fmt.Errorf("slack %s: %w", via, err), n.secrets...)
}

// postWebhook posts to the incoming webhook and, when Slack refuses, keeps
// its reason: a webhook answers with a short text body (invalid_blocks,
// no_service, channel_is_archived, …) that slack-go's helper throws away.
func (n *Notifier) postWebhook(ctx context.Context, msg *slack.WebhookMessage) error {
	raw, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("encoding the payload: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.webhookURL, bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("building the request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, body, err := notifier.Do(n.client, req, maxReasonBytes)
	if err != nil {
		return err
	}
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	werr := &WebhookError{Code: resp.StatusCode, Status: resp.Status, Reason: reason(body)}
	if resp.StatusCode == http.StatusTooManyRequests {
		if secs, perr := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); perr == nil && secs > 0 {
			return notifier.WithRetryAfter(werr, time.Duration(secs)*time.Second)
		}
	}
	return werr
}

// maxReasonBytes bounds how much of a refusal's body is read for its reason.
const maxReasonBytes = 512

// WebhookError is a webhook's refusal: the HTTP status and Slack's reason.
type WebhookError struct {
	Code   int
	Status string // "400 Bad Request"
	Reason string // "invalid_blocks"; empty when the body said nothing
}

func (e *WebhookError) Error() string {
	if e.Reason == "" {
		return e.Status
	}
	return e.Status + ": " + e.Reason
}

// reason is a refusal body made safe for one log line: the first line,
// control characters gone, at most 200 characters. An HTML error page (a
// proxy's 502) says nothing useful and is left out.
func reason(body []byte) string {
	text := strings.TrimSpace(strings.ToValidUTF8(string(body), "?"))
	if strings.HasPrefix(text, "<") {
		return ""
	}
	if i := strings.IndexAny(text, "\r\n"); i >= 0 {
		text = text[:i]
	}
	text = message.OneLine(text)
	if utf8.RuneCountInString(text) > 200 {
		text = string([]rune(text)[:200]) + "…"
	}
	return text
}

// transientAPIErrors are Web API error codes that a later attempt may not
// meet; every other code (invalid_auth, channel_not_found, …) is permanent.
var transientAPIErrors = map[string]bool{
	"ratelimited":         true,
	"rate_limited":        true,
	"internal_error":      true,
	"fatal_error":         true,
	"service_unavailable": true,
	"request_timeout":     true,
}

// classify decides whether err is worth retrying, and attaches the server's
// Retry-After to a rate limit so the retry loop waits that long.
func classify(err error) (bool, error) {
	var limited *slack.RateLimitedError
	if errors.As(err, &limited) {
		return true, notifier.WithRetryAfter(err, limited.RetryAfter)
	}
	var ra notifier.RetryAfterError
	if errors.As(err, &ra) {
		return true, err
	}
	var hook *WebhookError
	if errors.As(err, &hook) {
		return hook.Code >= 500 || hook.Code == http.StatusTooManyRequests, err
	}
	var status slack.StatusCodeError
	if errors.As(err, &status) {
		return status.Code >= 500 || status.Code == http.StatusTooManyRequests, err
	}
	var api slack.SlackErrorResponse
	if errors.As(err, &api) {
		return transientAPIErrors[api.Err], apiError(api)
	}
	// Timeouts, refused or reset connections, DNS hiccups: the network may
	// come back, and the retry loop's deadline bounds the wait.
	return true, err
}

// apiError words a Web API refusal with its code and the details Slack
// gives beside it (for invalid_blocks, which block broke which rule).
func apiError(e slack.SlackErrorResponse) error {
	details := append(slices.Clone(e.ResponseMetadata.Messages), e.ResponseMetadata.Warnings...)
	if len(details) == 0 {
		return e
	}
	return fmt.Errorf("%w (%s)", e, reason([]byte(strings.Join(details, "; "))))
}

// Package slack delivers alerts to Slack, through an incoming webhook or the
// Web API (chat.postMessage with a bot token), as Block Kit messages whose
// plain-text fallback is the alert's one-line preview.
package slack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/message"
)

// DefaultTimeout bounds one attempt when Options.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// Options configures a Slack notifier: either WebhookURL, or Token and Channel.
type Options struct {
	Name       string // notifier name in routes and logs; default "slack"
	WebhookURL string // secret
	Token      string // bot token, secret
	Channel    string
	APIURL     string // Web API base URL; empty means Slack's own
	Timeout    time.Duration
	Language   string
	Location   *time.Location
	HTTPClient *http.Client
	// Buttons adds "I sent a message", "Delivered" and "Snooze 2h" buttons
	// to each alert; they need an app that receives interactions.
	Buttons bool
}

// Notifier sends alerts to Slack.
type Notifier struct {
	opts    Options
	api     *slack.Client // nil in webhook mode
	client  *http.Client
	secrets []string
}

var _ notifier.Notifier = (*Notifier)(nil)

// New checks opts and builds a notifier.
func New(opts Options) (*Notifier, error) {
	if opts.Name == "" {
		opts.Name = "slack"
	}
	webhook := opts.WebhookURL != ""
	api := opts.Token != "" || opts.Channel != ""
	switch {
	case webhook && api:
		return nil, fmt.Errorf("slack %s: set either a webhook URL or a token and channel, not both", opts.Name)
	case !webhook && !api:
		return nil, fmt.Errorf("slack %s: a webhook URL, or a token and channel, is required", opts.Name)
	case api && (opts.Token == "" || opts.Channel == ""):
		return nil, fmt.Errorf("slack %s: the Web API needs both a token and a channel", opts.Name)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	n := &Notifier{
		opts:    opts,
		client:  opts.HTTPClient,
		secrets: []string{opts.WebhookURL, opts.Token},
	}
	if n.client == nil {
		n.client = &http.Client{}
	}
	if api {
		n.api = webAPI(opts.Token, opts.APIURL, n.client)
	}
	return n, nil
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

// Send posts m once and classifies a failure as worth retrying or not.
func (n *Notifier) Send(ctx context.Context, m notifier.Message) (bool, error) {
	rendered := message.RenderMessage(m, n.opts.Language, n.opts.Location)
	fallback := Escape(rendered.Preview)
	blocks := Blocks(rendered, n.opts.Language, n.opts.Buttons)

	ctx, cancel := context.WithTimeout(ctx, n.opts.Timeout)
	defer cancel()

	var err error
	via := "webhook"
	if n.api == nil {
		err = slack.PostWebhookCustomHTTPContext(ctx, n.opts.WebhookURL, n.client, &slack.WebhookMessage{
			Text:   fallback,
			Blocks: &slack.Blocks{BlockSet: blocks},
		})
	} else {
		via = "chat.postMessage"
		_, _, err = n.api.PostMessageContext(ctx, n.opts.Channel,
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
	var status slack.StatusCodeError
	if errors.As(err, &status) {
		return status.Code >= 500 || status.Code == http.StatusTooManyRequests, err
	}
	var api slack.SlackErrorResponse
	if errors.As(err, &api) {
		return transientAPIErrors[api.Err], err
	}
	// Timeouts, refused or reset connections, DNS hiccups: the network may
	// come back, and the retry loop's deadline bounds the wait.
	return true, err
}

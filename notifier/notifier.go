// Package notifier delivers alert steps. Backends (slack, email, console) only
// send and say whether a failure is worth retrying; the one retry loop lives in
// Retrier, and Router picks notifiers by severity and fails over along a route.
package notifier

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

// Alert is one step with its room, ready to render.
type Alert = message.Alert

// Message is one send: one or more alerts that fell due together.
type Message = message.Message

// Notifier is a delivery backend.
type Notifier interface {
	Name() string
	// Send delivers m once. On failure, retry reports whether trying again
	// could help (a timeout, a 5xx, a rate limit) or not (a bad token, a
	// rejected recipient), as alertmanager's notifiers do.
	Send(ctx context.Context, m Message) (retry bool, err error)
}

// Splitter is a backend whose service limits how much one message may hold
// (Slack: 50 blocks, 3,000 characters a section). The router sends each part
// as a message of its own, so an alert is never cut off or only counted.
// Every alert of m is in exactly one part, most severe parts first.
type Splitter interface {
	Split(m Message) []Message
}

// RetryAfterError is a failure that says how long to wait before the next
// attempt, as a 429 with Retry-After does.
type RetryAfterError interface {
	error
	RetryAfter() time.Duration
}

// WithRetryAfter wraps err so that the Retrier waits d before trying again.
func WithRetryAfter(err error, d time.Duration) error {
	return &retryAfterError{err: err, after: d}
}

type retryAfterError struct {
	err   error
	after time.Duration
}

func (e *retryAfterError) Error() string             { return e.err.Error() }
func (e *retryAfterError) Unwrap() error             { return e.err }
func (e *retryAfterError) RetryAfter() time.Duration { return e.after }

// Redact returns err with every secret replaced by "<secret>" in its text, and
// the URL of any *url.Error cut down to scheme and host: a webhook URL is a
// credential, and net/http puts it in every transport error. The result still
// unwraps to err so callers can classify it, but its text is safe to log.
func Redact(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	text := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) && ue.URL != "" {
		short := "<url>"
		if u, perr := url.Parse(ue.URL); perr == nil && u.Host != "" {
			short = u.Scheme + "://" + u.Host
		}
		text = strings.ReplaceAll(text, strconv.Quote(ue.URL), strconv.Quote(short))
		text = strings.ReplaceAll(text, ue.URL, short)
	}
	text = RedactText(text, secrets...)
	return &redactedError{text: text, err: err}
}

// RedactText replaces every non-empty secret in s with "<secret>".
func RedactText(s string, secrets ...string) string {
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		s = strings.ReplaceAll(s, secret, "<secret>")
		// Quoted forms escape characters, so a secret may appear changed.
		if quoted := strconv.Quote(secret); quoted[1:len(quoted)-1] != secret {
			s = strings.ReplaceAll(s, quoted[1:len(quoted)-1], "<secret>")
		}
		if escaped := url.QueryEscape(secret); escaped != secret {
			s = strings.ReplaceAll(s, escaped, "<secret>")
		}
	}
	return s
}

type redactedError struct {
	text string
	err  error
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.err }

// Test sends a clearly marked test message through n (for `roomwatch
// notify-test`). It does not retry: the point is to see the error at once.
func Test(ctx context.Context, n Notifier, now time.Time) error {
	m := Message{Test: true, Alerts: []Alert{TestAlert(now)}}
	if _, err := n.Send(ctx, m); err != nil {
		return fmt.Errorf("notify-test %s: %w", n.Name(), err)
	}
	return nil
}

// TestAlert is the sample alert a test message carries: a check-in for a
// made-up room, due three days from now.
func TestAlert(now time.Time) Alert {
	deadline := now.Add(72 * time.Hour).Truncate(time.Minute)
	return Alert{
		Now: now,
		Room: rules.Room{
			ID:            "0000000",
			Title:         "roomwatch test",
			Buyer:         "roomwatch",
			SellerMessage: deadline.Add(-72 * time.Hour),
		},
		Step: rules.Step{
			Alert: rules.Alert{
				Room:     "0000000",
				Kind:     rules.CheckIn,
				Severity: rules.Info,
				Deadline: deadline,
			},
			Name:     rules.StepDue,
			Severity: rules.Info,
			At:       now,
			SendAt:   now,
		},
	}
}

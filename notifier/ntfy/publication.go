package ntfy

import (
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

// publication is ntfy's JSON publishing format (POST to the server root).
type publication struct {
	Topic    string   `json:"topic"`
	Title    string   `json:"title,omitempty"`
	Message  string   `json:"message"`
	Priority int      `json:"priority"`
	Tags     []string `json:"tags,omitempty"`
	Click    string   `json:"click,omitempty"`
	Actions  []action `json:"actions,omitempty"`
}

// action is an ntfy "http" action: a button that sends a request from the
// phone when tapped.
type action struct {
	Action  string            `json:"action"`
	Label   string            `json:"label"`
	URL     string            `json:"url"`
	Method  string            `json:"method"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
	// Clear dismisses the notification once the request succeeded: the
	// seller has answered it.
	Clear bool `json:"clear"`
}

// eventRequest and snoozeRequest are the bodies roomwatch's HTTP API takes
// on /v1/events and /v1/snooze.
type eventRequest struct {
	Room   string          `json:"room"`
	Event  rules.EventKind `json:"event"`
	Source string          `json:"source"`
}

type snoozeRequest struct {
	Room string        `json:"room"`
	For  time.Duration `json:"for"`
}

// snoozeFor is how long the Snooze button holds a room's alerts.
const snoozeFor = 2 * time.Hour

var buttonLabels = map[string][3]string{
	message.English:  {"Sent", "Delivered", "Snooze 2h"},
	message.Japanese: {"送信済み", "納品済み", "2時間スヌーズ"},
}

// The priorities ntfy names urgent (5), high (4) and default (3).
var priorities = map[rules.Severity]int{
	rules.Critical: 5,
	rules.Warning:  4,
	rules.Info:     3,
}

// Tags that ntfy shows as emoji before the title, matching the Slack ones.
var tags = map[rules.Severity]string{
	rules.Critical: "rotating_light",
	rules.Warning:  "warning",
	rules.Info:     "information_source",
}

// publication lays a rendered message out for ntfy: the preview as title,
// the details as body, the first alert's talk room behind a tap and, when
// the HTTP API is reachable, buttons for the first alert's room.
func (n *Notifier) publication(m notifier.Message, r message.Rendered) publication {
	sev := r.Severity
	if _, ok := priorities[sev]; !ok {
		sev = rules.Info
	}
	p := publication{
		Topic:    n.opts.Topic,
		Title:    message.Shorten(r.Preview, maxTitleRunes),
		Message:  body(m, r),
		Priority: priorities[sev],
		Tags:     []string{tags[sev]},
	}
	if m.Notice == nil && len(r.Texts) > 0 {
		first := r.Texts[0]
		p.Click = first.URL
		p.Actions = n.actions(first.Room)
	}
	return p
}

// actions builds the three buttons for room, or none when the API is not
// configured or there is no room to act on.
func (n *Notifier) actions(room string) []action {
	if n.opts.ActionsURL == "" || n.opts.ActionsToken == "" || room == "" {
		return nil
	}
	labels := buttonLabels[message.Language(n.opts.Language)]
	post := func(label, path string, request any) action {
		// Marshalling a struct of strings and a duration cannot fail.
		body, _ := json.Marshal(request)
		return action{
			Action:  "http",
			Label:   label,
			URL:     n.opts.ActionsURL + path,
			Method:  "POST",
			Headers: map[string]string{"Authorization": "Bearer " + n.opts.ActionsToken, "Content-Type": "application/json"},
			Body:    string(body),
			Clear:   true,
		}
	}
	return []action{
		post(labels[0], "/v1/events", eventRequest{Room: room, Event: rules.EventSellerMessage, Source: "ntfy"}),
		post(labels[1], "/v1/events", eventRequest{Room: room, Event: rules.EventDelivered, Source: "ntfy"}),
		post(labels[2], "/v1/snooze", snoozeRequest{Room: room, For: snoozeFor}),
	}
}

// body is the notification text below the title: a notice's lines, or the
// plain-text layout every backend shares without its preview line (the
// title already says it).
func body(m notifier.Message, r message.Rendered) string {
	if m.Notice != nil {
		var lines []string
		if len(r.Texts) > 0 {
			lines = r.Texts[0].Lines
		}
		return strings.Join(lines, "\n")
	}
	return strings.TrimSpace(strings.TrimPrefix(r.PlainText(), r.Preview+"\n"))
}

// cutBytes shortens s to at most n bytes without splitting a character,
// marking the cut; nothing is left when n has no room for the mark.
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ellipsis = "…"
	if n <= len(ellipsis) {
		return ""
	}
	end := n - len(ellipsis)
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	return s[:end] + ellipsis
}

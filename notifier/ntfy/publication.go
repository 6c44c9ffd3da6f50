package ntfy

import (
	"cmp"
	"strings"
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
// phone when tapped. roomwatch's buttons POST to the alert's signed action
// links, which each record one thing for one room: the push carries no
// credential that could do anything else.
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

// maxActions is how many buttons ntfy shows on a notification.
const maxActions = 3

// linkBody tells the link endpoint the press came from ntfy, for the
// event's recorded source; a link opened in a browser sends nothing.
const linkBody = "source=ntfy"

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
// alerts carry action links, buttons for the first alert's room.
func (n *Notifier) publication(m notifier.Message, r message.Rendered) publication {
	sev := r.Severity
	if _, ok := priorities[sev]; !ok {
		sev = rules.Info
	}
	p := publication{
		Topic:    n.topic,
		Title:    message.Shorten(r.Preview, maxTitleRunes),
		Message:  body(m, r),
		Priority: priorities[sev],
		Tags:     []string{tags[sev]},
	}
	if m.Notice == nil && len(r.Texts) > 0 {
		first := r.Texts[0]
		// A tap opens the room's page when the web app is reachable:
		// it links to the talk room too.
		p.Click = cmp.Or(first.RoomPage, first.URL)
		p.Actions = actions(first.Links)
	}
	return p
}

// actions turns the first alert's action links into buttons, as many as
// ntfy shows; none when the alert has no links (no control.public_url).
func actions(links []message.ActionLink) []action {
	var out []action
	for _, l := range links[:min(len(links), maxActions)] {
		out = append(out, action{
			Action:  "http",
			Label:   l.Label,
			URL:     l.URL,
			Method:  "POST",
			Headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			Body:    linkBody,
			Clear:   true,
		})
	}
	return out
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

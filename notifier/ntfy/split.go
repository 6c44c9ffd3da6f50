package ntfy

import (
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/message"
)

// What one publish may hold. ntfy's limits are per server; these are the
// defaults, which ntfy.sh runs:
//
//   - messageLimit: the message body. A longer one becomes an attachment,
//     or is refused where attachments are off; either way the phone shows
//     no alert text.
//   - requestLimit: the whole JSON request, which ntfy reads up to twice
//     messageLimit.
//   - pushLimit: what a server relaying to Android through Firebase (as
//     ntfy.sh does) sends intact. It serialises the notification, body,
//     title and actions together, and cuts the body of anything longer.
//
// Headers are no concern: JSON publishing sends only the Authorization
// header, and ntfy turns the title into a header inside the server.
const (
	messageLimit = 4096
	requestLimit = 2 * messageLimit
	pushLimit    = 4000
)

// Room text is shortened before it is laid out, so one long title or buyer
// name cannot fill a notification: the talk room has them whole.
const (
	maxRoomTitleRunes = 80
	maxBuyerRunes     = 40
	maxTitleRunes     = 150
)

// pushOverhead stands for the fields a Firebase relay adds (message ID,
// times, event, per-action IDs) that this package cannot see.
const pushOverhead = 200

var _ notifier.Splitter = (*Notifier)(nil)

// Split divides m into messages that each fit in one publish, most urgent
// alerts first: every alert of m is in exactly one part, whole, and no part
// counts alerts it does not show. A message that fits is one part. A notice
// is never split; it is shortened in the unlikely case it does not fit.
func (n *Notifier) Split(m notifier.Message) []notifier.Message {
	if m.Notice != nil || len(m.Alerts) == 0 {
		return []notifier.Message{m}
	}
	alerts := slices.Clone(m.Alerts)
	slices.SortStableFunc(alerts, message.Urgency)
	part := func(alerts []notifier.Alert) notifier.Message {
		p := m
		p.Alerts = alerts
		return p
	}
	var parts []notifier.Message
	for start := 0; start < len(alerts); {
		// Alerts go into a part while it fits; the first always does, as
		// fit shortens what one alert alone cannot keep to.
		end := start + 1
		for end < len(alerts) && fits(n.build(part(alerts[start:end+1]))) {
			end++
		}
		parts = append(parts, part(alerts[start:end:end]))
		start = end
	}
	return parts
}

// build lays m out as one publication, with room text shortened.
func (n *Notifier) build(m notifier.Message) publication {
	m.Alerts = slices.Clone(m.Alerts)
	for i, a := range m.Alerts {
		a.Room.Title = message.Shorten(a.Room.Title, maxRoomTitleRunes)
		a.Room.Buyer = message.Shorten(a.Room.Buyer, maxBuyerRunes)
		m.Alerts[i] = a
	}
	return n.publication(m, message.RenderMessage(m, n.opts.Language, n.opts.Location))
}

// fits reports whether p stays within every limit of one publish.
func fits(p publication) bool {
	if len(p.Message) > messageLimit {
		return false
	}
	request, err := json.Marshal(p)
	if err != nil || len(request) > requestLimit {
		return false
	}
	return pushSize(p) <= pushLimit
}

// pushSize estimates the notification a Firebase relay sends for p, laid
// out as ntfy lays it out: every field a string, the actions JSON-encoded
// inside the data.
func pushSize(p publication) int {
	var actions string
	if len(p.Actions) > 0 {
		encoded, _ := json.Marshal(p.Actions)
		actions = string(encoded)
	}
	data := map[string]string{
		"id": "0123456789ab", "time": "1700000000", "expires": "1700000000",
		"event": "message", "topic": p.Topic, "priority": "5",
		"tags": strings.Join(p.Tags, ","), "click": p.Click, "icon": "",
		"title": p.Title, "message": p.Message, "content_type": "", "encoding": "",
		"actions": actions,
	}
	encoded, _ := json.Marshal(map[string]any{
		"topic": p.Topic, "data": data, "android": map[string]string{"priority": "high"},
	})
	return len(encoded) + pushOverhead
}

// fit makes p fit when a single alert does not, losing the least first: the
// buttons, then the tap target, then the end of the body. Only an absurd
// room (a URL or room ID of kilobytes) gets this far; its title still names
// it.
func fit(p publication) publication {
	if fits(p) {
		return p
	}
	p.Actions = nil
	if fits(p) {
		return p
	}
	p.Click = ""
	for !fits(p) && p.Message != "" {
		over := max(len(p.Message)-messageLimit, pushSize(p)-pushLimit, 64)
		p.Message = cutBytes(p.Message, len(p.Message)-over)
	}
	for !fits(p) && p.Title != "" {
		p.Title = message.Shorten(p.Title, utf8.RuneCountInString(p.Title)/2)
	}
	return p
}

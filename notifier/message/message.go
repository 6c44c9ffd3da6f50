// Package message turns alert steps into the words a seller reads: a one-line
// preview for a phone's lock screen, a title, detail lines and a short action,
// in Japanese or English. Every backend renders through here, so Slack, mail
// and the console say the same thing.
package message

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// Alert is everything a backend needs to render one step. The daemon builds it
// from a rules.Step and the room's current facts. It lives here rather than in
// package notifier so that both packages can name it without an import cycle.
type Alert struct {
	Step rules.Step
	Room rules.Room
	// Now is the instant the time left is counted from.
	Now time.Time
	// Links are the signed one-purpose action links of this alert ("I
	// wrote", "snooze 2h", …), in the order to show them; empty when no
	// public address is configured. Backends show them as buttons or links;
	// a link can record only its one action for its one room.
	Links []ActionLink
	// Replies writes the ready-to-send text (Text.Reply) from the seller's
	// templates and terms; nil uses roomwatch's own.
	Replies *Replies
	// Record is the buyer's record with this seller over their earlier
	// rooms, shown with a room's first alert; nil for a buyer not seen
	// before (and on later alerts).
	Record *rules.BuyerRecord
	// BuyerNote is the seller's private note on the buyer (`buyers:`).
	BuyerNote string
	// RoomPage is the room's page in the web app, under the public
	// address; empty when none is configured.
	RoomPage string
}

// ActionLink is one action a seller can take from an alert by opening URL.
// Label is already in the message's language.
type ActionLink struct {
	Action string // a stable name: "sent", "replied", "delivered", "snooze", "ack"
	Label  string
	URL    string
}

// Message is one send to one notifier: one alert, or several that fell due
// together. The first alert decides the preview.
type Message struct {
	Alerts []Alert
	Late   bool // caught up after downtime
	Test   bool // sent by notify-test
	// Notice, when set, is a message about roomwatch itself (a rejected
	// configuration) instead of alerts.
	Notice *Notice
	// Part and Parts number this message among those a larger one was split
	// into to fit a service's limits (1-based; zero when it was not split),
	// and Whole holds the larger message's alerts, so each part can say
	// what the whole catch-up holds and that more messages belong to it.
	Part, Parts int
	Whole       []Alert
}

// Notice is a message about roomwatch itself rather than a room.
type Notice struct {
	Severity rules.Severity
	Title    string
	Lines    []string
}

// Text is one alert in words.
type Text struct {
	// Preview is one line saying what to do, for whom, by when, and which room;
	// it is what a push notification shows.
	Preview string
	Title   string
	// Lines are the details: room, buyer, deadline with time left, the related
	// instant, why it matters, which send this is, and the talk room URL.
	Lines []string
	// Action is the short imperative ("Send a check-in").
	Action   string
	Severity rules.Severity
	// Room is the room ID, for backends that attach it to buttons.
	Room string
	// URL is the talk room link when the room has a usable http(s) URL.
	URL string
	// Links are the alert's signed action links (Alert.Links).
	Links []ActionLink
	// Reply is the ready-to-send text to paste into the talk room (may be
	// several lines); empty when the alert's action is not to write.
	Reply string
	// ReplyLabel introduces Reply in the message's language.
	ReplyLabel string
	// RoomPage is the room's page in the web app (Alert.RoomPage), when usable.
	RoomPage string
}

// Rendered is a whole Message in words.
type Rendered struct {
	// Preview is the first alert's preview, marked as late or test, with a
	// count of the other alerts in the message.
	Preview string
	// Notice explains a late or test message; empty otherwise.
	Notice string
	// Summary counts a grouped message's alerts by severity ("2 critical,
	// 1 warning"); empty for a single alert.
	Summary string
	// Severity is the highest severity among the alerts.
	Severity rules.Severity
	Texts    []Text
}

// Languages accepted by Render; anything other than "ja" renders in English.
const (
	Japanese = "ja"
	English  = "en"
)

// Language maps a configured language to the one messages are rendered in.
func Language(lang string) string {
	if strings.EqualFold(strings.TrimSpace(lang), Japanese) {
		return Japanese
	}
	return English
}

// Render puts one alert into words in lang, with times shown in loc (UTC when nil).
func Render(a Alert, lang string, loc *time.Location) Text {
	lang = Language(lang)
	if loc == nil {
		loc = time.UTC
	}
	w := wordingFor(a, lang)
	vars := fillFor(a, w, lang, func(t time.Time) string { return Stamp(t, a.Now, lang, loc) }).replacer()
	ph := func(s string) string { return vars.Replace(s) }

	preview := w.Preview
	if w.Overdue != "" && overdue(a) {
		preview = w.Overdue
	}

	t := Text{
		Preview:  ph(preview),
		Action:   w.Action,
		Title:    ph(For(lang).Frame.title),
		Severity: a.Step.Severity,
		Room:     roomID(a),
		URL:      linkable(OneLine(a.Room.URL)),
		Links:    a.Links,
		RoomPage: linkable(OneLine(a.RoomPage)),
		Reply:    a.Replies.Reply(a, lang, loc),
	}
	if t.Reply != "" {
		t.ReplyLabel = For(lang).Reply.Label
	}
	l := For(lang).Frame
	t.Lines = append(t.Lines, ph(l.roomLine))
	if a.Room.Buyer != "" {
		t.Lines = append(t.Lines, ph(l.buyerLine))
	}
	if a.Record != nil && a.Record.Seen() {
		t.Lines = append(t.Lines, RecordLine(*a.Record, lang))
	}
	if note := strings.TrimSpace(OneLine(a.BuyerNote)); note != "" {
		t.Lines = append(t.Lines, For(lang).Record.note+l.sep+note)
	}
	t.Lines = append(t.Lines, w.DeadlineLabel+l.sep+when(a.Step.Deadline, a.Now, lang, loc))
	if w.RelatedLabel != "" && !a.Step.Related.IsZero() {
		t.Lines = append(t.Lines, w.RelatedLabel+l.sep+when(a.Step.Related, a.Now, lang, loc))
	}
	if len(a.Step.Others) > 0 {
		t.Lines = append(t.Lines, ph(l.othersLine))
	}
	t.Lines = append(t.Lines, ph(w.Why))
	if note := stepNote(a.Step.Name, lang); note != "" {
		t.Lines = append(t.Lines, note)
	}
	if a.Room.URL != "" {
		t.Lines = append(t.Lines, l.urlLabel+l.sep+OneLine(a.Room.URL))
	}
	if t.RoomPage != "" {
		t.Lines = append(t.Lines, RoomPageLabel(lang)+l.sep+t.RoomPage)
	}
	return t
}

// RenderMessage puts a whole message into words. The alerts keep their order;
// the router sorts them so the most urgent comes first.
func RenderMessage(m Message, lang string, loc *time.Location) Rendered {
	lang = Language(lang)
	l := For(lang).Frame
	r := Rendered{Severity: rules.Info}
	if n := m.Notice; n != nil {
		lines := make([]string, len(n.Lines))
		for i, line := range n.Lines {
			lines[i] = OneLine(line)
		}
		title := OneLine(n.Title)
		r.Severity = n.Severity
		r.Preview = title
		r.Texts = []Text{{Preview: title, Title: title, Lines: lines, Severity: n.Severity}}
		return r
	}
	for _, a := range m.Alerts {
		t := Render(a, lang, loc)
		r.Texts = append(r.Texts, t)
		if a.Step.Severity.Rank() > r.Severity.Rank() {
			r.Severity = a.Step.Severity
		}
	}
	if len(r.Texts) > 0 {
		r.Preview = r.Texts[0].Preview
	}
	if more := len(r.Texts) - 1; more > 0 {
		r.Preview += fmt.Sprintf(l.more, more)
		r.Summary = Summary(m.Alerts, lang)
	}
	if m.Parts > 1 {
		r.Summary = Summary(m.Whole, lang) + fmt.Sprintf(l.partOf, m.Part, m.Parts)
	}
	var notices []string
	if m.Late {
		r.Preview = l.latePrefix + r.Preview
		notices = append(notices, l.lateNotice)
	}
	if m.Test {
		r.Preview = l.testPrefix + r.Preview
		notices = append(notices, l.testNotice)
	}
	r.Notice = strings.Join(notices, " ")
	return r
}

// PlainText lays a rendered message out as plain text: the preview, the
// notice, the summary of a group, then one block per alert. Mail bodies and
// the console use it.
func (r Rendered) PlainText() string { return r.plainText(false) }

// PlainTextWithLinks is PlainText with each alert's action links under its
// lines, for a mail's text part, where a link is the only way to act.
func (r Rendered) PlainTextWithLinks() string { return r.plainText(true) }

func (r Rendered) plainText(links bool) string {
	var b strings.Builder
	b.WriteString(r.Preview)
	b.WriteString("\n")
	for _, line := range []string{r.Notice, r.Summary} {
		if line != "" {
			b.WriteString(line)
			b.WriteString("\n")
		}
	}
	for _, t := range r.Texts {
		fmt.Fprintf(&b, "\n■ %s\n", t.Title)
		for _, line := range t.Lines {
			fmt.Fprintf(&b, "  %s\n", line)
		}
		if links {
			for _, l := range t.Links {
				fmt.Fprintf(&b, "  → %s: %s\n", l.Label, l.URL)
			}
		}
		if t.Reply != "" {
			fmt.Fprintf(&b, "\n  %s\n%s\n", t.ReplyLabel, Indent(t.Reply, "  | "))
		}
	}
	return b.String()
}

// Action is the short "what to do" label of a kind, for `plan` and `status`.
func Action(kind rules.Kind, lang string) string {
	return For(lang).Kinds[kind].Alert.Action
}

// Emoji is the Slack emoji code for a severity.
func Emoji(sev rules.Severity) string {
	switch sev {
	case rules.Critical:
		return ":rotating_light:"
	case rules.Warning:
		return ":warning:"
	default:
		return ":information_source:"
	}
}

// SeverityLabel names a severity in lang.
func SeverityLabel(sev rules.Severity, lang string) string {
	return For(lang).Severity.of(sev).label
}

// Urgency compares alerts for a message: higher severity first, then the
// earlier deadline, then the room ID for a stable order.
func Urgency(a, b Alert) int {
	if c := cmp.Compare(b.Step.Severity.Rank(), a.Step.Severity.Rank()); c != 0 {
		return c
	}
	if c := a.Step.Deadline.Compare(b.Step.Deadline); c != 0 {
		return c
	}
	return cmp.Compare(a.Step.Room, b.Step.Room)
}

// overdue reports whether the deadline passed at least a minute before Now,
// which switches deadline kinds to their "overdue" preview.
func overdue(a Alert) bool {
	return !a.Now.IsZero() && a.Now.Sub(a.Step.Deadline) >= time.Minute
}

// fill holds the values of a wording's placeholders for one alert.
type fill struct {
	room, title, buyer, buyerName, action  string
	deadline, related, sellerMsg, buyerMsg string
	others                                 string
}

// fillFor reads an alert's placeholder values, with instants as stamp
// formats them. Room text is flattened to one line first, so no value can
// break a line in any backend.
func fillFor(a Alert, w wording, lang string, stamp func(time.Time) string) fill {
	l := For(lang).Frame
	buyer := l.someBuyer
	if a.Room.Buyer != "" {
		buyer = OneLine(a.Room.Buyer) + l.honorific
	}
	title := OneLine(a.Room.Title)
	if title == "" {
		title = strings.ReplaceAll(l.untitled, "{room}", roomID(a))
	}
	others := make([]string, len(a.Step.Others))
	for i, o := range a.Step.Others {
		others[i] = OneLine(o)
	}
	return fill{
		room:      roomID(a),
		title:     title,
		buyer:     buyer,
		buyerName: OneLine(a.Room.Buyer),
		action:    w.Action,
		deadline:  stamp(a.Step.Deadline),
		related:   stamp(a.Step.Related),
		sellerMsg: stamp(a.Room.SellerMessage),
		buyerMsg:  stamp(a.Room.BuyerMessage),
		others:    strings.Join(others, ", "),
	}
}

// replacer fills placeholders in one pass, so braces inside a value (a
// title like "{deadline}") are never expanded.
func (f fill) replacer() *strings.Replacer {
	return strings.NewReplacer(
		"{room}", f.room,
		"{title}", f.title,
		"{buyer}", f.buyer,
		"{buyer_name}", f.buyerName,
		"{action}", f.action,
		"{deadline}", f.deadline,
		"{related}", f.related,
		"{seller_message}", f.sellerMsg,
		"{buyer_message}", f.buyerMsg,
		"{others}", f.others,
	)
}

// roomID prefers the step's room (the ledger's view) and falls back to the
// room record, so a partly filled Alert still names its room.
func roomID(a Alert) string {
	return OneLine(cmp.Or(a.Step.Room, a.Room.ID))
}

// OneLine flattens text from the config or a room: line breaks and tabs
// become spaces and other control characters go, so a preview stays one
// line and no value can start a line of its own in any backend (nor a
// header line of its own in a mail).
func OneLine(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\r' || r == '\n' || r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, s)
}

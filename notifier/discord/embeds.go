package discord

import (
	"slices"
	"strings"
	"time"

	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/internal/textfit"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

// Discord's documented limits on one webhook message
// (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
// A message over any of them is refused whole (400 Invalid Form Body), and
// with it every alert it carried. Embeds here have no fields and no author,
// so their limits (25 fields, 256/1,024 characters a field) never bind.
const (
	MaxEmbeds         = 10   // embeds per message
	MaxEmbedTotal     = 6000 // characters over all embeds of a message
	MaxTitle          = 256  // characters of an embed title
	MaxDescription    = 4096 // characters of an embed description
	MaxFooter         = 2048 // characters of an embed footer
	MaxContent        = 2000 // characters of the message content
	maxLinkLabel      = 100  // characters of a link's label
	maxLinkURL        = 1000 // a longer link target is left out, not cut
	maxRoomTitleRunes = 200  // room text is shortened before layout: the
	maxBuyerRunes     = 100  // talk room has it whole
	maxActionLinks    = 8
)

// The colours of the embed's side bar: Discord's own red, yellow and blurple.
var colours = map[rules.Severity]int{
	rules.Critical: 0xED4245,
	rules.Warning:  0xFEE75C,
	rules.Info:     0x5865F2,
}

// payload is a webhook execution body.
type payload struct {
	Content string  `json:"content,omitempty"`
	Embeds  []embed `json:"embeds,omitempty"`
	// AllowedMentions is always {"parse": []}: whatever a title says,
	// nobody is pinged.
	AllowedMentions allowedMentions `json:"allowed_mentions"`
}

type allowedMentions struct {
	Parse []string `json:"parse"`
}

type embed struct {
	Title       string  `json:"title,omitempty"`
	URL         string  `json:"url,omitempty"`
	Description string  `json:"description,omitempty"`
	Color       int     `json:"color"`
	Timestamp   string  `json:"timestamp,omitempty"`
	Footer      *footer `json:"footer,omitempty"`
	Fields      []field `json:"fields,omitempty"`
}

type footer struct {
	Text string `json:"text"`
}

// field is an embed field: the ready-to-send text goes in one, as a code
// block a phone copies whole.
type field struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Discord's limits on a field.
const (
	maxFieldName  = 256
	maxFieldValue = 1024
)

// size is what an embed counts towards MaxEmbedTotal.
func (e embed) size() int {
	n := units(e.Title) + units(e.Description)
	if e.Footer != nil {
		n += units(e.Footer.Text)
	}
	for _, f := range e.Fields {
		n += units(f.Name) + units(f.Value)
	}
	return n
}

var _ notifier.Splitter = (*Notifier)(nil)

// Split divides m into messages Discord accepts, most urgent alerts first:
// every alert of m is in exactly one part, whole, with at most MaxEmbeds
// embeds and MaxEmbedTotal characters per part. One alert's embed always
// fits a message alone, so no alert is ever left out. A notice is one part.
func (n *Notifier) Split(m notifier.Message) []notifier.Message {
	if m.Notice != nil || len(m.Alerts) == 0 {
		return []notifier.Message{m}
	}
	alerts := slices.Clone(m.Alerts)
	slices.SortStableFunc(alerts, message.Urgency)
	var parts []notifier.Message
	var current []notifier.Alert
	total := 0
	for _, a := range alerts {
		size := n.alertEmbed(a).size()
		if len(current) > 0 && (len(current) == MaxEmbeds || total+size > MaxEmbedTotal) {
			parts = append(parts, part(m, current))
			current, total = nil, 0
		}
		current = append(current, a)
		total += size
	}
	return append(parts, part(m, current))
}

func part(m notifier.Message, alerts []notifier.Alert) notifier.Message {
	p := m
	p.Alerts = alerts
	return p
}

// payload lays one message that fits (see Split) out for Discord: the
// preview as content, which is what a phone's notification shows, and an
// embed per alert.
func (n *Notifier) payload(m notifier.Message) payload {
	m.Alerts = slices.Clone(m.Alerts)
	for i := range m.Alerts {
		m.Alerts[i] = shortened(m.Alerts[i])
	}
	r := message.RenderMessage(m, n.opts.Language, n.opts.Location)
	p := payload{AllowedMentions: allowedMentions{Parse: []string{}}}
	var lines []string
	for _, line := range []string{r.Preview, r.Notice, r.Summary} {
		if line != "" {
			lines = append(lines, line)
		}
	}
	p.Content = fitLines(lines, MaxContent)
	if p.Content == "" {
		p.Content = "roomwatch"
	}
	if m.Notice != nil {
		p.Embeds = []embed{n.noticeEmbed(r)}
		return p
	}
	for i, t := range r.Texts {
		p.Embeds = append(p.Embeds, n.textEmbed(m.Alerts[i], t))
	}
	return p
}

// shortened keeps a room's title and buyer name to what a phone screen can
// show; the talk room has them whole.
func shortened(a notifier.Alert) notifier.Alert {
	a.Room.Title = message.Shorten(a.Room.Title, maxRoomTitleRunes)
	a.Room.Buyer = message.Shorten(a.Room.Buyer, maxBuyerRunes)
	return a
}

// alertEmbed is the embed of one alert, as payload lays it out.
func (n *Notifier) alertEmbed(a notifier.Alert) embed {
	a = shortened(a)
	return n.textEmbed(a, message.Render(a, n.opts.Language, n.opts.Location))
}

// textEmbed lays one rendered alert out: the title linked to the talk room,
// the details (room, buyer, deadline with time left, why) with the links
// (the talk room, then the alert's action links) on the last line, the
// severity's colour, a footer naming severity, kind and step, and the
// deadline as the embed's timestamp, which Discord shows in the reader's
// own time zone.
func (n *Notifier) textEmbed(a notifier.Alert, t message.Text) embed {
	e := embed{
		Title:  fit(t.Title, MaxTitle),
		Color:  colour(t.Severity),
		Footer: &footer{Text: message.Shorten(message.ChatFooter(a, n.opts.Language), MaxFooter)},
	}
	if !a.Step.Deadline.IsZero() {
		e.Timestamp = a.Step.Deadline.Format(time.RFC3339)
	}
	var links []string
	if target := linkTarget(t.URL); target != "" {
		e.URL = t.URL
		links = append(links, "["+fit(message.OpenRoomLabel(n.opts.Language), maxLinkLabel)+"]("+target+")")
	}
	for i, l := range a.Links {
		target := linkTarget(l.URL)
		if target == "" || l.Label == "" || i >= maxActionLinks {
			continue
		}
		links = append(links, "["+fit(l.Label, maxLinkLabel)+"]("+target+")")
	}
	linkLine := strings.Join(links, " · ")
	budget := MaxDescription
	if linkLine != "" {
		budget -= units(linkLine) + 1
	}
	// The talk room's URL line gives way to its link, when it has one.
	details := t.Lines
	if e.URL != "" {
		details = t.DetailLines()
	}
	e.Description = fitLines(details, budget)
	if linkLine != "" {
		e.Description = strings.TrimPrefix(e.Description+"\n"+linkLine, "\n")
	}
	if t.Reply != "" {
		e.Fields = []field{replyField(t)}
	}
	return e
}

// replyField holds the ready-to-send text in a code block, where Discord
// shows markdown and mentions as they are; a backtick, which could close
// the block early, becomes a look-alike. Long text is cut at its end.
func replyField(t message.Text) field {
	const open, closing = "```\n", "\n```"
	reply := strings.ReplaceAll(t.Reply, "`", "ˋ")
	budget := maxFieldValue - units(open) - units(closing)
	return field{
		Name:  fit(t.ReplyLabel, maxFieldName),
		Value: open + textfit.Fit(strings.Split(reply, ""), budget, false) + closing,
	}
}

// noticeEmbed lays out a message about roomwatch itself.
func (n *Notifier) noticeEmbed(r message.Rendered) embed {
	e := embed{Title: fit(r.Preview, MaxTitle), Color: colour(r.Severity),
		Footer: &footer{Text: message.NoticeFooter(r.Severity, n.opts.Language)}}
	if len(r.Texts) > 0 {
		e.Description = fitLines(r.Texts[0].Lines, MaxDescription)
	}
	return e
}

func colour(sev rules.Severity) int {
	if c, ok := colours[sev]; ok {
		return c
	}
	return colours[rules.Info]
}

// linkTarget makes an http(s) URL safe inside a markdown link's
// parentheses, or "" when it cannot be a link (not http(s), too long).
func linkTarget(raw string) string {
	if raw == "" || units(raw) > maxLinkURL {
		return ""
	}
	if !strings.HasPrefix(raw, "https://") && !strings.HasPrefix(raw, "http://") {
		return ""
	}
	return linkEscaper.Replace(raw)
}

var linkEscaper = strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E")

// markdownSpecial are the characters Discord's markdown gives a meaning
// wherever they stand: emphasis, code, spoilers, quotes, headings and
// mentions (<@123>, <#channel>, <t:…>, @everyone). A backslash before any
// of them shows the character as it is. Brackets are left alone, as
// roomwatch's own words use them ("[late]"); a masked link needs "](",
// and its "(" is escaped instead.
const markdownSpecial = "\\*_~`|<>#@"

// escapedPieces is raw split into characters, each escaped as it needs to
// be where it stands, so a cut between pieces never splits an escape.
func escapedPieces(raw string) []string {
	pieces := make([]string, 0, len(raw))
	prev := rune(-1)
	for _, r := range raw {
		piece := string(r)
		switch {
		case strings.ContainsRune(markdownSpecial, r),
			prev == -1 && (r == '-' || r == '+'), // a list item
			prev == ']' && r == '(':              // a masked link
			piece = `\` + piece
		}
		pieces = append(pieces, piece)
		prev = r
	}
	return pieces
}

// Escape makes s inert in Discord's markdown: "@everyone" and "<@123>" show
// as text, "**" does not bold, "[x](url)" links nowhere, a leading "-" or
// "+" starts no list.
func Escape(s string) string {
	return strings.Join(escapedPieces(s), "")
}

// units counts s as Discord's limits are safest counted (textfit.Units).
func units(s string) int { return textfit.Units(s) }

// fit escapes raw and, when the result exceeds limit units, keeps its
// head and marks the cut. It never cuts an escape or a character in two.
func fit(raw string, limit int) string {
	return textfit.Fit(escapedPieces(raw), limit, false)
}

// fitLines escapes lines and joins them with newlines within limit units,
// shortening the longest lines to one cap when they do not fit: short
// lines (deadline, buyer) stay whole and only what is too long gives way.
func fitLines(lines []string, limit int) string {
	return strings.Join(textfit.FitLines(lines, limit, escapedPieces, false), "\n")
}

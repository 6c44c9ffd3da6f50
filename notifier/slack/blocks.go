package slack

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/internal/textfit"
	"github.com/roomwatch/roomwatch/notifier/message"
)

// Slack's documented limits on what one message may hold. Every payload
// this package builds stays within them whatever the rooms hold: a message
// too big for them is refused whole (400 invalid_blocks), and with it every
// alert it carried.
const (
	maxBlocks      = 50   // blocks per message
	maxSectionText = 3000 // characters of a section's text
	maxContextText = 3000 // characters of a context element's text
	maxBlockID     = 255  // characters of a block_id
	maxButtonValue = 2000 // characters of a button's value
	// maxFallback bounds the message's top-level text, the push
	// notification and screen-reader fallback. chat.postMessage accepts
	// 40,000 characters but shows only the first 4,000; the fallback is a
	// one-line preview, so far less is plenty.
	maxFallback = 3000
	// maxTitle bounds a room title's share of the bold first line of an
	// alert: a 2,000-character title is shortened, never breaks a message.
	maxTitle = 150
	// maxLinkTarget bounds a talk room URL used as the title's link; a
	// longer one is not linked (the URL line still shows it, shortened).
	maxLinkTarget = 1000
)

// Action IDs of the alert buttons; Interactions acts on them.
const (
	ActionSent      = "sent"
	ActionDelivered = "delivered"
	ActionSnooze    = "snooze"
)

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// Escape makes s inert in Slack's mrkdwn: `<!channel>` shows as text and
// pings nobody, and `&` cannot start an entity.
func Escape(s string) string { return escaper.Replace(s) }

// blocksPerAlert is how many of a message's 50 blocks one alert may take:
// a divider before it, its section, the ready-to-send text's section, an
// actions block (the Socket Mode buttons, or else the action links), plus,
// with buttons, the context line a button press adds under it (annotate),
// so a pressed message stays within the limit too.
func blocksPerAlert(buttons bool) int {
	if buttons {
		return 5
	}
	return 4
}

// alertsPerMessage is how many alerts fit in one message beside the
// notice line: the first alert has no divider before it.
func alertsPerMessage(buttons bool) int {
	return (maxBlocks - 1 + 1) / blocksPerAlert(buttons)
}

// Split cuts m into messages that each fit Slack's limits, most urgent
// alerts in the first: every alert is in exactly one part, shown whole.
func (n *Notifier) Split(m notifier.Message) []notifier.Message {
	return split(m, n.buttons)
}

func split(m notifier.Message, buttons bool) []notifier.Message {
	if m.Notice != nil || len(m.Alerts) == 0 {
		return []notifier.Message{m}
	}
	alerts := slices.Clone(m.Alerts)
	slices.SortStableFunc(alerts, message.Urgency)
	var parts []notifier.Message
	for chunk := range slices.Chunk(alerts, alertsPerMessage(buttons)) {
		part := m
		part.Alerts = chunk
		parts = append(parts, part)
	}
	return parts
}

// payload is what Send posts for one message that fits (see Split): the
// fallback text and the blocks.
func payload(m notifier.Message, lang string, loc *time.Location, buttons bool) (string, []slack.Block) {
	r := message.RenderMessage(m, lang, loc)
	fallback := fit(r.Preview, maxFallback)
	if fallback == "" {
		fallback = "roomwatch"
	}
	return fallback, Blocks(r, lang, buttons)
}

// Blocks lays a rendered message out as Block Kit: the notice, then per
// alert a section with the severity emoji, the title linked to the talk
// room and the detail lines, and optionally the action buttons. Every piece
// of text that came from the config or a room is escaped and shortened to
// fit Slack's limits. The alerts of r must fit one message (see Split);
// Blocks never drops one to stay under 50 blocks.
func Blocks(r message.Rendered, lang string, buttons bool) []slack.Block {
	lang = message.Language(lang)
	var blocks []slack.Block
	// The notice and the summary of a group share one context block, so the
	// block budget of Split holds.
	var context []slack.MixedElement
	for _, line := range []string{r.Notice, r.Summary} {
		if line != "" {
			context = append(context, slack.NewTextBlockObject(slack.MarkdownType, fit(line, maxContextText), false, false))
		}
	}
	if len(context) > 0 {
		blocks = append(blocks, slack.NewContextBlock("notice", context...))
	}
	for i, t := range r.Texts {
		if i > 0 {
			blocks = append(blocks, slack.NewDividerBlock())
		}
		blocks = append(blocks, alertBlocks(i, t, lang, buttons)...)
	}
	return blocks
}

func alertBlocks(i int, t message.Text, lang string, buttons bool) []slack.Block {
	title := fit(t.Title, maxTitle)
	first := message.Emoji(t.Severity) + " *" + title + "*"
	if target := linkTarget(t.URL); t.URL != "" && units(target) <= maxLinkTarget {
		first = message.Emoji(t.Severity) + " *<" + target + "|" + title + ">*"
	}
	text := first
	// The lines follow the first line after a newline.
	if lines := fitLines(t.Lines, maxSectionText-units(first)-1); len(lines) > 0 {
		text += "\n" + strings.Join(lines, "\n")
	}
	blocks := []slack.Block{slack.NewSectionBlock(
		slack.NewTextBlockObject(slack.MarkdownType, text, false, false),
		nil, nil, slack.SectionBlockOptionBlockID("alert-"+strconv.Itoa(i)))}
	if t.Reply != "" {
		blocks = append(blocks, replyBlock(i, t))
	}
	// A button carries the room in its value; a room ID too long for one
	// cannot be answered from Slack, so it gets no buttons.
	switch {
	case buttons && t.Room != "" && units(t.Room) <= maxButtonValue:
		blocks = append(blocks, buttonBlock(i, t, lang))
	case !buttons && len(t.Links) > 0:
		if b := linkBlock(i, t.Links); b != nil {
			blocks = append(blocks, b)
		}
	}
	return blocks
}

// Slack's limits on a link button.
const (
	maxButtonText = 75   // characters of a button's label
	maxButtonURL  = 3000 // characters of a button's url
	maxElements   = 25   // elements of an actions block
)

// linkBlock shows the alert's signed action links as URL buttons, for a
// workspace without Socket Mode: a press opens the link's confirmation
// page in the browser, whose button records the action.
func linkBlock(i int, links []message.ActionLink) slack.Block {
	var elements []slack.BlockElement
	for _, l := range links[:min(len(links), maxElements)] {
		if l.URL == "" || units(l.URL) > maxButtonURL {
			continue
		}
		b := slack.NewButtonBlockElement("link-"+l.Action, l.Action,
			slack.NewTextBlockObject(slack.PlainTextType, cutUnits(l.Label, maxButtonText), false, false))
		elements = append(elements, b.WithURL(l.URL))
	}
	if len(elements) == 0 {
		return nil
	}
	return slack.NewActionBlock("links-"+strconv.Itoa(i), elements...)
}

// replyBlock shows the ready-to-send text as a code block of its own, so a
// phone copies it whole with one long press. The text is escaped like any
// other (a buyer named <!channel> pings nobody), and a backtick, which could
// close the code block early, becomes a look-alike.
func replyBlock(i int, t message.Text) slack.Block {
	head := "*" + Escape(t.ReplyLabel) + "*\n```"
	const tail = "```"
	reply := strings.ReplaceAll(t.Reply, "`", "ˋ")
	text := head + fit(reply, maxSectionText-units(head)-units(tail)) + tail
	return slack.NewSectionBlock(
		slack.NewTextBlockObject(slack.MarkdownType, text, false, false),
		nil, nil, slack.SectionBlockOptionBlockID("reply-"+strconv.Itoa(i)))
}

// buttonBlock carries the room ID in the block ID and in each button's value,
// so an interaction handler knows which room the seller answered for. The
// block ID is unique through its index; the room in it is only a hint and is
// shortened to leave room for the "done-" note annotate derives from it.
func buttonBlock(i int, t message.Text, lang string) slack.Block {
	room := t.Room
	button := func(id, label string) slack.BlockElement {
		return slack.NewButtonBlockElement(id, room,
			slack.NewTextBlockObject(slack.PlainTextType, label, false, false))
	}
	id := "room-" + strconv.Itoa(i) + "-"
	id += cutUnits(room, maxBlockID-len("done-")-len(id))
	return slack.NewActionBlock(id,
		button(ActionSent, buttonLabel(ActionSent, lang)),
		button(ActionDelivered, buttonLabel(ActionDelivered, lang)),
		button(ActionSnooze, buttonLabel(ActionSnooze, lang)),
	)
}

// linkTarget escapes a URL for the <url|label> syntax, where a raw "|" would
// end the URL early.
func linkTarget(u string) string {
	return Escape(strings.ReplaceAll(u, "|", "%7C"))
}

// units counts s as Slack's limits are safest counted (textfit.Units).
func units(s string) int { return textfit.Units(s) }

// fit escapes raw text for mrkdwn and, when the result would exceed limit
// units, shortens it in the middle with an ellipsis: the head (what to do,
// the start of a title) and the tail (the room ID a detail line ends with)
// both stay. It never cuts an escape sequence or a character in two.
func fit(raw string, limit int) string {
	return textfit.Fit(escapedPieces(raw), limit, true)
}

// escapedPieces is raw split into characters, each already escaped, so a
// cut between pieces can neither split "&amp;" nor a multi-byte character.
func escapedPieces(raw string) []string {
	pieces := make([]string, 0, utf8.RuneCountInString(raw))
	for _, r := range raw {
		pieces = append(pieces, Escape(string(r)))
	}
	return pieces
}

// fitLines escapes the detail lines and shortens the longest ones, each to
// the same cap, until they fit limit units joined by newlines.
func fitLines(lines []string, limit int) []string {
	return textfit.FitLines(lines, limit, escapedPieces, true)
}

// cutUnits returns the longest prefix of s of at most max units.
func cutUnits(s string, limit int) string {
	n := 0
	for i, r := range s {
		n += textfit.RuneUnits(r)
		if n > limit {
			return s[:i]
		}
	}
	return s
}

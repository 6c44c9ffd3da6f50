package slack

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/roomwatch/roomwatch/notifier/message"
)

// maxBlocks is Slack's limit of blocks per message. A catch-up after a long
// downtime can hold more alerts than fit; the rest are counted, not dropped
// silently.
const maxBlocks = 50

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

var buttonLabels = map[string][3]string{
	message.English:  {"I sent a message", "Delivered", "Snooze 2h"},
	message.Japanese: {"メッセージ送信済み", "納品済み", "2時間スヌーズ"},
}

var moreLabel = map[string]string{
	message.English:  "…and %d more alerts not shown here; run `roomwatch status` for all of them.",
	message.Japanese: "…ほか%d件の通知は表示しきれません。すべて見るには `roomwatch status` を実行してください。",
}

// Blocks lays a rendered message out as Block Kit: the notice, then per alert
// a section with the severity emoji, the title linked to the talk room and
// the detail lines, and optionally the action buttons. Every piece of text
// that came from the config or a room is escaped.
func Blocks(r message.Rendered, lang string, buttons bool) []slack.Block {
	lang = message.Language(lang)
	var blocks []slack.Block
	if r.Notice != "" {
		blocks = append(blocks, slack.NewContextBlock("notice",
			slack.NewTextBlockObject(slack.MarkdownType, Escape(r.Notice), false, false)))
	}
	for i, t := range r.Texts {
		alert := alertBlocks(i, t, lang, buttons)
		if i > 0 {
			alert = append([]slack.Block{slack.NewDividerBlock()}, alert...)
		}
		// Keep one block free for the "and N more" line.
		if len(blocks)+len(alert) > maxBlocks-1 {
			blocks = append(blocks, slack.NewContextBlock("more",
				slack.NewTextBlockObject(slack.MarkdownType, fmt.Sprintf(moreLabel[lang], len(r.Texts)-i), false, false)))
			break
		}
		blocks = append(blocks, alert...)
	}
	return blocks
}

func alertBlocks(i int, t message.Text, lang string, buttons bool) []slack.Block {
	title := "*" + Escape(t.Title) + "*"
	if t.URL != "" {
		title = "*<" + linkTarget(t.URL) + "|" + Escape(t.Title) + ">*"
	}
	lines := make([]string, 0, len(t.Lines)+1)
	lines = append(lines, message.Emoji(t.Severity)+" "+title)
	for _, l := range t.Lines {
		lines = append(lines, Escape(l))
	}
	blocks := []slack.Block{slack.NewSectionBlock(
		slack.NewTextBlockObject(slack.MarkdownType, strings.Join(lines, "\n"), false, false),
		nil, nil, slack.SectionBlockOptionBlockID("alert-"+strconv.Itoa(i)))}
	if buttons {
		blocks = append(blocks, buttonBlock(i, t, lang))
	}
	return blocks
}

// buttonBlock carries the room ID in the block ID and in each button's value,
// so an interaction handler knows which room the seller answered for.
func buttonBlock(i int, t message.Text, lang string) slack.Block {
	labels := buttonLabels[lang]
	room := t.Room
	button := func(id, label string) slack.BlockElement {
		return slack.NewButtonBlockElement(id, room,
			slack.NewTextBlockObject(slack.PlainTextType, label, false, false))
	}
	return slack.NewActionBlock("room-"+strconv.Itoa(i)+"-"+room,
		button(ActionSent, labels[0]),
		button(ActionDelivered, labels[1]),
		button(ActionSnooze, labels[2]),
	)
}

// linkTarget escapes a URL for the <url|label> syntax, where a raw "|" would
// end the URL early.
func linkTarget(u string) string {
	return Escape(strings.ReplaceAll(u, "|", "%7C"))
}

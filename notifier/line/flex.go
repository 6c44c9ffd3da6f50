package line

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

// LINE's documented limits on a push (Messaging API reference). Every push
// this package builds stays within them whatever the rooms hold: LINE
// refuses an oversized message whole (400), and with it every alert it
// carried.
const (
	maxMessagesPerPush = 5  // message objects in one push request
	maxBubbles         = 12 // bubbles in one carousel
	// maxBubbleBytes and maxCarouselBytes bound the JSON that defines a
	// bubble (30 KB) and a carousel (50 KB), counted here in bytes of the
	// JSON actually sent, a little under LINE's kilobytes of 1,024.
	maxBubbleBytes   = 30_000
	maxCarouselBytes = 50_000
	// maxAltText is the character limit this package keeps a Flex
	// Message's altText (the push notification) to: LINE's old limit,
	// well inside today's, and more than a lock screen shows anyway.
	maxAltText = 400
	maxText    = 5000 // characters of a text message
	maxURI     = 1000 // characters of a URI action's uri
	maxLabel   = 20   // characters of a URI action's label
	// maxButtons bounds a card's footer: the talk room and up to three
	// action links, what a phone shows without crowding.
	maxButtons = 4
)

// What one card's texts may hold before its size is measured: a title is
// recognisable in far less, and the measure below shrinks them further if
// the card is still too big.
const (
	maxTitleChars = 150
	maxLineChars  = 400
)

// Severity colours of a card's header and main button: red, orange, blue,
// each dark enough for white text.
var severityColour = map[rules.Severity]string{
	rules.Critical: "#C62828",
	rules.Warning:  "#E65100",
	rules.Info:     "#1565C0",
}

func colourOf(sev rules.Severity) string {
	if c, ok := severityColour[sev]; ok {
		return c
	}
	return severityColour[rules.Info]
}

// card is one alert laid out as a bubble, with the size of its JSON.
type card struct {
	alert  message.Alert
	bubble messaging_api.FlexBubble
	size   int
}

// cards lays out m's alerts as cards, most urgent first.
func (n *Notifier) cards(m notifier.Message) []card {
	alerts := slices.Clone(m.Alerts)
	slices.SortStableFunc(alerts, message.Urgency)
	notice := message.RenderMessage(notifier.Message{Late: m.Late, Test: m.Test}, n.opts.Language, n.opts.Location).Notice
	cards := make([]card, len(alerts))
	for i, a := range alerts {
		b, size := fitBubble(a, notice, n.opts.Language, n.opts.Location)
		cards[i] = card{alert: a, bubble: b, size: size}
	}
	return cards
}

// fitBubble lays a out as a bubble within maxBubbleBytes: texts are capped
// first, then halved until the bubble fits; as a last resort the action
// links go (the talk room button stays), never the alert.
func fitBubble(a message.Alert, notice, lang string, loc *time.Location) (messaging_api.FlexBubble, int) {
	titleCap, lineCap, links := maxTitleChars, maxLineChars, true
	for {
		b := bubble(a, notice, lang, loc, titleCap, lineCap, links)
		size := jsonSize(&b)
		if size <= maxBubbleBytes {
			return b, size
		}
		switch {
		case lineCap > 20:
			lineCap /= 2
			titleCap = max(titleCap/2, 20)
		case links:
			links = false
		default:
			// Caps this small cannot exceed the limit; keep the loop total.
			return b, size
		}
	}
}

// bubble is one alert card: a header in the severity's colour saying how
// serious and how long is left, a body with what to do for whom (the
// title) and the details, and a footer with the talk room and action links.
func bubble(a message.Alert, notice, lang string, loc *time.Location, titleCap, lineCap int, links bool) messaging_api.FlexBubble {
	t := message.Render(a, lang, loc)
	colour := colourOf(a.Step.Severity)

	body := []messaging_api.FlexComponentInterface{
		&messaging_api.FlexText{Text: orDash(shorten(t.Title, titleCap)), Weight: messaging_api.FlexTextWEIGHT_BOLD, Size: "md", Wrap: true},
	}
	for _, line := range t.DetailLines() {
		body = append(body, &messaging_api.FlexText{Text: orDash(shorten(line, lineCap)), Size: "sm", Color: "#444444", Wrap: true, Margin: "sm"})
	}
	if notice != "" {
		body = append(body, &messaging_api.FlexText{Text: shorten(notice, lineCap), Size: "xs", Color: "#888888", Wrap: true, Margin: "md"})
	}
	// The ready-to-send text, under its label, to copy into the talk room
	// with a long press.
	if t.Reply != "" {
		body = append(body,
			&messaging_api.FlexText{Text: shorten(t.ReplyLabel, lineCap), Size: "xs", Color: "#888888", Weight: messaging_api.FlexTextWEIGHT_BOLD, Wrap: true, Margin: "md"},
			&messaging_api.FlexText{Text: shorten(t.Reply, lineCap), Size: "sm", Wrap: true})
	}

	b := messaging_api.FlexBubble{
		Header: &messaging_api.FlexBox{
			Layout:          messaging_api.FlexBoxLAYOUT_VERTICAL,
			BackgroundColor: colour,
			PaddingAll:      "12px",
			Contents: []messaging_api.FlexComponentInterface{
				&messaging_api.FlexText{Text: message.Headline(a, lang), Color: "#FFFFFF", Weight: messaging_api.FlexTextWEIGHT_BOLD, Size: "sm", Wrap: true},
			},
		},
		Body: &messaging_api.FlexBox{Layout: messaging_api.FlexBoxLAYOUT_VERTICAL, Spacing: "sm", Contents: body},
	}
	if buttons := footerButtons(t, a.Links, lang, colour, links); len(buttons) > 0 {
		b.Footer = &messaging_api.FlexBox{Layout: messaging_api.FlexBoxLAYOUT_VERTICAL, Spacing: "sm", Contents: buttons}
	}
	return b
}

// footerButtons are the card's URI buttons: the talk room first, in the
// severity's colour, then the alert's action links, at most maxButtons in
// all. A link LINE cannot carry (not http(s), longer than maxURI) is left
// out rather than refused with the whole push.
func footerButtons(t message.Text, actions []message.ActionLink, lang, colour string, withLinks bool) []messaging_api.FlexComponentInterface {
	var buttons []messaging_api.FlexComponentInterface
	if usableURI(t.URL) {
		buttons = append(buttons, &messaging_api.FlexButton{
			Style: messaging_api.FlexButtonSTYLE_PRIMARY, Color: colour, Height: messaging_api.FlexButtonHEIGHT_SM,
			Action: &messaging_api.UriAction{Label: label(message.OpenRoomLabel(lang)), Uri: t.URL},
		})
	}
	if !withLinks {
		return buttons
	}
	for _, l := range actions {
		if len(buttons) == maxButtons {
			break
		}
		if !usableURI(l.URL) || strings.TrimSpace(l.Label) == "" {
			continue
		}
		buttons = append(buttons, &messaging_api.FlexButton{
			Style: messaging_api.FlexButtonSTYLE_SECONDARY, Height: messaging_api.FlexButtonHEIGHT_SM,
			Action: &messaging_api.UriAction{Label: label(l.Label), Uri: l.URL},
		})
	}
	return buttons
}

// usableURI reports whether LINE takes u as a button's target: an absolute
// http(s) URL of at most maxURI characters.
func usableURI(u string) bool {
	if u == "" || units(u) > maxURI {
		return false
	}
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != ""
}

// label fits a button label to maxLabel characters on one line, cut at
// the end: a button reads from its first word.
func label(s string) string {
	s = strings.TrimSpace(message.OneLine(strings.ToValidUTF8(s, "\uFFFD")))
	if units(s) <= maxLabel {
		return s
	}
	used := 0
	for i, r := range s {
		if used+units(string(r)) > maxLabel-1 {
			return strings.TrimRight(s[:i], " ") + ellipsis
		}
		used += units(string(r))
	}
	return s
}

// flexMessage is a Flex Message of cards: one bubble alone, or a carousel.
func flexMessage(altText string, cards []card) *messaging_api.FlexMessage {
	msg := &messaging_api.FlexMessage{AltText: altText}
	if len(cards) == 1 {
		msg.Contents = &cards[0].bubble
		return msg
	}
	carousel := &messaging_api.FlexCarousel{Contents: make([]messaging_api.FlexBubble, len(cards))}
	for i, c := range cards {
		carousel.Contents[i] = c.bubble
	}
	msg.Contents = carousel
	return msg
}

// carouselOverhead is the JSON a carousel adds around its bubbles, and
// the comma between two; the bubbles are measured one by one.
const carouselOverhead = len(`{"type":"carousel","contents":[]}`)

// packCarousels groups cards, in order, into the fewest carousels that
// keep within maxBubbles and maxCarouselBytes.
func packCarousels(cards []card) [][]card {
	var groups [][]card
	var cur []card
	size := carouselOverhead
	for _, c := range cards {
		if len(cur) > 0 && (len(cur) == maxBubbles || size+1+c.size > maxCarouselBytes) {
			groups = append(groups, cur)
			cur, size = nil, carouselOverhead
		}
		if len(cur) > 0 {
			size++ // the comma
		}
		cur = append(cur, c)
		size += c.size
	}
	if len(cur) > 0 {
		groups = append(groups, cur)
	}
	return groups
}

// altText is the push notification of a Flex Message holding alerts: the
// subject line a mail of the same alerts would have (how urgent, what to
// do, for whom, the title, by when, and how many more), which is written
// for a phone's lock screen.
func altText(m notifier.Message, lang string, loc *time.Location) string {
	// A character outside the basic plane counts twice in UTF-16, which is
	// how LINE may count it: half the limit in runes is always within it.
	return orDash(message.Subject(m, lang, loc, maxAltText/2))
}

// noticeTexts lays a notice (the daily digest, a refused configuration) out
// as text messages of at most maxText characters, split between lines, at
// most maxMessagesPerPush of them.
func noticeTexts(r message.Rendered) []messaging_api.MessageInterface {
	var texts []string
	cur := ""
	for _, line := range append([]string{r.Texts[0].Title}, r.Texts[0].Lines...) {
		line = shorten(line, maxText)
		if cur != "" && units(cur)+1+units(line) > maxText {
			texts = append(texts, cur)
			cur = ""
		}
		if cur != "" {
			cur += "\n"
		}
		cur += line
	}
	if cur != "" || len(texts) == 0 {
		texts = append(texts, orDash(cur))
	}
	if len(texts) > maxMessagesPerPush {
		last := strings.Join(texts[maxMessagesPerPush-1:], "\n")
		texts = append(texts[:maxMessagesPerPush-1], shorten(last, maxText))
	}
	out := make([]messaging_api.MessageInterface, len(texts))
	for i, s := range texts {
		out[i] = &messaging_api.TextMessage{Text: s}
	}
	return out
}

// jsonSize is the length of v's JSON as the SDK sends it (HTML characters
// escaped, as encoding/json does by default).
func jsonSize(v any) int {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		return maxBubbleBytes + 1
	}
	return buf.Len() - 1 // Encode's newline
}

// units counts s in UTF-16 code units, as LINE counts characters.
func units(s string) int {
	n := 0
	for _, r := range s {
		if k := utf16.RuneLen(r); k > 0 {
			n += k
		} else {
			n++
		}
	}
	return n
}

const ellipsis = "…"

// shorten keeps s to at most limit UTF-16 units, cutting in the middle with
// an ellipsis so that both the start (what to do, a title's beginning) and
// the end (the room ID a detail line ends with) stay readable.
func shorten(s string, limit int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if units(s) <= limit {
		return s
	}
	if limit < 1 {
		return ""
	}
	runes := []rune(s)
	budget := limit - 1 // the ellipsis
	headBudget := budget - budget/3
	var head, tail []rune
	used := 0
	for _, r := range runes {
		if used+units(string(r)) > headBudget {
			break
		}
		head = append(head, r)
		used += units(string(r))
	}
	for i := len(runes) - 1; i >= len(head); i-- {
		if used+units(string(runes[i])) > budget {
			break
		}
		tail = append(tail, runes[i])
		used += units(string(runes[i]))
	}
	slices.Reverse(tail)
	return strings.TrimRight(string(head), " ") + ellipsis + strings.TrimLeft(string(tail), " ")
}

// orDash keeps a text component non-empty: LINE refuses an empty text.
func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

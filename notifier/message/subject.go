package message

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/roomwatch/roomwatch/rules"
)

// Summary counts alerts by severity, most severe first, in lang: "14
// critical, 9 warning, 3 info" or "緊急14件、注意9件、お知らせ3件". A severity
// without alerts is left out; no alerts at all say so rather than nothing.
func Summary(alerts []Alert, lang string) string {
	lang = Language(lang)
	counts := map[rules.Severity]int{}
	for _, a := range alerts {
		counts[normalSeverity(a.Step.Severity)]++
	}
	var parts []string
	for _, sev := range []rules.Severity{rules.Critical, rules.Warning, rules.Info} {
		if n := counts[sev]; n > 0 {
			parts = append(parts, fmt.Sprintf(For(lang).Severity.of(sev).count, n))
		}
	}
	if len(parts) == 0 {
		return For(lang).Frame.noAlerts
	}
	return strings.Join(parts, For(lang).Frame.summarySep)
}

// normalSeverity maps a severity this package does not know to info, as
// rules.Severity.Rank ranks it.
func normalSeverity(sev rules.Severity) rules.Severity {
	switch sev {
	case rules.Critical, rules.Warning:
		return sev
	}
	return rules.Info
}

// MaxSubject is the length, in characters, Subject keeps a subject to
// unless told otherwise: room for every kind's words with a recognisable
// title, while a long title cannot push the deadline out of sight.
const MaxSubject = 120

// subjectBuyer bounds the buyer's name in a subject, so a long name leaves
// room for the title.
const subjectBuyer = 20

// Subject is a mail subject for m in lang: how soon to act, what to do, for
// whom, the room's title and by when, led by the most urgent alert and
// ending with a count of the others ("【至急】tanakaさんに返信 — ブログ記事 5本
// （期限 11/21 18:00） ほか5件"). Late and test messages are marked. It is one
// line of at most limit characters (MaxSubject when limit < 1): the title,
// then the whole line, is shortened with an ellipsis, never the count.
func Subject(m Message, lang string, loc *time.Location, limit int) string {
	lang = Language(lang)
	l := For(lang).Frame
	if limit < 1 {
		limit = MaxSubject
	}
	if loc == nil {
		loc = time.UTC
	}
	var marks string
	if m.Late {
		marks += l.latePrefix
	}
	if m.Test {
		marks += l.testPrefix
	}
	if n := m.Notice; n != nil {
		return Shorten(marks+For(lang).Severity.of(n.Severity).subjectPrefix+OneLine(n.Title), limit)
	}
	if len(m.Alerts) == 0 {
		return Shorten(marks+"roomwatch", limit)
	}
	lead := slices.MinFunc(m.Alerts, Urgency)
	head := marks + For(lang).Severity.of(lead.Step.Severity).subjectPrefix
	var tail string
	if more := len(m.Alerts) - 1; more > 0 {
		tail = fmt.Sprintf(l.subjectMore, more)
	}

	w := wordingFor(lead, lang)
	template := w.Subject
	if w.SubjectOverdue != "" && overdue(lead) {
		template = w.SubjectOverdue
	}
	f := fillFor(lead, w, lang, func(t time.Time) string { return shortStamp(t, lead.Now, loc) })
	f.buyer = Shorten(f.buyer, subjectBuyer)
	title := f.title
	f.title = ""
	rest := utf8.RuneCountInString(head + f.replacer().Replace(template) + tail)
	f.title = Shorten(title, min(max(limit-rest, subjectTitleMin), subjectTitleMax))
	body := f.replacer().Replace(template)
	return Shorten(head+body, limit-utf8.RuneCountInString(tail)) + tail
}

// subjectTitleMin keeps enough of a title to recognise the room even when
// the rest of the subject is long; the whole line is cut to fit after.
// subjectTitleMax is all a subject needs of a title to name the room: the
// mail's body has it whole.
const (
	subjectTitleMin = 12
	subjectTitleMax = 40
)

// shortStamp is a subject's instant: "11/21 18:00", with the year when it
// is not the year of now. The weekday is left out to keep subjects short.
func shortStamp(t, now time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "-"
	}
	t = t.In(loc)
	s := fmt.Sprintf("%d/%d %s", int(t.Month()), t.Day(), t.Format("15:04"))
	if !now.IsZero() && t.Year() != now.In(loc).Year() {
		s = fmt.Sprintf("%d/%s", t.Year(), s)
	}
	return s
}

// Shorten keeps s to at most n characters (runes), ending a shortened text
// with "…". The result is valid UTF-8 even when s is not, and a cut never
// leaves a zero-width joiner to glue the ellipsis into an emoji, nor a
// space before it.
func Shorten(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n < 1 {
		return ""
	}
	runes := []rune(s)[:n-1]
	for len(runes) > 0 {
		r := runes[len(runes)-1]
		if r == '\u200d' || unicode.IsSpace(r) {
			runes = runes[:len(runes)-1]
			continue
		}
		break
	}
	return string(runes) + "…"
}

// OpenRoomLabel labels a link to the talk room in lang.
func OpenRoomLabel(lang string) string {
	return For(lang).Frame.openRoom
}

// MailFooter closes a mail in lang, naming the time zone its times are in.
func MailFooter(lang string, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return fmt.Sprintf(For(lang).Frame.mailFooter, loc.String())
}

// DetailLines are t's lines without the talk room line, for layouts that
// show the room's link as a button of its own.
func (t Text) DetailLines() []string {
	if n := len(t.Lines); n > 0 && t.URL != "" && strings.HasSuffix(t.Lines[n-1], t.URL) {
		return t.Lines[:n-1]
	}
	return t.Lines
}

package message

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/roomwatch/roomwatch/rules"
)

var placeholder = regexp.MustCompile(`\{[a-z_]+\}`)

// knownPlaceholders are the names fill.replacer fills.
var knownPlaceholders = []string{
	"{room}", "{title}", "{buyer}", "{buyer_name}", "{action}", "{deadline}",
	"{related}", "{seller_message}", "{buyer_message}", "{others}",
}

func TestEveryKindHasItsWords(t *testing.T) {
	for _, lang := range []string{English, Japanese} {
		words := For(lang)
		for _, kind := range rules.Kinds {
			w, ok := words.Kinds[kind]
			if !ok {
				t.Errorf("%s/%s: no words in the catalogue", lang, kind)
				continue
			}
			if strings.TrimSpace(w.Label) == "" {
				t.Errorf("%s/%s: no label", lang, kind)
			}
			checkWording(t, fmt.Sprintf("%s/%s", lang, kind), w.Alert)
			if w.Variant != (wording{}) {
				checkWording(t, fmt.Sprintf("%s/%s/variant", lang, kind), w.Variant)
			}
		}
		for kind := range words.Kinds {
			if !kind.Valid() {
				t.Errorf("%s: words for %q, which is no kind of rules.Kinds", lang, kind)
			}
		}
		checkWording(t, lang+"/fallback", words.Fallback)
	}
	// The kinds with a second situation have words for it.
	for _, kind := range []rules.Kind{rules.RateBuyer, rules.ExtraPayment} {
		for _, lang := range []string{English, Japanese} {
			if For(lang).Kinds[kind].Variant == (wording{}) {
				t.Errorf("%s/%s: no variant words", lang, kind)
			}
		}
	}
}

func checkWording(t *testing.T, name string, w wording) {
	t.Helper()
	required := map[string]string{"Preview": w.Preview, "DeadlineLabel": w.DeadlineLabel, "Why": w.Why, "Subject": w.Subject}
	if !strings.HasSuffix(name, "/fallback") {
		required["Action"] = w.Action
	}
	if w.Overdue != "" {
		required["SubjectOverdue"] = w.SubjectOverdue
	}
	if w.NoRelated != "" {
		required["SubjectNoRelated"] = w.SubjectNoRelated
	}
	for field, text := range required {
		if strings.TrimSpace(text) == "" {
			t.Errorf("%s: %s is empty", name, field)
		}
	}
	for _, subject := range []string{w.Subject, w.SubjectOverdue, w.SubjectNoRelated} {
		if subject == "" {
			continue
		}
		// A subject says for whom and which room, once each: the title is
		// what Subject shortens to fit.
		if strings.Count(subject, "{title}") != 1 || !strings.Contains(subject, "{buyer}") {
			t.Errorf("%s: subject %q must name {buyer} and {title} once", name, subject)
		}
	}
	for _, text := range []string{w.Preview, w.Overdue, w.NoRelated, w.Why, w.Subject, w.SubjectOverdue, w.SubjectNoRelated} {
		for _, p := range placeholder.FindAllString(text, -1) {
			if !slices.Contains(knownPlaceholders, p) {
				t.Errorf("%s: unknown placeholder %s in %q", name, p, text)
			}
		}
	}
}

func TestEverySeverityHasItsWords(t *testing.T) {
	for _, lang := range []string{English, Japanese} {
		for _, sev := range []rules.Severity{rules.Critical, rules.Warning, rules.Info} {
			w := For(lang).Severity.of(sev)
			if w.label == "" || w.subjectPrefix == "" || !strings.Contains(w.count, "%d") {
				t.Errorf("%s/%s: severity words %+v incomplete", lang, sev, w)
			}
		}
	}
}

func TestSummary(t *testing.T) {
	of := func(sevs ...rules.Severity) []Alert {
		var alerts []Alert
		for _, sev := range sevs {
			alerts = append(alerts, Alert{Step: rules.Step{Severity: sev}})
		}
		return alerts
	}
	var many []rules.Severity
	for range 3 {
		many = append(many, rules.Info)
	}
	for range 9 {
		many = append(many, rules.Warning)
	}
	for range 14 {
		many = append(many, rules.Critical)
	}
	cases := []struct {
		alerts []Alert
		en, ja string
	}{
		{of(many...), "14 critical, 9 warning, 3 info", "緊急14件、注意9件、お知らせ3件"},
		{of(rules.Info, rules.Critical), "1 critical, 1 info", "緊急1件、お知らせ1件"},
		{of(rules.Warning), "1 warning", "注意1件"},
		// A severity from a newer rules package is counted, as info.
		{of("catastrophic", rules.Info), "2 info", "お知らせ2件"},
		{nil, "no alerts", "通知はありません"},
	}
	for _, c := range cases {
		if got := Summary(c.alerts, "en"); got != c.en {
			t.Errorf("Summary(en) = %q, want %q", got, c.en)
		}
		if got := Summary(c.alerts, "ja"); got != c.ja {
			t.Errorf("Summary(ja) = %q, want %q", got, c.ja)
		}
	}
}

// cancelRiskAt is the issue's example: reply to tanaka_k about "ブログ記事
// 5本" by 11/21 18:00.
func cancelRiskAt(now time.Time) Alert {
	a := fixture(rules.CancelRisk, rules.Critical, "warn-3h", at("2026-11-21 18:00"), now, func(r *rules.Room, _ *rules.Step) {
		r.Buyer = "tanaka_k"
		r.SellerMessage = at("2026-11-17 18:00")
		r.BuyerMessage = at("2026-11-18 09:00")
	})
	return a
}

func TestSubjectExample(t *testing.T) {
	lead := cancelRiskAt(at("2026-11-21 15:00"))
	one := Message{Alerts: []Alert{lead}}
	if got, want := Subject(one, "ja", jst, 0), "【至急】tanaka_kさんに返信 — ブログ記事 5本（期限 11/21 18:00）"; got != want {
		t.Errorf("ja subject = %q, want %q", got, want)
	}
	if got, want := Subject(one, "en", jst, 0), "[Urgent] Reply to tanaka_k — ブログ記事 5本 (by 11/21 18:00)"; got != want {
		t.Errorf("en subject = %q, want %q", got, want)
	}

	// A group leads with its most urgent alert wherever it stands, and
	// counts the rest.
	fx := fixtures()
	group := Message{Alerts: []Alert{fx["check-in"], fx["send-terms"], lead, fx["may-cancel"], fx["room-expiry"], fx["rate-buyer"]}}
	if got, want := Subject(group, "ja", jst, 0), "【至急】tanaka_kさんに返信 — ブログ記事 5本（期限 11/21 18:00） ほか5件"; got != want {
		t.Errorf("ja group subject = %q, want %q", got, want)
	}
	if got, want := Subject(group, "en", jst, 0), "[Urgent] Reply to tanaka_k — ブログ記事 5本 (by 11/21 18:00) and 5 more"; got != want {
		t.Errorf("en group subject = %q, want %q", got, want)
	}

	// Past the deadline (a catch-up), the subject says so.
	late := Message{Alerts: []Alert{cancelRiskAt(at("2026-11-22 09:00"))}, Late: true}
	if got, want := Subject(late, "ja", jst, 0), "【遅延】【至急】tanaka_kさんに至急返信 — ブログ記事 5本（11/21 18:00からキャンセル申請可能）"; got != want {
		t.Errorf("ja late subject = %q, want %q", got, want)
	}
}

// TestSubjectKeepsTheDeadline: with the longest buyer name a subject keeps
// and a title cut to its least, every kind's subject fits in MaxSubject with
// the late mark and a count of 99, so only a title is ever shortened, never
// the words saying by when.
func TestSubjectKeepsTheDeadline(t *testing.T) {
	fx := fixtures()
	for name, a := range fx {
		a.Room.Buyer = strings.Repeat("B", 200)
		a.Room.Title = strings.Repeat("T", 200)
		others := slices.Repeat([]Alert{a}, 99)
		for _, lang := range []string{English, Japanese} {
			m := Message{Alerts: append([]Alert{a}, others...), Late: true}
			s := Subject(m, lang, jst, 0)
			if !strings.Contains(s, strings.Repeat("T", subjectTitleMin-1)+"…") {
				t.Errorf("%s/%s: title not kept to its least: %q", name, lang, s)
			}
			if !strings.HasSuffix(s, fmt.Sprintf(For(lang).Frame.subjectMore, 99)) {
				t.Errorf("%s/%s: subject %q lost its count", name, lang, s)
			}
			w := wordingFor(a, lang)
			for placeholder, instant := range map[string]time.Time{"{deadline}": a.Step.Deadline, "{related}": a.Step.Related} {
				if stamp := shortStamp(instant, a.Now, jst); strings.Contains(w.Subject, placeholder) && !strings.Contains(s, stamp) {
					t.Errorf("%s/%s: subject %q lost %s %s", name, lang, s, placeholder, stamp)
				}
			}
		}
	}
}

func TestSubjectGolden(t *testing.T) {
	fx := fixtures()
	names := make([]string, 0, len(fx))
	for name := range fx {
		names = append(names, name)
	}
	slices.Sort(names)
	grouped := []Alert{fx["check-in"], fx["cancel-risk"], fx["send-terms"]}
	for _, lang := range []string{English, Japanese} {
		var b strings.Builder
		for _, name := range names {
			fmt.Fprintf(&b, "%s: %s\n", name, Subject(Message{Alerts: []Alert{fx[name]}}, lang, jst, 0))
		}
		noRelated := fx["room-expiry"]
		noRelated.Step.Related = time.Time{}
		extra := []struct {
			name string
			m    Message
		}{
			{"room-expiry without its closing time", Message{Alerts: []Alert{noRelated}}},
			{"grouped, late", Message{Alerts: grouped, Late: true}},
			{"test", Message{Alerts: []Alert{fx["check-in"]}, Test: true}},
			{"notice", Message{Notice: &Notice{Severity: rules.Warning, Title: "config.yaml\nrejected"}}},
			{"untitled room", func() Message {
				a := fx["delivery-due"]
				a.Room.Title = ""
				return Message{Alerts: []Alert{a}}
			}()},
			{"long title and buyer", func() Message {
				a := fx["delivery-due"]
				a.Room.Title = strings.Repeat("ロゴデザインと名刺の制作", 10)
				a.Room.Buyer = strings.Repeat("長い名前", 10)
				return Message{Alerts: []Alert{a, fx["may-cancel"]}}
			}()},
		}
		for _, e := range extra {
			fmt.Fprintf(&b, "%s: %s\n", e.name, Subject(e.m, lang, jst, 0))
		}
		golden(t, "subjects."+lang, b.String())
	}
}

// FuzzSubject: whatever the titles and names, a subject is one line of valid
// UTF-8 within its limit that keeps its severity mark and its count.
func FuzzSubject(f *testing.F) {
	for _, seed := range []struct{ title, buyer string }{
		{"ブログ記事 5本", "tanaka"},
		{strings.Repeat("とても長いタイトル", 40), strings.Repeat("名前", 40)},
		{"Logo\r\nBcc: evil@example.com\r\n\r\nbody", "x\nSubject: hi"},
		{"<b>&amp;</b> \"quoted\" 'single'", "<script>alert(1)</script>"},
		{"👩‍👩‍👧‍👦👍🏽🇯🇵 emoji", "🍣"},
		{"e\u0301\u0301\u0301" + strings.Repeat("a\u200d", 60), "\u00ad\u200b"},
		{"\xff\xfe invalid", "=?UTF-8?B?SGk=?="},
		{"", ""},
	} {
		f.Add(seed.title, seed.buyer, 3, 80)
	}
	f.Fuzz(func(t *testing.T, title, buyer string, group, limit int) {
		group = 1 + abs(group)%50
		limit = 30 + abs(limit)%200
		alerts := make([]Alert, group)
		for i := range alerts {
			a := fixtures()["cancel-risk"]
			a.Room.Title = title
			a.Room.Buyer = buyer
			alerts[i] = a
		}
		for _, lang := range []string{English, Japanese} {
			s := Subject(Message{Alerts: alerts}, lang, jst, limit)
			if !utf8.ValidString(s) {
				t.Fatalf("%s: invalid UTF-8 %q", lang, s)
			}
			if n := utf8.RuneCountInString(s); n > limit {
				t.Fatalf("%s: %d characters over the limit %d: %q", lang, n, limit, s)
			}
			if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
				t.Fatalf("%s: control character in %q", lang, s)
			}
			if prefix := For(lang).Severity.Critical.subjectPrefix; !strings.HasPrefix(s, prefix) {
				t.Fatalf("%s: %q lost its mark %q", lang, s, prefix)
			}
			if group > 1 && !strings.HasSuffix(s, fmt.Sprintf(For(lang).Frame.subjectMore, group-1)) {
				t.Fatalf("%s: %q lost its count", lang, s)
			}
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func TestShorten(t *testing.T) {
	cases := []struct {
		in   string
		n    int
		want string
	}{
		{"ブログ記事 5本", 10, "ブログ記事 5本"},
		{"ブログ記事 5本", 5, "ブログ記…"},
		// The space before a cut goes, so the ellipsis sits on the word.
		{"ブログ記事 5本", 7, "ブログ記事…"},
		{"abc", 0, ""},
		{"abc", 1, "…"},
		// A cut never leaves a joiner hanging; a combining mark stays on
		// its letter.
		{"ab\u200d👩xyz", 4, "ab…"},
		{"cafe\u0301 au lait", 6, "cafe\u0301…"},
		{"\xffabc", 10, "\uFFFDabc"},
	}
	for _, c := range cases {
		if got := Shorten(c.in, c.n); got != c.want {
			t.Errorf("Shorten(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

func TestDetailLinesLeaveOutTheLink(t *testing.T) {
	a := fixtures()["check-in"]
	text := Render(a, Japanese, jst)
	lines := text.DetailLines()
	if len(lines) != len(text.Lines)-1 || slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, a.Room.URL) }) {
		t.Errorf("DetailLines = %q", lines)
	}
	a.Room.URL = "javascript:alert(1)"
	text = Render(a, Japanese, jst)
	if got := text.DetailLines(); len(got) != len(text.Lines) {
		t.Errorf("a line without a usable link was dropped: %q", got)
	}
}

func TestMailWords(t *testing.T) {
	if got := MailFooter("ja", jst); !strings.Contains(got, "JST") || !strings.Contains(got, "roomwatch") {
		t.Errorf("MailFooter = %q", got)
	}
	if OpenRoomLabel("en") != "Open the talk room" || OpenRoomLabel("ja") != "トークルームを開く" {
		t.Error("unexpected link labels")
	}
}

func TestSplitPartSaysWhatTheWholeHolds(t *testing.T) {
	fx := fixtures()
	whole := []Alert{fx["first-message"], fx["cancel-risk"], fx["check-in"], fx["send-terms"], fx["room-expiry"]}
	part := Message{Alerts: whole[2:4], Late: true, Part: 2, Parts: 3, Whole: whole}
	for lang, want := range map[string]string{
		English:  "2 critical, 2 warning, 1 info — message 2 of 3",
		Japanese: "緊急2件、注意2件、お知らせ1件（2/3通目）",
	} {
		if got := RenderMessage(part, lang, jst).Summary; got != want {
			t.Errorf("%s: summary %q, want %q", lang, got, want)
		}
	}
	// A message that was not split counts only its own alerts.
	if got := RenderMessage(Message{Alerts: whole[2:4]}, English, jst).Summary; got != "2 warning" {
		t.Errorf("unsplit summary %q, want %q", got, "2 warning")
	}
}

package message

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/roomwatch/roomwatch/rules"
)

// replyRooms holds, per kind with a ready-to-send text, a timeline on which
// the rules make that alert live at now.
func replyRooms(now time.Time) map[string]rules.Room {
	r := func(edit func(*rules.Room)) rules.Room {
		room := baseRoom()
		edit(&room)
		return room
	}
	return map[string]rules.Room{
		"first-message": r(func(*rules.Room) {}),
		"check-in":      r(func(x *rules.Room) { x.SellerMessage = at("2026-11-21 09:00") }),
		"cancel-risk": r(func(x *rules.Room) {
			x.SellerMessage, x.BuyerMessage = at("2026-11-21 09:00"), at("2026-11-21 12:00")
		}),
		"cancel-request": r(func(x *rules.Room) {
			x.SellerMessage, x.CancelRequested = at("2026-11-21 09:00"), at("2026-11-22 09:00")
		}),
		"delivery-due": r(func(x *rules.Room) {
			x.SellerMessage, x.Due = at("2026-11-21 09:00"), now.Add(-2*time.Hour)
		}),
		"may-cancel": r(func(x *rules.Room) { x.SellerMessage = at("2026-11-21 09:00") }),
		"eligible-to-close": r(func(x *rules.Room) {
			x.SellerMessage, x.Delivered, x.BuyerMessage = at("2026-11-21 09:00"), at("2026-11-25 15:00"), at("2026-11-26 08:00")
		}),
		"extra-payment": r(func(x *rules.Room) {
			x.SellerMessage, x.ExtraPayment = at("2026-11-21 09:00"), rules.ExtraPending
		}),
		"extra-payment/delivered": r(func(x *rules.Room) {
			x.SellerMessage, x.ExtraPayment, x.Delivered = at("2026-11-21 09:00"), rules.ExtraPending, at("2026-11-25 15:00")
		}),
		"send-terms": r(func(x *rules.Room) { x.SellerMessage, x.Via = at("2026-11-21 09:00"), rules.ViaQuote }),
	}
}

// awkward are titles and buyer names that must come out as plain text:
// long CJK, emoji, Slack and HTML control characters, template and
// placeholder syntax, line breaks, and nothing at all.
var awkward = []struct{ title, buyer string }{
	{strings.Repeat("ロゴデザインと名刺の制作", 40), strings.Repeat("長い名前", 30)},
	{"記事 🎉👩‍💻✍️", "🐱ねこ"},
	{"<!channel> & <@U123>", "<!here>"},
	{"<script>alert(1)</script>", "a&b<i>"},
	{"{{.Buyer}} {title} {{template \"x\"}}", "{buyer}{{.Title}}"},
	{"line one\nline two\r\x00tab\t", "new\nline"},
	{"", ""},
}

func TestEveryReplyKindFilledInBothLanguages(t *testing.T) {
	now := at("2026-12-05 10:00")
	rooms := replyRooms(now)
	env := rules.Env{Profile: rules.Profiles["coconala"], Policy: rules.DefaultPolicy()}
	seen := map[rules.Kind]bool{}
	for name, room := range rooms {
		want := rules.Kind(strings.Split(name, "/")[0])
		env := env
		if want == rules.EligibleToClose {
			// On a platform with automatic approval, the platform closes
			// before the seller may: no alert. crowdworks has none.
			env.Profile.AutoApproval = 0
		}
		for _, odd := range awkward {
			room.Title, room.Buyer = odd.title, odd.buyer
			var alert *rules.Alert
			for _, a := range rules.AlertsAt(room, env, now) {
				if a.Kind == want {
					alert = &a
				}
			}
			if alert == nil {
				t.Fatalf("%s: the rules give no %s alert on this timeline", name, want)
			}
			seen[want] = true
			for _, lang := range []string{Japanese, English} {
				step := rules.Step{Alert: *alert, Name: rules.StepDue, Severity: alert.Severity, At: now, SendAt: now}
				text := Render(Alert{Step: step, Room: room, Now: now}, lang, jst).Reply
				checkReply(t, name+"."+lang, text, room, *alert, lang)
			}
		}
	}
	for _, kind := range ReplyKinds() {
		if !seen[kind] {
			t.Errorf("kind %s was not exercised", kind)
		}
	}
}

func checkReply(t *testing.T, name, text string, room rules.Room, a rules.Alert, lang string) {
	t.Helper()
	if text == "" {
		t.Fatalf("%s: no ready-to-send text", name)
	}
	if !utf8.ValidString(text) {
		t.Errorf("%s: invalid UTF-8", name)
	}
	for _, unfilled := range []string{"<no value>", "%!", "{{."} {
		if strings.Contains(text, unfilled) && !strings.Contains(room.Title+room.Buyer, unfilled) {
			t.Errorf("%s: unfilled field %q in\n%s", name, unfilled, text)
		}
	}
	if strings.ContainsAny(text, "\r\x00\t") {
		t.Errorf("%s: a control character reached the text: %q", name, text)
	}
	// The buyer's name and the title are flattened to one line each: no
	// value adds a line of its own.
	if buyer := strings.TrimSpace(OneLine(room.Buyer)); buyer != "" && !strings.HasPrefix(strings.TrimPrefix(text, "Hello "), buyer) {
		t.Errorf("%s: does not open with the buyer %q:\n%s", name, buyer, text)
	}
	if room.Title != "" && strings.Contains(text, "「") && !strings.Contains(text, OneLine(room.Title)) {
		t.Errorf("%s: the title is not there as written:\n%s", name, text)
	}
	if a.Kind == rules.EligibleToClose && !strings.Contains(text, BuyerDate(a.Deadline, lang, jst)) {
		t.Errorf("%s: the close date is not the eligible-to-close deadline %s:\n%s", name, BuyerDate(a.Deadline, lang, jst), text)
	}
	if a.Kind == rules.SendTerms && !strings.Contains(text, For(lang).Terms.heading) {
		t.Errorf("%s: the send-terms text does not carry the terms:\n%s", name, text)
	}
}

func TestNoReplyWhereTheActionIsNotToWrite(t *testing.T) {
	for _, kind := range rules.Kinds {
		a := fixture(kind, rules.Warning, rules.StepDue, at("2026-11-26 18:00"), at("2026-11-26 18:00"), nil)
		got := Render(a, English, jst).Reply
		if HasReply(kind) != (got != "") && kind != rules.DeliveryDue {
			t.Errorf("%s: reply %q, HasReply %v", kind, got, HasReply(kind))
		}
	}
	// A delivery that is not late yet needs no apology.
	due := fixture(rules.DeliveryDue, rules.Warning, "warn-24h", at("2026-11-27 23:59"), at("2026-11-26 23:59"), nil)
	if got := Render(due, Japanese, jst).Reply; got != "" {
		t.Errorf("delivery-due before the date has a text: %q", got)
	}
	due.Now = at("2026-11-28 10:00")
	if got := Render(due, Japanese, jst).Reply; got == "" {
		t.Error("a late delivery-due has no text")
	}
}

func TestRepliesOverrideAndRefuse(t *testing.T) {
	r, err := NewReplies(map[string]map[rules.Kind]string{
		Japanese: {rules.CheckIn: "{{.Buyer}} 進捗です（{{.Title}}）"},
	}, map[string]string{Japanese: "T"})
	if err != nil {
		t.Fatal(err)
	}
	a := fixture(rules.CheckIn, rules.Warning, rules.StepDue, at("2026-11-26 18:00"), at("2026-11-26 18:00"), nil)
	if got := r.Reply(a, Japanese, jst); got != "tanaka 様 進捗です（ブログ記事 5本）" {
		t.Errorf("override: %q", got)
	}
	if got := r.Reply(a, English, jst); !strings.HasPrefix(got, "Hello tanaka") {
		t.Errorf("the other language keeps the default: %q", got)
	}
	if _, err := ParseReply("ja/check-in", "{{.Buyer}}\n{{.Nope}}"); err == nil || !strings.Contains(err.Error(), "ja/check-in:2:") {
		t.Errorf("unknown field: %v, want an error at line 2", err)
	}
	if _, err := NewReplies(map[string]map[rules.Kind]string{English: {rules.RateBuyer: "x"}}, nil); err == nil {
		t.Error("a template for a kind without a text was accepted")
	}
}

package config

import (
	"strings"
	"testing"

	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

func TestTermsSection(t *testing.T) {
	c := mustLoad(t, `
policy:
  close_after_delivery: 120h
  cancel_after_buyer_silence: none
terms:
  off: [extra_work]
  on: [no_cancel_after_delivery]
  lines: ["納品は PNG です。"]
  max_chars: 2000
`)
	block := c.TermsFor("ja", "")
	for _, want := range []string{"納品から5日", "納品後のキャンセルはお受けしておりません。", "・納品は PNG です。"} {
		if !strings.Contains(block, want) {
			t.Errorf("terms lack %q:\n%s", want, block)
		}
	}
	for _, gone := range []string{"おひねり", "キャンセルいたします"} {
		if strings.Contains(block, gone) {
			t.Errorf("terms still say %q:\n%s", gone, block)
		}
	}
	if len(c.Warnings) != 0 {
		t.Errorf("warnings: %v", c.Warnings)
	}
	// The send-terms text carries the same block.
	a := message.Alert{Step: rules.Step{Alert: rules.Alert{Room: "1", Kind: rules.SendTerms}}, Room: rules.Room{ID: "1", Buyer: "b"}}
	if got := c.Replies.Reply(a, "ja", c.Timezone); !strings.Contains(got, block) {
		t.Errorf("send-terms text does not carry the configured terms:\n%s", got)
	}
}

func TestTermsMaxCharsWarns(t *testing.T) {
	c := mustLoad(t, "terms:\n  max_chars: 50\n")
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0].Error(), ":1:1: warning: terms: the block has") {
		t.Errorf("warnings = %v, want one about max_chars at 1:1", c.Warnings)
	}
}

func TestTermsErrors(t *testing.T) {
	got := loadErrors(t, `terms:
  off: [close_after_silence]
  on: [extra_work]
  max_chars: many
`)
	want := []string{
		`2:9: terms.off: unknown line "close_after_silence"`,
		`3:8: terms.on: "extra_work" is on already`,
		`4:14: terms.max_chars: "many" is not a positive whole number`,
	}
	checkPrefixes(t, got, want)
}

func checkPrefixes(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("errors:\n%s\nwant %d", strings.Join(got, "\n"), len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("error %d = %q, want prefix %q", i, got[i], want[i])
		}
	}
}

func TestMessagesSection(t *testing.T) {
	c := mustLoad(t, `
messages:
  en:
    check-in: |
      Hi {{.Buyer}}, still on "{{.Title}}".
`)
	a := message.Alert{Step: rules.Step{Alert: rules.Alert{Room: "1", Kind: rules.CheckIn}}, Room: rules.Room{ID: "1", Buyer: "b", Title: "T"}}
	if got := c.Replies.Reply(a, "en", c.Timezone); got != `Hi b, still on "T".` {
		t.Errorf("override = %q", got)
	}
}

func TestMessagesErrorsArePlaced(t *testing.T) {
	got := loadErrors(t, `messages:
  ja:
    check-in: |
      {{.Buyer}}
      進捗です {{.Titel}}
  en:
    first-message: "Hi {{.Nme}}"
    rate-buyer: "x"
    cancel-risk: "{{if .Buyer}}"
  fr: {}
`)
	want := []string{
		`5:14: messages.ja.check-in: unknown field .Titel: use .Buyer,`,
		`7:26: messages.en.first-message: unknown field .Nme`,
		`8:5: messages.en: "rate-buyer" has no ready-to-send text`,
		`9:19: messages.en.cancel-risk: unexpected EOF`,
		`10:3: unknown key "fr" in messages`,
	}
	checkPrefixes(t, got, want)
}

func TestBuyersSection(t *testing.T) {
	c := mustLoad(t, `
platform: crowdworks
buyers:
  yamada: {decline: true, note: "never reviews"}
  sato: {platform: coconala, note: x}
`)
	if b, ok := c.BuyerOf(rules.Room{Buyer: "yamada"}); !ok || !b.Decline || b.Note != "never reviews" {
		t.Errorf("yamada = %+v, %v", b, ok)
	}
	if _, ok := c.BuyerOf(rules.Room{Buyer: "sato"}); ok {
		t.Error("a note for sato on coconala matched sato on crowdworks")
	}
	if _, ok := c.BuyerOf(rules.Room{Buyer: "sato", Platform: "coconala"}); !ok {
		t.Error("sato on coconala not found")
	}
	got := loadErrors(t, "buyers:\n  x: {decline: maybe, notes: y, platform: mars}\n")
	if len(got) != 3 {
		t.Errorf("errors = %v, want 3 (decline, unknown key, platform)", got)
	}
}

package message

import (
	"strings"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

func TestHumanDuration(t *testing.T) {
	for _, tc := range []struct {
		d      time.Duration
		ja, en string
	}{
		{72 * time.Hour, "3日", "3 days"},
		{36 * time.Hour, "36時間", "36 hours"},
		{24 * time.Hour, "1日", "1 day"},
		{120 * time.Hour, "5日", "5 days"},
		{time.Hour, "1時間", "1 hour"},
		{90 * time.Minute, "90分", "90 minutes"},
	} {
		if got := HumanDuration(tc.d, Japanese); got != tc.ja {
			t.Errorf("HumanDuration(%v, ja) = %q, want %q", tc.d, got, tc.ja)
		}
		if got := HumanDuration(tc.d, English); got != tc.en {
			t.Errorf("HumanDuration(%v, en) = %q, want %q", tc.d, got, tc.en)
		}
	}
}

// TestTermsGolden pins the terms block for the default policy and a changed
// one (close_after_delivery 120h, close_after_buyer_silence 36h, optional
// lines on, an own line), in both languages.
func TestTermsGolden(t *testing.T) {
	changed := rules.DefaultPolicy()
	changed.CloseAfterDelivery = 120 * time.Hour
	changed.CloseAfterBuyerSilence = 36 * time.Hour
	opt := TermsOptions{
		On:  []TermsLine{TermsNoCancelAfterDelivery, TermsReviewWithinWindow},
		Own: []string{"Files are delivered as PNG and PDF.\n(no line break survives)"},
	}
	cases := map[string]struct {
		policy rules.Policy
		opt    TermsOptions
	}{
		"default": {rules.DefaultPolicy(), TermsOptions{}},
		"changed": {changed, opt},
	}
	for name, tc := range cases {
		for _, lang := range []string{Japanese, English} {
			got := Terms(tc.policy, rules.Profiles["coconala"], tc.opt, lang) + "\n"
			golden(t, "terms."+name+"."+lang, got)
		}
	}
	for _, lang := range []string{Japanese, English} {
		block := Terms(changed, rules.Profiles["coconala"], opt, lang)
		if strings.Contains(block, HumanDuration(7*24*time.Hour, lang)) {
			t.Errorf("%s: changed policy still says 7 days:\n%s", lang, block)
		}
		if !strings.Contains(block, HumanDuration(120*time.Hour, lang)) {
			t.Errorf("%s: changed policy does not say 5 days:\n%s", lang, block)
		}
	}
}

func TestTermsLeaveOutRulesSetToNone(t *testing.T) {
	p := rules.DefaultPolicy()
	p.CancelAfterBuyerSilence = 0
	p.CloseAfterDelivery = 0
	for _, lang := range []string{Japanese, English} {
		block := Terms(p, rules.Profiles["coconala"], TermsOptions{}, lang)
		w := For(lang).Terms
		lines := strings.Split(block, "\n")
		if len(lines) != 3 { // heading, close after silence, extra work
			t.Fatalf("%s: want 3 lines, got:\n%s", lang, block)
		}
		for _, gone := range []TermsLine{TermsCancelBeforeDelivery, TermsCloseAfterDelivery} {
			head, _, _ := strings.Cut(w.lines[gone], "%s")
			if strings.Contains(block, head) {
				t.Errorf("%s: line %s is still there:\n%s", lang, gone, block)
			}
		}
	}
}

func TestTermsOffAndMaxChars(t *testing.T) {
	opt := TermsOptions{Off: []TermsLine{TermsExtraWork, TermsCloseAfterSilence}}
	block := Terms(rules.DefaultPolicy(), rules.Profile{}, opt, English)
	if strings.Contains(block, "tip") || strings.Contains(block, "do not reply") {
		t.Errorf("lines turned off are still there:\n%s", block)
	}
	chars, tooLong := TermsTooLong(block, TermsOptions{MaxChars: 50})
	if !tooLong || chars != len([]rune(block)) {
		t.Errorf("TermsTooLong = %d, %v; want %d, true", chars, tooLong, len([]rune(block)))
	}
	if _, tooLong := TermsTooLong(block, TermsOptions{}); tooLong {
		t.Error("no max_chars must never be too long")
	}
	if _, tooLong := TermsTooLong(block, TermsOptions{MaxChars: chars}); tooLong {
		t.Error("a block of exactly max_chars is not too long")
	}
}

func TestReviewWindowIsTheShortest(t *testing.T) {
	p := rules.DefaultPolicy()
	if got := ReviewWindow(p, rules.Profiles["coconala"]); got != 72*time.Hour {
		t.Errorf("coconala: %v, want 72h", got)
	}
	p.CloseAfterBuyerSilence, p.CloseAfterDelivery = 0, 0
	if got := ReviewWindow(p, rules.Profile{}); got != 0 {
		t.Errorf("no window: %v, want 0", got)
	}
}

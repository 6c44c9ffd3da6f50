package message

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/roomwatch/roomwatch/rules"
)

// TermsLine names one line of the seller's terms block, so the config can
// turn it off (or, for the optional ones, on) by name.
type TermsLine string

const (
	// TermsCancelBeforeDelivery: before delivery, the seller cancels after
	// policy.cancel_after_buyer_silence without a reply.
	TermsCancelBeforeDelivery TermsLine = "cancel_before_delivery"
	// TermsCloseAfterSilence: after delivery, the seller closes after
	// policy.close_after_buyer_silence without a reply.
	TermsCloseAfterSilence TermsLine = "close_after_buyer_silence"
	// TermsCloseAfterDelivery: the seller closes policy.close_after_delivery
	// after delivery whatever happens.
	TermsCloseAfterDelivery TermsLine = "close_after_delivery"
	// TermsExtraWork: extra work is priced and paid (おひねり) before delivery.
	TermsExtraWork TermsLine = "extra_work"
	// TermsNoCancelAfterDelivery (optional): no cancellation once delivered.
	TermsNoCancelAfterDelivery TermsLine = "no_cancel_after_delivery"
	// TermsReviewWithinWindow (optional): buyers who cannot review within
	// the closing window should not order.
	TermsReviewWithinWindow TermsLine = "review_within_window"
)

// TermsLines lists every line in the order of the block; the optional ones
// are off unless the config turns them on.
var TermsLines = []TermsLine{
	TermsCancelBeforeDelivery, TermsCloseAfterSilence, TermsCloseAfterDelivery,
	TermsExtraWork, TermsNoCancelAfterDelivery, TermsReviewWithinWindow,
}

// Optional reports whether the line is off until the seller turns it on.
func (l TermsLine) Optional() bool {
	return l == TermsNoCancelAfterDelivery || l == TermsReviewWithinWindow
}

// Valid reports whether l is one of TermsLines.
func (l TermsLine) Valid() bool {
	for _, known := range TermsLines {
		if l == known {
			return true
		}
	}
	return false
}

// TermsOptions is the seller's `terms:` config section.
type TermsOptions struct {
	// Off and On switch lines of TermsLines off or (optional ones) on.
	Off, On []TermsLine
	// Own lines are added after roomwatch's, as written.
	Own []string
	// MaxChars is the platform field's size; 0 means no limit is checked.
	MaxChars int
}

func (o TermsOptions) enabled(l TermsLine) bool {
	for _, off := range o.Off {
		if off == l {
			return false
		}
	}
	if !l.Optional() {
		return true
	}
	for _, on := range o.On {
		if on == l {
			return true
		}
	}
	return false
}

// termsWords are the sentences of the block (Words.Terms); %s is a
// duration as HumanDuration writes it.
type termsWords struct {
	heading string
	bullet  string
	lines   map[TermsLine]string
}

// Terms writes the seller's terms block (購入にあたってのお願い) in lang from the
// policy's windows and the platform's profile: one line per rule in force,
// a line left out when its rule is none (0), then the seller's own lines.
// Each figure comes from the policy, so the words the buyer agreed to and
// the clocks roomwatch keeps cannot drift apart.
func Terms(policy rules.Policy, profile rules.Profile, opt TermsOptions, lang string) string {
	lang = Language(lang)
	w := For(lang).Terms
	durations := map[TermsLine]time.Duration{
		TermsCancelBeforeDelivery: policy.CancelAfterBuyerSilence,
		TermsCloseAfterSilence:    policy.CloseAfterBuyerSilence,
		TermsCloseAfterDelivery:   policy.CloseAfterDelivery,
		TermsReviewWithinWindow:   ReviewWindow(policy, profile),
	}
	lines := []string{w.heading}
	for _, l := range TermsLines {
		if !opt.enabled(l) {
			continue
		}
		text := w.lines[l]
		if d, timed := durations[l]; timed {
			if d <= 0 {
				continue // the rule is none: nothing to promise
			}
			text = fmt.Sprintf(text, HumanDuration(d, lang))
		}
		lines = append(lines, w.bullet+text)
	}
	for _, own := range opt.Own {
		if own = strings.TrimSpace(OneLine(own)); own != "" {
			lines = append(lines, w.bullet+own)
		}
	}
	return strings.Join(lines, "\n")
}

// TermsTooLong reports the block's length in characters and whether it
// exceeds opt.MaxChars (the platform field's size).
func TermsTooLong(block string, opt TermsOptions) (chars int, tooLong bool) {
	chars = utf8.RuneCountInString(block)
	return chars, opt.MaxChars > 0 && chars > opt.MaxChars
}

// ReviewWindow is how long a buyer has to review a delivery before the order
// closes without them: the shortest of the seller's closing windows and the
// platform's automatic approval; 0 when none applies.
func ReviewWindow(policy rules.Policy, profile rules.Profile) time.Duration {
	var window time.Duration
	for _, d := range []time.Duration{policy.CloseAfterBuyerSilence, policy.CloseAfterDelivery, profile.AutoApproval} {
		if d > 0 && (window == 0 || d < window) {
			window = d
		}
	}
	return window
}

// HumanDuration writes a policy duration the way a person does: whole days
// as days (72h → 3日 / 3 days), anything else in hours (36h → 36時間 /
// 36 hours), and minutes only when the figure has them.
func HumanDuration(d time.Duration, lang string) string {
	lang = Language(lang)
	type unit struct {
		size     time.Duration
		ja, en   string
		enPlural string
	}
	for _, u := range []unit{
		{24 * time.Hour, "日", "day", "days"},
		{time.Hour, "時間", "hour", "hours"},
		{time.Minute, "分", "minute", "minutes"},
	} {
		if d%u.size != 0 {
			continue
		}
		n := int64(d / u.size)
		if lang == Japanese {
			return fmt.Sprintf("%d%s", n, u.ja)
		}
		if n == 1 {
			return "1 " + u.en
		}
		return fmt.Sprintf("%d %s", n, u.enPlural)
	}
	return d.String()
}

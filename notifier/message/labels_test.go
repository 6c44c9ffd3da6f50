package message

import (
	"testing"

	"github.com/mattn/go-runewidth"

	"github.com/roomwatch/roomwatch/rules"
)

func TestEveryKindAndStateHasAJapaneseLabel(t *testing.T) {
	for _, k := range rules.Kinds {
		ja := KindLabel(k, "ja")
		if ja == string(k) || ja == "" {
			t.Errorf("kind %s has no Japanese label", k)
		}
		if en := KindLabel(k, "en"); en != string(k) {
			t.Errorf("English label of %s = %q, want the kind itself", k, en)
		}
		// A table column shows these whole: no ambiguous-width runes,
		// whose width depends on the terminal.
		for _, r := range ja {
			if runewidth.IsAmbiguousWidth(r) {
				t.Errorf("label %q of %s has the ambiguous-width rune %q", ja, k, r)
			}
		}
	}
	for _, s := range []rules.State{rules.StateOpen, rules.StateDelivered, rules.StateClosed, rules.StateCancelled} {
		if ja := StateLabel(s, "ja"); ja == string(s) || ja == "" {
			t.Errorf("state %s has no Japanese label", s)
		}
		if en := StateLabel(s, "en"); en != string(s) {
			t.Errorf("English label of %s = %q", s, en)
		}
	}
	if got := KindLabel("no-such-kind", "ja"); got != "no-such-kind" {
		t.Errorf("unknown kind shows as %q", got)
	}
}

func TestStepLabel(t *testing.T) {
	for _, c := range []struct{ name, ja string }{
		{"warn-24h", "24時間前"},
		{"warn-3h", "3時間前"},
		{"warn-1h30m", "1時間30分前"},
		{"due", "期限"},
		{"repeat-1", "再通知1"},
		{"repeat-12", "再通知12"},
		{"warn-x", "warn-x"},
		{"later", "later"},
	} {
		if got := StepLabel(c.name, "ja"); got != c.ja {
			t.Errorf("StepLabel(%q, ja) = %q, want %q", c.name, got, c.ja)
		}
		if got := StepLabel(c.name, "en"); got != c.name {
			t.Errorf("StepLabel(%q, en) = %q, want the name itself", c.name, got)
		}
	}
}

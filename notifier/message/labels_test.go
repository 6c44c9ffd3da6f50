package message

import (
	"testing"
	"time"

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

func TestTimeTo(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		kind     rules.Kind
		deadline time.Duration // from now
		en, ja   string
	}{
		{rules.DeliveryDue, -6 * 24 * time.Hour, "overdue by 6d", "6日超過"},
		{rules.CheckIn, 27 * time.Hour, "1d 3h left", "残り1日3時間"},
		{rules.MayCancel, -3 * 24 * time.Hour, "3d ago", "3日前"},
		{rules.RoomExpiry, 101 * 24 * time.Hour, "101d left", "残り101日"},
		{rules.RateBuyer, -30 * time.Second, "now", "今"},
	} {
		a := rules.Alert{Kind: c.kind, Deadline: now.Add(c.deadline)}
		if got := TimeTo(a, now, "en"); got != c.en {
			t.Errorf("%s %s: %q, want %q", c.kind, c.deadline, got, c.en)
		}
		if got := TimeTo(a, now, "ja"); got != c.ja {
			t.Errorf("%s %s ja: %q, want %q", c.kind, c.deadline, got, c.ja)
		}
	}
}

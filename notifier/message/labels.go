package message

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// The short labels of the terminal tables (`status`, `plan`). In English a
// table shows the contract strings themselves (check-in, delivered, warn-24h),
// the words a seller also meets in `plan --json` and the config; in Japanese
// it shows short words. Both come from the catalogue (Words). JSON output
// always keeps the contract strings.

// KindLabel names an alert kind in a table: the kind itself in English, a
// short noun in Japanese. An unknown kind shows as it is.
func KindLabel(kind rules.Kind, lang string) string {
	if w, ok := For(lang).Kinds[kind]; ok {
		return w.Label
	}
	return string(kind)
}

// StateLabel names a room's state in a table, like KindLabel.
func StateLabel(state rules.State, lang string) string {
	return For(lang).States.of(state)
}

// ClosedAutomaticallyLabel names a room the platform closed by itself
// (automatic approval of a delivery), for the state column.
func ClosedAutomaticallyLabel(lang string) string {
	return For(lang).States.ClosedAutomatically
}

// StepLabel names a step in a table: "warn-24h", "due", "repeat-1" in
// English; "24時間前", "期限", "再通知1" in Japanese (Words.Steps; a language
// without step words shows the names). A name it cannot read shows as it is.
func StepLabel(name, lang string) string {
	w := &For(lang).Steps
	if name == rules.StepDue && w.Due != "" {
		return w.Due
	}
	if rest, ok := strings.CutPrefix(name, "warn-"); ok && w.Warn != "" {
		if d, err := time.ParseDuration(rest); err == nil && d > 0 {
			return fmt.Sprintf(w.Warn, offset(d, Language(lang)))
		}
	}
	if rest, ok := strings.CutPrefix(name, "repeat-"); ok && w.Repeat != "" {
		if n, err := strconv.Atoi(rest); err == nil && n > 0 {
			return fmt.Sprintf(w.Repeat, n)
		}
	}
	return name
}

// TimeTo says how far the alert's deadline lies from now, in lang: "2d 3h
// left"; once passed, "overdue by 6d" when the deadline is a limit
// (rules.Kind.IsLimit) and "3d ago" when it was the moment something became
// due, which is not late.
func TimeTo(a rules.Alert, now time.Time, lang string) string {
	lang = Language(lang)
	d := a.Deadline.Sub(now)
	if d > -time.Minute || a.Kind.IsLimit() {
		return relative(d, lang)
	}
	return fmt.Sprintf(For(lang).Time.Ago, span(-d, lang))
}

package message

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Weekday is a day's short name: "Thu" or "木".
func Weekday(t time.Time, lang string) string {
	return For(lang).Time.Weekdays[t.Weekday()]
}

// Date is a local day the way a seller reads it: "Thu 11/26" or "11/26(木)".
// The year appears only when it is not the year of now (zero now: never),
// which for a deadline is rare and worth pointing out.
func Date(t, now time.Time, lang string, loc *time.Location) string {
	t = t.In(loc)
	date := fmt.Sprintf("%d/%d", int(t.Month()), t.Day())
	if !now.IsZero() && t.Year() != now.In(loc).Year() {
		date = fmt.Sprintf("%d/%s", t.Year(), date)
	}
	day := For(lang).Time.Weekdays[t.Weekday()]
	if Language(lang) == Japanese {
		return date + "(" + day + ")"
	}
	return day + " " + date
}

// Stamp is Date with the local time: "Thu 11/26 18:00" or "11/26(木) 18:00".
func Stamp(t, now time.Time, lang string, loc *time.Location) string {
	if t.IsZero() {
		return "-"
	}
	return Date(t, now, lang, loc) + " " + t.In(loc).Format("15:04")
}

// when is stamp plus the time left (or overdue) counted from now.
func when(t, now time.Time, lang string, loc *time.Location) string {
	s := Stamp(t, now, lang, loc)
	if now.IsZero() || t.IsZero() {
		return s
	}
	return s + fmt.Sprintf(For(lang).Time.Paren, relative(t.Sub(now), lang))
}

// TimeLeft says how far away a deadline d ahead is, in lang: "1d 3h left",
// "overdue by 2h", "now" (`status` prints it beside the next deadline).
func TimeLeft(d time.Duration, lang string) string {
	return relative(d, Language(lang))
}

// relative says how far away an instant is: "1d 3h left", "overdue by 2h",
// "now". Precision drops as the span grows: nobody needs minutes three days out.
func relative(d time.Duration, lang string) string {
	w := &For(lang).Time
	past := d < 0
	if past {
		d = -d
	}
	if d < time.Minute {
		return w.Now
	}
	if past {
		return fmt.Sprintf(w.Overdue, span(d, lang))
	}
	return fmt.Sprintf(w.Left, span(d, lang))
}

// span formats a positive duration as days and hours, or hours and minutes
// under a day, or minutes under an hour.
func span(d time.Duration, lang string) string {
	w := &For(lang).Time
	d = d.Truncate(time.Minute)
	days := int(d / (24 * time.Hour))
	hours := int(d % (24 * time.Hour) / time.Hour)
	minutes := int(d % time.Hour / time.Minute)
	type part struct {
		n    int
		unit string
	}
	var parts []part
	switch {
	case days > 0:
		parts = []part{{days, w.Days}, {hours, w.Hours}}
	case hours > 0:
		parts = []part{{hours, w.Hours}, {minutes, w.Minutes}}
	default:
		parts = []part{{minutes, w.Minutes}}
	}
	var out []string
	for i, p := range parts {
		if p.n == 0 && i > 0 {
			continue
		}
		out = append(out, strconv.Itoa(p.n)+p.unit)
	}
	return strings.Join(out, w.UnitSep)
}

// offset formats a warn step's lead time: whole hours stay hours ("24h",
// "24時間") because that is how warn_before is written in the config.
func offset(d time.Duration, lang string) string {
	if d%time.Hour == 0 {
		return strconv.Itoa(int(d/time.Hour)) + For(lang).Time.Hours
	}
	return span(d, lang)
}

// stepNote says which send of an alert this is, so a repeat reads as a
// repeat and an early warning as early. The due step needs no note.
func stepNote(name, lang string) string {
	l := For(lang).Frame
	if rest, ok := strings.CutPrefix(name, "warn-"); ok {
		if d, err := time.ParseDuration(rest); err == nil && d > 0 {
			return fmt.Sprintf(l.warnNote, offset(d, lang))
		}
	}
	if rest, ok := strings.CutPrefix(name, "repeat-"); ok {
		if n, err := strconv.Atoi(rest); err == nil && n > 0 {
			return fmt.Sprintf(l.repeatNote, n)
		}
	}
	return ""
}

// linkable returns raw when it is an absolute http(s) URL, the only kind a
// backend should turn into a link.
func linkable(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	return raw
}

package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Layouts that carry their own offset; the configured timezone does not apply.
var offsetLayouts = []string{
	time.RFC3339, // also takes fractional seconds: time.Parse accepts them after ":05"
	"2006-01-02T15:04Z07:00",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04Z07:00",
}

// Layouts read in the configured timezone.
var localLayouts = []string{
	"2006-01-02 15:04",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04",
	"2006-01-02T15:04:05",
}

const dateLayout = "2006-01-02"

const timeForms = `use "2026-11-20 10:00" (seconds optional, "T" or a space between date and time; read in the config's timezone), ` +
	`"2026-11-20T10:00:00+09:00" (RFC 3339, explicit offset or Z) or a date "2026-11-30" (23:59 that day)`

// ParseTime reads an instant the way a seller writes it. A time without an
// offset is read in loc (UTC when nil); a date alone is 23:59 of that day,
// because a due date means "by the end of that day".
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	t, err := parseTime(s, loc)
	if err != nil {
		return time.Time{}, err
	}
	// Outside this range lie only typos, and zones' pre-1900 local mean
	// times with second offsets that RFC 3339 output cannot carry.
	if y := t.Year(); y < minYear || y > maxYear {
		return time.Time{}, fmt.Errorf("time %q is out of range: use a year from %d to %d", s, minYear, maxYear)
	}
	return t, nil
}

const minYear, maxYear = 1970, 2999

func parseTime(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	text := strings.TrimSpace(s)
	if text == "" {
		return time.Time{}, fmt.Errorf("empty time: %s", timeForms)
	}
	for _, layout := range offsetLayouts {
		if t, err := time.Parse(layout, text); err == nil {
			return t, nil
		}
	}
	for _, layout := range localLayouts {
		if t, err := time.ParseInLocation(layout, text, loc); err == nil {
			return t, nil
		}
	}
	if d, err := time.ParseInLocation(dateLayout, text, loc); err == nil {
		return time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 0, 0, loc), nil
	}
	return time.Time{}, fmt.Errorf("bad time %q: %s", s, timeForms)
}

const durationForms = `use Go units (90m, 72h, 1h30m) or days (90d, 1d12h)`

// ParseDuration reads Go durations plus a leading day count ("90d", "1d12h"),
// since platform rules are stated in days. "none" is not a duration: the
// config keys that can be switched off read it themselves (durationRule).
func ParseDuration(s string) (time.Duration, error) {
	d, err := parseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("bad duration %q: %s", s, durationForms)
	}
	return d, nil
}

var errDuration = errors.New("bad duration")

func parseDuration(text string) (time.Duration, error) {
	digits := 0
	for digits < len(text) && text[digits] >= '0' && text[digits] <= '9' {
		digits++
	}
	if digits == 0 || digits == len(text) || text[digits] != 'd' {
		return time.ParseDuration(text)
	}
	days, err := strconv.ParseInt(text[:digits], 10, 64)
	if err != nil || days > int64(math.MaxInt64/(24*time.Hour)) {
		return 0, errDuration
	}
	total := time.Duration(days) * 24 * time.Hour
	rest := text[digits+1:]
	if rest == "" {
		return total, nil
	}
	// "1d-5h" reads as a typo, not as 19h.
	if rest[0] == '-' || rest[0] == '+' {
		return 0, errDuration
	}
	extra, err := time.ParseDuration(rest)
	if err != nil || extra > math.MaxInt64-total {
		return 0, errDuration
	}
	return total + extra, nil
}

// parseClock reads "HH:MM" as an offset from local midnight.
func parseClock(s string) (time.Duration, error) {
	hh, mm, ok := strings.Cut(strings.TrimSpace(s), ":")
	if ok && len(hh) >= 1 && len(hh) <= 2 && len(mm) == 2 {
		h, errH := strconv.Atoi(hh)
		m, errM := strconv.Atoi(mm)
		if errH == nil && errM == nil && h >= 0 && h < 24 && m >= 0 && m < 60 && !strings.ContainsAny(hh+mm, "+-") {
			return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
		}
	}
	return 0, fmt.Errorf("bad time of day %q: use HH:MM, e.g. 08:30", s)
}

// parseWindow reads "HH:MM-HH:MM"; the window may wrap past midnight.
func parseWindow(s string) (start, end time.Duration, err error) {
	from, to, ok := strings.Cut(s, "-")
	if ok {
		start, errStart := parseClock(from)
		end, errEnd := parseClock(to)
		if errStart == nil && errEnd == nil {
			if start == end {
				return 0, 0, fmt.Errorf("quiet hours %q start and end at the same time; write \"\" for none", s)
			}
			return start, end, nil
		}
	}
	return 0, 0, fmt.Errorf("bad quiet hours %q: use HH:MM-HH:MM, e.g. 23:00-08:00, or \"\" for none", s)
}

package config

import (
	"strings"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	jst := func(day, hour, min, sec int) time.Time { return time.Date(2026, 11, day, hour, min, sec, 0, tokyo) }
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2026-11-20 10:00", jst(20, 10, 0, 0)},
		{"2026-11-20 10:00:30", jst(20, 10, 0, 30)},
		{"2026-11-20T10:00", jst(20, 10, 0, 0)},
		{"2026-11-20T10:00:30", jst(20, 10, 0, 30)},
		{"  2026-11-20 10:00  ", jst(20, 10, 0, 0)},
		{"2026-11-20T10:00:00+09:00", jst(20, 10, 0, 0)},
		{"2026-11-20T01:00:00Z", jst(20, 10, 0, 0)},
		{"2026-11-19T20:00:00-05:00", jst(20, 10, 0, 0)},
		{"2026-11-20T10:00+09:00", jst(20, 10, 0, 0)},
		{"2026-11-20 10:00+09:00", jst(20, 10, 0, 0)},
		{"2026-11-20 06:30:00+05:30", jst(20, 10, 0, 0)},
		{"2026-11-20T10:00:00.250+09:00", jst(20, 10, 0, 0).Add(250 * time.Millisecond)},
		// A date alone is the end of that day in the config's timezone.
		{"2026-11-30", time.Date(2026, 11, 30, 23, 59, 0, 0, tokyo)},
		{"2026-11-30", time.Date(2026, 11, 30, 14, 59, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in, tokyo)
		if err != nil {
			t.Errorf("ParseTime(%q): %v", tt.in, err)
			continue
		}
		if !got.Equal(tt.want) {
			t.Errorf("ParseTime(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	if got, _ := ParseTime("2026-11-20 10:00", tokyo); got.Location() != tokyo {
		t.Errorf("local form should carry the config's timezone, got %v", got.Location())
	}
	if got, _ := ParseTime("2026-11-20 10:00", nil); !got.Equal(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("nil location should mean UTC, got %v", got)
	}
}

func TestParseTimeErrors(t *testing.T) {
	for _, in := range []string{
		"", "tomorrow", "2026-11-31", "2026-02-29 10:00", "2026-11-20 24:00", "2026-11-20 10", "20-11-2026",
		"2026/11/20 10:00", "2026-11-20T10:00:00+25:00", "2026-11-20 10:00 JST", "1763600000",
	} {
		_, err := ParseTime(in, time.UTC)
		if err == nil {
			t.Errorf("ParseTime(%q) succeeded", in)
			continue
		}
		msg := err.Error()
		for _, form := range []string{"2026-11-20 10:00", "RFC 3339", "2026-11-30", "23:59"} {
			if !strings.Contains(msg, form) {
				t.Errorf("ParseTime(%q) error %q should name the accepted form %q", in, msg, form)
			}
		}
	}
}

func TestParseTimeRange(t *testing.T) {
	for _, in := range []string{"1969-12-31 10:00", "0000-01-01", "3000-01-01T00:00:00Z"} {
		if _, err := ParseTime(in, time.UTC); err == nil || !strings.Contains(err.Error(), "out of range") {
			t.Errorf("ParseTime(%q) = %v, want out of range", in, err)
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"72h", 72 * time.Hour},
		{"90m", 90 * time.Minute},
		{"1h30m", 90 * time.Minute},
		{"90d", 2160 * time.Hour},
		{"1d12h", 36 * time.Hour},
		{"7d30m", 168*time.Hour + 30*time.Minute},
		{"0d", 0},
		{"0", 0},
		{" 48h ", 48 * time.Hour},
		{"-1h", -time.Hour}, // the caller rejects negatives where they make no sense
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	// none is not a duration: the config keys that can be switched off read
	// it themselves, and a snooze of none makes no sense.
	for _, in := range []string{"none", "None", "", "72", "3days", "1.5d", "d", "1d-5h", "1dd", "-1d", "99999999999d", "106751d24h", "h72"} {
		if d, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", in, d)
		} else if !strings.Contains(err.Error(), "90d") {
			t.Errorf("ParseDuration(%q) error %q should name the accepted forms", in, err)
		}
	}
}

func TestParseClockAndWindow(t *testing.T) {
	if d, err := parseClock("8:05"); err != nil || d != 8*time.Hour+5*time.Minute {
		t.Errorf("parseClock(8:05) = %v, %v", d, err)
	}
	for _, in := range []string{"24:00", "08:60", "0800", "+8:00", "08:5", "-1:00", ""} {
		if _, err := parseClock(in); err == nil {
			t.Errorf("parseClock(%q) succeeded", in)
		}
	}
	start, end, err := parseWindow("23:00-08:00")
	if err != nil || start != 23*time.Hour || end != 8*time.Hour {
		t.Errorf("parseWindow = %v, %v, %v", start, end, err)
	}
}

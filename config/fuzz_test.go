package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

func FuzzParse(f *testing.F) {
	example, err := os.ReadFile("../config.example.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	for _, seed := range []string{
		"",
		"---\n...\n",
		"timezone: Asia/Tokyo\nrooms:\n  - {id: 1, opened: 2026-11-20}\n  - {id: 1, opened: 2026-11-21}\n",
		"policy: {warn_before: [24h, 3h, x], quiet_hours: 23:00-08:00, digest_at: 25:00}\n",
		"notifiers:\n  - {type: slack, token_file: /dev/null}\n  - {type: email}\n  - {type: ntfy, topic: \"a b\"}\nroutes: {critical: [x]}\n",
		"x-a: &a {buyer: b, <<: *a}\nrooms: [{<<: [*a, *a], id: a, opened: 2026-11-20}]\n",
		"rooms: &r [*r]\n",
		"profiles: {coconala: {auto_approval: none, rating_from_close: maybe}}\n",
		"store: ${\ncontrol: {http: \"[::1]:99999\", token: $${x}}\n",
		"a: [1, 2\n",
		"rooms:\n  - ? [complex, key]\n    : value\n",
		"language: ja\n---\nlanguage: en\n",
		"policy: {repeat_every: 1m, repeat_for: 48m, warn_before: none, check_in_every: none}\n",
		"profiles: {lancers: {room_limit: 7d1m}}\nnotifiers: [{name: c, type: console, timeout: 1s}]\n",
		"rooms:\n  - {id: a, opened: 2026-11-20 10:00, delivered: 2026-11-19, closed: 2026-11-18, cancelled: 2027-01-01, pushed_back: 2026-11-21}\n",
		"rooms: [{id: a, opened: 2026-11-20}, {id: b, opened: 2026-11-20}, {id: c, opened: 2026-11-20}, {id: d, opened: 2026-11-20}, {id: e, opened: 2026-11-20}, {id: f, opened: 2026-11-20}, {id: g, opened: 2026-11-20}]\n",
	} {
		f.Add([]byte(seed))
	}
	path := filepath.Join(f.TempDir(), "roomwatch.yaml")
	opt := Options{Now: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC), MaxRooms: 6} // the example file holds 6 rooms
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseWith(path, data, opt)
		if err != nil {
			var errs Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("Parse error %T %v, want non-empty Errors", err, err)
			}
			for _, e := range errs {
				if e.File != path || e.Line < 0 || e.Column < 0 || e.Msg == "" {
					t.Fatalf("malformed error %+v", e)
				}
			}
			return
		}
		if len(c.Notifiers) == 0 || c.Timezone == nil || c.Policy.Location != c.Timezone {
			t.Fatalf("incomplete config: %+v", c)
		}
		for severity, names := range c.Routes {
			for _, name := range names {
				if _, ok := c.NotifierByName(name); !ok {
					t.Fatalf("route %s names missing notifier %q", severity, name)
				}
			}
		}
		if len(c.Rooms) > opt.MaxRooms {
			t.Fatalf("%d rooms accepted, more than MaxRooms %d", len(c.Rooms), opt.MaxRooms)
		}
		if p := c.Policy; len(p.WarnBefore) > MaxWarnings || p.RepeatEvery > 0 && p.RepeatFor/p.RepeatEvery > MaxRepeats {
			t.Fatalf("policy past the limits accepted: %+v", p)
		}
		for _, w := range c.Warnings {
			if !w.Warning || w.File != path || w.Msg == "" {
				t.Fatalf("malformed warning %+v", w)
			}
		}
		limit := opt.Now.Add(FutureTolerance)
		for _, r := range c.Rooms {
			if _, ok := c.RoomPos[r.ID]; !ok || r.Opened.IsZero() {
				t.Fatalf("room %+v lacks a position or opened", r)
			}
			if len(r.ID) > MaxRoomIDBytes {
				t.Fatalf("room ID of %d bytes accepted", len(r.ID))
			}
			for _, kind := range rules.EventKinds {
				if e := r.Event(kind); e.After(limit) || !e.IsZero() && e.Before(r.Opened) {
					t.Fatalf("room %q: %s %s accepted (opened %s)", r.ID, kind, e, r.Opened)
				}
			}
			if _, ok := c.Profiles[r.Platform]; !ok {
				t.Fatalf("room %q has unknown platform %q", r.ID, r.Platform)
			}
		}
	})
}

func FuzzParseTime(f *testing.F) {
	for _, seed := range []string{
		"2026-11-20 10:00", "2026-11-20 10:00:30", "2026-11-20T10:00", "2026-11-20T10:00:00+09:00",
		"2026-11-20T01:00:00Z", "2026-11-30", "2026-11-20T10:00:00.123456789-05:00", "2026-02-30",
		"", "tomorrow", "9999-12-31", "0000-01-01 00:00",
	} {
		f.Add(seed)
	}
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTime(s, tokyo)
		if err != nil {
			return
		}
		// Whatever was accepted survives a round trip through RFC 3339,
		// the form plan --json prints.
		again, err := ParseTime(got.Format(time.RFC3339Nano), tokyo)
		if err != nil || !again.Equal(got) {
			t.Fatalf("ParseTime(%q) = %v; round trip gave %v, %v", s, got, again, err)
		}
	})
}

func FuzzParseDuration(f *testing.F) {
	for _, seed := range []string{"72h", "90d", "1d12h", "none", "0", "1d-5h", "106751d", "-3m"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := ParseDuration(s); err != nil && err.Error() == "" {
			t.Fatal("empty error message")
		}
	})
}

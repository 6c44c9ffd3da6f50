package main

// check refuses values that make no sense or cost unbounded work, and
// impossible room timelines, each printed with its place; run refuses the
// same file at start and starts on a valid one.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCheckRefusesEachBadValueWithItsPlace(t *testing.T) {
	dir := shortTempDir(t)
	cfg := filepath.Join(dir, "roomwatch.yaml")
	// A year typo a year from now, whatever day the test runs.
	nextYear := time.Now().AddDate(1, 0, 0).Format("2006-01-02 15:04")
	text := `timezone: Asia/Tokyo
language: en
policy:
  repeat_every: 10m
  check_in_every: 30s
  warn_before: [24h, 5s]
profiles:
  coconala:
    room_limit: 7d
    first_message: none
notifiers:
  - name: c
    type: console
    timeout: none
rooms:
  - id: "` + strings.Repeat("9", 129) + `"
    opened: 2026-11-20 10:00
  - id: "2"
    title: "` + strings.Repeat("t", 501) + `"
    buyer: "` + strings.Repeat("b", 501) + `"
    opened: 2026-11-20 10:00
  - id: "3"
    opened: 2026-11-20 10:00
    delivered: 2026-11-19 10:00
  - id: "4"
    opened: 2026-11-20 10:00
    delivered: 2026-11-25 10:00
    closed: 2026-11-24 10:00
  - id: "5"
    opened: 2026-11-20 10:00
    delivered: 2026-11-21 10:00
    closed: 2026-11-22 10:00
    cancelled: 2026-11-23 10:00
  - id: "6"
    opened: 2026-11-20 10:00
    seller_message: ` + nextYear + `
  - id: "7"
    opened: 2026-11-20 10:00
    pushed_back: 2026-11-22 10:00
`
	writeFile(t, cfg, text)
	want := []string{
		"4:17: repeat_for 1d / repeat_every 10m makes 144 repeats per alert; at most 48",
		"5:19: check_in_every: 30s is too short: use at least 1m, or none to switch it off",
		"6:22: warn_before: 5s is too short: use at least 1m, or none to switch it off",
		"9:17: room_limit: 7d is too short: use longer than 7d",
		"14:14: timeout cannot be none: use a duration of at least 1s",
		"16:9: room ID is 129 bytes long; at most 128",
		"19:12: title is 501 characters long; at most 500",
		"20:12: buyer is 501 characters long; at most 500",
		"24:16: delivered 2026-11-19 10:00 is before opened 2026-11-20 10:00",
		"28:13: closed 2026-11-24 10:00 is before delivered 2026-11-25 10:00",
		"33:16: the room is both closed (line 32) and cancelled",
		"36:21: seller_message " + nextYear + " is in the future",
		"39:18: warning: pushed_back without delivered",
	}
	for _, command := range []string{"check", "run"} {
		t.Run(command, func(t *testing.T) {
			out, code := run(t, "--config", cfg, command)
			if code != 1 {
				t.Fatalf("%s exited %d, want 1:\n%s", command, code, out)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != len(want) {
				t.Fatalf("want %d lines, got %d:\n%s", len(want), len(lines), out)
			}
			for i, w := range want {
				if !strings.HasPrefix(lines[i], cfg+":"+w) {
					t.Errorf("line %d = %q\nwant prefix %q", i+1, lines[i], cfg+":"+w)
				}
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "roomwatch.db")); err == nil {
		t.Error("run created a store although the configuration was refused")
	}
}

func TestMaxRoomsFlag(t *testing.T) {
	dir := shortTempDir(t)
	cfg := filepath.Join(dir, "roomwatch.yaml")
	var b strings.Builder
	b.WriteString("store: roomwatch.db\ncontrol:\n  socket: roomwatch.sock\nrooms:\n")
	for i := range 3 {
		fmt.Fprintf(&b, "  - {id: \"%d\", opened: 2026-11-20 10:00, seller_message: 2026-11-20 11:00}\n", i)
	}
	writeFile(t, cfg, b.String())
	if out, code := run(t, "--config", cfg, "check"); code != 0 || !strings.Contains(out, "3 rooms") {
		t.Errorf("check with the default limit exited %d: %s", code, out)
	}
	for _, command := range []string{"check", "run", "status"} {
		out, code := run(t, "--config", cfg, command, "--max-rooms", "2")
		want := cfg + ":7:5: 3 rooms in the file; at most 2 (--max-rooms)"
		if code != 1 || !strings.HasPrefix(out, want) {
			t.Errorf("%s --max-rooms 2 exited %d:\n%s\nwant %q", command, code, out, want)
		}
	}
	if out, code := run(t, "--config", cfg, "check", "--max-rooms", "0"); code != 2 || !strings.Contains(out, "--max-rooms must be at least 1") {
		t.Errorf("check --max-rooms 0 exited %d: %s", code, out)
	}
}

func TestCheckPrintsWarningsAndAccepts(t *testing.T) {
	dir := shortTempDir(t)
	cfg := filepath.Join(dir, "roomwatch.yaml")
	writeFile(t, cfg, "rooms:\n  - id: \"1\"\n    opened: 2026-11-20 10:00\n    pushed_back: 2026-11-22 10:00\n")
	out, code := run(t, "--config", cfg, "check")
	want := cfg + ":4:18: warning: pushed_back without delivered"
	if code != 0 || !strings.HasPrefix(out, want) || !strings.Contains(out, "ok, 1 room") {
		t.Errorf("check exited %d:\n%s\nwant the warning %q, then ok", code, out, want)
	}
}

// A file at the limits starts the daemon (READY), with the warnings of its
// timelines logged.
func TestRunStartsOnAValidFileAtTheLimits(t *testing.T) {
	dir := shortTempDir(t)
	cfg := filepath.Join(dir, "roomwatch.yaml")
	now := time.Now().In(time.FixedZone("JST", 9*3600))
	writeFile(t, cfg, `timezone: Asia/Tokyo
language: en
store: roomwatch.db
control:
  socket: roomwatch.sock
policy:
  repeat_every: 30m
  repeat_for: 24h
  check_in_every: none
  warn_before: none
profiles:
  coconala: {room_limit: 8d}
rooms:
  - id: "`+strings.Repeat("8", 128)+`"
    title: "`+strings.Repeat("題", 500)+`"
    opened: `+now.Add(-48*time.Hour).Format("2006-01-02 15:04")+`
    seller_message: `+now.Add(30*time.Minute).Format("2006-01-02 15:04")+`
  - id: "2"
    opened: `+now.Add(-48*time.Hour).Format("2006-01-02 15:04")+`
    pushed_back: `+now.Add(-time.Hour).Format("2006-01-02 15:04")+`
`)
	d := startDaemon(t, cfg)
	if out := d.out.String(); !strings.Contains(out, "pushed_back without delivered") {
		t.Errorf("the timeline warning was not logged:\n%s", out)
	}
	d.stop(t)
}

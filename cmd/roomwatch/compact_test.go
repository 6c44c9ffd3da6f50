package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A room cancelled longer ago than store.retention is pruned by the
// running daemon; history shows its summary, compact is refused while the
// daemon runs and rewrites the store once it is stopped, keeping the rest.
func TestPrunedRoomHistoryAndCompact(t *testing.T) {
	dir := shortTempDir(t)
	now := time.Now()
	var b strings.Builder
	b.WriteString("timezone: Asia/Tokyo\nlanguage: en\nstore:\n  path: roomwatch.db\n  retention: 180d\ncontrol:\n  socket: roomwatch.sock\nrooms:\n")
	fmt.Fprintf(&b, "  - id: \"old\"\n    title: Old logo\n    buyer: sakura\n    opened: %s\n    seller_message: %s\n    cancelled: %s\n",
		ts(now.Add(-300*24*time.Hour).Truncate(time.Minute)), ts(now.Add(-299*24*time.Hour).Truncate(time.Minute)), ts(now.Add(-250*24*time.Hour).Truncate(time.Minute)))
	fmt.Fprintf(&b, "  - id: \"live\"\n    title: New banner\n    buyer: kenta\n    opened: %s\n    seller_message: %s\n",
		ts(now.Add(-time.Hour).Truncate(time.Minute)), ts(now.Add(-30*time.Minute).Truncate(time.Minute)))
	cfg := filepath.Join(dir, "roomwatch.yaml")
	if err := os.WriteFile(cfg, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	// Two events recorded after the YAML's facts: the event log pruning
	// removes (the YAML's facts live in the room record and stay).
	for _, args := range [][]string{{"replied", "old", "--at", ts(now.Add(-298 * 24 * time.Hour).Truncate(time.Minute))}, {"buyer-rated", "old", "--at", ts(now.Add(-249 * 24 * time.Hour).Truncate(time.Minute))}} {
		if out, code := run(t, append([]string{"--config", cfg}, args...)...); code != 0 {
			t.Fatalf("%v (exit %d):\n%s", args, code, out)
		}
	}
	// Without a daemon nothing is pruned: history lists the events.
	out, code := run(t, "--config", cfg, "history", "old")
	if code != 0 || !strings.Contains(out, "cancelled") || !strings.Contains(out, "buyer_rated") || strings.Contains(out, "Pruned") {
		t.Fatalf("history before pruning (exit %d):\n%s", code, out)
	}

	d := startDaemon(t, cfg)
	out, code = run(t, "--config", cfg, "history", "old")
	if code != 0 || !strings.Contains(out, "Pruned ") || !strings.Contains(out, "events removed: 2,") || strings.Contains(out, "buyer_rated") {
		t.Fatalf("history of the pruned room (exit %d):\n%s\ndaemon:\n%s", code, out, d.out.String())
	}
	t.Logf("history old:\n%s", out)
	out, code = run(t, "--config", cfg, "history", "old", "--json")
	var h struct {
		Events []json.RawMessage `json:"events"`
		Pruned *struct {
			State  string    `json:"state"`
			Ended  time.Time `json:"ended"`
			Events int       `json:"events"`
		} `json:"pruned"`
	}
	if err := json.Unmarshal([]byte(out), &h); err != nil || code != 0 {
		t.Fatalf("history --json (exit %d): %v\n%s", code, err, out)
	}
	if h.Pruned == nil || h.Pruned.State != "cancelled" || h.Pruned.Events != 2 || len(h.Events) != 3 {
		t.Fatalf("history --json of the pruned room: %s", out)
	}

	out, code = run(t, "--config", cfg, "compact")
	if code != 2 || !strings.Contains(out, "stop it") {
		t.Fatalf("compact while the daemon runs (exit %d):\n%s", code, out)
	}
	d.stop(t)

	out, code = run(t, "--config", cfg, "compact")
	if code != 0 || !strings.Contains(out, "compacted "+filepath.Join(dir, "roomwatch.db")) || !strings.Contains(out, ") → ") {
		t.Fatalf("compact (exit %d):\n%s", code, out)
	}
	t.Logf("compact: %s", out)
	for _, leftover := range []string{"roomwatch.db.compacting", "roomwatch.db.before-compact"} {
		if _, err := os.Stat(filepath.Join(dir, leftover)); err == nil {
			t.Errorf("%s left behind", leftover)
		}
	}
	out, code = run(t, "--config", cfg, "history", "old")
	if code != 0 || !strings.Contains(out, "Pruned ") {
		t.Fatalf("history of the pruned room after compact (exit %d):\n%s", code, out)
	}
	out, code = run(t, "--config", cfg, "history", "live")
	if code != 0 || !strings.Contains(out, "seller_message") || strings.Contains(out, "Pruned") {
		t.Fatalf("history of the live room after compact (exit %d):\n%s", code, out)
	}
}

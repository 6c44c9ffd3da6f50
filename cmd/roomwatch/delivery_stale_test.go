package main

import (
	"strings"
	"testing"
	"time"
)

// With the daemon stopped, the seller writes and delivers from the command
// line: the may-cancel step the first event queued is obsolete by the
// second, and the next start must not send it, and say why.
func TestStaleStepQueuedWhileStoppedIsNotSent(t *testing.T) {
	hook := newWebhook(t)
	dir := shortTempDir(t)
	now := time.Now().Truncate(time.Second)
	// The seller wrote last, 99 h ago, in a room opened 100 h ago: the
	// buyer-unreachable reason (opened + 96 h) came due 4 h ago.
	stale := room{id: "9301", buyer: "tanaka", opened: now.Add(-100 * time.Hour), seller: now.Add(-99 * time.Hour)}
	// A room whose check-in is overdue: its alert marks the end of the
	// catch-up.
	marker := room{id: "9302", buyer: "sato", opened: now.Add(-81 * time.Hour), seller: now.Add(-80 * time.Hour)}
	cfg := writeConfig(t, dir, hook.URL, stale, marker)

	// The seller records a message of 90 h ago (a message sent now would
	// move may-cancel 72 h ahead: issue 19, rule 3), then the delivery.
	earlier := now.Add(-90 * time.Hour).Format("2006-01-02T15:04:05Z07:00")
	for _, args := range [][]string{{"sent", stale.id, "--at", earlier}, {"delivered", stale.id}} {
		if out, code := run(t, append([]string{"--config", cfg}, args...)...); code != 0 {
			t.Fatalf("%s exited %d with no daemon: %s", args[0], code, out)
		}
	}
	queued := history(t, cfg, stale.id)
	found := false
	for _, a := range queued.Alerts {
		if a.Kind == "may-cancel" && a.State == "queued" {
			found = true
		}
	}
	if !found {
		t.Fatalf("the scenario needs may-cancel queued by the command line; history: %+v", queued.Alerts)
	}

	d := startDaemon(t, cfg)
	hook.waitFor(t, "for the marker room's catch-up", 10*time.Second, mentions(marker.id))
	time.Sleep(500 * time.Millisecond)
	if n := hook.count(mentions(stale.id)); n != 0 {
		for _, p := range hook.all() {
			t.Logf("payload: %s", p.Text)
		}
		t.Fatalf("room %s alerted %d times after it was delivered", stale.id, n)
	}
	d.stop(t)

	h := history(t, cfg, stale.id)
	for _, a := range h.Alerts {
		if a.Kind != "may-cancel" {
			continue
		}
		if a.State != "obsolete" || !strings.Contains(a.Reason, "delivered") {
			t.Errorf("may-cancel in the ledger: state %s, reason %q; want obsolete because the room is delivered", a.State, a.Reason)
		}
	}
	out, code := run(t, "--config", cfg, "history", stale.id)
	if code != 0 || !strings.Contains(out, "obsolete") || !strings.Contains(out, "delivered") {
		t.Errorf("history does not say why may-cancel was not sent (exit %d):\n%s", code, out)
	}
}

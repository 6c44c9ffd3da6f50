package main

// The daemon reads the platform's mail from an IMAP account: a real IMAP
// server runs in the test's process, the daemon is the built binary.

import (
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/inbox/imaptest"
)

func imapConfig(now time.Time, addr string) string {
	host, port, _ := net.SplitHostPort(addr)
	return strings.Replace(ingestConfig(now), "rooms:\n", fmt.Sprintf(`inbox:
  host: %s
  port: %s
  tls: none
  username: %s
  password: %s
rooms:
`, host, port, imaptest.Username, imaptest.Password), 1)
}

// buyerWroteAt is the room's buyer_message as the CLI sees it (zero when unset).
func buyerWroteAt(t *testing.T, cfg, room string) time.Time {
	t.Helper()
	out, code := run(t, "--config", cfg, "status", room, "--json")
	if code != 0 {
		t.Fatalf("status exited %d: %s", code, out)
	}
	var st []roomStatus
	if err := json.Unmarshal([]byte(out), &st); err != nil || len(st) != 1 {
		t.Fatalf("status --json: %v\n%s", err, out)
	}
	return st[0].Events["buyer_message"]
}

func waitBuyerWrote(t *testing.T, cfg, room string, want time.Time, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		got := buyerWroteAt(t, cfg, room)
		if got.Equal(want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("room %s: buyer_message %s after %s, want %s", room, got, within, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func waitLog(t *testing.T, d *process, what string, count int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for strings.Count(d.out.String(), what) < count {
		if time.Now().After(deadline) {
			t.Fatalf("%q did not appear %d times within %s:\n%s", what, count, within, d.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func mailEvents(t *testing.T, cfg, room string) int {
	t.Helper()
	hist, _ := run(t, "--config", cfg, "history", room, "--json")
	return strings.Count(hist, `"source": "mail"`)
}

func TestDaemonReadsTheIMAPInbox(t *testing.T) {
	now := time.Now()
	srv := imaptest.New(t)
	cfg := writeFile(t, filepath.Join(shortTempDir(t), "roomwatch.yaml"), imapConfig(now, srv.Addr))

	d := startDaemon(t, cfg)
	waitLog(t, d, "inbox: watching", 1, 5*time.Second)

	// Appended while the daemon runs: recorded within 5 s, at the mail's time.
	first := now.Add(-time.Hour).Truncate(time.Second)
	srv.Deliver(t, buyerMessageMail("imap-1@mail.coconala.example", "4200001", first), now)
	waitBuyerWrote(t, cfg, "4200001", first, 5*time.Second)

	// The server drops the connection: the daemon reconnects and goes on.
	srv.DropConnections()
	waitLog(t, d, "inbox: watching", 2, 10*time.Second)
	second := now.Add(-50 * time.Minute).Truncate(time.Second)
	srv.Deliver(t, buyerMessageMail("imap-2@mail.coconala.example", "4200001", second), time.Now())
	waitBuyerWrote(t, cfg, "4200001", second, 5*time.Second)
	d.stop(t)

	// Arriving while the daemon is stopped: recorded at start, each with
	// its own time; nothing read before is recorded again.
	third := now.Add(-40 * time.Minute).Truncate(time.Second)
	srv.Deliver(t, buyerMessageMail("imap-3@mail.coconala.example", "4200002", third), time.Now())
	d = startDaemon(t, cfg)
	waitLog(t, d, "inbox: watching", 1, 5*time.Second)
	waitBuyerWrote(t, cfg, "4200002", third, 5*time.Second)
	if n := mailEvents(t, cfg, "4200001"); n != 2 {
		t.Errorf("room 4200001 has %d events from mail after the restart, want 2", n)
	}
	if n := mailEvents(t, cfg, "4200002"); n != 1 {
		t.Errorf("room 4200002 has %d events from mail, want 1", n)
	}
	if strings.Contains(d.out.String(), "app-password") {
		t.Error("the IMAP password reached the log")
	}
	d.stop(t)
}

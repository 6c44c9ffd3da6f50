package main

// A reload whose catch-up fails keeps the last good configuration in force:
// its language, its rooms and its timers; the seller gets one warning.

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestFailedReloadKeepsTheOldConfigInForce(t *testing.T) {
	hook := newWebhook(t)
	dir := shortTempDir(t)
	// Room 8001 is in both files; its first-message deadline falls after
	// the reload. Room 8002 is only in the edit.
	kept := firstMessageDueIn("8001", 6*time.Second)
	added := firstMessageDueIn("8002", 6*time.Second)
	cfg := writeConfig(t, dir, hook.URL, kept)
	t.Setenv("ROOMWATCH_TEST_RELOAD_FAULT", "catch-up")
	d := startDaemon(t, cfg)

	good, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(good), "language: en", "language: ja", 1) + added.yaml()
	if err := os.WriteFile(cfg, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	warn := hook.waitFor(t, "warning about the configuration not put in force", 5*time.Second, func(p payload) bool {
		return strings.Contains(p.Text, "could not be put in force")
	})
	if !strings.Contains(warn.Raw, "injected failure") {
		t.Errorf("the warning does not say what failed: %s", warn.Raw)
	}

	p := hook.waitFor(t, "for the kept room 8001", 10*time.Second, mentions("8001"))
	if !strings.Contains(p.Text, "first message") || strings.Contains(p.Text, "最初のメッセージ") {
		t.Errorf("the alert is not in the last good configuration's language (en): %s", p.Text)
	}
	// Room 8002's deadline has passed too: the failed configuration's room
	// has no timer and no alert.
	time.Sleep(time.Until(added.opened.Add(48*time.Hour)) + 1500*time.Millisecond)
	if n := hook.count(mentions("8002")); n != 0 {
		t.Errorf("room 8002 of the failed configuration alerted %d times", n)
	}
	if n := hook.count(func(p payload) bool { return strings.Contains(p.Text, "could not be put in force") }); n != 1 {
		t.Errorf("%d warnings, want one", n)
	}
	select {
	case err := <-d.exited:
		t.Fatalf("the daemon exited after the failed reload: %v", err)
	default:
	}
	d.stop(t)
}

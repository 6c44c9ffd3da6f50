package main

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/store"
)

// complete asks the binary what the shell should offer, the way cobra's
// generated scripts do, and returns the offers without the directive line.
func complete(t *testing.T, args ...string) []string {
	t.Helper()
	out, code := run(t, append([]string{"__complete"}, args...)...)
	if code != 0 {
		t.Fatalf("__complete %v exited %d:\n%s", args, code, out)
	}
	var offers []string
	directive := ""
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		switch {
		case strings.HasPrefix(line, ":"):
			directive = line
		case strings.HasPrefix(line, "Completion ended"):
		default:
			offers = append(offers, line)
		}
	}
	// 4 is ShellCompDirectiveNoFileComp: never file names for a room.
	if directive != ":4" {
		t.Errorf("directive is %q, not NoFileComp:\n%s", directive, out)
	}
	return offers
}

const completeConfig = `timezone: Asia/Tokyo
language: en
store: roomwatch.db
notifiers:
  - {name: phone, type: slack, webhook_url: "https://hooks.slack.com/services/x"}
  - {name: console, type: console}
control:
  socket: roomwatch.sock
rooms:
  - {id: "4012345", title: Blog posts x5, opened: 2026-11-20 10:00}
  - {id: "4019999", title: Logo, opened: 2026-11-20 10:00}
  - {id: "5000001", opened: 2026-11-20 10:00}
`

func completeSetup(t *testing.T) (cfg, storePath string) {
	t.Helper()
	dir := shortTempDir(t)
	cfg = writeFile(t, filepath.Join(dir, "roomwatch.yaml"), completeConfig)
	if err := os.Chmod(cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg, filepath.Join(dir, "roomwatch.db")
}

func TestCompletionOffersRoomIDsFromConfigAndStore(t *testing.T) {
	cfg, storePath := completeSetup(t)
	// A room only the store knows, as platform mail creates one.
	st, err := store.Open(storePath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ImportRooms([]rules.Room{{ID: "4015555", Title: "From mail", Opened: time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)}}, "mail", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	before := fileSum(t, storePath)

	got := complete(t, "--config", cfg, "sent", "401")
	want := []string{"4012345\tBlog posts x5", "4015555\tFrom mail", "4019999\tLogo"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("sent 401<Tab> offers %q, want %q", got, want)
	}
	if got := complete(t, "--config", cfg, "history", ""); len(got) != 4 {
		t.Errorf("history <Tab> offers %q, want all four rooms", got)
	}
	if got := complete(t, "--config", cfg, "sent", "4012345", ""); len(got) != 0 {
		t.Errorf("a second argument of sent offers %q", got)
	}
	if fileSum(t, storePath) != before {
		t.Error("completion changed the store")
	}
}

func TestCompletionOffersKindsAndNotifiers(t *testing.T) {
	cfg, _ := completeSetup(t)
	if got := complete(t, "--config", cfg, "ack", "4012345", "c"); strings.Join(got, " ") != "check-in cancel-risk cancel-request" {
		t.Errorf("ack ROOM c<Tab> offers %q", got)
	}
	if got := complete(t, "--config", cfg, "ack", "40"); len(got) != 2 {
		t.Errorf("ack 40<Tab> offers %q, want the two rooms", got)
	}
	if got := complete(t, "--config", cfg, "notify-test", ""); strings.Join(got, "|") != "phone\tslack|console\tconsole" {
		t.Errorf("notify-test <Tab> offers %q", got)
	}
	// No store yet: completion does not create one.
	if _, err := os.Stat(filepath.Join(filepath.Dir(cfg), "roomwatch.db")); !os.IsNotExist(err) {
		t.Errorf("completion created the store: %v", err)
	}
	// A broken config completes nothing and prints no error into the line.
	bad := writeFile(t, filepath.Join(t.TempDir(), "bad.yaml"), "rooms: [\n")
	if got := complete(t, "--config", bad, "sent", ""); len(got) != 0 {
		t.Errorf("a broken config offers %q", got)
	}
}

// A store locked by a daemon whose socket does not answer (starting, or
// stuck) gives the YAML's rooms at once, and the lock holder loses nothing.
func TestCompletionWithALockedStoreIsQuick(t *testing.T) {
	cfg, storePath := completeSetup(t)
	st, err := store.Open(storePath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Now()
	got := complete(t, "--config", cfg, "sent", "")
	if len(got) != 3 {
		t.Errorf("offers %q, want the three rooms of the YAML", got)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("completion took %v against a locked store", took)
	}
	if _, err := st.CountRooms(); err != nil {
		t.Errorf("the holder's store broke: %v", err)
	}
}

// With the daemon running, completion asks it over the socket, and the
// daemon's GET /v1/status names its build in a header.
func TestCompletionAndVersionWithARunningDaemon(t *testing.T) {
	cfg, _ := completeSetup(t)
	d := startDaemon(t, cfg)
	if got := complete(t, "--config", cfg, "snooze", "5"); strings.Join(got, "|") != "5000001" {
		t.Errorf("snooze 5<Tab> offers %q with a daemon", got)
	}
	if !strings.Contains(d.out.String(), "roomwatch starting") || !strings.Contains(d.out.String(), `build="roomwatch `) {
		t.Errorf("the daemon's log does not start with its version:\n%s", d.out.String())
	}
	sock := filepath.Join(filepath.Dir(cfg), "roomwatch.sock")
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}}
	resp, err := client.Get("http://roomwatch/v1/status")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if v := resp.Header.Get("Roomwatch-Version"); !strings.HasPrefix(v, "roomwatch ") || !strings.Contains(v, "go1.") {
		t.Errorf("Roomwatch-Version header is %q", v)
	}
}

func TestVersionCommandAndFlagAgree(t *testing.T) {
	cmdOut, code := run(t, "version")
	if code != 0 {
		t.Fatalf("version exited %d: %s", code, cmdOut)
	}
	flagOut, code := run(t, "--version")
	if code != 0 || flagOut != cmdOut {
		t.Errorf("--version printed %q (exit %d), version %q", flagOut, code, cmdOut)
	}
	if !strings.HasPrefix(cmdOut, "roomwatch ") || !strings.Contains(cmdOut, "commit ") || !strings.Contains(cmdOut, "go1.") {
		t.Errorf("version printed %q", cmdOut)
	}
}

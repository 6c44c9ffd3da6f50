package main

// Command-line tests without a daemon: the built binary opens the store
// directly. Every refused request exits 2 with one line and writes nothing.

import (
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// run runs the binary and returns its output and exit code.
func run(t *testing.T, args ...string) (string, int) {
	t.Helper()
	out, err := exec.Command(binary, args...).CombinedOutput()
	return string(out), exitCode(err)
}

const cliConfig = `timezone: Asia/Tokyo
language: en
store: roomwatch.db
control:
  socket: roomwatch.sock
rooms:
  - id: "4012345"
    title: Blog posts x5
    buyer: tanaka
    opened: 2026-11-20 10:00
    seller_message: 2026-11-20 11:00
    buyer_message: 2026-11-20 12:00
`

func cliSetup(t *testing.T) string {
	t.Helper()
	dir := shortTempDir(t)
	cfg := filepath.Join(dir, "roomwatch.yaml")
	if err := os.WriteFile(cfg, []byte(cliConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg
}

type roomStatus struct {
	Room   string               `json:"room"`
	State  string               `json:"state"`
	Events map[string]time.Time `json:"events"`
	Alerts []struct {
		Kind     string    `json:"kind"`
		Deadline time.Time `json:"deadline"`
	} `json:"alerts"`
}

func deadlineOf(st roomStatus, kind string) time.Time {
	for _, a := range st.Alerts {
		if a.Kind == kind {
			return a.Deadline
		}
	}
	return time.Time{}
}

func TestSentMovesTheCheckInWithoutADaemon(t *testing.T) {
	cfg := cliSetup(t)
	out, code := run(t, "--config", cfg, "sent", "4012345", "--at", "2026-11-21 09:00")
	if code != 0 {
		t.Fatalf("sent exited %d: %s", code, out)
	}
	if !strings.Contains(out, "seller_message recorded at 2026-11-21 09:00") {
		t.Errorf("sent printed %q", out)
	}
	out, code = run(t, "--config", cfg, "status", "--json")
	if code != 0 {
		t.Fatalf("status exited %d: %s", code, out)
	}
	var rooms []roomStatus
	if err := json.Unmarshal([]byte(out), &rooms); err != nil || len(rooms) != 1 {
		t.Fatalf("status --json: %v\n%s", err, out)
	}
	jst := time.FixedZone("JST", 9*3600)
	if got, want := rooms[0].Events["seller_message"], time.Date(2026, 11, 21, 9, 0, 0, 0, jst); !got.Equal(want) {
		t.Errorf("seller_message = %s, want %s", got, want)
	}
	if got, want := deadlineOf(rooms[0], "check-in"), time.Date(2026, 11, 24, 9, 0, 0, 0, jst); !got.Equal(want) {
		t.Errorf("check-in deadline = %s, want %s (moved from 11/23 11:00)", got, want)
	}
	// The seller wrote last now: cancel-risk is gone.
	if d := deadlineOf(rooms[0], "cancel-risk"); !d.IsZero() {
		t.Errorf("cancel-risk still live after the seller's message: %s", d)
	}
	if !strings.HasSuffix(strings.TrimSpace(out), "]") || !strings.Contains(out, "+09:00") {
		t.Errorf("status --json times should carry the +09:00 offset:\n%s", out)
	}

	out, code = run(t, "--config", cfg, "history", "4012345")
	if code != 0 || !strings.Contains(out, "seller_message") || !strings.Contains(out, "cli") {
		t.Errorf("history exited %d:\n%s", code, out)
	}
}

func TestEventCommandsRefuseBadInput(t *testing.T) {
	cfg := cliSetup(t)
	store := filepath.Join(filepath.Dir(cfg), "roomwatch.db")
	// Create the store with one good event, then remember its bytes.
	if out, code := run(t, "--config", cfg, "replied", "4012345", "--at", "2026-11-20 13:00"); code != 0 {
		t.Fatalf("replied exited %d: %s", code, out)
	}
	before := fileSum(t, store)
	future := time.Now().Add(time.Hour).In(time.FixedZone("JST", 9*3600)).Format("2006-01-02 15:04")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown room", []string{"sent", "999"}, `unknown room "999"`},
		{"bad --at", []string{"sent", "4012345", "--at", "yesterday"}, "--at"},
		{"a date that does not exist", []string{"delivered", "4012345", "--at", "2026-02-30 10:00"}, "--at"},
		{"time in the future", []string{"sent", "4012345", "--at", future}, "in the future"},
		{"no room", []string{"sent"}, "takes one room ID"},
		{"two rooms", []string{"closed", "1", "2"}, "takes one room ID"},
		{"ack an unknown kind", []string{"ack", "4012345", "nosuch"}, "unknown alert kind"},
		{"ack a once-only kind", []string{"ack", "4012345", "check-in"}, "no repeats"},
		{"snooze a bad duration", []string{"snooze", "4012345", "soon"}, "snooze"},
		{"snooze too long", []string{"snooze", "4012345", "30d"}, "between"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, code := run(t, append([]string{"--config", cfg}, c.args...)...)
			if code != 2 {
				t.Errorf("exit %d, want 2: %s", code, out)
			}
			if !strings.Contains(out, c.want) {
				t.Errorf("output %q does not say %q", out, c.want)
			}
			if n := strings.Count(strings.TrimSpace(out), "\n"); n != 0 {
				t.Errorf("want one line, got %d:\n%s", n+1, out)
			}
		})
	}
	if after := fileSum(t, store); after != before {
		t.Errorf("the store changed although every request was refused")
	}
}

func TestCorruptStoreIsReportedAndLeftAlone(t *testing.T) {
	cfg := cliSetup(t)
	store := filepath.Join(filepath.Dir(cfg), "roomwatch.db")
	junk := []byte(strings.Repeat("not a database ", 1000))
	if err := os.WriteFile(store, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	before := fileSum(t, store)
	out, code := run(t, "--config", cfg, "sent", "4012345")
	if code != 1 || !strings.Contains(out, "corrupt") || !strings.Contains(out, store) {
		t.Errorf("exit %d, output %q: want exit 1 naming the file as corrupt", code, out)
	}
	if fileSum(t, store) != before {
		t.Error("the corrupt store was modified")
	}
}

func TestCheckPrintsEveryErrorWithItsPlace(t *testing.T) {
	dir := shortTempDir(t)
	cfg := filepath.Join(dir, "roomwatch.yaml")
	bad := `timezone: Asia/Tokyo
policy:
  check_in_evry: 72h
  repeat_every: 2 hours
rooms:
  - id: "1"
    opened: 2026-11-20 10:00
  - id: "1"
    opened: 2026-11-21 10:00
`
	if err := os.WriteFile(cfg, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	out, code := run(t, "--config", cfg, "check")
	if code != 1 {
		t.Fatalf("check exited %d, want 1:\n%s", code, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := []string{cfg + ":3:3: ", cfg + ":4:17: ", cfg + ":8:9: "}
	if len(lines) != len(want) {
		t.Fatalf("want %d error lines, got:\n%s", len(want), out)
	}
	for i, prefix := range want {
		if !strings.HasPrefix(lines[i], prefix) {
			t.Errorf("line %d = %q, want it to start with %q", i+1, lines[i], prefix)
		}
	}
	if !strings.Contains(out, "check_in_evry") || !strings.Contains(out, "duplicate room ID") {
		t.Errorf("errors do not name the typo and the duplicate:\n%s", out)
	}

	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte(cliConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	out, code = run(t, "--config", good, "check")
	if code != 0 || !strings.Contains(out, "1 room") || !strings.Contains(out, "Asia/Tokyo") {
		t.Errorf("check on a good file exited %d: %s", code, out)
	}
}

func TestNotifyTestReportsEachNotifier(t *testing.T) {
	var requests atomic.Int32 // the handler runs on the server's goroutine
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Write([]byte("ok"))
	}))
	defer ok.Close()
	gone := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no_service", http.StatusNotFound)
	}))
	defer gone.Close()
	dir := shortTempDir(t)
	cfg := filepath.Join(dir, "roomwatch.yaml")
	body := "notifiers:\n" +
		"  - name: phone\n    type: slack\n    webhook_url: " + ok.URL + "/hook/SECRETPART\n" +
		"  - name: old\n    type: slack\n    webhook_url: " + gone.URL + "/hook/OTHERSECRET\n"
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	out, code := run(t, "--config", cfg, "notify-test", "phone")
	if n := requests.Load(); code != 0 || !strings.Contains(out, "phone: ok") || n != 1 {
		t.Errorf("notify-test phone exited %d (%d requests): %s", code, n, out)
	}
	out, code = run(t, "--config", cfg, "notify-test")
	if code != 1 || !strings.Contains(out, "phone: ok") || !strings.Contains(out, "old: FAILED") {
		t.Errorf("notify-test exited %d, want 1 with one failure: %s", code, out)
	}
	if strings.Contains(out, "SECRET") {
		t.Errorf("a webhook URL leaked into the output: %s", out)
	}
	out, code = run(t, "--config", cfg, "notify-test", "nosuch")
	if code != 2 || !strings.Contains(out, `no notifier named "nosuch"`) {
		t.Errorf("notify-test nosuch exited %d: %s", code, out)
	}
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestPlanJSONEmptyIsAnArray: a plan with nothing to send prints [], not
// null, so a script can iterate it without a special case.
func TestPlanJSONEmptyIsAnArray(t *testing.T) {
	cfg := cliSetup(t)
	// Long after every deadline of the room (its 120-day limit included).
	out, code := run(t, "--config", cfg, "plan", "--json", "--now", "2027-12-01 00:00")
	if code != 0 {
		t.Fatalf("plan exited %d: %s", code, out)
	}
	if strings.TrimSpace(out) != "[]" {
		t.Errorf("plan --json with nothing ahead printed %q, want []", out)
	}
}

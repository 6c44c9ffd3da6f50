package main

// End-to-end tests: build the roomwatch binary, run it as a daemon against a
// real local Slack webhook (httptest) and a NOTIFY_SOCKET, and drive it the
// way a seller and systemd would. Deadlines are set a few seconds after
// start, so each test runs in real time but briefly.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "roomwatch-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "roomwatch")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building roomwatch:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// webhook is a local Slack incoming-webhook endpoint that records payloads.
type webhook struct {
	*httptest.Server
	mu       sync.Mutex
	payloads []payload
	arrived  chan struct{}
}

type payload struct {
	Text string `json:"text"`
	At   time.Time
	Raw  string
}

func newWebhook(t *testing.T) *webhook {
	w := &webhook{arrived: make(chan struct{}, 100)}
	w.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var p payload
		if err := json.Unmarshal(body, &p); err != nil {
			t.Errorf("webhook got a body that is not JSON: %q", body)
		}
		p.At, p.Raw = time.Now(), string(body)
		w.mu.Lock()
		w.payloads = append(w.payloads, p)
		w.mu.Unlock()
		w.arrived <- struct{}{}
		rw.Write([]byte("ok"))
	}))
	t.Cleanup(w.Close)
	return w
}

func (w *webhook) all() []payload {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]payload(nil), w.payloads...)
}

// waitFor waits until a payload satisfying match arrives, and returns it.
func (w *webhook) waitFor(t *testing.T, what string, timeout time.Duration, match func(payload) bool) payload {
	t.Helper()
	deadline := time.After(timeout)
	for {
		for _, p := range w.all() {
			if match(p) {
				return p
			}
		}
		select {
		case <-w.arrived:
		case <-deadline:
			t.Fatalf("no webhook payload %s within %s; got %d payloads: %v", what, timeout, len(w.all()), w.all())
		}
	}
}

func (w *webhook) count(match func(payload) bool) int {
	n := 0
	for _, p := range w.all() {
		if match(p) {
			n++
		}
	}
	return n
}

func mentions(room string) func(payload) bool {
	return func(p payload) bool { return strings.Contains(p.Text, room) }
}

// daemon is one running roomwatch process.
type process struct {
	cmd    *exec.Cmd
	out    *syncBuffer
	notify *net.UnixConn
	exited chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startDaemon runs `roomwatch run [args]` and waits for READY=1 on its NOTIFY_SOCKET.
func startDaemon(t *testing.T, cfg string, args ...string) *process {
	t.Helper()
	sock := filepath.Join(shortTempDir(t), "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	d := &process{out: &syncBuffer{}, notify: conn, exited: make(chan error, 1)}
	d.cmd = exec.Command(binary, append([]string{"--config", cfg, "run"}, args...)...)
	d.cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sock, "ROOMWATCH_LOG_LEVEL=debug")
	d.cmd.Stdout, d.cmd.Stderr = d.out, d.out
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.exited <- d.cmd.Wait() }()
	t.Cleanup(func() {
		if d.cmd.ProcessState == nil {
			d.cmd.Process.Kill()
			<-d.exited
		}
		conn.Close()
		if t.Failed() {
			t.Logf("daemon output:\n%s", d.out.String())
		}
	})
	if !d.waitNotify(t, "READY=1", 15*time.Second) {
		t.Fatalf("no READY=1 on NOTIFY_SOCKET; output:\n%s", d.out.String())
	}
	return d
}

// waitNotify reads the notify socket until a datagram contains want.
func (d *process) waitNotify(t *testing.T, want string, timeout time.Duration) bool {
	t.Helper()
	deadline := time.Now().Add(timeout)
	buf := make([]byte, 4096)
	for time.Now().Before(deadline) {
		d.notify.SetReadDeadline(deadline)
		n, err := d.notify.Read(buf)
		if err != nil {
			return false
		}
		if strings.Contains(string(buf[:n]), want) {
			return true
		}
	}
	return false
}

// stop sends SIGTERM and checks the daemon exits 0 within 2 s.
func (d *process) stop(t *testing.T) {
	t.Helper()
	start := time.Now()
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-d.exited:
		if err != nil {
			t.Fatalf("daemon exited with %v after SIGTERM; output:\n%s", err, d.out.String())
		}
	case <-time.After(2 * time.Second):
		t.Fatalf("daemon still running 2s after SIGTERM; output:\n%s", d.out.String())
	}
	t.Logf("stopped in %s", time.Since(start).Round(time.Millisecond))
}

// shortTempDir is a temp folder with a short path: unix socket paths must
// stay under 108 bytes, which t.TempDir() can exceed.
func shortTempDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "rw")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// ts writes an instant the way a seller would in YAML, with its offset.
func ts(t time.Time) string { return t.Format(time.RFC3339) }

type room struct {
	id, buyer string
	opened    time.Time
	seller    time.Time
}

func (r room) yaml() string {
	s := fmt.Sprintf("  - id: %q\n    title: order %s\n    buyer: %s\n    opened: %s\n", r.id, r.id, r.buyer, ts(r.opened))
	if !r.seller.IsZero() {
		s += fmt.Sprintf("    seller_message: %s\n", ts(r.seller))
	}
	return s
}

func writeConfig(t *testing.T, dir, hook string, rooms ...room) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "timezone: Asia/Tokyo\nlanguage: en\nstore: roomwatch.db\n")
	fmt.Fprintf(&b, "notifiers:\n  - name: phone\n    type: slack\n    webhook_url: %s\n", hook)
	fmt.Fprintf(&b, "control:\n  socket: roomwatch.sock\n")
	b.WriteString("rooms:\n")
	for _, r := range rooms {
		b.WriteString(r.yaml())
	}
	path := filepath.Join(dir, "roomwatch.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// firstMessageDueIn is a room just opened whose 48-hour first-message
// deadline falls d from now.
func firstMessageDueIn(id string, d time.Duration) room {
	return room{id: id, buyer: "buyer-" + id, opened: time.Now().Add(-48*time.Hour + d).Truncate(time.Second)}
}

func TestDaemonSendsOnTimeOnceAcrossRestarts(t *testing.T) {
	hook := newWebhook(t)
	dir := shortTempDir(t)
	onTime := firstMessageDueIn("5001", 3*time.Second)
	// A check-in that falls due while the daemon is stopped.
	whileDown := room{id: "5002", buyer: "sato", opened: time.Now().Add(-80 * time.Hour), seller: time.Now().Add(-72*time.Hour + 6*time.Second).Truncate(time.Second)}
	cfg := writeConfig(t, dir, hook.URL, onTime, whileDown)

	d := startDaemon(t, cfg)
	due := onTime.opened.Add(48 * time.Hour)
	p := hook.waitFor(t, "for room 5001", 10*time.Second, mentions("5001"))
	if late := p.At.Sub(due); late < -100*time.Millisecond || late > 1500*time.Millisecond {
		t.Errorf("room 5001's first-message arrived %s after its deadline, want within 1.5s", late)
	}
	if !strings.Contains(p.Raw, "first") {
		t.Errorf("payload does not name the first-message alert: %s", p.Raw)
	}
	d.stop(t)

	// The check-in of 5002 comes due while nothing runs.
	checkIn := whileDown.seller.Add(72 * time.Hour)
	time.Sleep(time.Until(checkIn) + 500*time.Millisecond)
	if n := hook.count(mentions("5002")); n != 0 {
		t.Fatalf("room 5002 alerted %d times while the daemon was stopped", n)
	}

	started := time.Now()
	d = startDaemon(t, cfg)
	p = hook.waitFor(t, "for room 5002 after the restart", 5*time.Second, mentions("5002"))
	if wait := p.At.Sub(started); wait > 3*time.Second {
		t.Errorf("the missed check-in arrived %s after the start", wait)
	}
	// Nothing is sent twice: give the daemon a moment to misbehave.
	time.Sleep(1500 * time.Millisecond)
	if n := hook.count(mentions("5001")); n != 1 {
		t.Errorf("room 5001 alerted %d times across the restart, want 1", n)
	}
	if n := hook.count(mentions("5002")); n != 1 {
		t.Errorf("room 5002 alerted %d times, want 1", n)
	}
	d.stop(t)
}

func TestDaemonReloadsEditedConfig(t *testing.T) {
	hook := newWebhook(t)
	dir := shortTempDir(t)
	quiet := room{id: "6001", buyer: "kato", opened: time.Now().Add(-time.Hour), seller: time.Now().Add(-time.Hour)}
	cfg := writeConfig(t, dir, hook.URL, quiet)
	d := startDaemon(t, cfg)

	// A broken edit: the daemon keeps running on the last good file and
	// sends one warning.
	good, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(good), "buyer: kato", "buyr: kato", 1)
	if err := os.WriteFile(cfg, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	warn := hook.waitFor(t, "warning about the broken configuration", 5*time.Second, func(p payload) bool {
		return strings.Contains(p.Text, "configuration")
	})
	if !strings.Contains(warn.Raw, "buyr") {
		t.Errorf("the warning does not name the bad key: %s", warn.Raw)
	}
	select {
	case err := <-d.exited:
		t.Fatalf("the daemon exited on a broken configuration: %v", err)
	default:
	}

	// Appending a room with a deadline 3 s away schedules it without a restart.
	added := firstMessageDueIn("6002", 3*time.Second)
	if err := os.WriteFile(cfg, []byte(string(good)+added.yaml()), 0o600); err != nil {
		t.Fatal(err)
	}
	p := hook.waitFor(t, "for the appended room 6002", 10*time.Second, mentions("6002"))
	if late := p.At.Sub(added.opened.Add(48 * time.Hour)); late > 1500*time.Millisecond {
		t.Errorf("the appended room alerted %s late", late)
	}
	if n := hook.count(mentions("6001")); n != 0 {
		t.Errorf("the untouched room 6001 alerted %d times", n)
	}
	d.stop(t)
}

func TestDaemonRecordsEventsOverTheSocket(t *testing.T) {
	hook := newWebhook(t)
	dir := shortTempDir(t)
	r := room{id: "7001", buyer: "ito", opened: time.Now().Add(-10 * time.Hour), seller: time.Now().Add(-9 * time.Hour).Truncate(time.Minute)}
	cfg := writeConfig(t, dir, hook.URL, r)
	plan := func() string {
		out, err := exec.Command(binary, "--config", cfg, "plan", "--json", "--now", ts(r.seller)).CombinedOutput()
		if err != nil {
			t.Fatalf("plan: %v\n%s", err, out)
		}
		return string(out)
	}
	stopped := plan()

	d := startDaemon(t, cfg)
	if running := plan(); running != stopped {
		t.Errorf("plan differs with the daemon running:\n%s\nvs stopped:\n%s", running, stopped)
	}
	sentAt := time.Now().Add(-time.Minute).Truncate(time.Minute)
	// stdout is the JSON alone; where the event went is said on stderr.
	sent := exec.Command(binary, "--config", cfg, "sent", "7001", "--at", ts(sentAt), "--json")
	var stderr bytes.Buffer
	sent.Stderr = &stderr
	out, err := sent.Output()
	if err != nil {
		t.Fatalf("sent: %v\n%s%s", err, out, stderr.String())
	}
	var st struct {
		Events map[string]time.Time `json:"events"`
		Alerts []struct {
			Kind     string    `json:"kind"`
			Deadline time.Time `json:"deadline"`
		} `json:"alerts"`
	}
	if err := json.Unmarshal(out, &st); err != nil {
		t.Fatalf("sent --json: %v\n%s", err, out)
	}
	if !st.Events["seller_message"].Equal(sentAt) {
		t.Errorf("seller_message = %s, want %s", st.Events["seller_message"], sentAt)
	}
	found := false
	for _, a := range st.Alerts {
		if a.Kind == "check-in" {
			found = true
			if want := sentAt.Add(72 * time.Hour); !a.Deadline.Equal(want) {
				t.Errorf("check-in deadline = %s, want %s", a.Deadline, want)
			}
		}
	}
	if !found {
		t.Errorf("no check-in alert after sent: %s", out)
	}
	// A bad request is refused with exit 2 and one line.
	cmd := exec.Command(binary, "--config", cfg, "sent", "9999")
	out, err = cmd.CombinedOutput()
	if code := exitCode(err); code != 2 {
		t.Errorf("sent to an unknown room exited %d, want 2: %s", code, out)
	}
	if lines := strings.Count(strings.TrimSpace(string(out)), "\n") + 1; lines != 1 {
		t.Errorf("want one line of error, got %d: %s", lines, out)
	}
	d.stop(t)
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return -1
}

func TestAddWhileRunningSendsTheNewRoomsFirstStep(t *testing.T) {
	hook := newWebhook(t)
	dir := shortTempDir(t)
	cfg := writeConfig(t, dir, hook.URL, room{id: "8001", buyer: "mori", opened: time.Now().Add(-time.Hour), seller: time.Now().Add(-time.Hour)})
	// A comment the edit must keep.
	body, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	commented := "# my rooms — keep this note\n" + string(body) + "  # next order goes below\n"
	if err := os.WriteFile(cfg, []byte(commented), 0o600); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, cfg)

	// A quote purchase: send-terms is due at once.
	out, code := run(t, "--config", cfg, "add", "8002", "--title", "Logo <!channel>", "--buyer", "mori", "--via", "quote")
	if code != 0 {
		t.Fatalf("add exited %d: %s", code, out)
	}
	p := hook.waitFor(t, "for the added room 8002", 5*time.Second, mentions("8002"))
	if !strings.Contains(p.Raw, "send-terms") && !strings.Contains(strings.ToLower(p.Raw), "terms") {
		t.Errorf("the first alert of the added room is not send-terms: %s", p.Raw)
	}
	if strings.Contains(p.Raw, "<!channel>") {
		t.Errorf("a title reached Slack unescaped: %s", p.Raw)
	}
	after, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !keepsLines(commented, string(after)) {
		t.Errorf("add lost or changed existing lines:\n%s", after)
	}
	// A duplicate is refused and the file is untouched.
	out, code = run(t, "--config", cfg, "add", "8002", "--title", "again", "--buyer", "mori")
	if code != 2 {
		t.Errorf("a duplicate add exited %d: %s", code, out)
	}
	if again, _ := os.ReadFile(cfg); string(again) != string(after) {
		t.Error("a refused add changed the file")
	}
	d.stop(t)
}

// keepsLines reports whether every line of before stands in after, in order.
func keepsLines(before, after string) bool {
	rest := strings.Split(after, "\n")
	for _, line := range strings.Split(before, "\n") {
		i := 0
		for i < len(rest) && rest[i] != line {
			i++
		}
		if i == len(rest) {
			return false
		}
		rest = rest[i+1:]
	}
	return true
}

package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// freeAddr is a loopback address with a port nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestWebLinkSignsInAndWebLogoutSignsOut drives the web app of a running
// daemon: a link from web-link signs a browser in, the session outlives a
// restart, an event recorded there shows in history as from web, and
// web-logout --all ends the session, with or without a daemon.
func TestWebLinkSignsInAndWebLogoutSignsOut(t *testing.T) {
	hook := newWebhook(t)
	dir := shortTempDir(t)
	cfg := writeConfig(t, dir, hook.URL, room{id: "7101", buyer: "ito", opened: time.Now().Add(-10 * time.Hour), seller: time.Now().Add(-9 * time.Hour).Truncate(time.Minute)})
	addr := freeAddr(t)
	text, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	text = []byte(strings.Replace(string(text), "control:\n  socket: roomwatch.sock\n",
		fmt.Sprintf("control:\n  socket: roomwatch.sock\n  http: %s\n  token: 0123456789abcdef0123456789abcdef\n", addr), 1))
	if err := os.WriteFile(cfg, text, 0o600); err != nil {
		t.Fatal(err)
	}
	roomwatch := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(binary, append([]string{"--config", cfg}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("roomwatch %v: %v\n%s", args, err, out)
		}
		return string(out)
	}

	d := startDaemon(t, cfg)
	link := strings.TrimSpace(roomwatch("web-link"))
	if !strings.HasPrefix(link, "http://"+addr+"/signin/") {
		t.Fatalf("web-link printed %q", link)
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := browser.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	resp, err := browser.PostForm(link, url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("opening the sign-in link: %s", resp.Status)
	}
	code, page := get("/rooms/7101")
	if code != http.StatusOK {
		t.Fatalf("the room page after signing in: %d", code)
	}
	_, rest, _ := strings.Cut(page, `name="csrf" value="`)
	csrf, _, _ := strings.Cut(rest, `"`)
	resp, err = browser.PostForm("http://"+addr+"/rooms/7101", url.Values{"csrf": {csrf}, "event": {"buyer_message"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the buyer wrote: %s", resp.Status)
	}
	if h := roomwatch("history", "7101"); !strings.Contains(h, "buyer_message") || !strings.Contains(h, "web") {
		t.Errorf("history does not show the event from web:\n%s", h)
	}

	// The session outlives a restart.
	d.stop(t)
	d = startDaemon(t, cfg)
	if code, _ := get("/"); code != http.StatusOK {
		t.Fatalf("after a restart the session answered %d", code)
	}
	if out := roomwatch("web-logout", "--all"); !strings.Contains(out, "signed 1 browser(s) out") {
		t.Errorf("web-logout --all with the daemon running: %s", out)
	}
	if code, _ := get("/"); code != http.StatusSeeOther {
		t.Errorf("after web-logout the session answered %d", code)
	}
	d.stop(t)
	if out := roomwatch("web-logout", "--all"); !strings.Contains(out, "signed 0 browser(s) out") {
		t.Errorf("web-logout --all without a daemon: %s", out)
	}
	out, err := exec.Command(binary, "--config", cfg, "web-logout").CombinedOutput()
	if exitCode(err) != 2 || !strings.Contains(string(out), "--all") {
		t.Errorf("web-logout without --all: exit %d: %s", exitCode(err), out)
	}
}

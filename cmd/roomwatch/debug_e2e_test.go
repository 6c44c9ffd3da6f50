package main

import (
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// freeLoopbackPort is a port nothing listens on at 127.0.0.1 just now.
func freeLoopbackPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// TestRunServesProfilesOnDebugAddr: `run --debug-addr 127.0.0.1:PORT`
// serves net/http/pprof there while the daemon runs, and nothing after the
// stop.
func TestRunServesProfilesOnDebugAddr(t *testing.T) {
	hook := newWebhook(t)
	dir := shortTempDir(t)
	cfg := writeConfig(t, dir, hook.URL, firstMessageDueIn("4100001", time.Hour))
	addr := "127.0.0.1:" + freeLoopbackPort(t)
	d := startDaemon(t, cfg, "--debug-addr", addr)

	for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap?debug=1", "/debug/pprof/goroutine?debug=1"} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s\n%s", path, resp.Status, body)
		}
		if path == "/debug/pprof/" && !strings.Contains(string(body), "goroutine") {
			t.Errorf("GET %s does not list the profiles:\n%s", path, body)
		}
		if path == "/debug/pprof/goroutine?debug=1" && !strings.Contains(string(body), "roomwatch/daemon") {
			t.Errorf("the goroutine profile shows no daemon goroutine:\n%s", body)
		}
	}
	d.stop(t)
	if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		conn.Close()
		t.Errorf("%s still accepts connections after the stop", addr)
	}
}

// TestRunWithoutDebugAddrServesNoProfiles: the profiler is off by default.
func TestRunWithoutDebugAddrServesNoProfiles(t *testing.T) {
	hook := newWebhook(t)
	dir := shortTempDir(t)
	d := startDaemon(t, writeConfig(t, dir, hook.URL, firstMessageDueIn("4100002", time.Hour)))
	if strings.Contains(d.out.String(), "profiling server") {
		t.Errorf("the daemon started a profiling server unasked:\n%s", d.out.String())
	}
	d.stop(t)
}

// TestRunRefusesANonLoopbackDebugAddr: profiles show the rooms in memory;
// an address other machines reach is refused before anything starts.
func TestRunRefusesANonLoopbackDebugAddr(t *testing.T) {
	hook := newWebhook(t)
	dir := shortTempDir(t)
	cfg := writeConfig(t, dir, hook.URL, firstMessageDueIn("4100003", time.Hour))
	for _, addr := range []string{"0.0.0.0:6060", "[::]:6060", "192.0.2.1:6060"} {
		cmd := exec.Command(binary, "--config", cfg, "run", "--debug-addr", addr)
		out, err := cmd.CombinedOutput()
		if code := exitCode(err); code == 0 {
			t.Fatalf("run --debug-addr %s exited 0; output:\n%s", addr, out)
		}
		if !strings.Contains(string(out), "loopback address such as 127.0.0.1:6060") {
			t.Errorf("run --debug-addr %s: the error does not say what to use instead:\n%s", addr, out)
		}
		if strings.Contains(string(out), "roomwatch ready") {
			t.Errorf("run --debug-addr %s started the daemon:\n%s", addr, out)
		}
	}
}

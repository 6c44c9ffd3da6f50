package main

// Which config and store a command used: a warning when ./roomwatch.yaml or
// $ROOMWATCH_CONFIG hides another config, and one line saying whether the
// running daemon took an event or it went straight into which store.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// cli runs the binary in dir with the given environment on top of ours
// (minus the variables that choose a config) and returns stdout, stderr
// and the exit code apart.
func cli(t *testing.T, dir string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ROOMWATCH_CONFIG=") && !strings.HasPrefix(kv, "XDG_CONFIG_HOME=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), exitCode(err)
}

func lines(s string) []string {
	if s = strings.TrimSpace(s); s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func TestShadowedConfigWarnsAndTheStoreIsNamed(t *testing.T) {
	root := shortTempDir(t)
	work, xdg, other := filepath.Join(root, "work"), filepath.Join(root, "xdg"), filepath.Join(root, "other")
	service := writeFile(t, filepath.Join(xdg, "roomwatch", "config.yaml"), cliConfig)
	local := writeFile(t, filepath.Join(work, "roomwatch.yaml"), cliConfig)
	env := []string{"XDG_CONFIG_HOME=" + xdg}

	stdout, stderr, code := cli(t, work, env, "sent", "4012345")
	if code != 0 {
		t.Fatalf("sent exited %d: %s%s", code, stdout, stderr)
	}
	warning := lines(stderr)
	if len(warning) != 1 || !strings.Contains(warning[0], "warning") ||
		!strings.Contains(warning[0], local) || !strings.Contains(warning[0], service) {
		t.Errorf("want one warning line naming %s and %s, got:\n%s", local, service, stderr)
	}
	out := lines(stdout)
	if want := "no daemon running: written straight to the store " + filepath.Join(work, "roomwatch.db"); len(out) == 0 || out[len(out)-1] != want {
		t.Errorf("last line of sent:\n%s\nwant %q", stdout, want)
	}

	// --json: stdout stays one JSON document, the notes go to stderr.
	stdout, stderr, code = cli(t, work, env, "replied", "4012345", "--json")
	var st map[string]any
	if err := json.Unmarshal([]byte(stdout), &st); err != nil || code != 0 {
		t.Errorf("replied --json: exit %d, stdout not JSON (%v):\n%s", code, err, stdout)
	}
	if notes := lines(stderr); len(notes) != 2 || !strings.Contains(notes[0], service) ||
		!strings.Contains(notes[1], "written straight to the store "+filepath.Join(work, "roomwatch.db")) {
		t.Errorf("replied --json stderr, want the warning then the store:\n%s", stderr)
	}

	// Naming the file is a choice: no warning.
	_, stderr, _ = cli(t, work, env, "--config", local, "sent", "4012345")
	if stderr != "" {
		t.Errorf("--config still warns:\n%s", stderr)
	}
	// $ROOMWATCH_CONFIG hides both others.
	chosen := writeFile(t, filepath.Join(other, "rw.yaml"), cliConfig)
	_, stderr, _ = cli(t, work, append(env, "ROOMWATCH_CONFIG="+chosen), "status")
	if w := lines(stderr); len(w) != 1 || !strings.Contains(w[0], chosen) || !strings.Contains(w[0], "$ROOMWATCH_CONFIG") ||
		!strings.Contains(w[0], local) || !strings.Contains(w[0], service) {
		t.Errorf("$ROOMWATCH_CONFIG: want one warning naming %s, %s and %s, got:\n%s", chosen, local, service, stderr)
	}
	// The service's config alone: nothing to warn about.
	if err := os.Remove(local); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, _ = cli(t, work, env, "sent", "4012345")
	if stderr != "" || !strings.Contains(stdout, filepath.Join(xdg, "roomwatch", "roomwatch.db")) {
		t.Errorf("the only config: stderr %q, stdout:\n%s", stderr, stdout)
	}
}

// The case of the issue: a service runs on the XDG config; a roomwatch.yaml
// in the working folder took the seller's event into another store.
func TestEventSaysWhetherTheDaemonTookIt(t *testing.T) {
	root := shortTempDir(t)
	work, xdg := filepath.Join(root, "work"), filepath.Join(root, "xdg")
	if err := os.MkdirAll(work, 0o700); err != nil {
		t.Fatal(err)
	}
	service := writeFile(t, filepath.Join(xdg, "roomwatch", "config.yaml"), cliConfig)
	serviceStore := filepath.Join(xdg, "roomwatch", "roomwatch.db")
	env := []string{"XDG_CONFIG_HOME=" + xdg}
	d := startDaemon(t, service)
	pid := d.cmd.Process.Pid

	daemonLine := fmt.Sprintf("taken by the running daemon (pid %d); store %s", pid, serviceStore)
	for _, args := range [][]string{{"sent", "4012345"}, {"snooze", "4012345", "2h"}} {
		stdout, stderr, code := cli(t, work, env, args...)
		if code != 0 || stderr != "" {
			t.Fatalf("%v exited %d: %s%s", args, code, stdout, stderr)
		}
		if out := lines(stdout); out[len(out)-1] != daemonLine {
			t.Errorf("%v printed:\n%s\nwant last line %q", args, stdout, daemonLine)
		}
	}
	stdout, stderr, _ := cli(t, work, env, "delivered", "4012345", "--json")
	if err := json.Unmarshal([]byte(stdout), new(map[string]any)); err != nil || strings.TrimSpace(stderr) != daemonLine {
		t.Errorf("delivered --json: stdout JSON: %v; stderr %q, want %q", err, stderr, daemonLine)
	}

	// A roomwatch.yaml appears in the working folder: the warning names
	// both files, and the line says the daemon was not reached.
	local := writeFile(t, filepath.Join(work, "roomwatch.yaml"), cliConfig)
	stdout, stderr, _ = cli(t, work, env, "sent", "4012345")
	if w := lines(stderr); len(w) != 1 || !strings.Contains(w[0], local) || !strings.Contains(w[0], service) {
		t.Errorf("want one warning naming both configs, got:\n%s", stderr)
	}
	if want := "no daemon running: written straight to the store " + filepath.Join(work, "roomwatch.db"); !strings.Contains(stdout, want) {
		t.Errorf("sent with the shadowing config:\n%s\nwant %q", stdout, want)
	}

	// Another config that shares the daemon's socket: the daemon takes the
	// event into its own store, and the line says it runs on another file.
	shared := strings.Replace(cliConfig, "socket: roomwatch.sock", "socket: "+filepath.Join(xdg, "roomwatch", "roomwatch.sock"), 1)
	sharing := writeFile(t, filepath.Join(root, "sharing.yaml"), shared)
	stdout, _, _ = cli(t, work, nil, "--config", sharing, "sent", "4012345")
	if want := daemonLine + " — it runs on " + service + ", not on " + sharing; !strings.Contains(stdout, want) {
		t.Errorf("sent through a shared socket:\n%s\nwant %q", stdout, want)
	}
	d.stop(t)
}

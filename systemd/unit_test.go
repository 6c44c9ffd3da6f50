package systemd

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// unitFile is one of the unit files shipped in this folder.
type unitFile struct {
	name string
	// user units are checked against the per-user service manager.
	user bool
}

var unitFiles = []unitFile{
	{name: "roomwatch.service"},
	{name: "roomwatch-user.service", user: true},
}

// TestUnitsVerify runs `systemd-analyze verify` on copies of the units whose
// ExecStart points at an executable stub, since verify insists the binary
// exists. It works offline, without a running systemd.
func TestUnitsVerify(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not on PATH")
	}
	stub := filepath.Join(t.TempDir(), "roomwatch")
	if err := os.WriteFile(stub, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, u := range unitFiles {
		t.Run(u.name, func(t *testing.T) {
			text, err := os.ReadFile(u.name)
			if err != nil {
				t.Fatal(err)
			}
			// Same base name: verify derives the unit name from the file name.
			copyPath := filepath.Join(t.TempDir(), u.name)
			if err := os.WriteFile(copyPath, []byte(withExecStart(t, string(text), stub)), 0o644); err != nil {
				t.Fatal(err)
			}

			args := []string{"verify", copyPath}
			cmd := exec.Command(analyze)
			cmd.Env = os.Environ()
			if u.user {
				args = append([]string{"--user"}, args...)
				// The user manager wants a runtime directory even to verify.
				runtime := t.TempDir()
				if err := os.Chmod(runtime, 0o700); err != nil {
					t.Fatal(err)
				}
				cmd.Env = append(cmd.Env, "XDG_RUNTIME_DIR="+runtime)
			}
			cmd.Args = append(cmd.Args, args...)
			out, err := cmd.CombinedOutput()

			for _, line := range strings.Split(string(out), "\n") {
				if strings.Contains(line, u.name) {
					t.Errorf("systemd-analyze: %s", line)
				}
			}
			if err != nil {
				t.Errorf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
			}
		})
	}
}

// withExecStart replaces the program of the unit's ExecStart= line, keeping
// its arguments.
func withExecStart(t *testing.T, unit, program string) string {
	t.Helper()
	var b strings.Builder
	replaced := false
	for _, line := range strings.SplitAfter(unit, "\n") {
		if rest, ok := strings.CutPrefix(line, "ExecStart="); ok {
			_, args, _ := strings.Cut(rest, " ")
			line = "ExecStart=" + program + " " + args
			replaced = true
		}
		b.WriteString(line)
	}
	if !replaced {
		t.Fatal("unit has no ExecStart= line")
	}
	return b.String()
}

// TestUnitsMatchTheDaemon checks the settings the Go side depends on: the
// daemon sends READY=1 and WATCHDOG=1 from its main process and reloads on
// SIGHUP. A unit edited to Type=simple or without a watchdog would still
// verify, but would no longer restart a wedged daemon.
func TestUnitsMatchTheDaemon(t *testing.T) {
	common := map[string]string{
		"Type":         "notify",
		"NotifyAccess": "main",
		"WatchdogSec":  "60",
		"ExecReload":   "/bin/kill -HUP $MAINPID",
		"Restart":      "on-failure",
	}
	system := map[string]string{
		"ExecStart":        "/usr/local/bin/roomwatch --config /etc/roomwatch/config.yaml run",
		"Environment":      "ROOMWATCH_CONFIG=/etc/roomwatch/config.yaml",
		"DynamicUser":      "yes",
		"StateDirectory":   "roomwatch",
		"RuntimeDirectory": "roomwatch",
		"UMask":            "0077",
		"WantedBy":         "multi-user.target",
	}
	user := map[string]string{
		"ExecStart": "%h/.local/bin/roomwatch run",
		"WantedBy":  "default.target",
	}
	for _, tc := range []struct {
		file string
		want []map[string]string
	}{
		{"roomwatch.service", []map[string]string{common, system}},
		{"roomwatch-user.service", []map[string]string{common, user}},
	} {
		settings := readUnit(t, tc.file)
		for _, want := range tc.want {
			for key, value := range want {
				if !slices.Contains(settings[key], value) {
					t.Errorf("%s: %s=%s missing (have %q)", tc.file, key, value, settings[key])
				}
			}
		}
	}

	// Pulled in, not only ordered: After= alone waits for time-sync.target
	// only when something else starts it.
	sys := readUnit(t, "roomwatch.service")
	for _, key := range []string{"Wants", "After"} {
		if !slices.ContainsFunc(sys[key], func(v string) bool { return slices.Contains(strings.Fields(v), "time-sync.target") }) {
			t.Errorf("roomwatch.service: %s= lacks time-sync.target (have %q)", key, sys[key])
		}
	}

	credentials := readUnit(t, "roomwatch.service")["LoadCredential"]
	for _, want := range []string{"slack-webhook:/etc/roomwatch/slack-webhook", "smtp-password:/etc/roomwatch/smtp-password"} {
		if !slices.Contains(credentials, want) {
			t.Errorf("roomwatch.service: LoadCredential=%s missing", want)
		}
	}
}

// readUnit collects every KEY=value of a unit file, whatever the section;
// roomwatch's units use no key in two sections.
func readUnit(t *testing.T, name string) map[string][]string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	settings := map[string][]string{}
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if line == "" || line[0] == '#' || line[0] == ';' || line[0] == '[' {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("%s: malformed line %q", name, line)
		}
		settings[key] = append(settings[key], value)
	}
	if err := scanner.Err(); err != nil {
		t.Fatal(err)
	}
	return settings
}

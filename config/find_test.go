package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// skipWithSystemConfig skips a discovery test on a machine whose
// /etc/roomwatch/config.yaml would change the answers.
func skipWithSystemConfig(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("/etc/roomwatch/config.yaml"); err == nil {
		t.Skip("/etc/roomwatch/config.yaml exists on this machine and would change the answers")
	}
}

// touchFile creates an empty file at path, folders included.
func touchFile(t *testing.T, path string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFindOrder(t *testing.T) {
	skipWithSystemConfig(t)
	touch := func(path string) string { return touchFile(t, path) }
	work, home, xdg := t.TempDir(), t.TempDir(), t.TempDir()
	t.Chdir(work)
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("ROOMWATCH_CONFIG", "")

	find := func(flag string) string {
		t.Helper()
		got, err := Find(flag)
		if err != nil {
			t.Fatalf("Find(%q): %v", flag, err)
		}
		return got
	}

	// Nothing anywhere: the error lists every place tried.
	_, err := Find("")
	if err == nil {
		t.Fatal("Find found a config in empty folders")
	}
	for _, place := range []string{"--config", "$ROOMWATCH_CONFIG", filepath.Join(work, "roomwatch.yaml"),
		filepath.Join(home, ".config", "roomwatch", "config.yaml"), "/etc/roomwatch/config.yaml"} {
		if !strings.Contains(err.Error(), place) {
			t.Errorf("error %q does not name %s", err, place)
		}
	}

	homeConfig := touch(filepath.Join(home, ".config", "roomwatch", "config.yaml"))
	if got := find(""); got != homeConfig {
		t.Errorf("without XDG_CONFIG_HOME: %q, want %q", got, homeConfig)
	}
	xdgConfig := touch(filepath.Join(xdg, "roomwatch", "config.yaml"))
	t.Setenv("XDG_CONFIG_HOME", xdg)
	if got := find(""); got != xdgConfig {
		t.Errorf("XDG_CONFIG_HOME: %q, want %q", got, xdgConfig)
	}
	t.Setenv("XDG_CONFIG_HOME", "relative/dir")
	if got := find(""); got != homeConfig {
		t.Errorf("a relative XDG_CONFIG_HOME is ignored: %q, want %q", got, homeConfig)
	}
	t.Setenv("XDG_CONFIG_HOME", xdg)
	local := touch(filepath.Join(work, "roomwatch.yaml"))
	if got := find(""); got != local {
		t.Errorf("./roomwatch.yaml: %q, want %q", got, local)
	}
	fromEnv := touch(filepath.Join(t.TempDir(), "env.yaml"))
	t.Setenv("ROOMWATCH_CONFIG", fromEnv)
	if got := find(""); got != fromEnv {
		t.Errorf("$ROOMWATCH_CONFIG: %q, want %q", got, fromEnv)
	}
	flag := touch(filepath.Join(work, "flag.yaml"))
	if got := find("flag.yaml"); got != flag {
		t.Errorf("--config: %q, want %q (absolute)", got, flag)
	}

	// A named file that is missing is an error, not a reason to fall back.
	if _, err := Find("missing.yaml"); err == nil || !strings.Contains(err.Error(), "--config names missing.yaml") {
		t.Errorf("missing --config file: %v", err)
	}
	t.Setenv("ROOMWATCH_CONFIG", filepath.Join(work, "gone.yaml"))
	if _, err := Find(""); err == nil || !strings.Contains(err.Error(), "$ROOMWATCH_CONFIG names") {
		t.Errorf("missing $ROOMWATCH_CONFIG file: %v", err)
	}
	if _, err := Find(work); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("directory as --config: %v", err)
	}
}

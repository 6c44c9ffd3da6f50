package config

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestShadowed(t *testing.T) {
	skipWithSystemConfig(t)
	touch := func(path string) string { return touchFile(t, path) }
	work, xdg, other := t.TempDir(), t.TempDir(), t.TempDir()
	t.Chdir(work)
	t.Setenv("XDG_CONFIG_HOME", xdg)
	t.Setenv("ROOMWATCH_CONFIG", "")
	shadowed := func(flag string) []string {
		t.Helper()
		chosen, err := Find(flag)
		if err != nil {
			t.Fatal(err)
		}
		return Shadowed(flag, chosen)
	}

	service := touch(filepath.Join(xdg, "roomwatch", "config.yaml"))
	if got := shadowed(""); got != nil {
		t.Errorf("the only config shadows %v", got)
	}
	local := touch(filepath.Join(work, "roomwatch.yaml"))
	if got := shadowed(""); !slices.Equal(got, []string{service}) {
		t.Errorf("./roomwatch.yaml shadows %v, want [%s]", got, service)
	}
	if got := shadowed(local); got != nil {
		t.Errorf("--config shadows %v, want nothing: it is an explicit choice", got)
	}
	t.Setenv("ROOMWATCH_CONFIG", touch(filepath.Join(other, "rw.yaml")))
	if got := shadowed(""); !slices.Equal(got, []string{local, service}) {
		t.Errorf("$ROOMWATCH_CONFIG shadows %v, want [%s %s]", got, local, service)
	}
	// The variable naming the very file the search would find hides only
	// what lies below it.
	t.Setenv("ROOMWATCH_CONFIG", "roomwatch.yaml")
	if got := shadowed(""); !slices.Equal(got, []string{service}) {
		t.Errorf("$ROOMWATCH_CONFIG=roomwatch.yaml shadows %v, want [%s]", got, service)
	}
	os.Remove(local)
	t.Setenv("ROOMWATCH_CONFIG", "")
	if got := shadowed(""); got != nil {
		t.Errorf("the XDG config shadows %v, want nothing", got)
	}
}

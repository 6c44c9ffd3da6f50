package main

// Two (here three) `roomwatch add` at once both land: the edit lock beside
// the config makes them take turns.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestConcurrentAddProcessesAllLand(t *testing.T) {
	dir := shortTempDir(t)
	cfg := filepath.Join(dir, "roomwatch.yaml")
	writeFile(t, cfg, "timezone: Asia/Tokyo\n# rooms are appended below\nrooms:\n")
	const rounds, together = 50, 3
	for round := range rounds {
		var wg sync.WaitGroup
		outs := make([]string, together)
		errs := make([]error, together)
		for i := range together {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := fmt.Sprintf("%d%02d", i+1, round)
				cmd := exec.Command(binary, "--config", cfg, "add", id, "--title", "order "+id, "--buyer", "buyer"+id, "--opened", "2026-11-20 10:00")
				out, err := cmd.CombinedOutput()
				outs[i], errs[i] = string(out), err
			}()
		}
		wg.Wait()
		for i := range together {
			if errs[i] != nil {
				t.Fatalf("round %d: add %d failed (%v): %s", round, i, errs[i], outs[i])
			}
		}
	}
	out, code := run(t, "--config", cfg, "check")
	if code != 0 || !strings.Contains(out, fmt.Sprintf("%d rooms", rounds*together)) {
		t.Fatalf("check after the adds exited %d: %s", code, out)
	}
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for round := range rounds {
		for i := range together {
			if id := fmt.Sprintf("%d%02d", i+1, round); !strings.Contains(string(data), fmt.Sprintf("id: %q\n", id)) {
				t.Errorf("room %s is missing from the file", id)
			}
		}
	}
	if !strings.Contains(string(data), "# rooms are appended below\n") {
		t.Error("the comment was lost")
	}
}

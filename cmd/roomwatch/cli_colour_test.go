package main

// Colour only on a terminal: never for a pipe, a file or /dev/null (a
// character device, but no terminal), never with NO_COLOR. What goes into
// /dev/null cannot be read back, so TestTerminalOf checks the decision the
// binary takes on its stdout, in process, on an open /dev/null.

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

const ansi = "\033["

func TestTerminalOf(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	t.Setenv("TERM", "xterm-256color")

	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if got := terminalOf(null); got.colour || got.width != 0 {
		t.Errorf("/dev/null: %+v, want no colour and no width", got)
	}

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if got := terminalOf(w); got.colour || got.width != 0 {
		t.Errorf("a pipe: %+v, want no colour and no width", got)
	}

	file, err := os.Create(filepath.Join(t.TempDir(), "out.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if got := terminalOf(file); got.colour {
		t.Errorf("a file: %+v, want no colour", got)
	}
	if got := terminalOf(&bytes.Buffer{}); got.colour {
		t.Errorf("a buffer: %+v, want no colour", got)
	}

	ptm, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty on this machine: %v", err)
	}
	defer ptm.Close()
	defer tty.Close()
	if err := pty.Setsize(ptm, &pty.Winsize{Rows: 40, Cols: 100}); err != nil {
		t.Fatal(err)
	}
	if got := terminalOf(tty); !got.colour || got.width != 100 {
		t.Errorf("a 100-column pty: %+v, want colour and width 100", got)
	}
	for _, env := range []struct{ key, value string }{{"NO_COLOR", "1"}, {"NO_COLOR", "false"}, {"TERM", "dumb"}} {
		t.Run(env.key+"="+env.value, func(t *testing.T) {
			t.Setenv(env.key, env.value)
			if got := terminalOf(tty); got.colour || got.width != 100 {
				t.Errorf("%+v, want no colour, still width 100", got)
			}
		})
	}
}

// runOnPty runs the binary with a 100-column pty as its terminal and
// returns what it drew.
func runOnPty(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	ptm, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 100})
	if err != nil {
		t.Skipf("no pty on this machine: %v", err)
	}
	defer ptm.Close()
	done := make(chan []byte)
	go func() {
		// Once the child is gone, reading the master ends with EIO.
		b, err := io.ReadAll(ptm)
		if err != nil && !errors.Is(err, syscall.EIO) {
			t.Errorf("reading the pty: %v", err)
		}
		done <- b
	}()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	select {
	case b := <-done:
		return string(b)
	case <-time.After(10 * time.Second):
		t.Fatal("the pty did not close")
		return ""
	}
}

func TestStatusColoursOnlyATerminal(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	cfg := writeFile(t, filepath.Join(shortTempDir(t), "roomwatch.yaml"), overdueRooms("ja", now))
	plain := []string{"NO_COLOR=", "TERM=xterm-256color"}

	// A terminal: the overdue delivery in bold red, the rows in Japanese.
	out := runOnPty(t, plain, "--config", cfg, "status")
	if !strings.Contains(out, "\033[1;31m") || !strings.Contains(out, "納品する") {
		t.Errorf("status on a terminal is not coloured:\n%q", out)
	}
	if out := runOnPty(t, plain, "--config", cfg, "plan"); !strings.Contains(out, ansi) {
		t.Errorf("plan on a terminal is not coloured:\n%q", out)
	}

	// NO_COLOR, whatever its value.
	for _, v := range []string{"1", "0"} {
		if out := runOnPty(t, []string{"NO_COLOR=" + v, "TERM=xterm-256color"}, "--config", cfg, "status"); strings.Contains(out, ansi) {
			t.Errorf("NO_COLOR=%s: status still coloured:\n%q", v, out)
		}
	}

	// A pipe.
	cmd := exec.Command(binary, "--config", cfg, "status")
	cmd.Env = append(os.Environ(), plain...)
	piped, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(piped), ansi) || !strings.Contains(string(piped), "納品する") {
		t.Errorf("status into a pipe:\n%q", piped)
	}
}

package systemd

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestNotifyAbstractSocket(t *testing.T) {
	conn := listenNotifyAt(t, fmt.Sprintf("@roomwatch-test-%d", os.Getpid()))
	if err := Ready("up"); err != nil {
		t.Fatal(err)
	}
	if got, want := receive(t, conn), "READY=1\nSTATUS=up"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestUnderJournal(t *testing.T) {
	dev, ino, ok := stderrDevIno()
	if !ok {
		t.Fatal("cannot stat stderr")
	}
	tests := []struct {
		name, stream string
		want         bool
	}{
		{"unset", "", false},
		{"stderr is the journal stream", fmt.Sprintf("%d:%d", dev, ino), true},
		{"inherited by a process writing elsewhere", fmt.Sprintf("%d:%d", dev, ino+1), false},
		{"malformed", "journal", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("JOURNAL_STREAM", tt.stream)
			if got := UnderJournal(); got != tt.want {
				t.Errorf("UnderJournal() with JOURNAL_STREAM=%q = %v, want %v", tt.stream, got, tt.want)
			}
		})
	}
}

func TestReloadingCarriesMonotonicTime(t *testing.T) {
	conn := listenNotify(t)
	before, ok := monotonicMicros()
	if !ok {
		t.Fatal("CLOCK_MONOTONIC unreadable")
	}
	if err := Reloading(); err != nil {
		t.Fatal(err)
	}
	after, _ := monotonicMicros()

	got := receive(t, conn)
	first, usec, found := strings.Cut(got, "\nMONOTONIC_USEC=")
	if first != "RELOADING=1" || !found {
		t.Fatalf("got %q, want RELOADING=1 then MONOTONIC_USEC", got)
	}
	n, err := strconv.ParseUint(usec, 10, 64)
	if err != nil {
		t.Fatalf("MONOTONIC_USEC=%q: %v", usec, err)
	}
	if n < before || n > after {
		t.Errorf("MONOTONIC_USEC=%d not within [%d, %d]", n, before, after)
	}
}

package systemd

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestWatchdogInterval(t *testing.T) {
	self := strconv.Itoa(os.Getpid())
	tests := []struct {
		name, usec, pid string
		want            time.Duration
		wantOK          bool
	}{
		{"unit's WatchdogSec=60", "60000000", "", 30 * time.Second, true},
		{"pid is ours", "2000000", self, time.Second, true},
		{"pid is another process", "2000000", strconv.Itoa(os.Getpid() + 1), 0, false},
		{"pid malformed", "2000000", "self", 0, false},
		{"unset", "", "", 0, false},
		{"zero", "0", "", 0, false},
		{"negative", "-5", "", 0, false},
		{"not a number", "60s", "", 0, false},
		{"overflows a Duration", "18446744073709551615", "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("WATCHDOG_USEC", tt.usec)
			t.Setenv("WATCHDOG_PID", tt.pid)
			got, ok := WatchdogInterval()
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("WatchdogInterval() = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestRunWatchdogPingsOnlyAfterPassingChecks(t *testing.T) {
	conn := listenNotify(t)
	t.Setenv("WATCHDOG_USEC", "2000") // a ping every millisecond
	t.Setenv("WATCHDOG_PID", "")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// Odd calls fail, even ones pass; the sixth ends the run, so exactly
	// three pings (after calls 2, 4 and 6) must reach the socket.
	calls := 0
	check := func() error {
		calls++
		if calls == 6 {
			cancel()
		}
		if calls%2 == 1 {
			return errors.New("store not answering")
		}
		return nil
	}
	var logs bytes.Buffer
	RunWatchdog(ctx, check, slog.New(slog.NewTextHandler(&logs, nil)))

	if calls != 6 {
		t.Fatalf("check called %d times, want 6 (deadline hit before the run ended?)", calls)
	}
	pings := receiveAll(t, conn)
	if len(pings) != 3 {
		t.Errorf("got %d pings %q, want 3", len(pings), pings)
	}
	for _, p := range pings {
		if p != "WATCHDOG=1" {
			t.Errorf("got %q, want WATCHDOG=1", p)
		}
	}
	if n := strings.Count(logs.String(), "store not answering"); n != 3 {
		t.Errorf("logged %d failed checks, want 3:\n%s", n, logs.String())
	}
}

func TestRunWatchdogStopsPingingAWedgedDaemon(t *testing.T) {
	conn := listenNotify(t)
	t.Setenv("WATCHDOG_USEC", "2000")
	t.Setenv("WATCHDOG_PID", strconv.Itoa(os.Getpid()))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	calls := 0
	check := func() error {
		calls++
		if calls == 5 {
			cancel()
		}
		return errors.New("scheduler stuck")
	}
	RunWatchdog(ctx, check, slog.New(slog.DiscardHandler))

	if pings := receiveAll(t, conn); len(pings) != 0 {
		t.Errorf("got pings %q while every check failed", pings)
	}
}

func TestRunWatchdogWithoutWatchdogReturnsAtOnce(t *testing.T) {
	t.Setenv("WATCHDOG_USEC", "")
	called := false
	RunWatchdog(context.Background(), func() error { called = true; return nil }, nil)
	if called {
		t.Error("check ran although no watchdog is configured")
	}
}

package daemon

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

// A Pi booted without its time reads 1970: the daemon plans nothing until
// the clock passes the build date, says why, and goes on once NTP sets it.
func TestWaitForClockHoldsUntilTheClockPassesTheBuild(t *testing.T) {
	built := time.Date(2026, time.December, 1, 0, 0, 0, 0, time.UTC)
	clock := clockwork.NewFakeClockAt(time.Unix(0, 0))
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))

	done := make(chan error, 1)
	go func() { done <- waitForClock(context.Background(), clock, built, 10*time.Second, log) }()

	// Three retries with the clock still in 1970: still waiting.
	for range 3 {
		if err := clock.BlockUntilContext(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			t.Fatalf("returned with the clock in 1970: %v", err)
		default:
		}
		clock.Advance(10 * time.Second)
	}
	if err := clock.BlockUntilContext(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "waiting for the clock") || !strings.Contains(logs.String(), "it reads 1970-01-01T00:00:00Z") {
		t.Errorf("the log does not say why it waits:\n%s", logs.String())
	}
	if n := strings.Count(logs.String(), "waiting for the clock"); n != 1 {
		t.Errorf("the reason is logged %d times in 30 s, want once", n)
	}

	// NTP steps the clock past the build; the next retry goes on.
	clock.Advance(built.Sub(clock.Now()) + time.Hour)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("still waiting after the clock was set")
	}
	if !strings.Contains(logs.String(), "the clock is set") {
		t.Errorf("no line says the wait is over:\n%s", logs.String())
	}
}

func TestWaitForClockReturnsAtOnceWhenTheClockIsRight(t *testing.T) {
	built := time.Date(2026, time.December, 1, 0, 0, 0, 0, time.UTC)
	for name, notBefore := range map[string]time.Time{"after the build": built, "no build date": {}} {
		t.Run(name, func(t *testing.T) {
			clock := clockwork.NewFakeClockAt(built.Add(time.Minute))
			var logs bytes.Buffer
			if err := waitForClock(context.Background(), clock, notBefore, time.Second, slog.New(slog.NewTextHandler(&logs, nil))); err != nil {
				t.Fatal(err)
			}
			if logs.Len() != 0 {
				t.Errorf("logged with a good clock: %s", logs.String())
			}
		})
	}
}

// SIGTERM while waiting stops the daemon without starting anything.
func TestWaitForClockStopsWithTheContext(t *testing.T) {
	clock := clockwork.NewFakeClockAt(time.Unix(0, 0))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- waitForClock(ctx, clock, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Minute, slog.New(slog.DiscardHandler))
	}()
	if err := clock.BlockUntilContext(ctx, 1); err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("no error after the context ended")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("did not stop")
	}
}

// Run itself waits: with the clock in 1970 it does not even read its
// configuration (nil here), let alone open the store.
func TestRunPlansNothingBeforeTheBuildDate(t *testing.T) {
	clock := clockwork.NewFakeClockAt(time.Unix(0, 0))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Options{
			Config:    nil, // never read: Run must not get that far
			Clock:     clock,
			Log:       slog.New(slog.DiscardHandler),
			NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		})
	}()
	if err := clock.BlockUntilContext(ctx, 1); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run stopped while waiting: %v", err)
	}
}

package notifier_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/internal/testalert"
	"github.com/roomwatch/roomwatch/rules"
)

// scripted is a notifier whose replies are given in advance; the last reply
// repeats. It records every message it was handed.
type scripted struct {
	name    string
	replies []reply
	hang    bool // block until the context ends

	mu   sync.Mutex
	got  []notifier.Message
	call int
}

type reply struct {
	retry bool
	err   error
}

func (s *scripted) Name() string { return s.name }

func (s *scripted) Send(ctx context.Context, m notifier.Message) (bool, error) {
	s.mu.Lock()
	s.got = append(s.got, m)
	i := min(s.call, len(s.replies)-1)
	s.call++
	s.mu.Unlock()
	if s.hang {
		<-ctx.Done()
		return true, ctx.Err()
	}
	if i < 0 {
		return false, nil
	}
	return s.replies[i].retry, s.replies[i].err
}

func (s *scripted) messages() []notifier.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]notifier.Message(nil), s.got...)
}

// sleeps records the waits a Retrier asks for without waiting.
type sleeps struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeps) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

func noJitter(d time.Duration) time.Duration { return d }

func oneAlert() notifier.Message {
	return notifier.Message{Alerts: []notifier.Alert{testalert.Make(rules.CheckIn, rules.Warning, "4012345", "t")}}
}

var errTemporary = errors.New("503 service unavailable")

func TestRetrierBackoffIsExponentialAndBounded(t *testing.T) {
	rec := &sleeps{}
	r := notifier.Retrier{Base: time.Second, Max: 4 * time.Second, Deadline: 20 * time.Second, Sleep: rec.Sleep, Jitter: noJitter}
	n := &scripted{name: "flaky", replies: []reply{{true, errTemporary}}}
	attempts, err := r.Send(context.Background(), n, oneAlert())
	if !errors.Is(err, errTemporary) {
		t.Fatalf("err = %v, want the last failure", err)
	}
	s := time.Second
	want := []time.Duration{s, 2 * s, 4 * s, 4 * s, 4 * s, 4 * s}
	if got := rec.all(); !slices.Equal(got, want) {
		t.Errorf("waits = %v, want %v (the next 4s would pass the 20s deadline)", got, want)
	}
	if attempts != len(want)+1 {
		t.Errorf("attempts = %d, want %d", attempts, len(want)+1)
	}
}

func TestRetrierStopsOnPermanentFailure(t *testing.T) {
	rec := &sleeps{}
	r := notifier.Retrier{Base: time.Second, Sleep: rec.Sleep, Jitter: noJitter}
	bad := errors.New("invalid_auth")
	n := &scripted{name: "bad", replies: []reply{{false, bad}}}
	attempts, err := r.Send(context.Background(), n, oneAlert())
	if attempts != 1 || !errors.Is(err, bad) {
		t.Fatalf("attempts=%d err=%v", attempts, err)
	}
	if len(rec.all()) != 0 {
		t.Errorf("waited %v before giving up on a permanent failure", rec.all())
	}
}

func TestRetrierHonoursRetryAfter(t *testing.T) {
	rec := &sleeps{}
	r := notifier.Retrier{Base: time.Second, Max: time.Minute, Deadline: time.Hour, Sleep: rec.Sleep,
		Jitter: func(d time.Duration) time.Duration { return d / 2 }}
	n := &scripted{name: "limited", replies: []reply{
		{true, notifier.WithRetryAfter(errors.New("429"), 7*time.Second)},
		{true, errTemporary},
		{false, nil},
	}}
	attempts, err := r.Send(context.Background(), n, oneAlert())
	if err != nil || attempts != 3 {
		t.Fatalf("attempts=%d err=%v", attempts, err)
	}
	// Retry-After is the server's word and is not jittered; the backoff after
	// the second failure is (2s, halved by this jitter).
	if got, want := rec.all(), []time.Duration{7 * time.Second, time.Second}; !slices.Equal(got, want) {
		t.Errorf("waits = %v, want %v", got, want)
	}
}

func TestRetrierGivesUpWhenRetryAfterPassesDeadline(t *testing.T) {
	rec := &sleeps{}
	r := notifier.Retrier{Deadline: time.Minute, Sleep: rec.Sleep, Jitter: noJitter}
	n := &scripted{name: "limited", replies: []reply{{true, notifier.WithRetryAfter(errors.New("429"), time.Hour)}}}
	attempts, err := r.Send(context.Background(), n, oneAlert())
	if err == nil || attempts != 1 || len(rec.all()) != 0 {
		t.Fatalf("attempts=%d err=%v waits=%v; want an immediate give-up", attempts, err, rec.all())
	}
}

func TestRetrierStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r := notifier.Retrier{Base: time.Second, Sleep: func(ctx context.Context, d time.Duration) error {
		cancel()
		return ctx.Err()
	}, Jitter: noJitter}
	n := &scripted{name: "flaky", replies: []reply{{true, errTemporary}}}
	attempts, err := r.Send(ctx, n, oneAlert())
	if attempts != 1 || !errors.Is(err, context.Canceled) {
		t.Fatalf("attempts=%d err=%v", attempts, err)
	}
}

func TestRetrierDeadlineCutsOffAHangingNotifier(t *testing.T) {
	rec := &sleeps{}
	r := notifier.Retrier{Base: 50 * time.Millisecond, Deadline: 300 * time.Millisecond, Sleep: rec.Sleep, Jitter: noJitter}
	n := &scripted{name: "hang", hang: true}
	start := time.Now()
	_, err := r.Send(context.Background(), n, oneAlert())
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("took %v with a 300ms deadline", took)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline", err)
	}
}

func TestDefaultJitterStaysNearSchedule(t *testing.T) {
	r := notifier.DefaultRetrier()
	for range 200 {
		d := r.Jitter(10 * time.Second)
		if d < 5*time.Second || d > 10*time.Second {
			t.Fatalf("jitter(10s) = %v, want within [5s, 10s]", d)
		}
	}
}

package notifier

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jonboulle/clockwork"
)

// Retrier is the one retry loop: exponential backoff with jitter, honouring a
// RetryAfterError, stopping on a permanent failure, bounded by Deadline and
// the context. Zero fields take the defaults of DefaultRetrier.
type Retrier struct {
	// Base is the first wait; each further wait doubles, up to Max.
	Base, Max time.Duration
	// Deadline bounds the time spent on one message with one notifier: the
	// sends plus the waits between them. When the next wait would overrun it,
	// the Retrier gives up so the router can fail over.
	Deadline time.Duration
	// Sleep waits d or until ctx is done; tests inject one that records.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter spreads a backoff wait so that retries do not march in step.
	Jitter func(time.Duration) time.Duration
	// FailoverAfter is how long a critical step waits on a failing notifier,
	// counted from the first failed try, before the router also hands it to
	// the next notifier of its route. The failing one keeps its backoff and
	// Retry-After meanwhile; whichever delivers first wins.
	FailoverAfter time.Duration
	// Clock times the failover, and the waits when Sleep is not set; tests
	// inject a fake one.
	Clock clockwork.Clock
}

// DefaultFailoverAfter is FailoverAfter when none is configured: a critical
// alert costs the order, so a minute of a failing notifier is enough.
const DefaultFailoverAfter = time.Minute

// DefaultRetrier waits 1s, 2s, 4s … up to a minute between attempts and gives
// a notifier five minutes before the route moves on.
func DefaultRetrier() Retrier {
	return Retrier{
		Base:          time.Second,
		Max:           time.Minute,
		Deadline:      5 * time.Minute,
		Jitter:        equalJitter,
		FailoverAfter: DefaultFailoverAfter,
		Clock:         clockwork.NewRealClock(),
	}
}

func (r Retrier) withDefaults() Retrier {
	d := DefaultRetrier()
	if r.Base <= 0 {
		r.Base = d.Base
	}
	if r.Max <= 0 {
		r.Max = d.Max
	}
	if r.Max < r.Base {
		r.Max = r.Base
	}
	if r.Deadline <= 0 {
		r.Deadline = d.Deadline
	}
	if r.Clock == nil {
		r.Clock = d.Clock
	}
	if r.Sleep == nil {
		r.Sleep = clockSleep(r.Clock)
	}
	if r.FailoverAfter <= 0 {
		r.FailoverAfter = d.FailoverAfter
	}
	if r.Jitter == nil {
		r.Jitter = d.Jitter
	}
	return r
}

// Send delivers m through n alone, retrying while n says it may help. It
// returns how many attempts were made and, on failure, the last error. It
// runs the router's own lane, so a single notifier retries exactly as it
// does inside a route.
//
// The budget counts the time spent inside Send calls plus the waits asked of
// Sleep, so an injected Sleep that returns at once still exhausts it.
func (r Retrier) Send(ctx context.Context, n Notifier, m Message) (attempts int, err error) {
	router := NewRouter([]Notifier{n}, nil, r, nil)
	done := make(chan outcome, 1)
	router.start(ctx, []string{n.Name()}, m, func(o outcome) { done <- o })
	o := <-done
	if o.delivered {
		return o.attempts, nil
	}
	if err := o.errs[n.Name()]; err != nil {
		return o.attempts, err
	}
	return o.attempts, fmt.Errorf("%s: not delivered", n.Name())
}

// wait is how long to pause after the given attempt failed with err: what the
// server asked for if it said, otherwise Base·2^(attempt-1) capped at Max,
// jittered.
func (r Retrier) wait(attempt int, err error) time.Duration {
	var ra RetryAfterError
	if errors.As(err, &ra) && ra.RetryAfter() > 0 {
		return ra.RetryAfter()
	}
	d := r.Base
	for i := 1; i < attempt && d < r.Max; i++ {
		d *= 2
	}
	return r.Jitter(min(d, r.Max))
}

// equalJitter keeps half of d and randomises the other half: waits stay near
// the schedule but two daemons retrying together drift apart.
func equalJitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// clockSleep waits on clock for d or until ctx is done.
func clockSleep(clock clockwork.Clock) func(ctx context.Context, d time.Duration) error {
	return func(ctx context.Context, d time.Duration) error {
		t := clock.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.Chan():
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

package notifier

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
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
}

// DefaultRetrier waits 1s, 2s, 4s … up to a minute between attempts and gives
// a notifier five minutes before the route moves on.
func DefaultRetrier() Retrier {
	return Retrier{
		Base:     time.Second,
		Max:      time.Minute,
		Deadline: 5 * time.Minute,
		Sleep:    sleepContext,
		Jitter:   equalJitter,
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
	if r.Sleep == nil {
		r.Sleep = d.Sleep
	}
	if r.Jitter == nil {
		r.Jitter = d.Jitter
	}
	return r
}

// Send delivers m through n, retrying while n says it may help. It returns
// how many attempts were made and, on failure, the last error.
//
// The budget counts the time spent inside Send calls plus the waits asked of
// Sleep, so an injected Sleep that returns at once still exhausts it.
func (r Retrier) Send(ctx context.Context, n Notifier, m Message) (attempts int, err error) {
	r = r.withDefaults()
	var spent time.Duration
	for {
		if err := ctx.Err(); err != nil {
			return attempts, fmt.Errorf("%s: %w", n.Name(), err)
		}
		attemptCtx, cancel := context.WithTimeout(ctx, r.Deadline-spent)
		start := time.Now()
		attempts++
		retry, sendErr := n.Send(attemptCtx, m)
		spent += time.Since(start)
		cancel()
		if sendErr == nil {
			return attempts, nil
		}
		if !retry {
			return attempts, fmt.Errorf("%s: permanent failure: %w", n.Name(), sendErr)
		}
		if ctx.Err() != nil {
			return attempts, fmt.Errorf("%s: %w (stopped: %w)", n.Name(), sendErr, ctx.Err())
		}
		wait := r.wait(attempts, sendErr)
		if spent+wait >= r.Deadline {
			return attempts, fmt.Errorf("%s: gave up after %d attempts in %s: %w",
				n.Name(), attempts, spent.Round(time.Millisecond), sendErr)
		}
		if err := r.Sleep(ctx, wait); err != nil {
			return attempts, fmt.Errorf("%s: %w (stopped: %w)", n.Name(), sendErr, err)
		}
		spent += wait
	}
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

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

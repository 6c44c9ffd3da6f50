package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/roomwatch/roomwatch/systemd"
)

// defaultClockRetry is how often a daemon whose clock reads before its
// build looks again: NTP usually sets the clock within seconds of the
// network coming up.
const defaultClockRetry = 10 * time.Second

// waitForClock returns once the clock reads notBefore or later, or when ctx
// ends. A board without a battery-backed clock (a Raspberry Pi) boots in
// 1970 or at its last shutdown until NTP answers; planning then would send
// every alert of the past days at once as "late", mark steps sent that are
// not due, and time the rest from a wrong now. Nothing can be due before
// the binary was built, so a clock before the build date is wrong for sure.
// While it waits it tells systemd why, and extends the start timeout, so
// the unit neither looks ready nor gets killed for being slow.
func waitForClock(ctx context.Context, clock clockwork.Clock, notBefore time.Time, retry time.Duration, log *slog.Logger) error {
	if notBefore.IsZero() || !clock.Now().Before(notBefore) {
		return nil
	}
	if retry <= 0 {
		retry = defaultClockRetry
	}
	waitedFrom := clock.Now()
	for attempt := 0; ; attempt++ {
		now := clock.Now()
		if !now.Before(notBefore) {
			log.Info("the clock is set; planning", "now", now.UTC().Format(time.RFC3339), "waited", now.Sub(waitedFrom).Round(time.Second))
			return nil
		}
		why := fmt.Sprintf("waiting for the clock: it reads %s, before this build (%s); nothing is planned or sent until NTP sets it",
			now.UTC().Format(time.RFC3339), notBefore.UTC().Format(time.RFC3339))
		// Once, then about every ten minutes: the journal keeps the reason
		// without filling up on a board that never gets the time.
		if attempt%60 == 0 {
			log.Warn(why, "retry_every", retry)
		}
		// The start timeout (90 s by default) would otherwise kill the unit
		// while it waits; each retry buys two more intervals.
		_ = systemd.Notify(fmt.Sprintf("EXTEND_TIMEOUT_USEC=%d\nSTATUS=%s", (2 * retry).Microseconds(), why))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-clock.After(retry):
		}
	}
}

package systemd

import (
	"context"
	"log/slog"
	"math"
	"os"
	"strconv"
	"time"
)

// WatchdogInterval reports how often the process should ping the watchdog:
// half of $WATCHDOG_USEC, which leaves a whole half-period of slack for a
// slow check or a busy machine, as sd_watchdog_enabled(3) advises. ok is
// false when no watchdog is set up for this process: the variable is unset
// or malformed, or $WATCHDOG_PID names another process (one that inherited
// the environment from the daemon).
func WatchdogInterval() (interval time.Duration, ok bool) {
	usec, err := strconv.ParseUint(os.Getenv("WATCHDOG_USEC"), 10, 64)
	if err != nil || usec == 0 || usec > math.MaxInt64/uint64(time.Microsecond) {
		return 0, false
	}
	if pid := os.Getenv("WATCHDOG_PID"); pid != "" {
		if n, err := strconv.Atoi(pid); err != nil || n != os.Getpid() {
			return 0, false
		}
	}
	return time.Duration(usec) * time.Microsecond / 2, true
}

// RunWatchdog pings the watchdog every WatchdogInterval, starting at once,
// until ctx ends. Each ping is sent only when check returns nil; a failing
// check is logged and the ping skipped, so that a daemon whose store or
// scheduler is wedged is restarted by systemd instead of looking healthy.
// Without a watchdog it returns immediately. A check that blocks delays the
// return after ctx ends; that is the point of the watchdog.
func RunWatchdog(ctx context.Context, check func() error, log *slog.Logger) {
	interval, ok := WatchdogInterval()
	if !ok {
		return
	}
	if log == nil {
		log = slog.Default()
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		if err := check(); err != nil {
			log.Warn("systemd: health check failed, watchdog not pinged", "err", err)
		} else if err := Notify("WATCHDOG=1"); err != nil {
			log.Warn("systemd: watchdog ping failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			// Both may be ready at once (a slow check), and select picks
			// at random: a stopping daemon checks nothing more.
			if ctx.Err() != nil {
				return
			}
		}
	}
}

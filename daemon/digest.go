package daemon

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

// digestMetaKey holds the local date of the last digest delivered (or found
// empty), so a restart that day does not send it again.
const digestMetaKey = "digest_last"

// digestDateLayout is how that date is written.
const digestDateLayout = "2006-01-02"

// digestRetryAfter is how long a digest no notifier took waits before the
// next try; the sweep would otherwise retry it every minute.
const digestRetryAfter = 15 * time.Minute

// maybeDigest starts today's digest once the configured local time has
// passed and it has not gone out yet today. The sweep calls it every
// minute; the send runs on its own goroutine so a slow notifier never holds
// up the sweep.
func (d *Daemon) maybeDigest(ctx context.Context, now time.Time) {
	cfg := d.app.Config()
	day, due := digestDue(cfg, now)
	if !due {
		return
	}
	last, err := d.store.Meta(digestMetaKey)
	if err != nil {
		d.log.Error("reading the last digest date", "err", err)
		return
	}
	// Dates in this layout order as strings; a clock set back never
	// resends an earlier day.
	if last >= day {
		return
	}
	sendCtx, ok := d.digest.begin(ctx, now)
	if !ok {
		return
	}
	go func() {
		err := d.sendDigest(sendCtx, cfg, day, now)
		if err != nil && sendCtx.Err() == nil {
			d.log.Error("daily digest not delivered; trying again later", "retry_in", digestRetryAfter, "err", err)
		}
		d.digest.end(err != nil, d.clock.Now())
	}()
}

// digestDue reports whether now is at or past the digest time of its local
// day, and which day that is. The time is wall-clock, so a DST day still
// gets its digest at the written time.
func digestDue(cfg *config.Config, now time.Time) (day string, due bool) {
	if cfg.DigestAt == config.DigestOff {
		return "", false
	}
	local := now.In(cfg.Timezone)
	y, m, dd := local.Date()
	at := time.Date(y, m, dd, int(cfg.DigestAt/time.Hour), int(cfg.DigestAt%time.Hour/time.Minute), 0, 0, cfg.Timezone)
	return local.Format(digestDateLayout), !local.Before(at)
}

// sendDigest sends the digest of the day and records the day only once it
// is delivered; a day with nothing to say is recorded without a message.
func (d *Daemon) sendDigest(ctx context.Context, cfg *config.Config, day string, now time.Time) error {
	ag, err := d.app.Agenda(now)
	if err != nil {
		return err
	}
	if lines := ag.Lines(now, cfg); len(lines) > 0 {
		lang := message.Language(cfg.Language)
		title := fmt.Sprintf(message.For(lang).Digest.Title, message.Date(now, time.Time{}, lang, cfg.Timezone))
		if err := d.activeRouter().Notice(ctx, rules.Info, title, lines); err != nil {
			return err
		}
		d.log.Info("daily digest sent", "day", day, "upcoming", ag.Upcoming(), "at_risk", ag.AtRisk())
	}
	return d.store.SetMeta(digestMetaKey, day)
}

// digester runs at most one digest send at a time and lets shutdown cut it
// off; its zero value is ready.
type digester struct {
	mu      sync.Mutex
	cancel  context.CancelFunc // of the send in flight; nil when none
	stopped bool
	retryAt time.Time // after a failed send, no new one before this
	sends   sync.WaitGroup
}

// begin claims the one send slot. The send's context is detached from the
// caller's (a sweep pass or a reload request ends long before a send with
// retries) and is cancelled by stop.
func (g *digester) begin(ctx context.Context, now time.Time) (context.Context, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stopped || g.cancel != nil || now.Before(g.retryAt) {
		return nil, false
	}
	sendCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	g.cancel = cancel
	g.sends.Add(1)
	return sendCtx, true
}

// end releases the slot; after a failure the next try waits digestRetryAfter.
func (g *digester) end(failed bool, now time.Time) {
	g.mu.Lock()
	g.cancel()
	g.cancel = nil
	if failed {
		g.retryAt = now.Add(digestRetryAfter)
	}
	g.mu.Unlock()
	g.sends.Done()
}

// stop cancels a send in flight, waits for it and refuses new ones. The
// day stays unrecorded, so the next start that day sends the digest.
func (g *digester) stop() {
	g.mu.Lock()
	g.stopped = true
	if g.cancel != nil {
		g.cancel()
	}
	g.mu.Unlock()
	g.sends.Wait()
}

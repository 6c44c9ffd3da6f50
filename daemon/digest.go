package daemon

import (
	"cmp"
	"context"
	"fmt"
	"slices"
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

// digestAhead is how far the digest looks ahead.
const digestAhead = 24 * time.Hour

// digestRetryAfter is how long a digest no notifier took waits before the
// next try; the sweep would otherwise retry it every minute.
const digestRetryAfter = 15 * time.Minute

// maxDigestEntries bounds each list: a Slack section holds 3000 characters,
// and a digest is a glance, not a report (`roomwatch status` is that).
const maxDigestEntries = 10

// maxDigestTitle bounds a room title in a digest line, for the same reason.
const maxDigestTitle = 40

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
	ag, err := d.agenda(now)
	if err != nil {
		return err
	}
	if lines := ag.lines(now, cfg); len(lines) > 0 {
		lang := message.Language(cfg.Language)
		title := fmt.Sprintf(message.For(lang).Digest.Title, message.Date(now, time.Time{}, lang, cfg.Timezone))
		if err := d.activeRouter().Notice(ctx, rules.Info, title, lines); err != nil {
			return err
		}
		d.log.Info("daily digest sent", "day", day, "upcoming", ag.upcoming.total, "at_risk", ag.atRisk.total)
	}
	return d.store.SetMeta(digestMetaKey, day)
}

// digestEntry is one room in a digest list, with the alert it is listed for.
type digestEntry struct {
	room  rules.Room
	alert rules.Alert
}

// digestList keeps the first maxDigestEntries entries of a list in its
// order and counts them all, so a store of a million rooms digests in
// little memory.
type digestList struct {
	entries []digestEntry
	total   int
	// order sorts the list; nil means by deadline.
	order func(a, b digestEntry) int
}

func (l *digestList) add(e digestEntry) {
	l.total++
	l.entries = append(l.entries, e)
	if len(l.entries) >= 4*maxDigestEntries {
		l.trim()
	}
}

func (l *digestList) trim() {
	order := l.order
	if order == nil {
		order = byDeadline
	}
	slices.SortFunc(l.entries, func(a, b digestEntry) int {
		return cmp.Or(order(a, b), cmp.Compare(a.room.ID, b.room.ID))
	})
	l.entries = l.entries[:min(len(l.entries), maxDigestEntries)]
}

func byDeadline(a, b digestEntry) int { return a.alert.Deadline.Compare(b.alert.Deadline) }

// agenda is what a digest says: the rooms at risk, each under its worst
// risk and the most urgent first, and each other room's next deadline
// within the day ahead, the soonest first.
type agenda struct {
	upcoming, atRisk digestList
}

// agenda walks every room once.
func (d *Daemon) agenda(now time.Time) (agenda, error) {
	ag := agenda{atRisk: digestList{order: func(a, b digestEntry) int {
		return rules.CompareUrgency(a.alert, b.alert, now)
	}}}
	risky := func(a rules.Alert) bool { return a.AtRisk(now) }
	err := d.store.ForEachRoom(func(r rules.Room) error {
		env, err := d.app.Env(r)
		if err != nil {
			return err
		}
		alerts := rules.AlertsAt(r, env, now)
		risk, hasRisk := rules.MostUrgent(alerts, now, risky)
		if hasRisk {
			ag.atRisk.add(digestEntry{r, risk})
		}
		var next *rules.Alert
		for i, a := range alerts {
			if !a.Deadline.Before(now) && (next == nil || a.Deadline.Before(next.Deadline)) {
				next = &alerts[i]
			}
		}
		// A deadline already listed as a risk is not listed twice.
		if next != nil && !next.Deadline.After(now.Add(digestAhead)) &&
			(!hasRisk || risk.Kind != next.Kind || !risk.Deadline.Equal(next.Deadline)) {
			ag.upcoming.add(digestEntry{r, *next})
		}
		return nil
	})
	if err != nil {
		return agenda{}, fmt.Errorf("digest: %w", err)
	}
	ag.upcoming.trim()
	ag.atRisk.trim()
	return ag, nil
}

// lines lays the agenda out, the rooms at risk first (the most urgent comes
// first everywhere in roomwatch); none when there is nothing to say.
func (ag agenda) lines(now time.Time, cfg *config.Config) []string {
	lang := message.Language(cfg.Language)
	w := &message.For(lang).Digest
	var out []string
	for _, section := range []struct {
		heading string
		list    digestList
	}{{w.AtRisk, ag.atRisk}, {w.Upcoming, ag.upcoming}} {
		if section.list.total == 0 {
			continue
		}
		out = append(out, section.heading)
		for _, e := range section.list.entries {
			out = append(out, digestLine(e, now, cfg.Timezone, lang))
		}
		if more := section.list.total - len(section.list.entries); more > 0 {
			out = append(out, fmt.Sprintf(w.More, more))
		}
	}
	return out
}

// digestLine is "• Wed 11/25 18:00 (9h 30m left) — check-in — Blog posts
// (4012345): Send a check-in".
func digestLine(e digestEntry, now time.Time, loc *time.Location, lang string) string {
	w := &message.For(lang).Digest
	deadline := e.alert.Deadline.In(loc)
	when := message.Stamp(deadline, time.Time{}, lang, deadline.Location())
	title := []rune(cmp.Or(e.room.Title, e.room.ID))
	if len(title) > maxDigestTitle {
		title = append(title[:maxDigestTitle-1], '…')
	}
	return fmt.Sprintf(w.Line, when, message.TimeLeft(e.alert.Deadline.Sub(now), lang),
		e.alert.Kind, string(title), e.room.ID, message.Action(e.alert.Kind, lang))
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

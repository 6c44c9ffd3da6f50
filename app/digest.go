package app

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

// The daily digest's content: what is at risk and what falls due in the
// day ahead. The daemon decides when it goes out and sends it.

// digestAhead is how far the digest looks ahead.
const digestAhead = 24 * time.Hour

// maxDigestEntries bounds each list: a Slack section holds 3000 characters,
// and a digest is a glance, not a report (`roomwatch status` is that).
const maxDigestEntries = 10

// maxDigestTitle bounds a room title in a digest line, for the same reason.
const maxDigestTitle = 40

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

// Agenda is what the daily digest says: the rooms at risk, each under its worst
// risk and the most urgent first, and each other room's next deadline
// within the day ahead, the soonest first.
type Agenda struct {
	upcoming, atRisk digestList
}

// Agenda walks every room once and gathers the digest of now.
func (e *App) Agenda(now time.Time) (Agenda, error) {
	ag := Agenda{atRisk: digestList{order: func(a, b digestEntry) int {
		return rules.CompareUrgency(a.alert, b.alert, now)
	}}}
	risky := func(a rules.Alert) bool { return a.AtRisk(now) }
	err := e.store.ForEachRoom(func(r rules.Room) error {
		env, err := e.Env(r)
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
		return Agenda{}, fmt.Errorf("digest: %w", err)
	}
	ag.upcoming.trim()
	ag.atRisk.trim()
	return ag, nil
}

// Lines lays the agenda out, the rooms at risk first (the most urgent comes
// first everywhere in roomwatch); none when there is nothing to say.
func (ag Agenda) Lines(now time.Time, cfg *config.Config) []string {
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

// Upcoming counts the rooms with a deadline in the day ahead.
func (ag Agenda) Upcoming() int { return ag.upcoming.total }

// AtRisk counts the rooms at risk.
func (ag Agenda) AtRisk() int { return ag.atRisk.total }

package daemon

import (
	"strings"
	"testing"

	"github.com/jonboulle/clockwork"

	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

// digestRooms holds, at 11/25 08:30: a check-in due that evening, a first
// message still owed (at risk, due the next evening), a delivery date
// passed (at risk), and a room with nothing due within a day.
const digestRooms = `policy:
  digest_at: "08:30"
rooms:
  - id: "4012345"
    title: Blog posts
    opened: 2026-11-22 10:00
    seller_message: 2026-11-22 18:00
  - id: "4012346"
    title: Logo
    opened: 2026-11-24 20:00
  - id: "4012347"
    title: Translation
    opened: 2026-11-20 10:00
    seller_message: 2026-11-25 07:00
  - id: "4012348"
    title: Banner
    opened: 2026-11-20 10:00
    seller_message: 2026-11-24 12:00
    due: 2026-11-24
`

func TestDigestListsRisksAndTheDayAhead(t *testing.T) {
	clock := clockwork.NewFakeClockAt(at(25, 8, 0))
	rec := &recordingNotifier{clock: clock}
	d, _ := startDaemon(t, writeConfig(t, t.TempDir(), digestRooms), clock, rec, nil)
	sweepUntil(d, clock, at(25, 8, 30))

	notices := rec.notices()
	if len(notices) != 1 {
		t.Fatalf("%d digests by 08:30, want 1", len(notices))
	}
	n := notices[0].msg.Notice
	if n.Severity != rules.Info || n.Title != "roomwatch digest for Wed 11/25" {
		t.Errorf("digest %s %q, want info \"roomwatch digest for Wed 11/25\"", n.Severity, n.Title)
	}
	want := []string{
		"At risk:",
		"• Tue 11/24 23:59 (overdue by 8h 31m) — delivery-due — Banner (4012348): " + message.Action(rules.DeliveryDue, "en"),
		"• Thu 11/26 20:00 (1d 11h left) — first-message — Logo (4012346): " + message.Action(rules.FirstMessage, "en"),
		"Next 24 hours:",
		"• Wed 11/25 18:00 (9h 30m left) — check-in — Blog posts (4012345): " + message.Action(rules.CheckIn, "en"),
	}
	if strings.Join(n.Lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("digest lines:\n%s\nwant:\n%s", strings.Join(n.Lines, "\n"), strings.Join(want, "\n"))
	}
	if len(rec.alerts()) != 0 {
		t.Errorf("the digest came with %d alert messages", len(rec.alerts()))
	}
}

func TestDigestInJapanese(t *testing.T) {
	clock := clockwork.NewFakeClockAt(at(25, 8, 0))
	rec := &recordingNotifier{clock: clock}
	cfg := writeConfig(t, t.TempDir(), digestRooms)
	cfg.Language = "ja"
	d, _ := startDaemon(t, cfg, clock, rec, nil)
	sweepUntil(d, clock, at(25, 8, 30))

	notices := rec.notices()
	if len(notices) != 1 {
		t.Fatalf("%d digests, want 1", len(notices))
	}
	n := notices[0].msg.Notice
	if n.Title != "roomwatch 11/25(水) の予定" {
		t.Errorf("title %q", n.Title)
	}
	if want := "• 11/24(火) 23:59（8時間31分超過）— delivery-due — Banner（4012348）：" + message.Action(rules.DeliveryDue, "ja"); n.Lines[1] != want {
		t.Errorf("first risk line %q, want %q", n.Lines[1], want)
	}
}

func TestDigestOnceADayAtItsTime(t *testing.T) {
	clock := clockwork.NewFakeClockAt(at(25, 7, 0))
	rec := &recordingNotifier{clock: clock}
	d, _ := startDaemon(t, writeConfig(t, t.TempDir(), digestRooms), clock, rec, nil)
	sweepUntil(d, clock, at(26, 9, 0))

	notices := rec.notices()
	if len(notices) != 2 {
		t.Fatalf("%d digests over two mornings, want 2", len(notices))
	}
	for i, want := range []struct {
		at    string
		title string
	}{{"2026-11-25 08:30", "roomwatch digest for Wed 11/25"}, {"2026-11-26 08:30", "roomwatch digest for Thu 11/26"}} {
		if got := notices[i].at.In(tokyo).Format("2006-01-02 15:04"); got != want.at || notices[i].msg.Notice.Title != want.title {
			t.Errorf("digest %d: %q at %s, want %q at %s", i, notices[i].msg.Notice.Title, got, want.title, want.at)
		}
	}
	if day, err := d.store.Meta(digestMetaKey); err != nil || day != "2026-11-26" {
		t.Errorf("last digest recorded as %q (%v), want 2026-11-26", day, err)
	}
}

func TestDigestNotResentAfterARestartTheSameDay(t *testing.T) {
	dir := t.TempDir()
	clock := clockwork.NewFakeClockAt(at(25, 8, 0))
	first := &recordingNotifier{clock: clock}
	d, stop := startDaemon(t, writeConfig(t, dir, digestRooms), clock, first, nil)
	sweepUntil(d, clock, at(25, 8, 40))
	stop()
	if n := len(first.notices()); n != 1 {
		t.Fatalf("%d digests before the restart, want 1", n)
	}

	second := &recordingNotifier{clock: clock}
	d, _ = startDaemon(t, writeConfig(t, dir, digestRooms), clock, second, nil)
	sweepUntil(d, clock, at(25, 12, 0))
	if n := len(second.notices()); n != 0 {
		t.Errorf("%d digests after restarting the same day, want 0", n)
	}
}

func TestDigestMissedWhileDownGoesOutAtStartThatDayOnly(t *testing.T) {
	t.Run("started later that day", func(t *testing.T) {
		clock := clockwork.NewFakeClockAt(at(25, 10, 0))
		rec := &recordingNotifier{clock: clock}
		startDaemon(t, writeConfig(t, t.TempDir(), digestRooms), clock, rec, nil)
		notices := rec.notices()
		if len(notices) != 1 || !notices[0].at.Equal(at(25, 10, 0)) {
			t.Fatalf("digests at start = %v, want one at 10:00", notices)
		}
	})
	t.Run("started the next morning", func(t *testing.T) {
		clock := clockwork.NewFakeClockAt(at(26, 7, 0))
		rec := &recordingNotifier{clock: clock}
		d, _ := startDaemon(t, writeConfig(t, t.TempDir(), digestRooms), clock, rec, nil)
		sweepUntil(d, clock, at(26, 8, 29))
		if n := len(rec.notices()); n != 0 {
			t.Fatalf("%d digests before 08:30, want 0: yesterday's is not sent late", n)
		}
		sweepUntil(d, clock, at(26, 8, 30))
		if n := rec.notices(); len(n) != 1 || n[0].msg.Notice.Title != "roomwatch digest for Thu 11/26" {
			t.Fatalf("digests at 08:30 = %v, want today's", n)
		}
	})
}

func TestDigestSaysNothingWhenNothingIsDue(t *testing.T) {
	clock := clockwork.NewFakeClockAt(at(25, 8, 0))
	rec := &recordingNotifier{clock: clock}
	quiet := `rooms:
  - id: "4012347"
    title: Translation
    opened: 2026-11-20 10:00
    seller_message: 2026-11-25 07:00
`
	d, _ := startDaemon(t, writeConfig(t, t.TempDir(), quiet), clock, rec, nil)
	sweepUntil(d, clock, at(25, 9, 0))
	if n := len(rec.notices()); n != 0 {
		t.Errorf("%d digests with nothing due, want 0", n)
	}
	// The day still counts as done, so the sweep does not walk every room
	// again each minute.
	if day, _ := d.store.Meta(digestMetaKey); day != "2026-11-25" {
		t.Errorf("last digest day %q, want 2026-11-25", day)
	}
}

func TestDigestOff(t *testing.T) {
	clock := clockwork.NewFakeClockAt(at(25, 8, 0))
	rec := &recordingNotifier{clock: clock}
	off := strings.Replace(digestRooms, `digest_at: "08:30"`, "digest_at: none", 1)
	d, _ := startDaemon(t, writeConfig(t, t.TempDir(), off), clock, rec, nil)
	sweepUntil(d, clock, at(25, 12, 0))
	if n := len(rec.notices()); n != 0 {
		t.Errorf("%d digests with digest_at: none, want 0", n)
	}
}

func TestDigestRecordedOnlyOnceDelivered(t *testing.T) {
	clock := clockwork.NewFakeClockAt(at(25, 8, 0))
	rec := &recordingNotifier{clock: clock, failures: 1}
	d, _ := startDaemon(t, writeConfig(t, t.TempDir(), digestRooms), clock, rec, nil)
	sweepUntil(d, clock, at(25, 8, 30))
	if day, _ := d.store.Meta(digestMetaKey); day != "" {
		t.Fatalf("a digest nobody took was recorded as sent for %q", day)
	}
	sweepUntil(d, clock, at(25, 9, 0))
	notices := rec.notices()
	if len(notices) != 2 {
		t.Fatalf("%d digest attempts, want the failed one and one retry", len(notices))
	}
	if retry := notices[1].at; !retry.Equal(at(25, 8, 30).Add(digestRetryAfter)) {
		t.Errorf("retried at %s, want %s after the failure", retry.In(tokyo).Format("15:04"), digestRetryAfter)
	}
	if day, _ := d.store.Meta(digestMetaKey); day != "2026-11-25" {
		t.Errorf("last digest day %q after delivery, want 2026-11-25", day)
	}
}

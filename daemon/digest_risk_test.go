package daemon

import (
	"strings"
	"testing"

	"github.com/jonboulle/clockwork"

	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

// At 11/25 08:30 room 4012350 has two risks: its check-in went overdue on
// 11/24 08:00 and its delivery date passed at 11/24 23:59. The delivery is
// what is most at stake, so the room is listed under it, although the
// check-in is older. Room 4012351's check-in is the oldest overdue deadline
// of all, yet a late delivery (critical) comes before a late check-in
// (warning); a first message not yet due comes after both.
const digestRiskRooms = `policy:
  digest_at: "08:30"
rooms:
  - id: "4012350"
    title: 記事リライト
    opened: 2026-11-18 10:00
    seller_message: 2026-11-21 08:00
    due: 2026-11-24
  - id: "4012351"
    title: Translation
    opened: 2026-11-18 10:00
    seller_message: 2026-11-20 09:00
  - id: "4012352"
    title: Logo
    opened: 2026-11-24 20:00
`

func TestDigestListsARoomUnderItsWorstRisk(t *testing.T) {
	clock := clockwork.NewFakeClockAt(at(25, 8, 0))
	rec := &recordingNotifier{clock: clock}
	d, _ := startDaemon(t, writeConfig(t, t.TempDir(), digestRiskRooms), clock, rec, nil)
	sweepUntil(d, clock, at(25, 8, 30))

	notices := rec.notices()
	if len(notices) != 1 {
		t.Fatalf("%d digests by 08:30, want 1", len(notices))
	}
	lines := notices[0].msg.Notice.Lines
	want := []string{
		"At risk:",
		"• Tue 11/24 23:59 (overdue by 8h 31m) — delivery-due — 記事リライト (4012350): " + message.Action(rules.DeliveryDue, "en"),
		"• Mon 11/23 09:00 (overdue by 1d 23h) — check-in — Translation (4012351): " + message.Action(rules.CheckIn, "en"),
		"• Thu 11/26 20:00 (1d 11h left) — first-message — Logo (4012352): " + message.Action(rules.FirstMessage, "en"),
	}
	if got := strings.Join(lines, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("digest lines:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	if n := strings.Count(strings.Join(lines, "\n"), "4012350"); n != 1 {
		t.Errorf("room 4012350 is listed %d times, want once", n)
	}
}

package daemon

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

// dueIndex is every room's next step as the store's due index holds it.
func dueIndex(t *testing.T, d *Daemon) map[string]time.Time {
	t.Helper()
	out := map[string]time.Time{}
	err := d.store.DueBefore(at(30, 0, 0).AddDate(1, 0, 0), func(room string, at time.Time) bool {
		out[room] = at
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

const reloadBase = `policy:
  digest_at: none
rooms:
  - id: "A"
    title: In both files
    opened: 2026-11-20 10:00
    seller_message: 2026-11-20 10:30
`

// The edited file changes the language and the check-in policy (which moves
// room A's next step into the horizon, so the attempt gives it a timer) and
// adds room B.
const reloadEdited = `language: ja
policy:
  digest_at: none
  check_in_every: 24h
rooms:
  - id: "A"
    title: In both files
    opened: 2026-11-20 10:00
    seller_message: 2026-11-20 10:30
  - id: "B"
    title: Only in the edit
    opened: 2026-11-20 10:45
`

func TestFailedReloadKeepsTheLastGoodConfigRouterAndTimers(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, reloadBase)
	clock := clockwork.NewFakeClockAt(at(20, 11, 0))
	rec := &recordingNotifier{clock: clock}
	d, _ := startDaemon(t, cfg, clock, rec, nil)
	ctx := context.Background()

	router := d.activeRouter()
	index := dueIndex(t, d)
	room, next, ok := d.sched.NextRun()
	if ok {
		t.Fatalf("a timer for %s at %s before the edit; the test wants none within the horizon", room, next)
	}
	text := "timezone: Asia/Tokyo\nstore: roomwatch.db\ncontrol:\n  socket: roomwatch.sock\n" + reloadEdited
	if err := os.WriteFile(filepath.Join(dir, "roomwatch.yaml"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}

	t.Setenv(reloadFaultEnv, "catch-up")
	for range 2 {
		err := d.reload(ctx)
		if err == nil || !strings.Contains(err.Error(), "could not be put in force") || !strings.Contains(err.Error(), "injected failure") {
			t.Fatalf("reload = %v, want the injected failure", err)
		}
		if d.app.Config() != cfg {
			t.Fatalf("the engine runs on %s/%s, want the last good configuration", d.app.Config().Language, d.app.Config().Summary())
		}
		if d.activeRouter() != router {
			t.Fatal("the router of the failed configuration is in force")
		}
		if got := dueIndex(t, d); !reflect.DeepEqual(got, index) {
			t.Errorf("due index after the failed reload = %v, want the last good one %v", got, index)
		}
		if _, tracked, err := d.store.Room("B"); err != nil || tracked {
			t.Errorf("room B of the failed configuration is tracked (%v)", err)
		}
		if room, next, ok := d.sched.NextRun(); ok {
			t.Errorf("a timer of the failed attempt stayed: %s at %s", room, next.In(tokyo))
		}
	}
	notices := rec.notices()
	if len(notices) != 1 || notices[0].msg.Notice.Title != unappliedTitle {
		t.Fatalf("notices = %+v, want one warning that the configuration was not put in force", notices)
	}
	if lines := strings.Join(notices[0].msg.Notice.Lines, "\n"); !strings.Contains(lines, "injected failure") {
		t.Errorf("the warning does not say what failed: %q", lines)
	}

	// Once the failure is gone, the same file is put in force.
	t.Setenv(reloadFaultEnv, "")
	if err := d.reload(ctx); err != nil {
		t.Fatalf("reload: %v", err)
	}
	if got := d.app.Config(); got.Language != "ja" || len(got.Rooms) != 2 {
		t.Errorf("after the good reload: language %s, %d rooms", got.Language, len(got.Rooms))
	}
	if d.activeRouter() == router {
		t.Error("the new router is not in force")
	}
	room, next, ok = d.sched.NextRun()
	if !ok || room != "A" || !next.Equal(at(21, 10, 30)) {
		t.Errorf("next timer = %s at %s (%v), want A's check-in at 11/21 10:30 under the new policy", room, next.In(tokyo), ok)
	}
	if _, tracked, err := d.store.Room("B"); err != nil || !tracked {
		t.Errorf("room B is not tracked after the good reload (%v)", err)
	}
}

package daemon

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/store"
)

// importRooms puts n rooms into the configuration's store as an import
// from a marketplace would: room i's seller wrote at now-72h+(i+1) minutes,
// so its check-in falls due i+1 minutes after now.
func importRooms(t *testing.T, cfg *config.Config, now time.Time, n int) {
	t.Helper()
	st, err := store.Open(cfg.Store, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var rooms []rules.Room
	for i := range n {
		seller := now.Add(-72*time.Hour + time.Duration(i+1)*time.Minute)
		rooms = append(rooms, rules.Room{ID: fmt.Sprintf("r%03d", i), Buyer: fmt.Sprintf("b%d", i),
			Opened: seller.Add(-time.Hour), SellerMessage: seller})
	}
	if _, err := st.ImportRooms(rooms, "marketplace", now.Add(-80*time.Hour)); err != nil {
		t.Fatal(err)
	}
}

func startWith(t *testing.T, ctx context.Context, cfg *config.Config, clock *clockwork.FakeClock, log *syncBuffer, opt Options) *Daemon {
	t.Helper()
	rec := &recordingNotifier{clock: clock}
	opt.Config, opt.Clock, opt.Log = cfg, clock, testLog(t, nil)
	if log != nil {
		opt.Log = testLog(t, log)
	}
	opt.Router = func(*config.Config) (*notifier.Router, error) {
		return notifier.NewRouter([]notifier.Notifier{rec}, nil, notifier.Retrier{}, opt.Log), nil
	}
	d, err := start(ctx, opt)
	if err != nil {
		t.Fatal(err)
	}
	d.digest.sends.Wait()
	return d
}

func stopDaemon(t *testing.T, d *Daemon) {
	t.Helper()
	d.digest.stop()
	if err := d.sched.Shutdown(context.Background()); err != nil {
		t.Error(err)
	}
	if err := d.store.Close(); err != nil {
		t.Error(err)
	}
}

func TestOnlyTheFirstStartEvaluatesEveryRoom(t *testing.T) {
	now := at(22, 12, 0)
	cfg := writeConfig(t, t.TempDir(), "policy:\n  digest_at: \"\"\n")
	importRooms(t, cfg, now, 30)
	clock := clockwork.NewFakeClockAt(now)

	var first syncBuffer
	d := startWith(t, context.Background(), cfg, clock, &first, Options{MaxTimers: 5})
	if !strings.Contains(first.String(), "rooms=30 all=true") {
		t.Errorf("the first start did not evaluate the 30 imported rooms:\n%s", first.String())
	}
	if got := d.sched.Jobs(); got != 5 {
		t.Errorf("%d timers held, want MaxTimers = 5", got)
	}
	room, next, ok := d.sched.NextRun()
	if !ok || room != "r000" || !next.Equal(now.Add(time.Minute)) {
		t.Errorf("next timer %s at %s (%v), want r000 a minute from now", room, next, ok)
	}
	stopDaemon(t, d)

	var again syncBuffer
	d = startWith(t, context.Background(), cfg, clock, &again, Options{MaxTimers: 5})
	defer stopDaemon(t, d)
	if !strings.Contains(again.String(), "changed=0 all=false") {
		t.Errorf("a restart on an unchanged store evaluated rooms:\n%s", again.String())
	}
	if got := d.sched.Jobs(); got != 5 {
		t.Errorf("%d timers held after the restart, want 5", got)
	}
}

// extraTimers is an Options.Timers that records what it is told.
type extraTimers struct {
	mu    sync.Mutex
	rooms []string
}

func (x *extraTimers) Schedule(room string, _ time.Time) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.rooms = append(x.rooms, room)
	return nil
}

func (x *extraTimers) Jobs() int { return 7 }

// The timers port (what roomwatch-bench plugs its baseline into) is
// started with the application once the catch-up is done, told of each
// room evaluated, and counted in the stats.
func TestExtraTimersFollowEveryEvaluation(t *testing.T) {
	now := at(22, 12, 0)
	cfg := writeConfig(t, t.TempDir(), "policy:\n  digest_at: \"\"\n")
	importRooms(t, cfg, now, 4)
	clock := clockwork.NewFakeClockAt(now)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	extra := &extraTimers{}
	var started *app.App
	d := startWith(t, ctx, cfg, clock, nil, Options{Timers: func(_ context.Context, a *app.App) (Timers, error) {
		started = a
		return extra, nil
	}})
	defer stopDaemon(t, d)

	if started != d.app {
		t.Fatal("the timers were not started with the daemon's application")
	}
	stats, err := statsService{d.app, d}.Stats(ctx)
	if err != nil || stats.Jobs != d.sched.Jobs()+7 || stats.Rooms != 4 {
		t.Errorf("stats = %+v, %v; want the daemon's %d jobs + 7, 4 rooms", stats, err, d.sched.Jobs())
	}
	if _, err := d.app.Record(ctx, app.EventRequest{Room: "r000", Event: rules.EventSellerMessage, At: now}); err != nil {
		t.Fatal(err)
	}
	extra.mu.Lock()
	defer extra.mu.Unlock()
	if !slices.Contains(extra.rooms, "r000") {
		t.Errorf("the timers were told of %v after an event in r000", extra.rooms)
	}
}

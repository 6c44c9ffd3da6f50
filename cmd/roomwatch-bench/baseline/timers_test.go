package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/store"
)

func TestBaselineHoldsAJobPerLiveAlert(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, tokyo)
	cfg, err := config.Parse(filepath.Join(t.TempDir(), "roomwatch.yaml"), []byte("timezone: Asia/Tokyo\n"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(cfg.Store, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	// Four rooms as a marketplace import has them: room i's seller wrote
	// at now-72h+(i+1) minutes, so each runs a check-in, a may-cancel and a
	// room-expiry alert.
	var rooms []rules.Room
	for i := range 4 {
		seller := now.Add(-72*time.Hour + time.Duration(i+1)*time.Minute)
		rooms = append(rooms, rules.Room{ID: fmt.Sprintf("r%03d", i), Buyer: fmt.Sprintf("b%d", i),
			Opened: seller.Add(-time.Hour), SellerMessage: seller})
	}
	if _, err := st.ImportRooms(rooms, "marketplace", now.Add(-80*time.Hour)); err != nil {
		t.Fatal(err)
	}
	clock := clockwork.NewFakeClockAt(now)
	log := slog.New(slog.DiscardHandler)
	later := &laterTimers{}
	a := app.New(app.Options{Config: cfg, Store: st, Clock: clock, Log: log, Timers: later})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	jobs, err := startAllAlertJobs(ctx, a, clock, log)
	if err != nil {
		t.Fatal(err)
	}
	later.jobs = jobs

	if got := jobs.Jobs(); got != 12 {
		t.Errorf("baseline holds %d jobs, want 12 (3 live alerts × 4 rooms)", got)
	}
	// A message resolves nothing but moves the check-in: its job moves, the
	// count stays.
	if _, err := a.Record(ctx, app.EventRequest{Room: "r000", Event: rules.EventSellerMessage, At: now}); err != nil {
		t.Fatal(err)
	}
	if got := jobs.Jobs(); got != 12 {
		t.Errorf("baseline holds %d jobs after an event, want 12", got)
	}
}

// laterTimers is the application's timers port pointing at the baseline's
// jobs once they exist, as the daemon's does.
type laterTimers struct{ jobs *allAlertJobs }

func (t *laterTimers) Schedule(room string, at time.Time) error {
	if t.jobs == nil {
		return nil
	}
	return t.jobs.Schedule(room, at)
}

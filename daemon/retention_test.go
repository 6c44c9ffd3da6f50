package daemon

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

// The sweep prunes a room approved automatically more than the retention
// ago, keeps one inside it, and the pruned room's alerts never come back.
func TestSweepPrunesRoomsPastTheRetention(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, `rooms:
  - id: "old"
    title: Logo
    buyer: sakura
    via: quote
    opened: 2026-11-01 10:00
    seller_message: 2026-11-01 11:00
    delivered: 2026-11-05 10:00
  - id: "recent"
    title: Banner
    buyer: kenta
    via: quote
    opened: 2026-11-15 10:00
    seller_message: 2026-11-15 11:00
    delivered: 2026-11-19 10:00
`)
	clock := clockwork.NewFakeClockAt(at(20, 9, 0))
	rec := &recordingNotifier{clock: clock}
	var logs syncBuffer
	d, _ := startDaemon(t, cfg, clock, rec, testLog(t, &logs))
	// What the start queued went out (send-terms of both rooms), and in
	// February both rooms' rate-buyer.
	sendAll := func() {
		t.Helper()
		pending, err := d.store.Outbox()
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range pending {
			if err := d.store.MarkSent(e.Key, map[string]string{"phone": "ok"}, clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	sendAll()
	clock.Advance(time.Date(2027, 2, 15, 9, 0, 0, 0, tokyo).Sub(clock.Now()))
	if _, err := d.app.EvaluateAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	sendAll()
	before, err := d.store.Ledger("recent")
	if err != nil || len(before) == 0 {
		t.Fatalf("the recent room has no ledger to keep: %v", err)
	}

	// 2027-05-20: "old" was approved automatically on 11-08, 193 days
	// ago; "recent" on 11-22, 179 days ago.
	clock.Advance(time.Date(2027, 5, 20, 9, 0, 0, 0, tokyo).Sub(clock.Now()))
	now := clock.Now()
	d.sweep(context.Background(), now, now.Add(d.opt.Horizon))

	sum, ok, err := d.store.Summary("old")
	if err != nil || !ok {
		t.Fatalf("old room not pruned: %v", err)
	}
	// The YAML's facts live in the room record, not in the event log
	// (schema 4): nothing of the log to prune, and the record stays.
	if !sum.Ended.Equal(at(8, 10, 0)) || sum.State != "closed" || sum.Alerts != 2 || sum.Sent != 2 || sum.Events != 0 {
		t.Errorf("summary = %+v", sum)
	}
	if ledger, _ := d.store.Ledger("old"); len(ledger) != 0 {
		t.Errorf("old room keeps %d ledger entries", len(ledger))
	}
	if _, ok, _ := d.store.Summary("recent"); ok {
		t.Error("the room inside the retention was pruned")
	}
	if after, _ := d.store.Ledger("recent"); len(after) != len(before) {
		t.Errorf("recent room: %d ledger entries, want %d", len(after), len(before))
	}
	if !strings.Contains(logs.String(), "pruned the history") {
		t.Errorf("no log line of the pruning:\n%s", logs.String())
	}

	// A policy change re-evaluates every room: the pruned one's old
	// alerts (rate-buyer, …) are not in the ledger any more, and must not
	// be queued again.
	if _, err := d.app.EvaluateAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if pending, _ := d.store.Outbox(); len(pending) != 0 {
		t.Errorf("re-evaluation queued %d old steps again: %+v", len(pending), pending)
	}

	// The next sweeps rest: the pass over every room is done.
	d.sweep(context.Background(), now.Add(time.Minute), now.Add(d.opt.Horizon))
	if d.retention.from != "" || !d.retention.passDone.Equal(now) {
		t.Errorf("walk state after a pass: from %q, pass done %v", d.retention.from, d.retention.passDone)
	}
}

func TestRetentionNoneKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, `rooms:
  - id: "old"
    opened: 2026-11-01 10:00
    cancelled: 2026-11-02 10:00
`)
	cfg.Retention = 0
	clock := clockwork.NewFakeClockAt(at(20, 9, 0))
	d, _ := startDaemon(t, cfg, clock, &recordingNotifier{clock: clock}, nil)
	clock.Advance(3 * 365 * 24 * time.Hour)
	now := clock.Now()
	d.sweep(context.Background(), now, now.Add(d.opt.Horizon))
	if _, ok, _ := d.store.Summary("old"); ok {
		t.Error("retention none pruned a room")
	}
	if events, _ := d.store.Events("old"); len(events) == 0 {
		t.Error("retention none lost the events")
	}
}

package app

import (
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/store"

	"github.com/roomwatch/roomwatch/rules"
)

// HistoryPruned is what remains of a room whose history was pruned after
// store.retention: one line of `history`.
type HistoryPruned struct {
	Opened time.Time   `json:"opened,omitzero"`
	Ended  time.Time   `json:"ended"`
	State  rules.State `json:"state"` // closed or cancelled
	// Events and Alerts count the log entries and alerts removed; Sent
	// those alerts that had been delivered.
	Events   int       `json:"events"`
	Alerts   int       `json:"alerts"`
	Sent     int       `json:"sent"`
	PrunedAt time.Time `json:"pruned_at"`
}

// pruned returns the summary of a pruned room, nil for any other.
func (e *App) pruned(room string) (*HistoryPruned, error) {
	sum, ok, err := e.store.Summary(room)
	if err != nil || !ok {
		return nil, err
	}
	return &HistoryPruned{
		Opened: e.local(sum.Opened), Ended: e.local(sum.Ended), State: sum.State,
		Events: sum.Events, Alerts: sum.Alerts, Sent: sum.Sent, PrunedAt: e.local(sum.PrunedAt),
	}, nil
}

// Prune removes the history of the rooms that ended more than the
// retention ago, among up to limit rooms from `from` (the sweep walks the
// store a slice at a time), and returns where the next call resumes: ""
// once a pass reached the last room.
func (e *App) Prune(now time.Time, from string, limit int) (next string, err error) {
	cfg := e.Config()
	res, err := e.store.Prune(store.PruneOptions{
		Before: now.Add(-cfg.Retention),
		Ended:  endedUnder(cfg, now),
		Now:    now,
		From:   from,
		Limit:  limit,
	})
	if len(res.Rooms) > 0 {
		e.log.Info("pruned the history of rooms that ended before the retention",
			"retention", cfg.Retention, "rooms", len(res.Rooms), "events", res.Events, "alerts", res.Alerts)
	}
	return res.Next, err
}

// endedUnder answers, for the store, when a room ended under cfg's
// profiles: automatic approval depends on the room's platform.
func endedUnder(cfg *config.Config, now time.Time) func(rules.Room) (time.Time, rules.State) {
	return func(r rules.Room) (time.Time, rules.State) {
		platform := r.Platform
		if platform == "" {
			platform = cfg.Platform
		}
		return rules.EndedAt(r, cfg.Profiles[platform], now)
	}
}

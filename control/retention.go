package control

import (
	"time"

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
func (l *Local) pruned(room string) (*HistoryPruned, error) {
	sum, ok, err := l.Engine.Store().Summary(room)
	if err != nil || !ok {
		return nil, err
	}
	return &HistoryPruned{
		Opened: l.local(sum.Opened), Ended: l.local(sum.Ended), State: sum.State,
		Events: sum.Events, Alerts: sum.Alerts, Sent: sum.Sent, PrunedAt: l.local(sum.PrunedAt),
	}, nil
}

package control

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/roomwatch/roomwatch/app"
)

// pathStats serves Stats on the control socket only: the figures say how
// big the store is, which the HTTP API has no need to tell.
const pathStats = "/v1/debug/stats"

// Stats are a running daemon's working figures, for benchmarks and for
// troubleshooting memory or a slow start.
type Stats struct {
	Rooms      int    `json:"rooms"`      // tracked rooms
	Jobs       int    `json:"jobs"`       // gocron jobs held for rooms (the sweep not counted)
	Goroutines int    `json:"goroutines"` // flat whatever the number of rooms
	HeapBytes  uint64 `json:"heap_bytes"` // Go heap in use
}

// StatsReporter is an app.Service that can report Stats. It is apart from
// app.Service, which the command line and the HTTP API share: only the
// daemon's control socket serves it.
type StatsReporter interface {
	Stats(ctx context.Context) (Stats, error)
}

// handleStats adds the stats route to mux when svc reports Stats.
func handleStats(mux *http.ServeMux, svc app.Service, log *slog.Logger) bool {
	sr, ok := svc.(StatsReporter)
	if !ok {
		return false
	}
	mux.HandleFunc("GET "+pathStats, func(w http.ResponseWriter, r *http.Request) {
		reply(w, log)(sr.Stats(r.Context()))
	})
	return true
}

// Stats asks the daemon for its working figures.
func (c *Client) Stats(ctx context.Context) (Stats, error) {
	var out Stats
	return out, c.call(ctx, http.MethodGet, pathStats, nil, nil, &out)
}

//go:build race

package store

// raceEnabled: the race detector slows single-threaded bulk work some
// tenfold; the tests that only write volume skip under it (they run in
// the plain `go test ./...`).
const raceEnabled = true

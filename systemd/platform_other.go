//go:build !linux

package systemd

// systemd only exists on Linux; elsewhere the optional MONOTONIC_USEC is
// left out and $JOURNAL_STREAM, if someone sets it, is taken at its word.

func monotonicMicros() (uint64, bool) { return 0, false }

func stderrDevIno() (dev, ino uint64, ok bool) { return 0, 0, false }

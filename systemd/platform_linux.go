package systemd

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// monotonicMicros reads CLOCK_MONOTONIC, the clock systemd expects in
// MONOTONIC_USEC; Go's time package keeps its monotonic reading private.
func monotonicMicros() (uint64, bool) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0, false
	}
	return uint64(ts.Sec)*1_000_000 + uint64(ts.Nsec)/1_000, true
}

func stderrDevIno() (dev, ino uint64, ok bool) {
	info, err := os.Stderr.Stat()
	if err != nil {
		return 0, 0, false
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return uint64(st.Dev), uint64(st.Ino), true
}

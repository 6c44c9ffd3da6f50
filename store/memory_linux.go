package store

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// dropResident unmaps the resident pages of [addr, addr+length) of a shared
// file mapping; see memory.go for why the store's mapping allows it. A raw
// call keeps the mapping's address a number: turning it into a []byte for
// unix.Madvise would fabricate a Go pointer to memory the runtime does not
// own.
func dropResident(addr uintptr, length int64) error {
	if _, _, errno := unix.Syscall(unix.SYS_MADVISE, addr, uintptr(length), unix.MADV_DONTNEED); errno != 0 {
		return fmt.Errorf("madvise(MADV_DONTNEED) on %d bytes: %w", length, errno)
	}
	return nil
}

//go:build !linux

package store

// dropResident does nothing outside Linux: there MADV_DONTNEED on a file
// mapping is a hint at most (macOS), and the daemon's figures are Linux's.
func dropResident(addr uintptr, length int64) error { return nil }

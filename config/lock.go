package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// editLockWait bounds the wait for another edit of the file: an add takes
// milliseconds, so a lock held longer belongs to a stuck process.
const editLockWait = 10 * time.Second

// editLockPoll is how often a held lock is tried again.
const editLockPoll = 5 * time.Millisecond

// lockPath is the lock file beside the config file: .roomwatch.yaml.lock.
// It stays after use: removing it would let a waiting process lock a file
// that a newcomer no longer sees.
func lockPath(target string) string {
	return filepath.Join(filepath.Dir(target), "."+filepath.Base(target)+".lock")
}

// lockForEdit takes the exclusive flock(2) lock that every edit of the file
// at target holds from its read to its rename, waiting up to wait for
// another edit to finish. It returns the function that releases it.
func lockForEdit(target string, wait time.Duration) (unlock func(), err error) {
	path := lockPath(target)
	// Read access suffices for flock, so anyone who may edit the config
	// can share a lock file another user created.
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("config: lock for editing: %w", err)
	}
	deadline := time.Now().Add(wait)
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return func() {
				_ = unix.Flock(int(f.Fd()), unix.LOCK_UN)
				f.Close()
			}, nil
		}
		if !errors.Is(err, unix.EWOULDBLOCK) && !errors.Is(err, unix.EINTR) {
			f.Close()
			return nil, fmt.Errorf("config: lock %s for editing: %w", path, err)
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("config: %s is being edited by another process (it has held %s for %s); try again", target, path, wait)
		}
		time.Sleep(editLockPoll)
	}
}

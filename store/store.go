// Package store is roomwatch's durable memory: one bbolt file holding the
// rooms synced from the YAML or imported from a marketplace, the events
// recorded since, the ledger of every alert step queued or sent, the outbox
// of steps not yet sent, acks, snoozes, a due index (next step time → room)
// and the indexes that spare a start from reading every room (index.go). The promise "no alert lost, none
// sent twice" rests on the ledger and the outbox being written in one
// transaction (see Queue).
package store

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Errors a caller can test with errors.Is.
var (
	// ErrLocked: another process holds the store open read-write.
	ErrLocked = errors.New("store is locked by another process")
	// ErrCorrupt: the file is not a bbolt file, not a roomwatch store, or damaged.
	ErrCorrupt = errors.New("not a roomwatch store or corrupt")
	// ErrNewerSchema: the file was written by a newer roomwatch.
	ErrNewerSchema = errors.New("store schema is newer than this roomwatch")
	// ErrOlderSchema: a read-only open found a file that needs a migration.
	ErrOlderSchema = errors.New("store schema needs an upgrade")
	// ErrUnknownRoom: the room is not tracked (never synced, or removed from the YAML).
	ErrUnknownRoom = errors.New("room is not tracked")
	// ErrUnknownStep: no ledger entry has the key.
	ErrUnknownStep = errors.New("no such step in the ledger")
	// ErrNotQueued: the step is in the ledger but not waiting in the outbox.
	ErrNotQueued = errors.New("step is not queued")
)

// Options tunes Open.
type Options struct {
	// Timeout bounds the wait for the file lock; zero means one second.
	Timeout time.Duration
	// ReadOnly opens the file with a shared lock and refuses writes.
	ReadOnly bool
	// NoSync skips fsync on commit. Only for benchmarks: a crash may lose data.
	NoSync bool
}

const defaultLockTimeout = time.Second

// Store is an open roomwatch store. Its methods are safe for concurrent use.
type Store struct {
	db   *guardedDB // guard.go: a damaged page is an error, never a panic
	path string
}

// Path returns the file the store was opened from.
func (s *Store) Path() string { return s.path }

// Close releases the file and its lock.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close %s: %w", s.path, err)
	}
	return nil
}

// Ping runs a read transaction; the systemd watchdog uses it to prove the
// store still answers.
func (s *Store) Ping() error {
	return s.fail("ping", s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketMeta) == nil {
			return errors.New("meta bucket missing")
		}
		return nil
	}))
}

// Meta returns a small piece of daemon state (e.g. the last digest date);
// "" when unset.
func (s *Store) Meta(key string) (string, error) {
	var value string
	err := s.db.View(func(tx *bolt.Tx) error {
		value = string(tx.Bucket(bucketMeta).Get([]byte(key)))
		return nil
	})
	return value, s.fail("read meta "+strconv.Quote(key), err)
}

// SetMeta stores a small piece of daemon state. An empty value deletes it.
// The store's own keys (schema_version, tracked_rooms) are reserved.
func (s *Store) SetMeta(key, value string) error {
	if key == "" || reservedMetaKey(key) {
		return fmt.Errorf("store: meta key %q is reserved", key)
	}
	return s.update("write meta "+strconv.Quote(key), func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMeta)
		if value == "" {
			return b.Delete([]byte(key))
		}
		return b.Put([]byte(key), []byte(value))
	})
}

// Backup writes a consistent copy of the store to path while it stays open
// for reads and writes: the copy goes to path+".tmp", is fsynced, then
// renamed over path, so path is either the old backup or the complete new one.
func (s *Store) Backup(path string) error {
	if same, err := sameFile(s.path, path); err == nil && same {
		return fmt.Errorf("store: backup %s: that is the store itself", path)
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return explainFS("backup to", tmp, err)
	}
	_, err = s.WriteTo(f)
	if err == nil {
		err = f.Sync()
	}
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return explainFS("backup to", path, err)
	}
	syncFolder(filepath.Dir(path))
	return nil
}

// WriteTo streams a consistent copy of the store (one read transaction)
// to w, while the store stays open for reads and writes; the copy is a
// store file Open accepts. It makes Store an io.WriterTo, for backups sent
// over the control socket.
func (s *Store) WriteTo(w io.Writer) (int64, error) {
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, s.fail("copy the store", err)
}

func sameFile(a, b string) (bool, error) {
	ia, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	ib, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(ia, ib), nil
}

// syncFolder makes a rename durable. Failure only weakens durability of the
// rename, not the data already fsynced, so it is logged, not returned.
func syncFolder(dir string) {
	d, err := os.Open(dir)
	if err == nil {
		err = d.Sync()
		_ = d.Close()
	}
	if err != nil {
		slog.Warn("store: fsync folder after rename", "folder", dir, "err", err)
	}
}

// update runs fn in a read-write transaction and wraps any error.
func (s *Store) update(op string, fn func(*bolt.Tx) error) error {
	return s.fail(op, s.db.Update(fn))
}

// fail wraps err as "store: op: …", naming the file when the disk is full or
// read-only since that is what the user must fix.
func (s *Store) fail(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.ENOSPC):
		return fmt.Errorf("store: %s: no space left on the device holding %s: %w", op, s.path, err)
	case errors.Is(err, syscall.EROFS), errors.Is(err, berrors.ErrDatabaseReadOnly):
		return fmt.Errorf("store: %s: %s is read-only: %w", op, s.path, err)
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

package store

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Compaction: bbolt never gives a freed page back to the file system, so a
// store whose old rooms were pruned keeps its size until it is rewritten.
// Compact rewrites it with bbolt's Compact into a new file beside it, checks
// the copy, and swaps it in by a rename, holding the store's lock all along:
//
//  1. path+".compacting" receives the copy and is fsynced;
//  2. the copy is opened read-only, checked page by page and compared with
//     the store: every bucket with the same keys, values and sequence;
//  3. path+".before-compact" becomes a second name of the store (a hard link; a copy
//     where links are not supported);
//  4. the copy is renamed over path, and the folder fsynced;
//  5. the backup is removed.
//
// path names a complete store at every instant, since a rename replaces it
// in one step: a crash before step 4 leaves the old store, one after it the
// new one, already checked. What a crash leaves besides — the partial copy,
// the backup — is removed by the next read-write Open once it holds the
// lock and has checked the store (removeLeftovers). A process that waited
// for the lock of the old file while it was replaced finds, once it has the
// lock, that path is another file, and opens again (Open).

// Suffixes of the files a compaction writes beside the store.
const (
	compactSuffix = ".compacting"
	backupSuffix  = ".before-compact"
)

// compactTxSize bounds the bytes copied per transaction of the new file.
const compactTxSize = 16 << 20

// CompactOptions tunes Compact.
type CompactOptions struct {
	// Timeout bounds the wait for the store's lock; zero means one second.
	Timeout time.Duration
	// MinFree skips the rewrite unless at least this fraction of the file
	// is free (0.5 at the daemon's start); zero always rewrites.
	MinFree float64
	// MinFreeBytes skips it too unless that many bytes are free: a small
	// store is mostly the room bbolt grows the file by, not worth a rewrite.
	MinFreeBytes int64
}

// CompactResult reports a compaction's sizes in bytes.
type CompactResult struct {
	Before, After int64
	// Free is the part of the file that was free before (0 to 1).
	Free float64
	// Skipped is true when MinFree was not reached and nothing was written.
	Skipped bool
}

// Compact rewrites the store at path into a file holding only its live
// pages (see above). It needs the store to itself: a running daemon or
// command holding it makes it fail with ErrLocked, file untouched.
func Compact(path string, opt CompactOptions) (CompactResult, error) {
	src, err := Open(path, Options{Timeout: opt.Timeout})
	if err != nil {
		return CompactResult{}, err
	}
	// Closed last: the lock on the old file is held until the new one is
	// in place, so no other process writes to the old one meanwhile.
	defer src.Close()

	var res CompactResult
	info, err := os.Stat(path)
	if err != nil {
		return res, explainFS("compact", path, err)
	}
	res.Before = info.Size()
	res.Free, err = src.freeFraction(res.Before)
	if err != nil {
		return res, err
	}
	if res.Free < opt.MinFree || int64(res.Free*float64(res.Before)) < opt.MinFreeBytes {
		res.Skipped, res.After = true, res.Before
		return res, nil
	}

	tmp := path + compactSuffix
	if err := writeCompacted(src, tmp); err != nil {
		_ = os.Remove(tmp)
		return res, err
	}
	if err := checkCompacted(src, tmp); err != nil {
		_ = os.Remove(tmp)
		return res, fmt.Errorf("store: compact %s: the new file failed its check, the store was left as it was: %w", path, err)
	}
	backup := path + backupSuffix
	if err := keepBackup(src, path, backup); err != nil {
		_ = os.Remove(tmp)
		return res, err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		_ = os.Remove(backup)
		return res, explainFS("compact: replace", path, err)
	}
	syncFolder(filepath.Dir(path))
	if info, err := os.Stat(path); err == nil {
		res.After = info.Size()
	}
	if err := os.Remove(backup); err != nil {
		slog.Warn("store: compacted; the backup of the old file stays", "backup", backup, "err", err)
	}
	return res, nil
}

// freeFraction is the part of the file no live page uses: pages on the
// freelist and the tail bbolt grew the file by ahead of need.
func (s *Store) freeFraction(size int64) (float64, error) {
	if size <= 0 {
		return 0, nil
	}
	// bbolt counts the free pages when a write transaction ends: one rolled
	// back (it writes nothing) makes the figure current.
	var used int64
	err := s.db.Update(func(tx *bolt.Tx) error {
		used = tx.Size()
		return errMeasured
	})
	if !errors.Is(err, errMeasured) {
		return 0, s.fail("measure free space", err)
	}
	used -= int64(s.db.Stats().FreeAlloc)
	return float64(size-used) / float64(size), nil
}

// errMeasured rolls back freeFraction's transaction.
var errMeasured = errors.New("measured")

func writeCompacted(src *Store, tmp string) error {
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return explainFS("compact: remove the old", tmp, err)
	}
	// NoSync: the copy is fsynced once, whole, before it is checked.
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{NoSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return explainFS("compact: create", tmp, err)
	}
	err = src.db.View(func(*bolt.Tx) error { return nil }) // refuses a store known damaged
	if err == nil {
		err = src.db.guard(func() error { return bolt.Compact(dst, src.db.DB, compactTxSize) })
	}
	if err == nil {
		err = dst.Sync()
	}
	if closeErr := dst.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return src.fail("compact into "+tmp, err)
	}
	return nil
}

// checkCompacted opens the copy read-only, checks every page and compares
// it with the store, bucket by bucket.
func checkCompacted(src *Store, tmp string) error {
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer dst.Close()
	if problem := verify(dst); problem != "" {
		return errors.New(problem)
	}
	if _, err := inspect(dst, tmp); err != nil {
		return err
	}
	return src.db.View(func(stx *bolt.Tx) error {
		return dst.View(func(dtx *bolt.Tx) error {
			return sameBuckets(stx.Cursor(), dtx.Cursor(), stx, dtx, nil, nil)
		})
	})
}

// sameBuckets compares two bucket levels key by key, recursing into nested
// buckets; sb and db are the buckets at this level (nil at the top).
func sameBuckets(sc, dc *bolt.Cursor, stx, dtx *bolt.Tx, sb, db *bolt.Bucket) error {
	sk, sv := sc.First()
	dk, dv := dc.First()
	for ; sk != nil || dk != nil; sk, sv, dk, dv = next2(sc, dc) {
		if !bytes.Equal(sk, dk) {
			return fmt.Errorf("key %q in the store, %q in the copy", sk, dk)
		}
		if sv != nil || dv != nil {
			if !bytes.Equal(sv, dv) {
				return fmt.Errorf("the value of key %q differs", sk)
			}
			continue
		}
		var sChild, dChild *bolt.Bucket
		if sb == nil {
			sChild, dChild = stx.Bucket(sk), dtx.Bucket(dk)
		} else {
			sChild, dChild = sb.Bucket(sk), db.Bucket(dk)
		}
		if sChild == nil || dChild == nil {
			return fmt.Errorf("bucket %q is missing from the copy", sk)
		}
		if sChild.Sequence() != dChild.Sequence() {
			return fmt.Errorf("bucket %q: sequence %d in the store, %d in the copy", sk, sChild.Sequence(), dChild.Sequence())
		}
		if err := sameBuckets(sChild.Cursor(), dChild.Cursor(), stx, dtx, sChild, dChild); err != nil {
			return fmt.Errorf("bucket %q: %w", sk, err)
		}
	}
	return nil
}

func next2(a, b *bolt.Cursor) (ak, av, bk, bv []byte) {
	ak, av = a.Next()
	bk, bv = b.Next()
	return
}

// keepBackup gives the store a second name, backup, until the copy is in
// place: a hard link costs nothing; where the file system has none, a copy.
func keepBackup(src *Store, path, backup string) error {
	if err := os.Remove(backup); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return explainFS("compact: remove the old", backup, err)
	}
	if err := os.Link(path, backup); err != nil {
		if err := src.Backup(backup); err != nil {
			return err
		}
	}
	syncFolder(filepath.Dir(path))
	return nil
}

// removeLeftovers deletes what a compaction cut off by a crash left beside
// the store: a partial copy, a backup. It runs in a read-write Open once the
// store is locked and checked, so no compaction is under way (it would hold
// the lock) and path is a whole store.
func removeLeftovers(path string) {
	for _, leftover := range []string{path + compactSuffix, path + backupSuffix} {
		err := os.Remove(leftover)
		switch {
		case err == nil:
			slog.Info("store: removed what an interrupted compaction left", "file", leftover)
		case !errors.Is(err, fs.ErrNotExist):
			slog.Warn("store: cannot remove what an interrupted compaction left", "file", leftover, "err", err)
		}
	}
}

package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Open opens the store at path. A missing file is created (and its folder,
// mode 0700). An existing file is checked before bbolt may write to it: its
// header must be a bbolt header, then a read-only open must find a roomwatch
// schema no newer than this build's. Only then is it opened read-write and,
// if it has an older schema, migrated in one transaction. A file up to
// verifyAtOpenMax is also checked page by page (guard.go) in that read-only
// pass. So a corrupt, damaged, foreign, newer or locked file is reported and
// left byte-for-byte unchanged.
func Open(path string, opt Options) (*Store, error) {
	for attempt := 1; ; attempt++ {
		s, err := openOnce(path, opt)
		if !errors.Is(err, errReplaced) {
			return s, err
		}
		if attempt == maxOpenAttempts {
			return nil, fmt.Errorf("store: %s: %w %d times in a row; is something rewriting it in a loop?", path, err, attempt)
		}
		// A compaction swapped the file while this open waited for the
		// lock of the old one (compact.go): open the new one.
	}
}

// maxOpenAttempts bounds the opens retried because the file was replaced.
const maxOpenAttempts = 10

// errReplaced: the path names another file than the one locked.
var errReplaced = errors.New("store file replaced while opening")

func openOnce(path string, opt Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("store: no store path given")
	}
	if opt.Timeout <= 0 {
		opt.Timeout = defaultLockTimeout
	}
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if opt.ReadOnly {
			return nil, explainFS("open", path, err)
		}
		if err := ensureFolder(filepath.Dir(path)); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, explainFS("open", path, err)
	case !info.Mode().IsRegular():
		return nil, fmt.Errorf("store: %s is not a regular file", path)
	case info.Size() == 0 && opt.ReadOnly:
		return nil, &userError{msg: fmt.Sprintf("store: %s is empty; open it read-write once to create it", path), kind: ErrOlderSchema}
	case info.Size() > 0:
		if err := checkHeader(path, info.Size()); err != nil {
			return nil, err
		}
		if !opt.ReadOnly {
			if err := validateReadOnly(path, info.Size(), opt.Timeout); err != nil {
				return nil, err
			}
		}
	}

	db, err := openBolt(path, &bolt.Options{
		Timeout:      opt.Timeout,
		ReadOnly:     opt.ReadOnly,
		NoSync:       opt.NoSync,
		FreelistType: bolt.FreelistMapType,
	})
	if err != nil {
		return nil, openFailure(path, opt.Timeout, err)
	}
	if now, err := os.Stat(path); info != nil && (err != nil || !os.SameFile(info, now)) {
		_ = db.Close()
		return nil, errReplaced
	}
	// RecordEvent's Batch makes concurrent events share a commit. bbolt
	// waits 10 ms by default for a batch to fill, which a lone event (a
	// seller's command, one Slack button) would pay in full; events that
	// come together still meet within a millisecond, or queue behind the
	// commit in progress and share the next one.
	db.MaxBatchDelay = time.Millisecond
	s := &Store{db: newGuardedDB(db, path), path: path}
	if err := s.prepare(opt.ReadOnly); err != nil {
		_ = db.Close()
		return nil, err
	}
	if opt.ReadOnly && info != nil && info.Size() <= verifyAtOpenMax {
		if problem := verify(db); problem != "" {
			_ = db.Close()
			return nil, damaged(path, problem)
		}
	}
	if !opt.ReadOnly {
		if err := s.ensureSummaries(); err != nil {
			_ = db.Close()
			return nil, err
		}
		removeLeftovers(path)
	}
	return s, nil
}

// openBolt is bolt.Open, which reads the freelist page of a read-write
// handle and panics or faults when that page is damaged.
func openBolt(path string, opt *bolt.Options) (db *bolt.DB, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, damaged(path, fmt.Sprint(r))
		}
	}()
	return bolt.Open(path, 0o600, opt)
}

// validateReadOnly opens path with a shared lock, which never writes, and
// checks its schema and, up to verifyAtOpenMax bytes, every page. A
// read-write bbolt open may write to the file (it rewrites a missing
// freelist), and every command that records an event writes, so this must
// pass first.
func validateReadOnly(path string, size int64, timeout time.Duration) error {
	db, err := openBolt(path, &bolt.Options{ReadOnly: true, Timeout: timeout})
	if err != nil {
		return openFailure(path, timeout, err)
	}
	defer db.Close()
	if _, err := inspect(db, path); err != nil {
		return err
	}
	if size <= verifyAtOpenMax {
		if problem := verify(db); problem != "" {
			return damaged(path, problem)
		}
	}
	return nil
}

// prepare creates the schema in a new file or migrates an older one.
func (s *Store) prepare(readOnly bool) error {
	version, err := inspect(s.db.DB, s.path)
	switch {
	case err != nil:
		return err
	case version == schemaVersion:
		return nil
	case readOnly && version == 0:
		return &userError{msg: fmt.Sprintf("store: %s is empty; open it read-write once to create it", s.path), kind: ErrOlderSchema}
	case readOnly:
		return &userError{
			msg:  fmt.Sprintf("store: %s has schema version %d; open it read-write once to upgrade it to %d", s.path, version, schemaVersion),
			kind: ErrOlderSchema,
		}
	}
	if version < lastTxSchema {
		err = s.db.Update(func(tx *bolt.Tx) error {
			if version == 0 {
				return createSchema(tx)
			}
			return migrate(tx, version)
		})
	}
	if err == nil && version > 0 && version <= 3 {
		err = s.migrateV3()
	}
	if err == nil && version > 0 && version <= 4 {
		err = s.migrateV4()
	}
	if err != nil {
		return s.fail(fmt.Sprintf("upgrade %s from schema version %d to %d", s.path, version, schemaVersion), err)
	}
	if version > 0 {
		slog.Info("store: schema upgraded", "path", s.path, "from", version, "to", schemaVersion)
	}
	return nil
}

// inspect reads the schema version (0 for a file with no bucket at all).
// bbolt panics on some damaged pages; that is reported as corruption.
func inspect(db *bolt.DB, path string) (version int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = corrupt(path, fmt.Sprint(r), nil)
		}
	}()
	err = db.View(func(tx *bolt.Tx) error {
		var err error
		version, err = readSchemaVersion(tx)
		return err
	})
	if err != nil {
		return 0, corrupt(path, err.Error(), err)
	}
	if version > schemaVersion {
		return 0, &userError{
			msg:  fmt.Sprintf("store: %s has schema version %d, newer than this roomwatch understands (%d); upgrade roomwatch", path, version, schemaVersion),
			kind: ErrNewerSchema,
		}
	}
	return version, nil
}

// The bbolt file header, read by hand so a file is judged before bbolt maps
// it: a meta page is a 16-byte page header followed by magic, format
// version, page size, flags, root bucket (16 bytes), freelist page, high
// water mark, transaction ID and an FNV-64a checksum of the fields before it,
// in the machine's byte order.
const (
	boltMagic       = 0xED0CDAED
	boltFormat      = 2
	boltPageHeader  = 16
	boltMetaSize    = 64
	boltChecksumOff = 56
)

type boltMeta struct {
	pageSize  uint32
	highWater uint64 // pages in use: the file must hold at least this many
	txid      uint64
}

func readBoltMeta(f *os.File, offset int64) (boltMeta, error) {
	buf := make([]byte, boltPageHeader+boltMetaSize)
	if _, err := f.ReadAt(buf, offset); err != nil {
		if errors.Is(err, io.EOF) {
			return boltMeta{}, errors.New("file too short for a bbolt header")
		}
		return boltMeta{}, err
	}
	m := buf[boltPageHeader:]
	order := binary.NativeEndian
	if order.Uint32(m[0:]) != boltMagic {
		return boltMeta{}, errors.New("no bbolt magic number in the header")
	}
	if v := order.Uint32(m[4:]); v != boltFormat {
		return boltMeta{}, fmt.Errorf("bbolt format version %d, want %d", v, boltFormat)
	}
	h := fnv.New64a()
	_, _ = h.Write(m[:boltChecksumOff])
	if h.Sum64() != order.Uint64(m[boltChecksumOff:]) {
		return boltMeta{}, errors.New("header checksum mismatch")
	}
	return boltMeta{pageSize: order.Uint32(m[8:]), highWater: order.Uint64(m[40:]), txid: order.Uint64(m[48:])}, nil
}

// checkHeader accepts the file if either meta page is valid (bbolt falls back
// to the other one after a torn write) and the file is as long as the newest
// valid meta page says; a truncated file would crash bbolt when mapped.
func checkHeader(path string, size int64) error {
	f, err := os.Open(path)
	if err != nil {
		return explainFS("open", path, err)
	}
	defer f.Close()
	m0, err0 := readBoltMeta(f, 0)
	second := int64(os.Getpagesize())
	if err0 == nil {
		second = int64(m0.pageSize)
	}
	m1, err1 := readBoltMeta(f, second)
	best := m0
	switch {
	case err0 != nil && err1 != nil:
		return corrupt(path, err0.Error(), err0)
	case err0 != nil, err1 == nil && m1.txid > m0.txid:
		best = m1
	}
	if need := int64(best.highWater) * int64(best.pageSize); size < need {
		return corrupt(path, fmt.Sprintf("the file has %d bytes but its header needs %d (truncated?)", size, need), nil)
	}
	return nil
}

func openFailure(path string, timeout time.Duration, err error) error {
	var ue *userError
	switch {
	case errors.As(err, &ue):
		return err
	case errors.Is(err, berrors.ErrTimeout):
		return &userError{
			msg:  fmt.Sprintf("store: %s is locked by another roomwatch process (waited %s)", path, timeout),
			kind: ErrLocked, cause: err,
		}
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrChecksum):
		return corrupt(path, err.Error(), err)
	}
	return explainFS("open", path, err)
}

func ensureFolder(dir string) error {
	info, err := os.Stat(dir)
	switch {
	case err == nil && info.IsDir():
		return nil
	case err == nil:
		return fmt.Errorf("store: %s should be a folder but is a file", dir)
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return explainFS("create folder", dir, err)
		}
		return nil
	}
	return explainFS("open folder", dir, err)
}

// explainFS turns a file-system error into a line that names the path and
// says what to fix.
func explainFS(op, path string, err error) error {
	reason := err
	var pe *fs.PathError
	if errors.As(err, &pe) {
		reason = pe.Err
	}
	var msg string
	switch {
	case errors.Is(err, syscall.EROFS):
		msg = fmt.Sprintf("store: %s %s: the file system is read-only", op, path)
	case errors.Is(err, syscall.ENOSPC):
		msg = fmt.Sprintf("store: %s %s: no space left on the device", op, path)
	case errors.Is(err, fs.ErrPermission):
		msg = fmt.Sprintf("store: %s %s: permission denied; the user running roomwatch needs read and write access to it and to its folder %s",
			op, path, filepath.Dir(path))
	case errors.Is(err, fs.ErrNotExist):
		msg = fmt.Sprintf("store: %s %s: no such file or folder", op, path)
	default:
		msg = fmt.Sprintf("store: %s %s: %v", op, path, reason)
	}
	return &userError{msg: msg, cause: err}
}

func corrupt(path, detail string, cause error) error {
	return &userError{
		msg: fmt.Sprintf("store: %s is not a roomwatch store or is corrupt: %s; it was left as it is: if it is your store, put back the last copy made with `roomwatch backup`",
			path, detail),
		kind: ErrCorrupt, cause: cause,
	}
}

// userError carries a message written for the person running roomwatch,
// the sentinel that classifies it and the underlying cause.
type userError struct {
	msg         string
	kind, cause error
}

func (e *userError) Error() string { return e.msg }

func (e *userError) Unwrap() []error {
	var errs []error
	for _, err := range []error{e.kind, e.cause} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

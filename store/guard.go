package store

import (
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

// A damaged file — a page zeroed or garbled by a disk or file-system fault —
// makes bbolt panic on its assertions when a transaction meets the page, or
// fault when a page number points outside the file. The store meets that in
// two places: at open, a consistency check of files small enough to check
// quickly (verifyAtOpenMax) finds it before anything is written; in use, the
// guard below turns the panic into an error, after bbolt's own deferred
// rollback has undone the transaction, and refuses every later transaction,
// so nothing more is written to the damaged file.

// verifyAtOpenMax bounds the files checked page by page at open: a seller's
// store (a few MB) takes milliseconds, while a marketplace's (hundreds of
// MB) would hold up the start for seconds and rests on the guard alone.
const verifyAtOpenMax = 64 << 20

// guardedDB is the store's bbolt handle: bbolt's, with View, Update, Batch
// and Begin guarded against damaged pages.
type guardedDB struct {
	*bolt.DB
	path string
	// damage is the error of the first damaged page met; once set every
	// transaction returns it at once.
	damage atomic.Pointer[error]
}

func newGuardedDB(db *bolt.DB, path string) *guardedDB {
	return &guardedDB{DB: db, path: path}
}

// View runs fn in a read transaction; see guard.
func (g *guardedDB) View(fn func(*bolt.Tx) error) error {
	return g.guard(func() error { return g.DB.View(fn) })
}

// Update runs fn in a read-write transaction; see guard.
func (g *guardedDB) Update(fn func(*bolt.Tx) error) error {
	return g.guard(func() error { return g.DB.Update(fn) })
}

// Batch runs fn in a shared read-write transaction; see guard. A function
// that panics inside a batch is run again alone by bbolt, in this
// goroutine, where the guard meets its panic.
func (g *guardedDB) Batch(fn func(*bolt.Tx) error) error {
	return g.guard(func() error { return g.DB.Batch(fn) })
}

// Begin starts a transaction the caller manages (Store.DoneFunc); it is
// refused once the file is known to be damaged. Reads through it use has.
func (g *guardedDB) Begin(writable bool) (*bolt.Tx, error) {
	var tx *bolt.Tx
	err := g.guard(func() error {
		var err error
		tx, err = g.DB.Begin(writable)
		return err
	})
	return tx, err
}

// has returns a lookup of keys in b for a transaction from Begin: a damaged
// page makes it answer false (not found) and marks the store damaged, so
// the write that follows is refused.
func (g *guardedDB) has(b *bolt.Bucket) func(key []byte) bool {
	return func(key []byte) (found bool) {
		_ = g.guard(func() error {
			found = b.Get(key) != nil
			return nil
		})
		return found
	}
}

// guard runs op, a whole bbolt call, and turns a panic or memory fault
// inside it into an error. bbolt rolls the transaction back on the way out
// (its View and Update defer the rollback), so nothing of it is written. A
// panic on a file that then fails the consistency check marks the store
// damaged for good; one on a file that passes it is reported as it is.
func (g *guardedDB) guard(op func() error) (err error) {
	if damage := g.damage.Load(); damage != nil {
		return *damage
	}
	// The file is mapped into memory: a page number pointing past its end
	// faults, which without this would kill the process.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		problem := verify(g.DB)
		if problem == "" {
			slog.Error("store: panic inside a transaction on a file that checks out as consistent",
				"path", g.path, "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("store: %s: unexpected failure inside a transaction: %v", g.path, r)
			return
		}
		damage := damaged(g.path, problem)
		g.damage.CompareAndSwap(nil, &damage)
		err = *g.damage.Load()
	}()
	return op()
}

// verify checks every page of the file in one read transaction and returns
// the first problem found, or "" when the file is consistent. It first
// walks every bucket and key, which passes every branch and leaf page
// through bbolt's page checks while faults are caught here; then bbolt's
// own check confirms that no page is both in use and free, which a write
// would otherwise overwrite.
func verify(db *bolt.DB) (problem string) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			problem = fmt.Sprint(r)
		}
	}()
	check := func(tx *bolt.Tx) error {
		if err := tx.ForEach(func(_ []byte, b *bolt.Bucket) error { return walkBucket(b) }); err != nil {
			return err
		}
		var first error
		// Drain the channel: the check's goroutine reads the transaction
		// until it is done.
		for err := range tx.Check() {
			if first == nil {
				first = err
			}
		}
		if first == nil {
			first = errConsistent
		}
		return first
	}
	// bbolt's check is safe beside writers only inside a writable
	// transaction; one that returns an error is rolled back, so nothing is
	// written. A read-only handle has no writers.
	var err error
	if db.IsReadOnly() {
		err = db.View(check)
	} else {
		err = db.Update(check)
	}
	if errors.Is(err, errConsistent) {
		return ""
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// errConsistent ends verify's transaction without a commit.
var errConsistent = errors.New("consistent")

func walkBucket(b *bolt.Bucket) error {
	return b.ForEach(func(k, v []byte) error {
		if v != nil {
			return nil
		}
		if child := b.Bucket(k); child != nil {
			return walkBucket(child)
		}
		return nil
	})
}

// damaged is the error for a file that failed the consistency check: what
// happened, that the file was left as it is, and what to do.
func damaged(path, problem string) error {
	return &userError{
		msg: fmt.Sprintf("store: %s is damaged (%s); nothing was written to it: stop roomwatch, keep the file aside and put back the last copy made with `roomwatch backup`",
			path, problem),
		kind: ErrCorrupt,
	}
}

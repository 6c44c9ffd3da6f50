package store

import (
	bolt "go.etcd.io/bbolt"
)

// Memory of the mapped store.
//
// bbolt reads the store through a memory mapping of the whole file, and
// every page a transaction reads stays mapped into the process afterwards:
// RSS (RssFile) grows with each room an event or a timer touches until the
// touched part of the file is resident, towards the file's size (1.5 GB for a
// million rooms), although the daemon's own memory stays near 30 MB. Those
// pages are clean page cache; the kernel could drop them, but `ps` counts
// them all the same, and a seller reading 1 GB in `ps` or `top` rightly
// suspects a leak.
//
// ReleaseMemory unmaps them (madvise MADV_DONTNEED on the mapping): the pages
// leave this process's RSS and stay in the page cache, so the next read of
// one costs a minor fault and no disk read. That is safe because of how
// bbolt (go.etcd.io/bbolt v1.5.0) maps and writes the file:
//
//   - bolt_unix.go, mmap(): unix.Mmap(fd, 0, sz, syscall.PROT_READ,
//     syscall.MAP_SHARED|db.MmapFlags): a read-only, shared mapping. Dropping
//     a shared file mapping's pages refills them from the file's current
//     contents on the next access (madvise(2)); nothing lives only in the
//     mapping, as it would in a private or anonymous one.
//   - db.go, Open: db.ops.writeAt = db.file.WriteAt; tx.go, Tx.write and
//     Tx.writeMeta write pages with it (pwrite): bbolt never writes through
//     the mapping, so no mapped page is ever dirty.
//   - db.go, DB.mmap takes db.mmaplock.Lock() before it unmaps and maps the
//     file again (when the file grows), and DB.beginTx holds
//     db.mmaplock.RLock() for the whole of every read transaction. So inside
//     View the mapping cannot move: the address DB.Info returns stays the
//     mapping's, never memory the runtime has since reused.
//   - Open here sets no MmapFlags and not Mlock (a locked mapping would
//     refuse MADV_DONTNEED).

// releaseFloor is the store size below which ReleaseMemory does nothing: a
// seller's store of a few megabytes may stay wholly resident, and releasing
// it would only cost faults.
const releaseFloor = 16 << 20

// ReleaseMemory drops the pages of the store file from this process's
// resident memory; they stay in the kernel's page cache. A store smaller
// than releaseFloor is left as it is. Safe to call at any time, from any
// goroutine, while transactions run. On systems other than Linux it does
// nothing.
func (s *Store) ReleaseMemory() error {
	return s.releaseResident(releaseFloor)
}

// releaseResident drops the mapped pages of a store of at least minSize bytes.
func (s *Store) releaseResident(minSize int64) error {
	return s.fail("release mapped pages", s.db.View(func(tx *bolt.Tx) error {
		// tx.Size is the end of the last page in use as this transaction
		// sees it; the mapping is at least that long (DB.mmap rounds up).
		// Pages a later commit adds past it are released next time.
		size := tx.Size()
		if size < minSize {
			return nil
		}
		return dropResident(tx.DB().Info().Data, size)
	}))
}

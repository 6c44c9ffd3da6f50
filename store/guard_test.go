package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/roomwatch/roomwatch/rules"
)

// storeWithRooms makes a closed store file holding n rooms, enough for the
// rooms bucket to have pages of its own.
func storeWithRooms(t *testing.T, n int) string {
	t.Helper()
	s := newStore(t)
	opened := jst(t, "2026-11-20 10:00")
	rooms := make([]rules.Room, n)
	for i := range rooms {
		rooms[i] = rules.Room{ID: fmt.Sprintf("40%05d", i), Title: "an order with a title of some length", Buyer: fmt.Sprintf("buyer%d", i%40), Opened: opened}
	}
	mustSync(t, s, rooms, opened)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return s.Path()
}

// roomsRootPage returns the page that holds the root of the rooms bucket:
// every read of a room passes through it.
func roomsRootPage(t *testing.T, path string) (id uint64, pageSize int) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		id = uint64(tx.Bucket(bucketRooms).RootPage())
		return nil
	})
	if err != nil || id < 2 {
		t.Fatalf("rooms bucket root page %d (%v): the bucket is inline; use more rooms", id, err)
	}
	return id, db.Info().PageSize
}

// zeroPage overwrites one page of the file with zeros, as a failing disk
// might.
func zeroPage(t *testing.T, path string, id uint64, pageSize int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(make([]byte, pageSize), int64(id)*int64(pageSize)); err != nil {
		t.Fatal(err)
	}
}

func checkDamaged(t *testing.T, what string, err error, path string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s succeeded on a damaged store", what)
	}
	msg := err.Error()
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(msg, path) || !strings.Contains(msg, "is damaged") ||
		!strings.Contains(msg, "roomwatch backup") || strings.Contains(msg, "\n") {
		t.Errorf("%s: %q, want one ErrCorrupt line naming the file, the damage and the backup", what, msg)
	}
}

func TestOpenRefusesADamagedPage(t *testing.T) {
	path := storeWithRooms(t, 300)
	id, pageSize := roomsRootPage(t, path)
	zeroPage(t, path, id, pageSize)
	before := fileHash(t, path)
	for _, opt := range []Options{{}, {ReadOnly: true}} {
		s, err := Open(path, opt)
		if err == nil {
			s.Close()
		}
		checkDamaged(t, fmt.Sprintf("Open(%+v)", opt), err, path)
	}
	if fileHash(t, path) != before {
		t.Error("opening the damaged store changed the file")
	}
}

// A page damaged while the store is open (or in a store too big to check
// at open) is met inside a transaction: the panic becomes an error, and
// every later transaction is refused, so nothing is written to the file.
func TestDamageMetInUseIsAnErrorAndStopsWrites(t *testing.T) {
	path := storeWithRooms(t, 300)
	id, pageSize := roomsRootPage(t, path)
	s := openAt(t, path)
	zeroPage(t, path, id, pageSize)
	before := fileHash(t, path)

	_, err := s.Rooms()
	checkDamaged(t, "Rooms", err, path)
	_, _, err = s.Room("4000001")
	checkDamaged(t, "Room", err, path)
	err = s.RecordEvent(Event{Room: "4000001", Kind: rules.EventSellerMessage, At: jst(t, "2026-11-21 10:00"), Source: "cli"})
	checkDamaged(t, "RecordEvent", err, path)
	err = s.SetMeta("digest", "2026-11-21")
	checkDamaged(t, "SetMeta", err, path)
	done, release := s.DoneFunc()
	if done("4000001|check-in|x|due") {
		t.Error("DoneFunc on a damaged store answered done")
	}
	release()
	var sink strings.Builder
	_, err = s.WriteTo(&sink)
	checkDamaged(t, "WriteTo", err, path)
	if fileHash(t, path) != before {
		t.Error("the damaged store was written to")
	}
}

// A panic inside a transaction on a file that checks out as consistent is
// not damage: it is an error for that call, and the store goes on.
func TestPanicOnAConsistentFileIsNotDamage(t *testing.T) {
	s := openAt(t, storeWithRooms(t, 10))
	err := s.db.View(func(tx *bolt.Tx) error { panic("a bug, not the disk") })
	if err == nil || errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "a bug, not the disk") {
		t.Fatalf("View = %v, want an unexpected-failure error that is not ErrCorrupt", err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error { panic("again") })
	if err == nil || errors.Is(err, ErrCorrupt) {
		t.Fatalf("Update = %v", err)
	}
	if _, err := s.Rooms(); err != nil {
		t.Errorf("the store stopped working after a panic that was not damage: %v", err)
	}
	if err := s.SetMeta("digest", "2026-11-21"); err != nil {
		t.Errorf("a write after the rolled-back panic: %v", err)
	}
}

// A page number pointing far outside the file would fault in the memory
// map, which kills a Go program unless the fault is turned into a panic;
// the guard does that, at open and in use.
func TestWildPageNumberIsAnError(t *testing.T) {
	path := storeWithRooms(t, 300)
	id, pageSize := roomsRootPage(t, path)
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	header := make([]byte, 32)
	if _, err := f.ReadAt(header, int64(id)*int64(pageSize)); err != nil {
		t.Fatal(err)
	}
	const branchPage = 0x01
	if flags := binary.NativeEndian.Uint16(header[8:]); flags != branchPage {
		t.Fatalf("the rooms bucket's root page has flags %#x, want a branch page; use more rooms", flags)
	}
	// The first branch element (after the 16-byte page header): position,
	// key size, then the child's page number.
	wild := make([]byte, 8)
	binary.NativeEndian.PutUint64(wild, 1<<28) // 1 TiB into the map: a fault, not an index error
	if _, err := f.WriteAt(wild, int64(id)*int64(pageSize)+16+8); err != nil {
		t.Fatal(err)
	}
	f.Close()
	before := fileHash(t, path)
	_, err = Open(path, Options{})
	checkDamaged(t, "Open", err, path)
	if fileHash(t, path) != before {
		t.Error("opening the damaged store changed the file")
	}
}

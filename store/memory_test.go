package store

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/roomwatch/roomwatch/rules"
)

// rssFile is this process's resident pages of mapped files, in bytes.
func rssFile(t *testing.T) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "RssFile:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no RssFile in /proc/self/status")
	return 0
}

// importedStore is a store of n imported rooms, and the rooms.
func importedStore(t *testing.T, n int) (*Store, []rules.Room) {
	t.Helper()
	s := newStore(t)
	now := jst(t, "2026-11-21 13:00")
	rooms := make([]rules.Room, n)
	for i := range rooms {
		rooms[i] = roomWithID(t, fmt.Sprintf("r%06d", i))
	}
	for chunk := range slices.Chunk(rooms, 5000) {
		mustImport(t, s, chunk, now)
	}
	return s, rooms
}

// readAll reads every room, touching every page that holds one.
func readAll(t *testing.T, s *Store) map[string]rules.Room {
	t.Helper()
	got := map[string]rules.Room{}
	if err := s.ForEachRoom(func(r rules.Room) error { got[r.ID] = r; return nil }); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestReleaseMemoryDropsMappedPages reads every room of a store, which maps
// its pages into the process, releases them, and checks that RSS fell back
// and that every room still reads the same.
func TestReleaseMemoryDropsMappedPages(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("RssFile and MADV_DONTNEED are Linux's")
	}
	s, rooms := importedStore(t, 20000)
	if err := s.releaseResident(0); err != nil {
		t.Fatal(err)
	}
	before := rssFile(t)
	first := readAll(t, s)
	touched := rssFile(t) - before
	if touched < 1<<20 {
		t.Fatalf("reading %d rooms mapped only %d KB: the test measures nothing", len(rooms), touched>>10)
	}
	if err := s.releaseResident(0); err != nil {
		t.Fatal(err)
	}
	left := rssFile(t) - before
	t.Logf("read %d KB of mapped pages, %d KB left after the release", touched>>10, left>>10)
	if left > touched/4 {
		t.Errorf("after the release %d KB of the %d KB read are still resident", left>>10, touched>>10)
	}
	again := readAll(t, s)
	if len(again) != len(rooms) {
		t.Fatalf("%d rooms read after the release, want %d", len(again), len(rooms))
	}
	for id, r := range first {
		if again[id] != r {
			t.Fatalf("room %s after the release = %+v, before %+v", id, again[id], r)
		}
	}
}

// TestReleaseMemoryWhileTheFileGrows releases the mapping over and over
// while imports grow the file, so that bbolt maps it again and again, and
// readers read it: nothing may fault, and every room must read back.
func TestReleaseMemoryWhileTheFileGrows(t *testing.T) {
	s := newStore(t)
	now := jst(t, "2026-11-21 13:00")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	wg.Add(2)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := s.releaseResident(0); err != nil {
				errs <- err
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := s.ForEachRoom(func(rules.Room) error { return nil }); err != nil {
				errs <- err
				return
			}
		}
	}()
	const batches, perBatch = 10, 500
	for b := range batches {
		rooms := make([]rules.Room, perBatch)
		for i := range rooms {
			rooms[i] = roomWithID(t, fmt.Sprintf("b%02d-%04d", b, i))
		}
		mustImport(t, s, rooms, now)
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := len(readAll(t, s)); got != batches*perBatch {
		t.Fatalf("%d rooms read back, want %d", got, batches*perBatch)
	}
}

// TestReleaseMemoryLeavesSmallStores: a seller's store stays resident.
func TestReleaseMemoryLeavesSmallStores(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("RssFile is Linux's")
	}
	s, _ := importedStore(t, 2000)
	readAll(t, s)
	resident := rssFile(t)
	if err := s.ReleaseMemory(); err != nil {
		t.Fatal(err)
	}
	if after := rssFile(t); after < resident-256<<10 {
		t.Errorf("RssFile fell from %d KB to %d KB: a store under releaseFloor was released", resident>>10, after>>10)
	}
}

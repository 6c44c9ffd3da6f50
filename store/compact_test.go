package store

import (
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/roomwatch/roomwatch/rules"
)

// dump reads every bucket of the store: bucket → key → value, plus each
// bucket's sequence under the key "\x00sequence".
func dump(t *testing.T, s *Store) map[string]map[string]string {
	t.Helper()
	all := map[string]map[string]string{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			m := map[string]string{"\x00sequence": fmt.Sprint(b.Sequence())}
			all[string(name)] = m
			return b.ForEach(func(k, v []byte) error {
				m[string(k)] = string(v)
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func sameDump(t *testing.T, got, want map[string]map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d buckets, want %d", len(got), len(want))
	}
	for name, w := range want {
		g := got[name]
		if len(g) != len(w) {
			t.Fatalf("bucket %s: %d keys, want %d", name, len(g), len(w))
		}
		for k, v := range w {
			if g[k] != v {
				t.Fatalf("bucket %s, key %q: value differs", name, k)
			}
		}
	}
}

func size(t *testing.T, path string) int64 {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Size()
}

// storeWithOldRooms fills a store with n rooms that ended long ago and a
// few running ones, all with history, and prunes it.
func storeWithOldRooms(t *testing.T, n int) (path string, now time.Time) {
	t.Helper()
	path = tempPath(t)
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	now = jst(t, "2027-08-01 12:00")
	opened := now.Add(-testRetention - 90*24*time.Hour)
	var rooms []rules.Room
	for i := range n {
		rooms = append(rooms, rules.Room{ID: fmt.Sprintf("old-%04d", i), Buyer: "b", Opened: opened, SellerMessage: opened, Closed: opened.Add(10 * 24 * time.Hour)})
	}
	for i := range 5 {
		rooms = append(rooms, rules.Room{ID: fmt.Sprintf("live-%d", i), Buyer: "b", Opened: now.Add(-time.Hour), SellerMessage: now})
	}
	mustSync(t, s, rooms, opened)
	for _, r := range rooms {
		var steps []rules.Step
		for j := range 8 {
			steps = append(steps, step(r.ID, r.Opened.Add(time.Duration(j+1)*72*time.Hour), rules.StepDue))
		}
		if _, err := s.Queue(steps, false, opened); err != nil {
			t.Fatal(err)
		}
		for _, st := range steps[:7] {
			if err := s.MarkSent(st.Key(), map[string]string{"phone": "ok", "mail": "ok"}, opened); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path, now
}

func TestCompactShrinksAndKeepsEveryRecord(t *testing.T) {
	path, now := storeWithOldRooms(t, 2000)
	s := openAt(t, path)
	res := mustPrune(t, s, now)
	if len(res.Rooms) != 2000 {
		t.Fatalf("pruned %d rooms, want 2000", len(res.Rooms))
	}
	want := dump(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	before := size(t, path)
	got, err := Compact(path, CompactOptions{})
	if err != nil {
		t.Fatal(err)
	}
	after := size(t, path)
	t.Logf("compacted %d → %d bytes (%.0f%% free before)", before, after, got.Free*100)
	if got.Before != before || got.After != after || got.Skipped {
		t.Errorf("result %+v, file %d → %d", got, before, after)
	}
	if after > before/3 {
		t.Errorf("compaction left %d of %d bytes", after, before)
	}
	for _, leftover := range []string{path + compactSuffix, path + backupSuffix} {
		if _, err := os.Stat(leftover); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is still there: %v", leftover, err)
		}
	}
	s = openAt(t, path)
	sameDump(t, dump(t, s), want)
	// The store works on: a new step of a live room is queued with the
	// outbox's sequence carried over.
	if queued, err := s.Queue([]rules.Step{step("live-0", now.Add(time.Hour), "warn-3h")}, false, now); err != nil || len(queued) != 1 {
		t.Fatalf("queue after compaction: %v, %v", queued, err)
	}
	checkOutboxMatchesLedger(t, s)
}

func TestCompactSkipsAFileMostlyInUse(t *testing.T) {
	path, _ := storeWithOldRooms(t, 50)
	hash := fileHash(t, path)
	res, err := Compact(path, CompactOptions{MinFree: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Skipped || res.After != res.Before {
		t.Errorf("result %+v, want skipped", res)
	}
	if fileHash(t, path) != hash {
		t.Error("a skipped compaction changed the file")
	}
}

func TestCompactNeedsTheStoreToItself(t *testing.T) {
	path := tempPath(t)
	s := openAt(t, path)
	mustSync(t, s, []rules.Room{{ID: "1"}}, time.Now())
	_, err := Compact(path, CompactOptions{Timeout: 50 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("Compact of a store held open = %v, want ErrLocked", err)
	}
}

func TestOpenRemovesWhatACompactionLeft(t *testing.T) {
	path := tempPath(t)
	s := openAt(t, path)
	mustSync(t, s, []rules.Room{{ID: "1", Title: "kept"}}, time.Now())
	want := dump(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Killed after the backup link and while writing the copy.
	if err := os.Link(path, path+backupSuffix); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+compactSuffix, []byte("half a copy"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A read-only open leaves them alone.
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	_ = ro.Close()
	if _, err := os.Stat(path + compactSuffix); err != nil {
		t.Fatal("a read-only open removed a leftover")
	}
	s = openAt(t, path)
	sameDump(t, dump(t, s), want)
	for _, leftover := range []string{path + compactSuffix, path + backupSuffix} {
		if _, err := os.Stat(leftover); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is still there: %v", leftover, err)
		}
	}
}

// A 50-room seller: 50 rooms running at any time, each two weeks from
// opening to approval, for a year, with the messages and alerts a room
// has; pruned daily at the default retention.
func TestYearOfFiftyRoomsStaysSmall(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("writes a year of history (volume, no concurrency: not under -short or -race)")
	}
	path := tempPath(t)
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	start := jst(t, "2027-01-01 09:00")
	const (
		running  = 50
		lifetime = 14 // days
		days     = 365
	)
	// The first rooms are pruned after lifetime + 180 days; from then on
	// as much history leaves as comes in.
	const steadyFrom = 220
	var steady int64
	perDay := float64(running) / lifetime
	opened := 0
	var live []rules.Room
	for day := range days {
		today := start.Add(time.Duration(day) * 24 * time.Hour)
		for float64(opened) < perDay*float64(day+1) {
			id := fmt.Sprintf("%07d", 4100000+opened)
			live = append(live, rules.Room{ID: id, Title: "ロゴ制作 " + id, Buyer: fmt.Sprintf("buyer%d", opened%300),
				URL: "https://coconala.com/talkrooms/" + id, Opened: today, Due: today.Add(10 * 24 * time.Hour)})
			opened++
		}
		if _, err := s.SyncRooms(live, today); err != nil {
			t.Fatal(err)
		}
		kept := live[:0]
		for _, r := range live {
			age := int(today.Sub(r.Opened).Hours() / 24)
			at := today.Add(time.Duration(age%5) * time.Hour)
			var kinds []rules.EventKind
			switch {
			case age == lifetime-1:
				kinds = []rules.EventKind{rules.EventBuyerMessage, rules.EventClosed, rules.EventSellerRated}
			case age == 10:
				kinds = []rules.EventKind{rules.EventDelivered}
			case age%2 == 0:
				kinds = []rules.EventKind{rules.EventSellerMessage, rules.EventBuyerMessage}
			}
			for i, k := range kinds {
				mustRecord(t, s, Event{Room: r.ID, Kind: k, At: at.Add(time.Duration(i) * time.Minute), Source: "cli", RecordedAt: at})
			}
			// Every other day an alert of the room goes out: a check-in,
			// a delivery warning, eligible-to-close.
			if age%2 == 1 {
				st := step(r.ID, at.Add(time.Hour), rules.StepDue)
				if _, err := s.Queue([]rules.Step{st}, false, at); err != nil {
					t.Fatal(err)
				}
				if err := s.MarkSent(st.Key(), map[string]string{"phone": "ok"}, at); err != nil {
					t.Fatal(err)
				}
			}
			if age < lifetime-1 {
				kept = append(kept, r)
			}
		}
		live = kept
		mustPrune(t, s, today.Add(20*time.Hour))
		if day == steadyFrom {
			steady = size(t, path)
		}
	}
	final := size(t, path)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	res, err := Compact(path, CompactOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d rooms over a year: store %d bytes after %d days, %d after a year, %d compacted", opened, steady, steadyFrom, final, res.After)
	// Pruning holds the file at its size once the oldest rooms go, and
	// the rooms of the retention window fit in 5 MB.
	if final > steady {
		t.Errorf("the store grew from %d to %d bytes after day %d: pruning does not bound it", steady, final, steadyFrom)
	}
	if res.After > 5<<20 {
		t.Errorf("a year of a 50-room seller takes %d bytes compacted, over 5 MB", res.After)
	}
}

// An open that waited for the lock of a file a compaction then replaced
// opens the new file, not the old one it would otherwise write to unseen.
func TestOpenWaitingForTheLockFollowsTheReplacedFile(t *testing.T) {
	path := tempPath(t)
	s := openAt(t, path)
	mustSync(t, s, []rules.Room{{ID: "old-file"}}, time.Now())
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// A shared lock lets the open's read-only check through; its
	// read-write open then waits, as it would behind a compaction.
	old, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}

	other := tempPath(t)
	s = openAt(t, other)
	mustSync(t, s, []rules.Room{{ID: "new-file"}}, time.Now())
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	opened := make(chan *Store, 1)
	go func() {
		s, err := Open(path, Options{Timeout: 10 * time.Second})
		if err != nil {
			t.Error(err)
		}
		opened <- s
	}()
	time.Sleep(100 * time.Millisecond) // the open is waiting for the lock
	if err := os.Rename(other, path); err != nil {
		t.Fatal(err)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	got := <-opened
	if got == nil {
		t.FailNow()
	}
	defer got.Close()
	if _, ok, _ := got.RoomInfo("new-file"); !ok {
		t.Error("the waiting open did not open the file now at the path")
	}
}

package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// The "maintain" helper adds rooms that ended long ago, prunes them and
// compacts the file, over and over, until killed. It prints "added ROOM"
// once a room and its history are committed, and "phase prune" / "phase
// compact" as it enters each.
func maintainLoop(s *Store, path, run string) *Store {
	fail := func(err error) {
		fmt.Println("error", err)
		os.Exit(2)
	}
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	ended := now.Add(-400 * 24 * time.Hour)
	for i := range 10000 {
		var rooms []rules.Room
		for j := range 20 {
			id := fmt.Sprintf("old-%s-%04d-%02d", run, i, j)
			rooms = append(rooms, rules.Room{ID: id, Buyer: "b" + id, Opened: ended.Add(-time.Hour), Closed: ended})
		}
		if _, err := s.ImportRooms(rooms, "crash-test", now); err != nil {
			fail(err)
		}
		for _, r := range rooms {
			steps := []rules.Step{step(r.ID, ended.Add(-30*time.Minute), rules.StepDue), step(r.ID, ended.Add(-10*time.Minute), rules.StepDue)}
			if _, err := s.Queue(steps, false, now); err != nil {
				fail(err)
			}
			if err := s.MarkSent(steps[0].Key(), map[string]string{"console": "ok"}, now); err != nil {
				fail(err)
			}
			// One event in the log: the imported facts live in the room
			// record and are not logged (schema 4).
			if err := s.RecordEvent(Event{Room: r.ID, Kind: rules.EventSellerRated, At: ended.Add(time.Hour), Source: "cli", RecordedAt: now}); err != nil {
				fail(err)
			}
			fmt.Println("added", r.ID)
		}
		fmt.Println("phase prune")
		opt := PruneOptions{Before: now.Add(-180 * 24 * time.Hour), Ended: endedOnRecord, Now: now, Limit: 16}
		for {
			fmt.Println("pruning")
			res, err := s.Prune(opt)
			if err != nil {
				fail(err)
			}
			if res.Next == "" {
				break
			}
			opt.From = res.Next
		}
		if err := s.Close(); err != nil {
			fail(err)
		}
		fmt.Println("phase compact")
		if _, err := Compact(path, CompactOptions{Timeout: 10 * time.Second}); err != nil {
			fail(err)
		}
		fmt.Println("phase add")
		var err error
		if s, err = Open(path, Options{Timeout: 10 * time.Second}); err != nil {
			fail(err)
		}
	}
	return s
}

// The rooms the parent made before any helper ran: history that must stay
// whole through every pruning and compaction.
func liveRooms(t *testing.T, path string) map[string][2]int {
	t.Helper()
	s := openAt(t, path)
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	want := map[string][2]int{}
	var rooms []rules.Room
	for i := range 30 {
		rooms = append(rooms, rules.Room{ID: fmt.Sprintf("live-%02d", i), Opened: now.Add(-time.Hour), SellerMessage: now})
	}
	mustSync(t, s, rooms, now)
	for _, r := range rooms {
		if _, err := s.Queue([]rules.Step{step(r.ID, now.Add(time.Hour), "warn-3h")}, false, now); err != nil {
			t.Fatal(err)
		}
		want[r.ID] = [2]int{2, 1} // opened and seller_message (from the room record); one queued step
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return want
}

func TestKill9DuringPruningAndCompactionLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns 30 processes")
	}
	path := tempPath(t)
	live := liveRooms(t, path)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	added := map[string]bool{}
	killedIn := map[string]int{}
	const rounds = 30
	for round := range rounds {
		cmd, _, lines := startHelper(t, "maintain", path, fmt.Sprint(round))
		phase := "add"
		record := func(line string) {
			switch verb, arg, _ := strings.Cut(line, " "); verb {
			case "added":
				added[arg] = true
			case "phase":
				phase = arg
			case "pruning": // one Prune call begins
			default:
				t.Fatalf("round %d: helper said %q", round, line)
			}
		}
		// Let it reach the round's phase — adding, pruning or compacting
		// in turn — then kill it at a random moment soon after.
		// A pruning pass is short (most of its calls only read), so its
		// rounds wait for a call to begin and kill within 2 ms of it.
		target := []string{"added", "pruning", "phase compact"}[round%3]
		deadline := time.After(10 * time.Second)
		for started := false; !started; {
			select {
			case line, ok := <-lines:
				if !ok {
					t.Fatalf("round %d: helper stopped", round)
				}
				record(line)
				started = strings.HasPrefix(line, target)
			case <-deadline:
				t.Fatalf("round %d: helper did not reach %q in 10s", round, target)
			}
		}
		pause := 20_000
		if target == "pruning" {
			pause = 2_000
		}
		time.Sleep(time.Duration(rng.IntN(pause)) * time.Microsecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		for line := range lines {
			record(line)
		}
		_ = cmd.Wait()
		if status, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !status.Signaled() {
			t.Fatalf("round %d: helper was not killed", round)
		}
		killedIn[phase]++
		checkAfterMaintenance(t, path, live, added)
	}
	t.Logf("%d old rooms added; kills by phase: %v", len(added), killedIn)
	if killedIn["prune"] < rounds/10 || killedIn["compact"] < rounds/10 {
		t.Errorf("kills by phase %v: too few landed while pruning or compacting", killedIn)
	}
}

// checkAfterMaintenance opens the store as the next roomwatch would and
// checks that no record was lost: the live rooms keep their whole history;
// each old room reported added is either whole or pruned with a summary
// that counts all of it; outbox and ledger agree; nothing is left beside
// the file.
func checkAfterMaintenance(t *testing.T, path string, live map[string][2]int, added map[string]bool) {
	t.Helper()
	s, err := Open(path, Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, leftover := range []string{path + compactSuffix, path + backupSuffix} {
		if _, err := os.Stat(leftover); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s is still there after an open: %v", leftover, err)
		}
	}
	checkOutboxMatchesLedger(t, s)
	for id, want := range live {
		events, ledger, _, _ := history(t, s, id)
		if len(events) != want[0] || len(ledger) != want[1] {
			t.Fatalf("live room %s: %d events and %d ledger entries, want %d and %d", id, len(events), len(ledger), want[0], want[1])
		}
	}
	for id := range added {
		if _, ok, err := s.RoomInfo(id); err != nil || !ok {
			t.Fatalf("room %s lost its record: %v", id, err)
		}
		_, ledger, _, _ := history(t, s, id)
		logged := roomLoggedCount(t, s, id)
		sum, pruned, err := s.Summary(id)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case pruned && (logged != 0 || len(ledger) != 0):
			t.Fatalf("room %s is half pruned: summary %+v beside %d logged events and %d ledger entries", id, sum, logged, len(ledger))
		case pruned && (sum.Events != 1 || sum.Alerts != 2 || sum.Sent != 1):
			t.Fatalf("room %s: summary %+v does not count its whole history", id, sum)
		case !pruned && (logged != 1 || len(ledger) != 2):
			t.Fatalf("room %s: %d logged events and %d ledger entries, want 1 and 2", id, logged, len(ledger))
		}
	}
}

package store

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/roomwatch/roomwatch/rules"
)

// The helper process: the test binary runs itself with
// -test.run=^TestCrashHelper$ and these variables set.
const (
	helperModeEnv = "ROOMWATCH_STORE_HELPER" // "crash" or "hold"
	helperPathEnv = "ROOMWATCH_STORE_HELPER_PATH"
	helperRunEnv  = "ROOMWATCH_STORE_HELPER_RUN"
)

// TestCrashHelper is not a test on its own: it is the child process of
// TestKill9LosesNothing ("crash": drain the outbox, then queue and send
// steps until killed, printing each key once its transaction committed) and
// of TestOpenLockedFile ("hold": keep the store open until stdin closes)
// and of TestKill9DuringMigration ("migrate": open a store of schema 3,
// printing "batch" after each committed batch of the migration).
func TestCrashHelper(t *testing.T) {
	mode := os.Getenv(helperModeEnv)
	if mode == "" {
		t.Skip("runs only as a helper process")
	}
	if mode == "migrate" {
		// TestKill9DuringMigration kills it after some batches.
		migrateBatchDone = func() { fmt.Println("batch") }
	}
	s, err := Open(os.Getenv(helperPathEnv), Options{Timeout: 10 * time.Second})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	fmt.Println("open")
	switch mode {
	case "hold":
		_, _ = io.Copy(io.Discard, os.Stdin)
	case "crash":
		crashLoop(s, os.Getenv(helperRunEnv))
	case "maintain":
		s = maintainLoop(s, os.Getenv(helperPathEnv), os.Getenv(helperRunEnv))
	}
	_ = s.Close()
	os.Exit(0)
}

func crashLoop(s *Store, run string) {
	fail := func(err error) {
		fmt.Println("error", err)
		os.Exit(2)
	}
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	pending, err := s.Outbox()
	if err != nil {
		fail(err)
	}
	for _, e := range pending {
		if err := s.MarkSent(e.Key, map[string]string{"console": "ok"}, now); err != nil {
			fail(err)
		}
		fmt.Println("sent", e.Key)
	}
	// Bounded so a parent that never kills cannot leave it running.
	for i := range 100000 {
		deadline := now.Add(time.Duration(i) * time.Minute)
		room := "room-" + run
		steps := []rules.Step{step(room, deadline, "warn-3h"), step(room, deadline, rules.StepDue)}
		queued, err := s.Queue(steps, false, now)
		if err != nil {
			fail(err)
		}
		for _, st := range queued {
			fmt.Println("queued", st.Key())
		}
		if err := s.MarkSent(steps[0].Key(), map[string]string{"console": "ok"}, now); err != nil {
			fail(err)
		}
		fmt.Println("sent", steps[0].Key())
	}
}

// startHelper runs the helper in mode on path and returns it once it has
// the store open, with a channel of its remaining output lines.
func startHelper(t *testing.T, mode, path, run string) (*exec.Cmd, io.WriteCloser, <-chan string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$")
	cmd.Env = append(os.Environ(), helperModeEnv+"="+mode, helperPathEnv+"="+path, helperRunEnv+"="+run)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1024)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	first, ok := <-lines
	if !ok || first != "open" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("helper did not open the store: %q", first)
	}
	return cmd, stdin, lines
}

func TestKill9LosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns 50 processes")
	}
	path := tempPath(t)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	queued, sent := map[string]bool{}, map[string]bool{}
	const rounds = 50
	killedMidWork := 0
	for round := range rounds {
		cmd, _, lines := startHelper(t, "crash", path, fmt.Sprint(round))
		before := len(queued)
		record := func(line string) {
			switch verb, key, _ := strings.Cut(line, " "); verb {
			case "queued":
				if queued[key] {
					t.Fatalf("round %d: %s queued twice", round, key)
				}
				queued[key] = true
			case "sent":
				sent[key] = true
			default:
				t.Fatalf("round %d: helper said %q", round, line)
			}
		}
		// Kill only once the helper is queueing, then at a random moment
		// of its work: on a loaded machine a fixed delay after opening
		// could land before its first commit, and test nothing.
		working := time.After(10 * time.Second)
		for len(queued) == before {
			select {
			case line, ok := <-lines:
				if !ok {
					t.Fatalf("round %d: helper stopped before queueing", round)
				}
				record(line)
			case <-working:
				t.Fatalf("round %d: helper queued nothing in 10s", round)
			}
		}
		time.Sleep(time.Duration(rng.IntN(40)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		for line := range lines {
			record(line)
		}
		err := cmd.Wait()
		if status, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !status.Signaled() {
			t.Fatalf("round %d: helper was not killed: %v", round, err)
		}
		if len(queued) > before {
			killedMidWork++
		}
		checkAfterCrash(t, path, queued, sent)
	}
	if killedMidWork < rounds/2 {
		t.Errorf("only %d of %d kills landed while steps were being queued", killedMidWork, rounds)
	}
	t.Logf("%d steps queued, %d sent, %d kills mid-work", len(queued), len(sent), killedMidWork)
}

// checkAfterCrash reopens the store and checks every step the helper
// reported: queued ones are in the ledger and either still in the outbox or
// sent; sent ones are sent and out of the outbox; and outbox and ledger agree.
func checkAfterCrash(t *testing.T, path string, queued, sent map[string]bool) {
	t.Helper()
	s, err := Open(path, Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	outbox := checkOutboxMatchesLedger(t, s)
	for key := range queued {
		e, ok := ledgerEntry(t, s, key)
		switch {
		case !ok:
			t.Fatalf("%s was reported queued but is not in the ledger", key)
		case sent[key] && (e.State != StateSent || outbox[key]):
			t.Fatalf("%s was reported sent but is %s (in outbox: %v)", key, e.State, outbox[key])
		case e.State == StateQueued && !outbox[key]:
			t.Fatalf("%s is queued in the ledger but missing from the outbox", key)
		case e.State != StateQueued && e.State != StateSent:
			t.Fatalf("%s is %s", key, e.State)
		}
	}
}

func ledgerEntry(t *testing.T, s *Store, key string) (ledgerRecord, bool) {
	t.Helper()
	var rec ledgerRecord
	var found bool
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		rec, found, err = readLedger(tx.Bucket(bucketLedger), key)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return rec, found
}

// checkOutboxMatchesLedger checks, on the raw buckets, that each outbox
// entry points at a queued ledger entry that points back at it, that no key
// is in the outbox twice, and that no queued entry is missing from it.
func checkOutboxMatchesLedger(t *testing.T, s *Store) map[string]bool {
	t.Helper()
	inOutbox := map[string]bool{}
	err := s.db.View(func(tx *bolt.Tx) error {
		ledger := tx.Bucket(bucketLedger)
		err := tx.Bucket(bucketOutbox).ForEach(func(k, v []byte) error {
			key, err := ledgerKeyString(v)
			if err != nil {
				return err
			}
			if inOutbox[key] {
				return fmt.Errorf("%s is in the outbox twice", key)
			}
			inOutbox[key] = true
			rec, found, err := readLedger(ledger, key)
			switch {
			case err != nil:
				return err
			case !found:
				return fmt.Errorf("outbox entry %s has no ledger entry", key)
			case rec.State != StateQueued || string(seqKey(rec.Outbox)) != string(k):
				return fmt.Errorf("outbox entry %s: ledger says %s, outbox key %d", key, rec.State, rec.Outbox)
			}
			return nil
		})
		if err != nil {
			return err
		}
		return ledger.ForEach(func(k, v []byte) error {
			key, err := ledgerKeyString(k)
			if err != nil {
				return err
			}
			rec, err := decodeLedger(k, v)
			if err == nil && rec.State == StateQueued && !inOutbox[key] {
				err = fmt.Errorf("queued entry %s is not in the outbox", key)
			}
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return inOutbox
}

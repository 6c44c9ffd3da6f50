package store

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/roomwatch/roomwatch/rules"
)

// encodeRecordV3 writes a room record as schema version 3 did.
func encodeRecordV3(rec *roomRecord) []byte {
	f := rec.facts
	var facts []byte
	for _, s := range []string{f.title, f.buyer, f.url, f.platform, string(f.via), string(f.extraPayment)} {
		facts = appendString(facts, s)
	}
	facts = binary.AppendVarint(facts, f.due)
	facts = binary.AppendUvarint(facts, uint64(len(f.events)))
	for _, e := range f.events {
		facts = appendString(facts, string(e.kind))
		facts = binary.AppendVarint(facts, e.at)
	}
	b := []byte{statusOf(rec.tracked)}
	b = binary.AppendUvarint(b, uint64(len(facts)))
	b = append(b, facts...)
	b = binary.AppendVarint(b, rec.seen)
	b = binary.AppendUvarint(b, uint64(len(rec.recorded)))
	for _, r := range rec.recorded {
		b = appendString(b, string(r.kind))
		b = binary.AppendVarint(b, r.at)
		b = appendString(b, r.source)
	}
	if src := rec.factsSource(); src != SourceYAML {
		b = appendString(b, src)
	}
	return b
}

// writeV3Store writes, with bbolt alone, a schema 3 store of n imported
// rooms as the schema 3 code left them: each room's facts in its record
// and logged as events, an event recorded since, a sent ledger entry, and
// a queued one for every tenth room, in the outbox.
func writeV3Store(t *testing.T, path string, n int) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		rooms, events, ledger, outbox := tx.Bucket(bucketRooms), tx.Bucket(bucketEvents), tx.Bucket(bucketLedger), tx.Bucket(bucketOutbox)
		rooms.FillPercent, events.FillPercent = 0.9, 0.9
		for i := range n {
			id := strconv.Itoa(10_000_000 + i)
			opened := now.Add(-time.Duration(i%1000) * time.Hour)
			r := rules.Room{ID: id, Title: "room " + id, Buyer: "buyer-" + strconv.Itoa(i%700), URL: "https://coconala.com/talkrooms/" + id,
				Opened: opened, SellerMessage: opened.Add(time.Hour)}
			rec := roomRecord{tracked: true, facts: factsOf(&r), source: "marketplace", seen: nanos(now.Add(-1000 * time.Hour))}
			reply := eventRecord{Kind: rules.EventBuyerMessage, At: nanos(opened.Add(2 * time.Hour)), Source: "mail", RecordedAt: nanos(opened.Add(2 * time.Hour))}
			rec.record(recordedFact{kind: reply.Kind, at: reply.At, source: reply.Source})
			if err := rooms.Put([]byte(id), encodeRecordV3(&rec)); err != nil {
				return err
			}
			logged := []eventRecord{
				{Kind: rules.EventOpened, At: nanos(opened), Source: "marketplace", RecordedAt: rec.seen},
				{Kind: rules.EventSellerMessage, At: nanos(r.SellerMessage), Source: "marketplace", RecordedAt: rec.seen},
				reply,
			}
			for _, e := range logged {
				seq, _ := events.NextSequence()
				v, _ := json.Marshal(e)
				if err := events.Put(append(eventPrefix(id), seqKey(seq)...), v); err != nil {
					return err
				}
			}
			st := step(id, opened.Add(72*time.Hour), "warn-3h")
			sent := ledgerRecord{Step: recordStep(st), State: StateSent, Attempts: 1, Results: map[string]string{"slack": "ok"}, QueuedAt: nanos(st.SendAt), SentAt: nanos(st.SendAt)}
			v, _ := json.Marshal(sent)
			if err := ledger.Put([]byte(st.Key()), v); err != nil {
				return err
			}
			if i%10 == 0 {
				due := step(id, opened.Add(72*time.Hour), rules.StepDue)
				seq, _ := outbox.NextSequence()
				queued := ledgerRecord{Step: recordStep(due), State: StateQueued, QueuedAt: nanos(due.SendAt), Outbox: seq}
				v, _ := json.Marshal(queued)
				if err := ledger.Put([]byte(due.Key()), v); err != nil {
					return err
				}
				if err := outbox.Put(seqKey(seq), []byte(due.Key())); err != nil {
					return err
				}
			}
		}
		if err := buildIndexes(tx); err != nil {
			return err
		}
		if err := tx.Bucket(bucketMeta).Put(metaTrackedKey, []byte(strconv.Itoa(n))); err != nil {
			return err
		}
		return writeSchemaVersion(tx, 3)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestKill9DuringMigration kills the process migrating a schema 3 store
// after a random number of committed batches, more than once, and expects
// the next open to finish the migration with the store reading exactly as
// one that migrated in one go.
func TestKill9DuringMigration(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("writes a store of 25,000 rooms (volume in one goroutine: not under -short or -race)")
	}
	dir := t.TempDir()
	v3 := dir + "/v3.db"
	writeV3Store(t, v3, 25000) // more than one batch of rooms, events and ledger entries

	whole := dir + "/whole.db"
	copyFile(t, v3, whole)
	s := openAt(t, whole)
	want := dumpStore(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if r := want.Rooms["10000007"]; len(r.Events) != 3 || len(r.Ledger) != 1 || want.Tracked != 25000 || len(want.Outbox) != 2500 {
		t.Fatalf("the uninterrupted migration read back %d events, %d ledger entries of room 10000007, %d rooms, %d in the outbox",
			len(r.Events), len(r.Ledger), want.Tracked, len(want.Outbox))
	}

	crashed := dir + "/crashed.db"
	copyFile(t, v3, crashed)
	for round, batches := range []int{1, 3, 2} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$")
		cmd.Env = append(os.Environ(), helperModeEnv+"=migrate", helperPathEnv+"="+crashed)
		cmd.Stderr = os.Stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		seen := 0
		for seen < batches && sc.Scan() {
			if line := sc.Text(); line == "batch" {
				seen++
			} else {
				t.Fatalf("round %d: helper said %q", round, line)
			}
		}
		if seen < batches {
			t.Fatalf("round %d: helper ended after %d batches", round, seen)
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		if status, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !status.Signaled() {
			t.Fatalf("round %d: helper was not killed mid-migration", round)
		}
	}
	s = openAt(t, crashed)
	if v, _ := s.Meta("schema_version"); v != strconv.Itoa(schemaVersion) {
		t.Fatalf("schema version after the interrupted migration = %q", v)
	}
	compareDumps(t, dumpStore(t, s), want)
}

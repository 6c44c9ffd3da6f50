package store

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/roomwatch/roomwatch/rules"
)

func TestBackupOpensWithTheSameData(t *testing.T) {
	s := newStore(t)
	room := blogRoom(t)
	mustSync(t, s, []rules.Room{room}, jst(t, "2026-11-21 13:00"))
	replied := jst(t, "2026-11-22 08:00")
	mustRecord(t, s, Event{Room: room.ID, Kind: rules.EventSellerMessage, At: replied, Source: "cli"})
	deadline := jst(t, "2026-11-25 08:00")
	sentStep, queuedStep := step(room.ID, deadline, "warn-24h"), step(room.ID, deadline, rules.StepDue)
	if _, err := s.Queue([]rules.Step{sentStep, queuedStep}, false, replied); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSent(sentStep.Key(), map[string]string{"phone": "ok"}, replied); err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(t.TempDir(), "backups")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "roomwatch-backup.db")
	if err := os.WriteFile(path, []byte("an older backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Backup(path); err != nil {
		t.Fatal(err)
	}
	// The store stays usable during and after a backup.
	if _, err := s.Queue([]rules.Step{step(room.ID, deadline, "repeat-1")}, false, replied); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("backup folder holds %d files, want only the backup (no .tmp left)", len(entries))
	}

	b := openAt(t, path)
	got := mustRoom(t, b, room.ID)
	checkTime(t, "seller message in backup", got.SellerMessage, replied)
	checkTime(t, "opened in backup", got.Opened, room.Opened)
	ledger, err := b.Ledger(room.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ledger) != 2 {
		t.Fatalf("backup ledger has %d entries, want the 2 from before the backup", len(ledger))
	}
	checkIDs(t, "backup outbox", outboxKeys(t, b), queuedStep.Key())
	if done, _ := b.Done(sentStep.Key()); !done {
		t.Error("sent step missing from the backup")
	}
}

func TestBackupRefusesTheStoreItself(t *testing.T) {
	s := newStore(t)
	before := fileHash(t, s.Path())
	if err := s.Backup(s.Path()); err == nil {
		t.Fatal("backup over the live store succeeded")
	}
	if fileHash(t, s.Path()) != before {
		t.Error("store changed")
	}
}

func TestWriteToStreamsAnOpenableCopy(t *testing.T) {
	s := newStore(t)
	mustSync(t, s, []rules.Room{blogRoom(t)}, jst(t, "2026-11-21 13:00"))
	var buf bytes.Buffer
	n, err := s.WriteTo(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(buf.Len()) || n == 0 {
		t.Fatalf("WriteTo reported %d bytes, wrote %d", n, buf.Len())
	}
	path := tempPath(t)
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	copied := openAt(t, path)
	mustRoom(t, copied, "4012345")
	checkCount(t, copied, 1)
}

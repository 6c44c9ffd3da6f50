package main

// A store with a damaged page: every command of the built binary refuses it
// with one clear line, no Go panic, and leaves the file as it was.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// zeroRoomsRoot zeroes the page holding the root of the store's rooms
// bucket, as a failing disk might: every read of a room meets it.
func zeroRoomsRoot(t *testing.T, path string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var root uint64
	err = db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("rooms"))
		if b == nil {
			return fmt.Errorf("no rooms bucket")
		}
		root = uint64(b.RootPage())
		return nil
	})
	pageSize := db.Info().PageSize
	db.Close()
	if err != nil || root < 2 {
		t.Fatalf("rooms bucket root page %d (%v): want a page of its own", root, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(make([]byte, pageSize), int64(root)*int64(pageSize)); err != nil {
		t.Fatal(err)
	}
}

func TestDamagedStoreEveryCommandRefusesAndLeavesItAlone(t *testing.T) {
	dir := shortTempDir(t)
	var b strings.Builder
	b.WriteString("timezone: Asia/Tokyo\nlanguage: en\nstore: roomwatch.db\ncontrol:\n  socket: roomwatch.sock\nrooms:\n")
	for i := range 200 {
		fmt.Fprintf(&b, "  - {id: \"70%03d\", title: order %d of a long series, buyer: buyer%d, opened: 2026-11-20 10:00, seller_message: 2026-11-20 11:00}\n", i, i, i%30)
	}
	cfg := filepath.Join(dir, "roomwatch.yaml")
	if err := os.WriteFile(cfg, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(dir, "roomwatch.db")
	if out, code := run(t, "--config", cfg, "sent", "70001", "--at", "2026-11-21 09:00"); code != 0 {
		t.Fatalf("building the store: sent exited %d: %s", code, out)
	}
	zeroRoomsRoot(t, store)
	before := fileSum(t, store)

	commands := [][]string{
		{"run"},
		{"status"},
		{"status", "70002"},
		{"history", "70001"},
		{"plan"},
		{"plan", "--json"},
		{"sent", "70001"},
		{"replied", "70001"},
		{"delivered", "70001"},
		{"ack", "70001"},
		{"snooze", "70001", "2h"},
		{"backup", filepath.Join(dir, "copy.db")},
	}
	for _, args := range commands {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out, code := run(t, append([]string{"--config", cfg}, args...)...)
			if code == 0 {
				t.Fatalf("exit 0 on a damaged store:\n%s", out)
			}
			if strings.Contains(out, "goroutine ") || strings.Contains(out, "panic:") {
				t.Fatalf("a Go panic:\n%s", out)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			last := lines[len(lines)-1]
			if !strings.HasPrefix(last, "roomwatch: store: "+store+" is damaged (") || !strings.Contains(last, "roomwatch backup") {
				t.Errorf("last line %q: want the store named as damaged, with what to do", last)
			}
			// run logs its start; every other command prints the one line.
			if args[0] != "run" && len(lines) != 1 {
				t.Errorf("want one line, got:\n%s", out)
			}
			if fileSum(t, store) != before {
				t.Fatalf("the damaged store changed")
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "copy.db")); err == nil {
		t.Error("backup wrote a copy of a damaged store")
	}
}

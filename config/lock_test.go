package config

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// Three adds at once, fifty times: every room lands in the file. Without the
// edit lock, two adds read the same file and the later rename drops the
// earlier room (or the compare before the rename refuses one).
func TestConcurrentAddsAllLand(t *testing.T) {
	path := writeConfig(t, "timezone: Asia/Tokyo\n# the rooms\nrooms:\n")
	const rounds, together = 50, 3
	for round := range rounds {
		var wg sync.WaitGroup
		errs := make([]error, together)
		start := make(chan struct{})
		for i := range together {
			wg.Add(1)
			go func() {
				defer wg.Done()
				room := sampleRoom(t)
				room.ID = fmt.Sprintf("r%03d-%d", round, i)
				<-start
				errs[i] = AddRoom(path, room, nil, Options{Now: time.Now()})
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, add %d: %v", round, i, err)
			}
		}
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Rooms) != rounds*together {
		t.Fatalf("%d rooms in the file, want %d", len(c.Rooms), rounds*together)
	}
	for round := range rounds {
		for i := range together {
			if _, ok := c.RoomPos[fmt.Sprintf("r%03d-%d", round, i)]; !ok {
				t.Errorf("room r%03d-%d is missing", round, i)
			}
		}
	}
	if data, _ := os.ReadFile(path); !strings.Contains(string(data), "# the rooms\n") {
		t.Errorf("the comment was lost")
	}
}

func TestEditLockWaitsThenGivesUp(t *testing.T) {
	path := writeConfig(t, "timezone: Asia/Tokyo\n")
	unlock, err := lockForEdit(path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_, err = lockForEdit(path, 20*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "being edited by another process") || !strings.Contains(err.Error(), path) {
		t.Errorf("second lock: %v, want a refusal naming the file", err)
	}
	// An add while the lock is held fails the same way and changes nothing.
	before, _ := os.ReadFile(path)
	done := make(chan error, 1)
	go func() { done <- AddRoom(path, sampleRoom(t), nil, Options{}) }()
	select {
	case err := <-done:
		t.Fatalf("AddRoom returned %v while another edit held the lock", err)
	case <-time.After(50 * time.Millisecond):
	}
	unlock()
	if err := <-done; err != nil {
		t.Fatalf("AddRoom after the lock was released: %v", err)
	}
	if after, _ := os.ReadFile(path); string(after) == string(before) {
		t.Error("the add did not land after the lock was released")
	}
}

func TestAddRoomChecksTheLimits(t *testing.T) {
	path := writeConfig(t, "rooms:\n  - {id: a, opened: 2026-11-20 10:00}\n")
	err := AddRoom(path, sampleRoom(t), nil, Options{MaxRooms: 1})
	if err == nil || !strings.Contains(err.Error(), "2 rooms in the file; at most 1") {
		t.Errorf("add past --max-rooms: %v", err)
	}
	room := sampleRoom(t)
	room.Title = strings.Repeat("x", MaxTextChars+1)
	err = AddRoom(path, room, nil, Options{})
	if re, ok := err.(*RoomError); !ok || !strings.Contains(re.Msg, "title is 501 characters long") {
		t.Errorf("add with a long title: %v", err)
	}
	room = sampleRoom(t)
	room.ID = strings.Repeat("1", MaxRoomIDBytes+1)
	err = AddRoom(path, room, nil, Options{})
	if re, ok := err.(*RoomError); !ok || !strings.Contains(re.Msg, "room ID is 129 bytes long") {
		t.Errorf("add with a long ID: %v", err)
	}
}

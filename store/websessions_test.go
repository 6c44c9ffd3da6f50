package store

import (
	"path/filepath"
	"testing"
	"time"
)

func TestWebSessionsSurviveAReopenAndAreRevoked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "roomwatch.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	if _, ok, err := s.LookupWebSession("a", now); ok || err != nil {
		t.Fatalf("a store without sessions: ok=%v err=%v", ok, err)
	}
	for _, id := range []string{"a", "b"} {
		if err := s.PutWebSession(id, WebSession{Created: now, Expires: now.Add(time.Hour)}, now); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	if s, err = Open(path, Options{}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ws, ok, err := s.LookupWebSession("a", now)
	if !ok || err != nil || !ws.Expires.Equal(now.Add(time.Hour)) {
		t.Fatalf("after a reopen: %+v ok=%v err=%v", ws, ok, err)
	}
	if _, ok, _ := s.LookupWebSession("a", now.Add(time.Hour)); ok {
		t.Error("a session is still valid at its expiry")
	}
	if err := s.DeleteWebSession("a"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.LookupWebSession("a", now); ok {
		t.Error("a deleted session is still valid")
	}
	n, err := s.DeleteWebSessions(now)
	if n != 1 || err != nil {
		t.Fatalf("DeleteWebSessions = %d, %v; want 1 live session", n, err)
	}
	if _, ok, _ := s.LookupWebSession("b", now); ok {
		t.Error("a session survived revoking them all")
	}
	if n, err := s.DeleteWebSessions(now); n != 0 || err != nil {
		t.Errorf("revoking again = %d, %v", n, err)
	}
}

func TestPutWebSessionDropsExpiredOnes(t *testing.T) {
	s := newStore(t)
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	if err := s.PutWebSession("old", WebSession{Created: now, Expires: now.Add(time.Minute)}, now); err != nil {
		t.Fatal(err)
	}
	later := now.Add(2 * time.Minute)
	if err := s.PutWebSession("new", WebSession{Created: later, Expires: later.Add(time.Hour)}, later); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.DeleteWebSessions(now); n != 1 {
		t.Errorf("%d sessions were left (counted at the old session's time); the expired one should have been dropped", n)
	}
}

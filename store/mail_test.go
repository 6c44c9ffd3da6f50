package store

import (
	"testing"
	"time"
)

func TestMailPositionSurvivesAReopen(t *testing.T) {
	s := newStore(t)
	if p, err := s.MailPosition("me@imap.example:993/INBOX"); err != nil || p != (MailPosition{}) {
		t.Fatalf("a new store: %+v %v", p, err)
	}
	want := MailPosition{UIDValidity: 1700000000, LastUID: 42}
	if err := s.SetMailPosition("me@imap.example:993/INBOX", want); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s)
	if p, err := s.MailPosition("me@imap.example:993/INBOX"); err != nil || p != want {
		t.Errorf("after reopen: %+v %v, want %+v", p, err, want)
	}
	if p, _ := s.MailPosition("other:993/INBOX"); p != (MailPosition{}) {
		t.Errorf("another account shares the position: %+v", p)
	}
}

func TestSeenMailsAreKeptForTheRetentionOnly(t *testing.T) {
	s := newStore(t)
	t0 := jst(t, "2026-11-01 09:00")
	keep := 30 * 24 * time.Hour
	if err := s.MarkMailSeen("old@x", t0, keep); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkMailSeen("mid@x", t0.Add(20*24*time.Hour), keep); err != nil {
		t.Fatal(err)
	}
	// Marking again keeps the first time: it is pruned with its own age.
	if err := s.MarkMailSeen("old@x", t0.Add(25*24*time.Hour), keep); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"old@x", "mid@x"} {
		if seen, err := s.MailSeen(id); err != nil || !seen {
			t.Errorf("%s: seen %v %v", id, seen, err)
		}
	}
	if err := s.MarkMailSeen("new@x", t0.Add(31*24*time.Hour), keep); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s)
	want := map[string]bool{"old@x": false, "mid@x": true, "new@x": true, "never@x": false}
	for id, w := range want {
		if seen, err := s.MailSeen(id); err != nil || seen != w {
			t.Errorf("%s: seen %v %v, want %v", id, seen, err, w)
		}
	}
	if err := s.MarkMailSeen("", t0, keep); err == nil {
		t.Error("an empty Message-ID was accepted")
	}
}

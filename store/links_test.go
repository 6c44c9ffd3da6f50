package store

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"
)

func TestLinkKeyIsMadeOnceAndKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "roomwatch.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	k1, err := s.LinkKey()
	if err != nil || len(k1) != linkKeySize {
		t.Fatalf("LinkKey = %x, %v", k1, err)
	}
	if k2, _ := s.LinkKey(); !bytes.Equal(k1, k2) {
		t.Error("a second call made a new key")
	}
	if err := s.SetMeta("link_key", "00"); err == nil {
		t.Error("SetMeta overwrote the link key")
	}
	s.Close()
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if k3, _ := s.LinkKey(); !bytes.Equal(k1, k3) {
		t.Error("the key changed across a reopen")
	}
}

func TestUseLinkOnceAndPrunes(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "roomwatch.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	if first, err := s.UseLink("a", now.Add(time.Hour), now); !first || err != nil {
		t.Fatalf("first use: %v %v", first, err)
	}
	if first, _ := s.UseLink("a", now.Add(time.Hour), now); first {
		t.Error("second use counted as first")
	}
	if used, _ := s.LinkUsed("a"); !used {
		t.Error("LinkUsed = false after use")
	}
	// A later use drops the marks of expired links.
	if _, err := s.UseLink("b", now.Add(3*time.Hour), now.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if used, _ := s.LinkUsed("a"); used {
		t.Error("the expired link's mark was kept")
	}
	if used, _ := s.LinkUsed("b"); !used {
		t.Error("b not marked")
	}
}

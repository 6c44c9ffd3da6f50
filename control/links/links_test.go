package links

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func signer(t *testing.T, key string) *Signer {
	t.Helper()
	s, err := NewSigner([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSignVerifyRoundTrip(t *testing.T) {
	s := signer(t, strings.Repeat("k", KeySize))
	for _, a := range actions {
		want := Claim{Room: "4012345", Action: a, Expires: now.Add(DefaultTTL)}
		tok, err := s.Sign(want)
		if err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(tok, "/+=?&# ") {
			t.Errorf("token %q is not URL-path safe", tok)
		}
		got, err := s.Verify(tok, now)
		if err != nil || got.Room != want.Room || got.Action != want.Action || !got.Expires.Equal(want.Expires) {
			t.Errorf("Verify = %+v, %v; want %+v", got, err, want)
		}
	}
}

func TestVerifyRefuses(t *testing.T) {
	s := signer(t, strings.Repeat("k", KeySize))
	tok, _ := s.Sign(Claim{Room: "4012345", Action: Sent, Expires: now.Add(time.Hour)})
	if _, err := s.Verify(tok, now.Add(time.Hour)); !errors.Is(err, ErrExpired) {
		t.Errorf("at its expiry: %v, want ErrExpired", err)
	}
	other := signer(t, strings.Repeat("x", KeySize))
	if _, err := other.Verify(tok, now); !errors.Is(err, ErrInvalid) {
		t.Errorf("another key: %v", err)
	}
	// Every single-character change is refused.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
	for i := range tok {
		for _, c := range []byte(alphabet) {
			if c == tok[i] {
				continue
			}
			b := []byte(tok)
			b[i] = c
			if claim, err := s.Verify(string(b), now); err == nil {
				t.Fatalf("altered token at %d (%q) accepted: %+v", i, c, claim)
			}
		}
	}
	for _, bad := range []string{"", ".", tok + ".", strings.Split(tok, ".")[0], "a.b"} {
		if _, err := s.Verify(bad, now); !errors.Is(err, ErrInvalid) {
			t.Errorf("Verify(%q) = %v", bad, err)
		}
	}
}

func TestSignRefuses(t *testing.T) {
	s := signer(t, strings.Repeat("k", KeySize))
	for name, c := range map[string]Claim{
		"unknown action": {Room: "1", Action: "delete"},
		"no room":        {Action: Sent},
		"huge room":      {Room: strings.Repeat("r", maxRoom+1), Action: Sent},
	} {
		if _, err := s.Sign(c); err == nil {
			t.Errorf("%s: signed", name)
		}
	}
	if _, err := NewSigner([]byte("short")); err == nil {
		t.Error("NewSigner took a 5-byte key")
	}
}

func TestIDHidesTheToken(t *testing.T) {
	s := signer(t, strings.Repeat("k", KeySize))
	a, _ := s.Sign(Claim{Room: "1", Action: Sent, Expires: now})
	b, _ := s.Sign(Claim{Room: "1", Action: Replied, Expires: now})
	if ID(a) == ID(b) || strings.Contains(a, ID(a)) || len(ID(a)) != 32 {
		t.Errorf("IDs %q %q", ID(a), ID(b))
	}
}

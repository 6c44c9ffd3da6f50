package smtptest

import (
	"net"
	"net/smtp"
	"strconv"
	"strings"
	"testing"

	gosmtp "github.com/emersion/go-smtp"
)

// The email notifier's tests trust this server; these check the server
// itself with the standard library's client.

func dial(t *testing.T, s *Server) *smtp.Client {
	t.Helper()
	c, err := smtp.Dial(net.JoinHostPort(s.Host, strconv.Itoa(s.Port)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestStartTLSAndAuthDeliver(t *testing.T) {
	s := Start(t, Options{Username: "me", Password: "pw"})
	c := dial(t, s)
	if err := c.Mail("a@example.com"); err == nil {
		t.Fatal("mail accepted before authentication")
	}
	if err := c.StartTLS(s.ClientTLS); err != nil {
		t.Fatal(err)
	}
	if err := c.Auth(smtp.PlainAuth("", "me", "pw", s.Host)); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail("a@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("b@example.com"); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("Subject: hi\r\n\r\nbody\r\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	mails := s.Mails()
	if len(mails) != 1 {
		t.Fatalf("%d mails stored, want 1", len(mails))
	}
	m := mails[0]
	if m.From != "a@example.com" || len(m.To) != 1 || m.To[0] != "b@example.com" || m.Auth != "me" || !m.TLS {
		t.Errorf("stored mail = %+v", m)
	}
	if !strings.Contains(string(m.Data), "Subject: hi") {
		t.Errorf("stored data = %q", m.Data)
	}
}

func TestWrongPasswordIsRefused(t *testing.T) {
	s := Start(t, Options{Username: "me", Password: "pw"})
	c := dial(t, s)
	if err := c.StartTLS(s.ClientTLS); err != nil {
		t.Fatal(err)
	}
	if err := c.Auth(smtp.PlainAuth("", "me", "wrong", s.Host)); err == nil {
		t.Fatal("a wrong password was accepted")
	}
}

func TestRejectAnswersAtItsStage(t *testing.T) {
	s := Start(t, Options{NoTLS: true, Reject: func(stage Stage, n int) *gosmtp.SMTPError {
		if stage == StageRcpt && n == 1 {
			return &gosmtp.SMTPError{Code: 451, Message: "try later"}
		}
		return nil
	}})
	c := dial(t, s)
	if err := c.Mail("a@example.com"); err != nil {
		t.Fatal(err)
	}
	err := c.Rcpt("b@example.com")
	if err == nil || !strings.Contains(err.Error(), "451") {
		t.Fatalf("first RCPT: %v, want a 451", err)
	}
	if err := c.Rcpt("b@example.com"); err != nil {
		t.Fatalf("second RCPT refused: %v", err)
	}
	if s.Count(StageRcpt) != 2 {
		t.Errorf("RCPT counted %d times, want 2", s.Count(StageRcpt))
	}
}

// Package imaptest runs a real IMAP server in the test's process:
// go-imap's server with its in-memory backend, on 127.0.0.1, behind a
// listener that can drop every connection (a server restart, a NAT
// timeout). For tests only.
package imaptest

import (
	"bytes"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// The account every server has.
const (
	Username = "seller"
	Password = "app-password"
)

// Server is one running server with one user and an INBOX.
type Server struct {
	Addr string
	User *imapmemserver.User

	mu    sync.Mutex
	conns []net.Conn
}

// New starts a server; it stops when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(Username, Password)
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return flushingSession{mem.NewSession()}, nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIdle: {}},
		InsecureAuth: true,
		Logger:       discardLogger{},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), User: user}
	go srv.Serve(trackingListener{ln, s})
	t.Cleanup(func() { srv.Close() })
	return s
}

// Deliver appends a mail to INBOX as received at received.
func (s *Server) Deliver(t testing.TB, mail []byte, received time.Time) {
	t.Helper()
	if _, err := s.User.Append("INBOX", bytes.NewReader(mail), &imap.AppendOptions{Time: received}); err != nil {
		t.Fatal(err)
	}
}

// DropConnections closes every connection the server accepted so far.
func (s *Server) DropConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.conns)
	for _, c := range s.conns {
		c.Close()
	}
	s.conns = nil
	return n
}

type trackingListener struct {
	net.Listener
	s *Server
}

func (l trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.s.mu.Lock()
		l.s.conns = append(l.s.conns, c)
		l.s.mu.Unlock()
	}
	return c, err
}

// flushingSession sends what happened before IDLE as IDLE starts, as
// Dovecot and most servers do; go-imap's in-memory server holds such an
// update until the next one, so a mail appended just as IDLE starts would
// wait for the watcher's periodic recheck.
type flushingSession struct{ imapserver.Session }

func (s flushingSession) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	if err := s.Session.Poll(w, true); err != nil {
		return err
	}
	return s.Session.Idle(w, stop)
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}

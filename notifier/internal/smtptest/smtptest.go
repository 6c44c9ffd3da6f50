// Package smtptest runs a real SMTP server (emersion/go-smtp) on 127.0.0.1 for
// tests: STARTTLS or implicit TLS with a certificate made on the spot, AUTH
// PLAIN, and scripted rejections to exercise retry and failover.
package smtptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Stage names the command a scripted rejection answers.
type Stage string

const (
	StageRcpt Stage = "RCPT"
	StageData Stage = "DATA"
)

// Options shapes the server.
type Options struct {
	// ImplicitTLS serves TLS from the first byte (port 465 style); otherwise
	// the server offers STARTTLS, unless NoTLS is set.
	ImplicitTLS bool
	NoTLS       bool
	// Username and Password, when set, are the only credentials AUTH PLAIN
	// accepts, and mail is refused without them.
	Username, Password string
	// Reject, when set, is asked at RCPT and DATA with the 1-based count of
	// that stage so far; a non-nil reply is sent instead of accepting.
	Reject func(stage Stage, n int) *smtp.SMTPError
}

// Mail is one accepted message.
type Mail struct {
	From string
	To   []string
	Data []byte
	Auth string // the username that authenticated, if any
	TLS  bool
}

// Server is a running test server.
type Server struct {
	Host string
	Port int
	// ClientTLS trusts the server's certificate.
	ClientTLS *tls.Config

	opts   Options
	mu     sync.Mutex
	mails  []Mail
	counts map[Stage]int
}

// Start runs a server until the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	cert, pool := selfSigned(t)
	s := &Server{
		opts:      opts,
		counts:    map[Stage]int{},
		ClientTLS: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12},
	}
	serverTLS := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}

	srv := smtp.NewServer(backend{s})
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.AllowInsecureAuth = opts.NoTLS
	// The server logs client hang-ups; a log after the test ends would panic.
	srv.ErrorLog = log.New(io.Discard, "", 0)

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case opts.ImplicitTLS:
		l = tls.NewListener(l, serverTLS)
	case !opts.NoTLS:
		srv.TLSConfig = serverTLS
	}
	host, port, _ := net.SplitHostPort(l.Addr().String())
	s.Host = host
	s.Port, _ = strconv.Atoi(port)
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// Mails returns the accepted messages so far.
func (s *Server) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// Count returns how many times a stage was reached.
func (s *Server) Count(stage Stage) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[stage]
}

func (s *Server) reject(stage Stage) error {
	s.mu.Lock()
	s.counts[stage]++
	n := s.counts[stage]
	s.mu.Unlock()
	if s.opts.Reject == nil {
		return nil
	}
	if reply := s.opts.Reject(stage, n); reply != nil {
		return reply
	}
	return nil
}

type backend struct{ s *Server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	return &session{s: b.s, tls: isTLS, conn: c}, nil
}

type session struct {
	s    *Server
	conn *smtp.Conn
	tls  bool
	auth string
	from string
	to   []string
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != ss.s.opts.Username || password != ss.s.opts.Password {
			return smtp.ErrAuthFailed
		}
		ss.auth = username
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.opts.Username != "" && ss.auth == "" {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := ss.s.reject(StageRcpt); err != nil {
		return err
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if err := ss.s.reject(StageData); err != nil {
		return err
	}
	_, isTLS := ss.conn.TLSConnectionState()
	ss.s.mu.Lock()
	ss.s.mails = append(ss.s.mails, Mail{From: ss.from, To: ss.to, Data: bytes.Clone(data), Auth: ss.auth, TLS: isTLS})
	ss.s.mu.Unlock()
	return nil
}

func (ss *session) Reset() { ss.from, ss.to = "", nil }

func (ss *session) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "roomwatch test smtp"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(parsed)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: parsed}, pool
}

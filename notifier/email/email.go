// Package email delivers alerts by SMTP: STARTTLS (mandatory), implicit TLS,
// or a plain connection for a local relay, with AUTH PLAIN or LOGIN when a
// username is set. A mail is made for a phone: a subject in the configured
// language saying what to do, for whom and by when, and a plain-text and an
// HTML body listing the alerts most severe first. When the server refuses,
// the error carries its reply code and text.
package email

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/textproto"
	"time"

	"github.com/wneessen/go-mail"
	mailsmtp "github.com/wneessen/go-mail/smtp"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier"
)

// TLS modes of Options.TLS.
const (
	StartTLS = "starttls"
	TLS      = "tls"
	NoTLS    = "none"
)

// DefaultTimeout bounds one attempt when Options.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Options are an email notifier's settings from outside its config entry.
type Options struct {
	Name     string // notifier name in routes and logs; default "email"
	Timeout  time.Duration
	Language string
	Location *time.Location
	// TLSConfig overrides the TLS settings; tests use it to trust their own
	// server's certificate. ServerName defaults to the host.
	TLSConfig *tls.Config
}

// Notifier sends alerts by mail.
type Notifier struct {
	cfg  config.EmailConfig
	opts Options
}

var _ notifier.Notifier = (*Notifier)(nil)

// New builds a notifier from settings config has checked (the addresses
// parse, the port and TLS mode are known). A TLS mode or port left empty
// takes the usual default.
func New(cfg config.EmailConfig, opts Options) *Notifier {
	if opts.Name == "" {
		opts.Name = "email"
	}
	if cfg.TLS == "" {
		cfg.TLS = StartTLS
	}
	if cfg.Port == 0 {
		cfg.Port = map[string]int{StartTLS: 587, TLS: 465, NoTLS: 25}[cfg.TLS]
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if opts.TLSConfig != nil {
		tlsConfig = opts.TLSConfig.Clone()
	}
	if tlsConfig.ServerName == "" {
		tlsConfig.ServerName = cfg.Host
	}
	opts.TLSConfig = tlsConfig
	return &Notifier{cfg: cfg, opts: opts}
}

// Name is the notifier's name in routes and logs.
func (n *Notifier) Name() string { return n.opts.Name }

// Send mails m once and classifies a failure as worth retrying or not.
func (n *Notifier) Send(ctx context.Context, m notifier.Message) (bool, error) {
	msg, err := n.compose(m)
	if err != nil {
		return false, notifier.Redact(fmt.Errorf("email: %w", err), n.cfg.Password.Value())
	}
	client, err := n.client()
	if err != nil {
		return false, notifier.Redact(fmt.Errorf("email: %w", err), n.cfg.Password.Value())
	}
	ctx, cancel := context.WithTimeout(ctx, n.opts.Timeout)
	defer cancel()
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		if reply := replyOf(err); reply != nil {
			err = reply
		}
		return retryable(err), notifier.Redact(fmt.Errorf("email via %s:%d: %w", n.cfg.Host, n.cfg.Port, err), n.cfg.Password.Value())
	}
	return false, nil
}

// client is built per send: go-mail's client keeps per-connection state
// (the negotiated auth mechanism) that should not leak between attempts.
func (n *Notifier) client() (*mail.Client, error) {
	options := []mail.Option{
		mail.WithPort(n.cfg.Port),
		mail.WithTimeout(n.opts.Timeout),
		mail.WithTLSConfig(n.opts.TLSConfig),
	}
	switch n.cfg.TLS {
	case TLS:
		options = append(options, mail.WithSSL())
	case NoTLS:
		options = append(options, mail.WithTLSPolicy(mail.NoTLS))
	default:
		options = append(options, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if n.cfg.Username != "" {
		options = append(options,
			mail.WithOpportunisticSMTPAuth(mail.SMTPAuthPlain, mail.SMTPAuthLogin),
			mail.WithUsername(n.cfg.Username),
			mail.WithPassword(n.cfg.Password.Value()))
	}
	return mail.NewClient(n.cfg.Host, options...)
}

// retryable: SMTP 4xx replies and connection trouble are temporary; 5xx
// replies, certificate problems, missing auth mechanisms and unusable
// addresses are not.
func retryable(err error) bool {
	var reply *ReplyError
	if errors.As(err, &reply) {
		return reply.Code < 500
	}
	var send *mail.SendError
	if errors.As(err, &send) {
		if code := send.ErrorCode(); code >= 400 {
			return code < 500
		}
		switch send.Reason {
		case mail.ErrGetSender, mail.ErrGetRcpts, mail.ErrNoUnencoded:
			return false
		}
		return true
	}
	var proto *textproto.Error
	if errors.As(err, &proto) {
		return proto.Code < 500
	}
	var (
		verify    *tls.CertificateVerificationError
		authority x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
	)
	if errors.As(err, &verify) || errors.As(err, &authority) || errors.As(err, &hostname) || errors.As(err, &invalid) {
		return false
	}
	for _, permanent := range []error{
		mail.ErrPlainAuthNotSupported, mail.ErrLoginAuthNotSupported,
		mail.ErrNoSupportedAuthDiscovered, mailsmtp.ErrUnencrypted,
	} {
		if errors.Is(err, permanent) {
			return false
		}
	}
	return true
}

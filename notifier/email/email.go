// Package email delivers alerts by SMTP: STARTTLS (mandatory), implicit TLS,
// or a plain connection for a local relay, with AUTH PLAIN or LOGIN when a
// username is set. The subject names severity, kind and room; the body is
// the plain-text rendering every backend shares.
package email

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	netmail "net/mail"
	"net/textproto"
	"time"

	"github.com/wneessen/go-mail"
	mailsmtp "github.com/wneessen/go-mail/smtp"

	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/message"
)

// TLS modes of Options.TLS.
const (
	StartTLS = "starttls"
	TLS      = "tls"
	NoTLS    = "none"
)

// DefaultTimeout bounds one attempt when Options.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Options configures an email notifier.
type Options struct {
	Name     string // notifier name in routes and logs; default "email"
	Host     string
	Port     int    // default 587 for starttls, 465 for tls, 25 for none
	TLS      string // starttls (default), tls or none
	Username string
	Password string // secret
	From     string
	To       []string
	Timeout  time.Duration
	Language string
	Location *time.Location
	// TLSConfig overrides the TLS settings; tests use it to trust their own
	// server's certificate. ServerName defaults to Host.
	TLSConfig *tls.Config
}

// Notifier sends alerts by mail.
type Notifier struct {
	opts Options
}

var _ notifier.Notifier = (*Notifier)(nil)

// New checks opts and builds a notifier.
func New(opts Options) (*Notifier, error) {
	if opts.Name == "" {
		opts.Name = "email"
	}
	fail := func(format string, args ...any) (*Notifier, error) {
		return nil, fmt.Errorf("email %s: "+format, append([]any{opts.Name}, args...)...)
	}
	if opts.Host == "" {
		return fail("host is required")
	}
	if opts.TLS == "" {
		opts.TLS = StartTLS
	}
	defaultPort := map[string]int{StartTLS: 587, TLS: 465, NoTLS: 25}
	port, ok := defaultPort[opts.TLS]
	if !ok {
		return fail("tls must be starttls, tls or none, not %q", opts.TLS)
	}
	if opts.Port == 0 {
		opts.Port = port
	}
	if opts.Port < 1 || opts.Port > 65535 {
		return fail("port %d is out of range", opts.Port)
	}
	if _, err := netmail.ParseAddress(opts.From); err != nil {
		return fail("from %q: %w", opts.From, err)
	}
	if len(opts.To) == 0 {
		return fail("at least one recipient (to) is required")
	}
	for _, to := range opts.To {
		if _, err := netmail.ParseAddress(to); err != nil {
			return fail("to %q: %w", to, err)
		}
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
		tlsConfig.ServerName = opts.Host
	}
	opts.TLSConfig = tlsConfig
	return &Notifier{opts: opts}, nil
}

// Name is the notifier's name in routes and logs.
func (n *Notifier) Name() string { return n.opts.Name }

// Send mails m once and classifies a failure as worth retrying or not.
func (n *Notifier) Send(ctx context.Context, m notifier.Message) (bool, error) {
	msg, err := n.compose(m)
	if err != nil {
		return false, notifier.Redact(fmt.Errorf("email: %w", err), n.opts.Password)
	}
	client, err := n.client()
	if err != nil {
		return false, notifier.Redact(fmt.Errorf("email: %w", err), n.opts.Password)
	}
	ctx, cancel := context.WithTimeout(ctx, n.opts.Timeout)
	defer cancel()
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return retryable(err), notifier.Redact(fmt.Errorf("email via %s:%d: %w", n.opts.Host, n.opts.Port, err), n.opts.Password)
	}
	return false, nil
}

// client is built per send: go-mail's client keeps per-connection state
// (the negotiated auth mechanism) that should not leak between attempts.
func (n *Notifier) client() (*mail.Client, error) {
	options := []mail.Option{
		mail.WithPort(n.opts.Port),
		mail.WithTimeout(n.opts.Timeout),
		mail.WithTLSConfig(n.opts.TLSConfig),
	}
	switch n.opts.TLS {
	case TLS:
		options = append(options, mail.WithSSL())
	case NoTLS:
		options = append(options, mail.WithTLSPolicy(mail.NoTLS))
	default:
		options = append(options, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if n.opts.Username != "" {
		options = append(options,
			mail.WithOpportunisticSMTPAuth(mail.SMTPAuthPlain, mail.SMTPAuthLogin),
			mail.WithUsername(n.opts.Username),
			mail.WithPassword(n.opts.Password))
	}
	return mail.NewClient(n.opts.Host, options...)
}

func (n *Notifier) compose(m notifier.Message) (*mail.Msg, error) {
	rendered := message.RenderMessage(m, n.opts.Language, n.opts.Location)
	msg := mail.NewMsg()
	if err := msg.From(n.opts.From); err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	if err := msg.To(n.opts.To...); err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	msg.Subject(subject(m, rendered, n.opts.Language))
	msg.SetDate()
	msg.SetMessageID()
	// Tell vacation responders and list software this is a machine's mail.
	msg.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(mail.TypeTextPlain, rendered.PlainText())
	return msg, nil
}

var moreSuffix = map[string]string{
	message.English:  " (+%d more)",
	message.Japanese: "（他%d件）",
}

// subject is "[roomwatch critical] cancel-risk — room 4012345", marked late
// or test when so, with a count when alerts were grouped. It passes through
// HeaderSafe because the room ID comes from the config.
func subject(m notifier.Message, r message.Rendered, lang string) string {
	if len(r.Texts) == 0 {
		return "[roomwatch]"
	}
	tag := "roomwatch " + string(r.Severity)
	switch {
	case m.Test:
		tag = "roomwatch test"
	case m.Late:
		tag += ", late"
	}
	if m.Notice != nil {
		return HeaderSafe(fmt.Sprintf("[%s] %s", tag, r.Preview))
	}
	s := fmt.Sprintf("[%s] %s — room %s", tag, m.Alerts[0].Step.Kind, r.Texts[0].Room)
	if more := len(r.Texts) - 1; more > 0 {
		s += fmt.Sprintf(moreSuffix[message.Language(lang)], more)
	}
	return HeaderSafe(s)
}

// HeaderSafe removes line breaks and other control characters, so a value
// cannot end its header line and start another (Bcc: …).
func HeaderSafe(s string) string {
	return message.OneLine(s)
}

// retryable: SMTP 4xx replies and connection trouble are temporary; 5xx
// replies, certificate problems, missing auth mechanisms and unusable
// addresses are not.
func retryable(err error) bool {
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
	var reply *textproto.Error
	if errors.As(err, &reply) {
		return reply.Code < 500
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

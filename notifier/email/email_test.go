package email

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"net/textproto"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-smtp"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/internal/smtptest"
	"github.com/roomwatch/roomwatch/notifier/internal/testalert"
	"github.com/roomwatch/roomwatch/rules"
)

const password = "pa55-w0rd-s3cret"

func newMailer(t *testing.T, srv *smtptest.Server, edit func(*config.EmailConfig, *Options)) *Notifier {
	t.Helper()
	cfg := config.EmailConfig{
		Host:     srv.Host,
		Port:     srv.Port,
		TLS:      StartTLS,
		Username: "me@example.com",
		Password: config.NewSecret(password),
		From:     "roomwatch@example.com",
		To:       []string{"me@example.com"},
	}
	opts := Options{
		Name:      "mail",
		Timeout:   5 * time.Second,
		Location:  testalert.Now.Location(),
		TLSConfig: srv.ClientTLS,
	}
	if edit != nil {
		edit(&cfg, &opts)
	}
	return New(cfg, opts)
}

func authed() smtptest.Options {
	return smtptest.Options{Username: "me@example.com", Password: password}
}

type parsed struct {
	header netmail.Header
	raw    string // header section as sent
	body   string // the plain-text part
	html   string // the HTML part
	// types lists the content types of the parts, in order.
	types []string
}

// parse reads a received mail as a mail app would: net/mail for the
// headers, mime/multipart for the parts (it undoes quoted-printable).
func parse(t *testing.T, data []byte) parsed {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("message does not parse: %v\n%s", err, data)
	}
	raw, _, _ := bytes.Cut(data, []byte("\r\n\r\n"))
	p := parsed{header: msg.Header, raw: string(raw)}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	if mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type = %s, want multipart/alternative", mediaType)
	}
	parts := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := parts.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(part)
		if err != nil {
			t.Fatal(err)
		}
		partType, partParams, err := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.EqualFold(partParams["charset"], "utf-8") || !utf8.Valid(body) {
			t.Errorf("part %s: charset %q, valid UTF-8 %v", partType, partParams["charset"], utf8.Valid(body))
		}
		p.types = append(p.types, partType)
		// Mail lines end in CRLF on the wire; compare text as written.
		body = bytes.ReplaceAll(body, []byte("\r\n"), []byte("\n"))
		switch partType {
		case "text/plain":
			p.body = string(body)
		case "text/html":
			p.html = string(body)
		}
	}
	return p
}

func decodeHeader(t *testing.T, v string) string {
	t.Helper()
	s, err := new(mime.WordDecoder).DecodeHeader(v)
	if err != nil {
		t.Fatalf("header %q: %v", v, err)
	}
	return s
}

func TestStartTLSWithAuthPlain(t *testing.T) {
	srv := smtptest.Start(t, authed())
	n := newMailer(t, srv, nil)
	alert := testalert.Make(rules.CancelRisk, rules.Critical, "4012345", "ブログ記事 5本")
	retry, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{alert}})
	if err != nil {
		t.Fatalf("Send = %v, %v", retry, err)
	}
	mails := srv.Mails()
	if len(mails) != 1 {
		t.Fatalf("%d mails delivered, want 1", len(mails))
	}
	m := mails[0]
	if !m.TLS || m.Auth != "me@example.com" {
		t.Errorf("TLS=%v auth=%q; want STARTTLS and AUTH PLAIN", m.TLS, m.Auth)
	}
	if m.From != "roomwatch@example.com" || strings.Join(m.To, ",") != "me@example.com" {
		t.Errorf("envelope from %q to %v", m.From, m.To)
	}
	p := parse(t, m.Data)
	if got := p.header.Get("From"); !strings.Contains(got, "roomwatch@example.com") {
		t.Errorf("From = %q", got)
	}
	if got := p.header.Get("To"); !strings.Contains(got, "me@example.com") {
		t.Errorf("To = %q", got)
	}
	if got := decodeHeader(t, p.header.Get("Subject")); got != "[Urgent] Reply to tanaka — ブログ記事 5本 (by 11/25 12:00)" {
		t.Errorf("Subject = %q", got)
	}
	if p.header.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("Auto-Submitted = %q", p.header.Get("Auto-Submitted"))
	}
	for _, want := range []string{
		"Reply to tanaka by Wed 11/25 12:00 or they may cancel — room 4012345",
		"■ Reply to the buyer — ブログ記事 5本",
		"Reply by: Wed 11/25 12:00 (3h left)",
		"Talk room: https://coconala.com/talkrooms/4012345",
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("body lacks %q:\n%s", want, p.body)
		}
	}
}

func TestImplicitTLS(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{ImplicitTLS: true, Username: "me@example.com", Password: password})
	n := newMailer(t, srv, func(c *config.EmailConfig, _ *Options) { c.TLS = TLS })
	if _, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{testalert.Make(rules.CheckIn, rules.Warning, "1", "t")}}); err != nil {
		t.Fatal(err)
	}
	if mails := srv.Mails(); len(mails) != 1 || !mails[0].TLS {
		t.Fatalf("mails = %+v", mails)
	}
}

func TestPlainRelay(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{NoTLS: true})
	n := newMailer(t, srv, func(c *config.EmailConfig, _ *Options) { c.TLS = NoTLS; c.Username, c.Password = "", config.Secret{} })
	if _, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{testalert.Make(rules.CheckIn, rules.Warning, "1", "t")}, Test: true}); err != nil {
		t.Fatal(err)
	}
	mails := srv.Mails()
	if len(mails) != 1 {
		t.Fatalf("%d mails", len(mails))
	}
	if got := decodeHeader(t, parse(t, mails[0].Data).header.Get("Subject")); got != "[TEST] [Action needed] Check in with tanaka — t (by 11/25 12:00)" {
		t.Errorf("Subject = %q", got)
	}
}

func TestStartTLSIsMandatory(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{NoTLS: true})
	n := newMailer(t, srv, func(c *config.EmailConfig, _ *Options) { c.Username, c.Password = "", config.Secret{} })
	_, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{testalert.Make(rules.CheckIn, rules.Warning, "1", "t")}})
	if err == nil {
		t.Fatal("mail went out over a server without STARTTLS")
	}
	if len(srv.Mails()) != 0 {
		t.Fatal("a mail was accepted in the clear")
	}
}

func TestUntrustedCertificateIsPermanent(t *testing.T) {
	srv := smtptest.Start(t, authed())
	n := newMailer(t, srv, func(_ *config.EmailConfig, o *Options) { o.TLSConfig = nil })
	retry, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{testalert.Make(rules.CheckIn, rules.Warning, "1", "t")}})
	if err == nil || retry {
		t.Fatalf("Send = %v, %v; want a permanent certificate error", retry, err)
	}
}

func TestHeaderInjectionIsImpossible(t *testing.T) {
	srv := smtptest.Start(t, authed())
	n := newMailer(t, srv, nil)
	evil := "4012345\r\nBcc: evil@x"
	alert := testalert.Make(rules.CancelRisk, rules.Critical, evil, "Logo\r\nBcc: evil@x\r\n\r\nbody")
	alert.Room.Buyer = "tanaka\r\nBcc: evil@x"
	if _, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{alert}}); err != nil {
		t.Fatal(err)
	}
	m := srv.Mails()[0]
	if strings.Join(m.To, ",") != "me@example.com" {
		t.Fatalf("envelope recipients %v", m.To)
	}
	p := parse(t, m.Data)
	if len(p.header["Bcc"]) > 0 {
		t.Fatalf("Bcc header injected: %v", p.header["Bcc"])
	}
	r := textproto.NewReader(bufio.NewReader(strings.NewReader(p.raw + "\r\n\r\n")))
	h, err := r.ReadMIMEHeader()
	if err != nil {
		t.Fatal(err)
	}
	for name := range h {
		if strings.EqualFold(name, "Bcc") {
			t.Fatal("Bcc header present")
		}
	}
	subject := decodeHeader(t, p.header.Get("Subject"))
	if strings.ContainsAny(subject, "\r\n") || !strings.Contains(subject, "tanaka  Bcc: evil@x") || !strings.Contains(subject, "Logo  Bcc: evil@x") {
		t.Errorf("Subject = %q", subject)
	}
}

func TestTemporaryAndPermanentReplies(t *testing.T) {
	cases := []struct {
		name   string
		stage  smtptest.Stage
		code   int
		retry  bool
		prefix string
	}{
		{"451 on DATA", smtptest.StageData, 451, true, "451"},
		{"421 on RCPT", smtptest.StageRcpt, 421, true, "421"},
		{"550 on RCPT", smtptest.StageRcpt, 550, false, "550"},
		{"554 on DATA", smtptest.StageData, 554, false, "554"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := authed()
			opts.Reject = func(stage smtptest.Stage, _ int) *smtp.SMTPError {
				if stage == c.stage {
					return &smtp.SMTPError{Code: c.code, EnhancedCode: smtp.EnhancedCode{c.code / 100, 0, 0}, Message: "scripted"}
				}
				return nil
			}
			srv := smtptest.Start(t, opts)
			n := newMailer(t, srv, nil)
			retry, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{testalert.Make(rules.CheckIn, rules.Warning, "1", "t")}})
			if err == nil || retry != c.retry {
				t.Fatalf("Send = %v, %v; want retry=%v", retry, err, c.retry)
			}
			if !strings.Contains(err.Error(), c.prefix) {
				t.Errorf("error %q does not carry the reply code", err)
			}
		})
	}
}

func TestWrongPasswordIsPermanentAndNotLeaked(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{Username: "me@example.com", Password: "the-right-one"})
	n := newMailer(t, srv, nil)
	retry, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{testalert.Make(rules.CheckIn, rules.Warning, "1", "t")}})
	if err == nil || retry {
		t.Fatalf("Send = %v, %v; want a permanent auth failure", retry, err)
	}
	if strings.Contains(err.Error(), password) {
		t.Errorf("error leaks the password: %v", err)
	}
}

func TestUnreachableServerIsRetryable(t *testing.T) {
	srv := smtptest.Start(t, authed())
	n := newMailer(t, srv, func(c *config.EmailConfig, _ *Options) { c.Port = 1 })
	retry, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{testalert.Make(rules.CheckIn, rules.Warning, "1", "t")}})
	if err == nil || !retry {
		t.Fatalf("Send = %v, %v; want a retryable connection error", retry, err)
	}
}

func TestJapaneseGroupedLateSubjectAndBody(t *testing.T) {
	srv := smtptest.Start(t, authed())
	n := newMailer(t, srv, func(_ *config.EmailConfig, o *Options) { o.Language = "ja" })
	alerts := []notifier.Alert{
		testalert.Make(rules.CheckIn, rules.Warning, "4012345", "ブログ記事 5本"),
		testalert.Make(rules.SendTerms, rules.Warning, "4012346", "ロゴ"),
	}
	if _, err := n.Send(context.Background(), notifier.Message{Alerts: alerts, Late: true}); err != nil {
		t.Fatal(err)
	}
	p := parse(t, srv.Mails()[0].Data)
	if got := decodeHeader(t, p.header.Get("Subject")); got != "【遅延】【要対応】tanakaさんに定期連絡 — ブログ記事 5本（期限 11/25 12:00） ほか1件" {
		t.Errorf("Subject = %q", got)
	}
	for _, want := range []string{"【遅延】", "遅れて送信", "注意2件", "■ 定期連絡を送る：ブログ記事 5本", "■ 重要事項を送る：ロゴ"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("body lacks %q:\n%s", want, p.body)
		}
	}
}

// TestNewDefaultsThePort fills what a hand-made config may leave out: the
// TLS mode and its usual port.
func TestNewDefaultsThePort(t *testing.T) {
	n := New(config.EmailConfig{Host: "smtp.example.com", From: "a@example.com", To: []string{"b@example.com"}}, Options{})
	if n.cfg.Port != 587 || n.cfg.TLS != StartTLS {
		t.Errorf("defaults: port %d tls %q", n.cfg.Port, n.cfg.TLS)
	}
	if n := New(config.EmailConfig{Host: "smtp.example.com", TLS: TLS}, Options{}); n.cfg.Port != 465 {
		t.Errorf("tls: port %d", n.cfg.Port)
	}
}

package main

// End to end over the built binary: the seller's words — the ready-to-send
// text reaching Slack and mail within their limits, check refusing a bad
// template with its place, the buyer's record and a declined buyer.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/roomwatch/roomwatch/notifier/message"
)

// mailbox is an in-process SMTP server (no TLS, no auth) that keeps what
// it accepts.
type mailbox struct {
	addr    string
	mu      sync.Mutex
	mails   [][]byte
	arrived chan struct{}
}

type mailBackend struct{ box *mailbox }

func (b mailBackend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &mailSession{box: b.box}, nil
}

type mailSession struct{ box *mailbox }

func (s *mailSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *mailSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *mailSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.box.mu.Lock()
	s.box.mails = append(s.box.mails, data)
	s.box.mu.Unlock()
	s.box.arrived <- struct{}{}
	return nil
}
func (s *mailSession) Reset()        {}
func (s *mailSession) Logout() error { return nil }

func newMailbox(t *testing.T) *mailbox {
	box := &mailbox{arrived: make(chan struct{}, 100)}
	srv := smtp.NewServer(mailBackend{box})
	srv.Domain = "localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	box.addr = l.Addr().String()
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return box
}

func (b *mailbox) wait(t *testing.T, timeout time.Duration) []byte {
	t.Helper()
	select {
	case <-b.arrived:
	case <-time.After(timeout):
		t.Fatalf("no mail within %s", timeout)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.mails[0]
}

// mailParts decodes a mail's text and HTML parts.
func mailParts(t *testing.T, raw []byte) (text, html string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(header map[string][]string, body io.Reader)
	walk = func(header map[string][]string, body io.Reader) {
		get := func(k string) string {
			if v := header[k]; len(v) > 0 {
				return v[0]
			}
			return ""
		}
		media, params, err := mime.ParseMediaType(get("Content-Type"))
		if err != nil {
			t.Fatalf("content type %q: %v", get("Content-Type"), err)
		}
		if strings.HasPrefix(media, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				walk(p.Header, p)
			}
		}
		switch strings.ToLower(get("Content-Transfer-Encoding")) {
		case "quoted-printable":
			body = quotedprintable.NewReader(body)
		case "base64":
			body = base64.NewDecoder(base64.StdEncoding, body)
		}
		data, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		switch media {
		case "text/plain":
			text = string(data)
		case "text/html":
			html = string(data)
		}
	}
	walk(m.Header, m.Body)
	return text, html
}

// TestCheckInCarriesItsReadyToSendTextToSlackAndMail runs the daemon twice,
// once routing warnings to Slack and once to mail (a route is a list of
// preference: the first notifier that delivers wins).
func TestCheckInCarriesItsReadyToSendTextToSlackAndMail(t *testing.T) {
	for _, to := range []string{"phone", "mail"} {
		t.Run(to, func(t *testing.T) { checkInReachesSeller(t, to) })
	}
}

func checkInReachesSeller(t *testing.T, to string) {
	hook := newStrictSlack(t)
	box := newMailbox(t)
	host, port, _ := net.SplitHostPort(box.addr)
	dir := shortTempDir(t)
	now := time.Now().Truncate(time.Minute)
	cfg := filepath.Join(dir, "roomwatch.yaml")
	text := fmt.Sprintf(`timezone: Asia/Tokyo
language: ja
store: roomwatch.db
policy:
  digest_at: ""
  quiet_hours: none
notifiers:
  - name: phone
    type: slack
    webhook_url: %s
  - name: mail
    type: email
    host: %s
    port: %s
    tls: none
    from: roomwatch@example.com
    to: [me@example.com]
routes: {critical: [%[5]s], warning: [%[5]s], info: [%[5]s]}
control:
  socket: roomwatch.sock
rooms:
  - id: "5001"
    title: "ロゴ制作 🎨 <!channel> `+"`"+`code`+"`"+`"
    buyer: tanaka
    opened: %[6]s
    seller_message: %[7]s
`, hook.URL, host, port, "", to, ts(now.Add(-81*time.Hour)), ts(now.Add(-80*time.Hour)))
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	want := firstReply(t, cfg, "5001")
	if !strings.HasPrefix(want, "tanaka 様\n") || !strings.Contains(want, "ロゴ制作 🎨 <!channel> `code`") {
		t.Fatalf("message 5001 = %q, want a text to tanaka naming the order", want)
	}

	d := startDaemon(t, cfg)
	if to == "phone" {
		hook.waitSections(t, 1, 20*time.Second)
		d.stop(t)
		accepted, refused := hook.snapshot()
		if len(refused) != 0 {
			t.Fatalf("Slack refused: %v", refused)
		}
		var reply string
		for _, b := range accepted[0].Blocks {
			if b.BlockID == "reply-0" && b.Text != nil {
				reply = b.Text.Text
			}
		}
		// Escaped for mrkdwn, and a backtick made a look-alike so the
		// code block stays whole.
		escaped := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "`", "ˋ").Replace(want)
		if !strings.Contains(reply, "```"+escaped+"```") {
			t.Errorf("Slack's reply block is not the text of `message`, escaped, in one code block:\n%s\nwant\n%s", reply, escaped)
		}
		if strings.Contains(reply, "<!channel>") {
			t.Error("the title pings the channel from the reply block")
		}
		return
	}
	raw := box.wait(t, 20*time.Second)
	d.stop(t)
	plain, html := mailParts(t, raw)
	for _, line := range strings.Split(want, "\n") {
		if !strings.Contains(plain, line) {
			t.Errorf("the mail's text part lacks %q:\n%s", line, plain)
		}
	}
	if !strings.Contains(html, "<pre") || !strings.Contains(html, "tanaka 様") || strings.Contains(html, "<!channel>") {
		t.Errorf("the mail's HTML part does not carry the text, escaped:\n%s", html)
	}
}

// firstReply runs `roomwatch message ROOM` and returns the text.
func firstReply(t *testing.T, cfg, room string, kind ...string) string {
	t.Helper()
	cmd := append([]string{"--config", cfg, "message", room}, kind...)
	out, code := runStdout(t, cmd...)
	if code != 0 {
		t.Fatalf("message %s exited %d: %s", room, code, out)
	}
	return strings.TrimSuffix(out, "\n")
}

// runStdout is run with standard output alone (message writes its hints to
// standard error).
func runStdout(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	c := exec.Command(binary, args...)
	c.Stdout, c.Stderr = &stdout, &stderr
	err := c.Run()
	if err != nil && exitCode(err) == 0 {
		t.Fatal(err)
	}
	if exitCode(err) != 0 {
		return stdout.String() + stderr.String(), exitCode(err)
	}
	return stdout.String(), 0
}

func TestCheckRefusesAnUnknownTemplateFieldWithItsPlace(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "roomwatch.yaml")
	text := "language: en\nmessages:\n  en:\n    check-in: |\n      Hello {{.Buyer}},\n      about {{.Titel}}.\n"
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	out, code := run(t, "--config", cfg, "check")
	if code != 1 {
		t.Fatalf("check exited %d, want 1:\n%s", code, out)
	}
	if want := cfg + ":6:15: messages.en.check-in: unknown field .Titel"; !strings.Contains(out, want) {
		t.Errorf("check said:\n%s\nwant %q", out, want)
	}
}

func TestTermsCommandFollowsThePolicy(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "roomwatch.yaml")
	text := "policy:\n  close_after_delivery: 120h\n  cancel_after_buyer_silence: none\nterms:\n  max_chars: 40\n"
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	out, code := runStdout(t, "--config", cfg, "terms", "--lang", "en")
	if code != 0 || !strings.Contains(out, "5 days after delivery") || strings.Contains(out, "7 days") || strings.Contains(out, "cancel the order") {
		t.Errorf("terms --lang en (exit %d):\n%s", code, out)
	}
	all, _ := run(t, "--config", cfg, "terms")
	if !strings.Contains(all, "納品から5日") || !strings.Contains(all, "more than terms.max_chars 40") {
		t.Errorf("terms (ja) with its warning:\n%s", all)
	}
	if out, code := run(t, "--config", cfg, "terms", "--platform", "mars"); code != 2 {
		t.Errorf("an unknown platform: exit %d\n%s", code, out)
	}
}

// TestEligibleToCloseNamesThePlannedDate: the close date in the text is
// the eligible-to-close deadline plan --json gives.
func TestEligibleToCloseNamesThePlannedDate(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "roomwatch.yaml")
	now := time.Now().Truncate(time.Minute)
	text := fmt.Sprintf(`timezone: Asia/Tokyo
language: en
platform: crowdworks
store: roomwatch.db
control:
  socket: roomwatch.sock
rooms:
  - id: "6001"
    title: Translation
    buyer: kato
    opened: %s
    seller_message: %s
    delivered: %s
    buyer_message: %s
`, ts(now.Add(-72*time.Hour)), ts(now.Add(-50*time.Hour)), ts(now.Add(-48*time.Hour)), ts(now.Add(-20*time.Hour)))
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	out, code := runStdout(t, "--config", cfg, "plan", "--json")
	if code != 0 {
		t.Fatalf("plan: %d %s", code, out)
	}
	var steps []struct {
		Kind     string    `json:"kind"`
		Deadline time.Time `json:"deadline"`
	}
	if err := json.Unmarshal([]byte(out), &steps); err != nil {
		t.Fatal(err)
	}
	var deadline time.Time
	for _, s := range steps {
		if s.Kind == "eligible-to-close" {
			deadline = s.Deadline
		}
	}
	if deadline.IsZero() {
		t.Fatalf("no eligible-to-close in the plan:\n%s", out)
	}
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	reply := firstReply(t, cfg, "6001", "eligible-to-close")
	if want := message.BuyerDate(deadline, "en", tokyo); !strings.Contains(reply, want) {
		t.Errorf("the text does not name the planned close date %s:\n%s", want, reply)
	}
	if out, code := run(t, "--config", cfg, "message", "6001", "rate-buyer"); code != 2 || !strings.Contains(out, "no text to send") {
		t.Errorf("message for a kind without a text: exit %d\n%s", code, out)
	}
}

// TestBuyersRecordAndDeclinedBuyer: a buyer with one cancelled room and two
// approved 2 and 9 days after delivery, on a platform without automatic
// approval, opens a new room; a declined buyer opens one too.
func TestBuyersRecordAndDeclinedBuyer(t *testing.T) {
	hook := newStrictSlack(t)
	dir := shortTempDir(t)
	now := time.Now().Truncate(time.Minute)
	day := 24 * time.Hour
	at := func(d time.Duration) string { return ts(now.Add(-d)) }
	text := fmt.Sprintf(`timezone: Asia/Tokyo
language: en
platform: crowdworks
store: roomwatch.db
policy:
  digest_at: ""
  quiet_hours: none
notifiers:
  - name: phone
    type: slack
    webhook_url: %s
control:
  socket: roomwatch.sock
buyers:
  suzuki: {note: "slow to review: keep the due date loose"}
  yamada: {decline: true, note: "never reviewed"}
rooms:
  - {id: "7100", title: A, buyer: suzuki, opened: %s, seller_message: %s, cancelled: %s}
  - {id: "7101", title: B, buyer: suzuki, opened: %s, seller_message: %s, delivered: %s, closed: %s}
  - {id: "7102", title: C, buyer: suzuki, opened: %s, seller_message: %s, delivered: %s, closed: %s}
  - {id: "7103", title: D, buyer: suzuki, opened: %s, via: quote}
  - {id: "7200", title: E, buyer: yamada, opened: %s}
`, hook.URL,
		at(60*day), at(60*day), at(58*day),
		at(50*day), at(50*day), at(48*day), at(46*day),
		at(40*day), at(40*day), at(38*day), at(29*day),
		at(time.Minute), at(time.Minute))
	cfg := filepath.Join(dir, "roomwatch.yaml")
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	const record = "Buyer's record with you: 3 rooms so far, 1 cancelled, delivery to approval: median 5d 12h (worst 9d)"

	d := startDaemon(t, cfg)
	hook.waitSections(t, 2, 20*time.Second)
	out, code := runStdout(t, "--config", cfg, "buyer", "suzuki")
	d.stop(t)
	if code != 0 || !strings.Contains(out, "4 rooms so far, 1 cancelled, delivery to approval: median 5d 12h (worst 9d)") ||
		!strings.Contains(out, "slow to review") {
		t.Errorf("buyer suzuki (exit %d):\n%s", code, out)
	}

	accepted, _ := hook.snapshot()
	var newRoom, declined string
	for _, p := range accepted {
		for _, s := range p.sections() {
			switch {
			case strings.Contains(s, "(7103)"):
				newRoom += s
			case strings.Contains(s, "(7200)"):
				declined += s
			}
		}
	}
	if !strings.Contains(newRoom, record) || !strings.Contains(newRoom, "slow to review") {
		t.Errorf("the new room's first alert does not state the record:\n%s\nwant %q", newRoom, record)
	}
	if !strings.Contains(declined, "Decline the order") || !strings.Contains(declined, "never reviewed") {
		t.Errorf("the declined buyer's room raised no warning:\n%s", declined)
	}
	st, code := runStdout(t, "--config", cfg, "status", "7103", "--json")
	if code != 0 || !strings.Contains(st, `"buyer_record"`) || !strings.Contains(st, `"approval_median": "132h"`) {
		t.Errorf("status --json lacks the record:\n%s", st)
	}
}

package inbox

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	core "github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/inbox/imaptest"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/store"
)

// idleRecheck is the watcher's check in IDLE tests: IDLE brings a mail
// within 5 s; the check is the fallback for a notice the server let slip
// (see flushingSession), still inside 5 s.
const idleRecheck = 3 * time.Second

type imapServer = imaptest.Server

func newIMAPServer(t *testing.T) *imapServer { return imaptest.New(t) }

func buyerMessage(id, room string, date time.Time) []byte {
	return []byte("From: noreply@coconala.com\r\nTo: seller@example.com\r\n" +
		"Subject: =?UTF-8?B?44CQ44Kz44Kz44OK44Op44CR44Oh44OD44K744O844K444GM5bGK44GN44G+44GX44Gf?=\r\n" +
		"Date: " + date.Format(time.RFC1123Z) + "\r\nMessage-ID: <" + id + ">\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"https://coconala.com/talkrooms/" + room + "\r\n")
}

// chain is the daemon's path for a mail: the watcher's handler reads it
// with the configured rules and records it through the application (app.App), on a
// real store.
type chain struct {
	st    *store.Store
	local *core.App

	mu       sync.Mutex
	offered  []string // Message-IDs the watcher handed over, in order
	outcomes []string
	ch       chan string
}

func newChain(t *testing.T, dir string) *chain {
	t.Helper()
	path := filepath.Join(dir, "roomwatch.yaml")
	yaml := "timezone: Asia/Tokyo\nrooms:\n" +
		"  - {id: \"5000001\", title: a, buyer: b, opened: 2026-11-20 10:00, seller_message: 2026-11-20 11:00}\n" +
		"  - {id: \"5000002\", title: c, buyer: d, opened: 2026-11-20 10:00, seller_message: 2026-11-20 11:00}\n"
	if _, err := os.Stat(path); err != nil {
		if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(cfg.Store, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := core.New(core.Options{Config: cfg, Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if _, err := a.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &chain{st: st, local: a, ch: make(chan string, 100)}
}

func (c *chain) handle(ctx context.Context, raw []byte, received time.Time) error {
	rs, err := c.local.Config().MailRules()
	if err != nil {
		return err
	}
	_, match, ok, err := rs.Read(bytes.NewReader(raw), received, time.Now())
	if err != nil || !ok {
		return fmt.Errorf("fixture mail not matched: %v", err)
	}
	res, err := c.local.RecordMail(ctx, match)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.offered = append(c.offered, match.MessageID)
	c.outcomes = append(c.outcomes, match.MessageID+" "+res.Outcome)
	c.mu.Unlock()
	c.ch <- match.MessageID
	return nil
}

func (c *chain) snapshot() (offered, outcomes []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.offered...), append([]string(nil), c.outcomes...)
}

func (c *chain) waitFor(t *testing.T, id string, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case got := <-c.ch:
			if got == id {
				return
			}
		case <-deadline:
			offered, _ := c.snapshot()
			t.Fatalf("%s not read within %s; read %v", id, within, offered)
		}
	}
}

// running is one watcher on its own goroutine.
type running struct {
	cancel    context.CancelFunc
	done      chan struct{}
	connected chan struct{}
}

func startWatcher(t *testing.T, s *imapServer, c *chain, poll time.Duration) *running {
	return startWatcherWith(t, s, c, poll, false)
}

func startWatcherWith(t *testing.T, s *imapServer, c *chain, poll time.Duration, noIdle bool) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan struct{}), connected: make(chan struct{}, 10)}
	w := &Watcher{
		Account:    Account{Address: s.Addr, TLS: "none", Username: imaptest.Username, Password: imaptest.Password, Mailbox: "INBOX"},
		Positions:  c.st,
		Handle:     c.handle,
		Log:        slog.New(slog.NewTextHandler(testWriter{t}, nil)),
		PollEvery:  poll,
		MinBackoff: 50 * time.Millisecond,
		MaxBackoff: 200 * time.Millisecond,
		connected:  func() { r.connected <- struct{}{} },
		noIdle:     noIdle,
	}
	go func() {
		defer close(r.done)
		w.Run(ctx)
	}()
	t.Cleanup(r.stop)
	return r
}

func (r *running) stop() {
	r.cancel()
	<-r.done
}

func (r *running) waitConnected(t *testing.T) {
	t.Helper()
	select {
	case <-r.connected:
	case <-time.After(5 * time.Second):
		t.Fatal("the watcher did not connect within 5s")
	}
}

// flags returns the flags of every mail in INBOX, read by a second client.
func flags(t *testing.T, s *imapServer) [][]imap.Flag {
	t.Helper()
	c, err := imapclient.DialInsecure(s.Addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(imaptest.Username, imaptest.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Fetch(imap.SeqSetNum(1, 2, 3, 4, 5), &imap.FetchOptions{Flags: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]imap.Flag
	for _, m := range msgs {
		out = append(out, m.Flags)
	}
	return out
}

func TestMailArrivingDuringIdleIsRecordedWithinFiveSecondsAndStaysUnread(t *testing.T) {
	s := newIMAPServer(t)
	c := newChain(t, t.TempDir())
	r := startWatcher(t, s, c, idleRecheck)
	r.waitConnected(t)

	sent := time.Now().Add(-2 * time.Minute).Truncate(time.Second)
	s.Deliver(t, buyerMessage("m1@coconala.example", "5000001", sent), time.Now())
	c.waitFor(t, "m1@coconala.example", 5*time.Second)

	room, _, _ := c.st.Room("5000001")
	if !room.BuyerMessage.Equal(sent) {
		t.Errorf("buyer_message = %s, want the mail's Date %s", room.BuyerMessage, sent)
	}
	events, _ := c.st.Events("5000001")
	if last := events[len(events)-1]; last.Source != core.SourceMail || last.Kind != rules.EventBuyerMessage {
		t.Errorf("last event %+v, want buyer_message from mail", last)
	}
	for _, f := range flags(t, s) {
		for _, flag := range f {
			if flag == imap.FlagSeen {
				t.Errorf("the mail was marked read: %v", f)
			}
		}
	}
}

func TestServerWithoutIdleIsPolled(t *testing.T) {
	s := newIMAPServer(t) // go-imap's server offers IDLE whatever it is told: the watcher is told to poll
	c := newChain(t, t.TempDir())
	r := startWatcherWith(t, s, c, 100*time.Millisecond, true)
	r.waitConnected(t)
	s.Deliver(t, buyerMessage("poll@coconala.example", "5000001", time.Now().Add(-time.Minute)), time.Now())
	c.waitFor(t, "poll@coconala.example", 5*time.Second)
}

func TestRestartNeitherMissesNorRepeatsAMail(t *testing.T) {
	s := newIMAPServer(t)
	dir := t.TempDir()
	c := newChain(t, dir)
	r := startWatcher(t, s, c, idleRecheck)
	r.waitConnected(t)
	s.Deliver(t, buyerMessage("before@coconala.example", "5000001", time.Now().Add(-3*time.Hour)), time.Now())
	c.waitFor(t, "before@coconala.example", 5*time.Second)
	r.stop()

	// While the daemon is stopped two mails arrive, each with its own time.
	t1 := time.Now().Add(-2 * time.Hour).Truncate(time.Second)
	t2 := time.Now().Add(-1 * time.Hour).Truncate(time.Second)
	s.Deliver(t, buyerMessage("while-1@coconala.example", "5000001", t1), t1)
	s.Deliver(t, buyerMessage("while-2@coconala.example", "5000002", t2), t2)

	r = startWatcher(t, s, c, idleRecheck)
	r.waitConnected(t)
	offered, outcomes := c.snapshot()
	want := []string{"before@coconala.example", "while-1@coconala.example", "while-2@coconala.example"}
	if fmt.Sprint(offered) != fmt.Sprint(want) {
		t.Fatalf("mails read %v, want %v (outcomes %v)", offered, want, outcomes)
	}
	if room, _, _ := c.st.Room("5000001"); !room.BuyerMessage.Equal(t1) {
		t.Errorf("5000001 buyer_message = %s, want %s", room.BuyerMessage, t1)
	}
	if room, _, _ := c.st.Room("5000002"); !room.BuyerMessage.Equal(t2) {
		t.Errorf("5000002 buyer_message = %s, want %s", room.BuyerMessage, t2)
	}
	// A third start reads nothing.
	r.stop()
	r = startWatcher(t, s, c, idleRecheck)
	r.waitConnected(t)
	if again, _ := c.snapshot(); len(again) != 3 {
		t.Errorf("a restart read mails again: %v", again)
	}
}

func TestDroppedConnectionIsReestablished(t *testing.T) {
	s := newIMAPServer(t)
	c := newChain(t, t.TempDir())
	r := startWatcher(t, s, c, idleRecheck)
	r.waitConnected(t)
	s.DropConnections()
	r.waitConnected(t)
	s.Deliver(t, buyerMessage("after-drop@coconala.example", "5000001", time.Now().Add(-time.Minute)), time.Now())
	c.waitFor(t, "after-drop@coconala.example", 5*time.Second)
}

func TestUIDValidityChangeRecordsEachMailOnce(t *testing.T) {
	s := newIMAPServer(t)
	c := newChain(t, t.TempDir())
	r := startWatcher(t, s, c, idleRecheck)
	r.waitConnected(t)
	old := buyerMessage("kept@coconala.example", "5000001", time.Now().Add(-2*time.Hour))
	s.Deliver(t, old, time.Now())
	c.waitFor(t, "kept@coconala.example", 5*time.Second)
	r.stop()

	// The mailbox is rebuilt (a server migration, a restore): new
	// UIDVALIDITY, the old mail again under a new UID, and a new one.
	if err := s.User.Delete("INBOX"); err != nil {
		t.Fatal(err)
	}
	if err := s.User.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	s.Deliver(t, old, time.Now())
	s.Deliver(t, buyerMessage("new@coconala.example", "5000002", time.Now().Add(-time.Hour)), time.Now())

	r = startWatcher(t, s, c, idleRecheck)
	r.waitConnected(t)
	_, outcomes := c.snapshot()
	want := []string{
		"kept@coconala.example " + core.MailRecorded,
		"kept@coconala.example " + core.MailDuplicate,
		"new@coconala.example " + core.MailRecorded,
	}
	if fmt.Sprint(outcomes) != fmt.Sprint(want) {
		t.Errorf("outcomes %v, want %v", outcomes, want)
	}
	events, _ := c.st.Events("5000001")
	n := 0
	for _, e := range events {
		if e.Source == core.SourceMail {
			n++
		}
	}
	if n != 1 {
		t.Errorf("room 5000001 has %d events from mail, want 1: %+v", n, events)
	}
}

func TestFirstStartReadsOnlyRecentMail(t *testing.T) {
	s := newIMAPServer(t)
	c := newChain(t, t.TempDir())
	s.Deliver(t, buyerMessage("ancient@coconala.example", "5000001", time.Now().Add(-60*24*time.Hour)), time.Now().Add(-60*24*time.Hour))
	recent := time.Now().Add(-time.Hour).Truncate(time.Second)
	s.Deliver(t, buyerMessage("recent@coconala.example", "5000002", recent), recent)
	r := startWatcher(t, s, c, idleRecheck)
	r.waitConnected(t)
	if offered, _ := c.snapshot(); fmt.Sprint(offered) != "[recent@coconala.example]" {
		t.Errorf("first start read %v, want only the recent mail", offered)
	}
}

// testWriter sends the watcher's log to the test's log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

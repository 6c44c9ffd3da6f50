package imaptest

import (
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// The test server itself: a client logs in with the one account, sees a
// delivered mail with its received time, and loses its connection when the
// server drops them.
func TestServerServesTheInboxAndDropsConnections(t *testing.T) {
	s := New(t)
	received := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	s.Deliver(t, []byte("From: a@example.com\r\nSubject: hi\r\n\r\nbody\r\n"), received)

	c, err := imapclient.DialInsecure(s.Addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(Username, Password).Wait(); err != nil {
		t.Fatalf("login: %v", err)
	}
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil || sel.NumMessages != 1 {
		t.Fatalf("select: %d messages, %v", sel.NumMessages, err)
	}
	msgs, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{InternalDate: true}).Collect()
	if err != nil || len(msgs) != 1 || !msgs[0].InternalDate.Equal(received) {
		t.Fatalf("fetch: %+v, %v", msgs, err)
	}
	if n := s.DropConnections(); n != 1 {
		t.Errorf("dropped %d connections, want 1", n)
	}
	if err := c.Noop().Wait(); err == nil {
		t.Error("the client still talks to the server after its connection was dropped")
	}
}

// Package inbox watches an IMAP mailbox for the platforms' notification
// mails and hands each new one to a handler, once: it reads with
// BODY.PEEK on a read-only (EXAMINE) selection, so mails stay unread;
// waits with IDLE, or polls where the server lacks it; reconnects with
// backoff; and keeps the mailbox's UIDVALIDITY and last UID in the store,
// so a restart neither misses nor repeats a mail.
package inbox

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/roomwatch/roomwatch/store"
)

// Account is the IMAP account to watch.
type Account struct {
	Address  string // host:port
	TLS      string // tls | starttls | none
	Username string
	Password string
	Mailbox  string
	// TLSConfig, optional, is used for tls and starttls (tests trust their
	// own certificate with it).
	TLSConfig *tls.Config
}

// Key names the account's position in the store.
func (a Account) Key() string { return a.Username + "@" + a.Address + "/" + a.Mailbox }

// Positions keeps how far the watcher got; *store.Store is one.
type Positions interface {
	MailPosition(account string) (store.MailPosition, error)
	SetMailPosition(account string, p store.MailPosition) error
}

// Handler takes one mail: its raw bytes and when the server received it
// (INTERNALDATE). An error stops the session before the mail counts as
// read, so it is offered again after the reconnect; a mail the handler
// cannot use must return nil.
type Handler func(ctx context.Context, raw []byte, received time.Time) error

// Watcher watches one account.
type Watcher struct {
	Account   Account
	Positions Positions
	Handle    Handler
	Log       *slog.Logger
	// PollEvery is how often a server without IDLE is asked (default 1m).
	PollEvery time.Duration
	// Lookback bounds the first read of a mailbox (and the read after its
	// UIDVALIDITY changed): mails received earlier are not read. Default
	// 14 days.
	Lookback time.Duration
	// MinBackoff and MaxBackoff bound the wait before a reconnect
	// (defaults 1s and 5m); it doubles after each failed session.
	MinBackoff, MaxBackoff time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time

	// connected, when set, is told once per session when it first waits
	// for mail, IDLE accepted (tests).
	connected func()
	// noIdle polls even when the server offers IDLE (tests).
	noIdle bool
}

const (
	defaultPoll     = time.Minute
	defaultLookback = 14 * 24 * time.Hour
	fetchBatch      = 20
	dialTimeout     = 30 * time.Second
)

// Run watches until ctx ends, reconnecting after every failure.
func (w *Watcher) Run(ctx context.Context) {
	w.defaults()
	backoff := w.MinBackoff
	for ctx.Err() == nil {
		ready, err := w.session(ctx)
		if ctx.Err() != nil {
			return
		}
		if ready {
			// The session worked for a while: the next failure starts over.
			backoff = w.MinBackoff
		}
		w.Log.Warn("inbox: connection lost; reconnecting", "server", w.Account.Address, "mailbox", w.Account.Mailbox, "in", backoff, "err", err)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(backoff*2, w.MaxBackoff)
	}
}

func (w *Watcher) defaults() {
	if w.PollEvery <= 0 {
		w.PollEvery = defaultPoll
	}
	if w.Lookback <= 0 {
		w.Lookback = defaultLookback
	}
	if w.MinBackoff <= 0 {
		w.MinBackoff = time.Second
	}
	if w.MaxBackoff < w.MinBackoff {
		w.MaxBackoff = max(5*time.Minute, w.MinBackoff)
	}
	if w.Now == nil {
		w.Now = time.Now
	}
	if w.Log == nil {
		w.Log = slog.Default()
	}
	if w.Account.Mailbox == "" {
		w.Account.Mailbox = "INBOX"
	}
}

func (w *Watcher) dial(opts *imapclient.Options) (*imapclient.Client, error) {
	switch w.Account.TLS {
	case "none":
		return imapclient.DialInsecure(w.Account.Address, opts)
	case "starttls":
		return imapclient.DialStartTLS(w.Account.Address, opts)
	default:
		return imapclient.DialTLS(w.Account.Address, opts)
	}
}

// session connects, catches up and waits for new mail until the
// connection fails or ctx ends. ready reports whether it got as far as
// waiting.
func (w *Watcher) session(ctx context.Context) (ready bool, err error) {
	arrived := make(chan struct{}, 1)
	opts := &imapclient.Options{
		TLSConfig: w.Account.TLSConfig,
		Dialer:    &net.Dialer{Timeout: dialTimeout},
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(data *imapclient.UnilateralDataMailbox) {
				if data.NumMessages != nil {
					select {
					case arrived <- struct{}{}:
					default:
					}
				}
			},
		},
	}
	c, err := w.dial(opts)
	if err != nil {
		return false, fmt.Errorf("connecting to %s: %w", w.Account.Address, err)
	}
	defer c.Close()
	// Closing the connection is what interrupts a command blocked on the
	// network when ctx ends.
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()

	if err := c.Login(w.Account.Username, w.Account.Password).Wait(); err != nil {
		return false, fmt.Errorf("logging in as %s: %w", w.Account.Username, err)
	}
	sel, err := c.Select(w.Account.Mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return false, fmt.Errorf("opening mailbox %s: %w", w.Account.Mailbox, err)
	}
	pos, err := w.Positions.MailPosition(w.Account.Key())
	if err != nil {
		return false, err
	}
	if pos.UIDValidity != sel.UIDValidity {
		if pos.UIDValidity != 0 {
			w.Log.Warn("inbox: the mailbox's UIDVALIDITY changed, so its mail numbers did; reading the recent mails again (each is recorded once, by its Message-ID)",
				"mailbox", w.Account.Mailbox, "was", pos.UIDValidity, "now", sel.UIDValidity)
		}
		if err := w.catchUpSince(ctx, c, sel.UIDValidity); err != nil {
			return false, err
		}
	}
	if err := w.fetchNew(ctx, c, sel.UIDValidity); err != nil {
		return false, err
	}
	idle := !w.noIdle && (c.Caps().Has(imap.CapIdle) || c.Caps().Has(imap.CapIMAP4rev2))
	w.Log.Info("inbox: watching", "server", w.Account.Address, "mailbox", w.Account.Mailbox, "idle", idle)
	notified := false
	waiting := func() {
		if w.connected != nil && !notified {
			notified = true
			w.connected()
		}
	}
	for {
		if idle {
			err = w.idleUntilMail(ctx, c, arrived, waiting)
		} else {
			err = w.pollOnce(ctx, c, waiting)
		}
		if err != nil {
			return true, err
		}
		if err := w.fetchNew(ctx, c, sel.UIDValidity); err != nil {
			return true, err
		}
	}
}

// idleUntilMail waits in IDLE until the server announces mail, the
// connection drops or ctx ends, and at most PollEvery: a notice a server
// let slip (mail that arrived between two commands) waits no longer than
// polling would. The client renews IDLE by itself before servers time it
// out.
func (w *Watcher) idleUntilMail(ctx context.Context, c *imapclient.Client, arrived <-chan struct{}, waiting func()) error {
	cmd, err := c.Idle()
	if err != nil {
		return fmt.Errorf("starting IDLE: %w", err)
	}
	waiting()
	t := time.NewTimer(w.PollEvery)
	defer t.Stop()
	select {
	case <-t.C:
	case <-arrived:
	case <-ctx.Done():
	case <-c.Closed():
		return errors.New("the server closed the connection")
	}
	if err := cmd.Close(); err != nil {
		return fmt.Errorf("ending IDLE: %w", err)
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("IDLE: %w", err)
	}
	return ctx.Err()
}

// pollOnce waits PollEvery, then asks the server for news with NOOP.
func (w *Watcher) pollOnce(ctx context.Context, c *imapclient.Client, waiting func()) error {
	waiting()
	t := time.NewTimer(w.PollEvery)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-c.Closed():
		return errors.New("the server closed the connection")
	case <-t.C:
	}
	if err := c.Noop().Wait(); err != nil {
		return fmt.Errorf("NOOP: %w", err)
	}
	return nil
}

// catchUpSince reads a mailbox seen for the first time, or anew after its
// UIDVALIDITY changed: the mails received within Lookback, oldest first.
func (w *Watcher) catchUpSince(ctx context.Context, c *imapclient.Client, validity uint32) error {
	// The mailbox's end first: mails older than Lookback are skipped, and
	// anything that arrives meanwhile lies beyond it and is read next.
	all, err := c.UIDSearch(&imap.SearchCriteria{}, nil).Wait()
	if err != nil {
		return fmt.Errorf("listing the mailbox: %w", err)
	}
	var end uint32
	for _, u := range all.AllUIDs() {
		end = max(end, uint32(u))
	}
	since := w.Now().Add(-w.Lookback)
	data, err := c.UIDSearch(&imap.SearchCriteria{Since: since}, nil).Wait()
	if err != nil {
		return fmt.Errorf("searching mails since %s: %w", since.Format(time.DateOnly), err)
	}
	recent := slices.DeleteFunc(data.AllUIDs(), func(u imap.UID) bool { return uint32(u) > end })
	if err := w.read(ctx, c, validity, 0, recent); err != nil {
		return err
	}
	return w.Positions.SetMailPosition(w.Account.Key(), store.MailPosition{UIDValidity: validity, LastUID: end})
}

// fetchNew reads every mail after the stored last UID.
func (w *Watcher) fetchNew(ctx context.Context, c *imapclient.Client, validity uint32) error {
	pos, err := w.Positions.MailPosition(w.Account.Key())
	if err != nil {
		return err
	}
	var set imap.UIDSet
	set.AddRange(imap.UID(pos.LastUID+1), 0) // last+1:*
	data, err := c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{set}}, nil).Wait()
	if err != nil {
		return fmt.Errorf("searching new mail: %w", err)
	}
	return w.read(ctx, c, validity, pos.LastUID, data.AllUIDs())
}

// read fetches the mails uids (those after last), oldest first, in
// batches, hands each to the handler and stores the position after each.
func (w *Watcher) read(ctx context.Context, c *imapclient.Client, validity, last uint32, uids []imap.UID) error {
	// "last+1:*" always names the newest mail, even when it is not new.
	uids = slices.DeleteFunc(slices.Clone(uids), func(u imap.UID) bool { return uint32(u) <= last })
	slices.Sort(uids)
	section := &imap.FetchItemBodySection{Peek: true}
	for start := 0; start < len(uids); start += fetchBatch {
		batch := uids[start:min(start+fetchBatch, len(uids))]
		msgs, err := c.Fetch(imap.UIDSetNum(batch...), &imap.FetchOptions{
			UID: true, InternalDate: true, BodySection: []*imap.FetchItemBodySection{section},
		}).Collect()
		if err != nil {
			return fmt.Errorf("fetching mail: %w", err)
		}
		slices.SortFunc(msgs, func(a, b *imapclient.FetchMessageBuffer) int { return int(a.UID) - int(b.UID) })
		for _, m := range msgs {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := w.Handle(ctx, m.FindBodySection(section), m.InternalDate); err != nil {
				return fmt.Errorf("mail UID %d: %w", m.UID, err)
			}
			if err := w.Positions.SetMailPosition(w.Account.Key(), store.MailPosition{UIDValidity: validity, LastUID: uint32(m.UID)}); err != nil {
				return err
			}
		}
	}
	return nil
}

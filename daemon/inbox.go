package daemon

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"time"

	"github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/inbox"
	"github.com/roomwatch/roomwatch/inbox/mailrule"
)

// startInbox watches the configured IMAP account, if any, until ctx ends.
// The account is read at start (a changed inbox: section takes effect at
// the next start); the rules are read for each mail, so a reload changes
// them at once.
func (d *Daemon) startInbox(ctx context.Context, wg *sync.WaitGroup) {
	in := d.app.Config().Inbox
	if !in.Watches() {
		return
	}
	w := &inbox.Watcher{
		Account: inbox.Account{
			Address: in.Address(), TLS: in.TLS, Username: in.Username,
			Password: in.Password.Value(), Mailbox: in.Mailbox,
		},
		Positions: d.store,
		Handle:    d.handleMail,
		Log:       d.log,
		PollEvery: in.PollEvery,
		Now:       d.clock.Now,
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.Run(ctx)
	}()
}

// handleMail reads one mail from the mailbox the way `roomwatch ingest`
// reads standard input, and records what it means through the same
// operation. Mail that is not a platform notice is skipped; only a failure
// to record (the store) is an error, so the mail is read again later.
func (d *Daemon) handleMail(ctx context.Context, raw []byte, received time.Time) error {
	rs, err := d.app.Config().MailRules()
	if err != nil {
		return err
	}
	mail, match, ok, err := rs.Read(bytes.NewReader(raw), received, d.clock.Now())
	switch {
	case errors.Is(err, mailrule.ErrNotAMail):
		d.log.Warn("inbox: skipped a message that is not a readable mail", "received", received, "err", err)
		return nil
	case err != nil:
		return err
	case !ok:
		d.mailIgnored.Add(1)
		d.log.Debug("inbox: no rule matches", "from", mail.From, "subject", mail.Subject, "ignored", d.mailIgnored.Load())
		return nil
	}
	res, err := d.app.RecordMail(ctx, match)
	if app.IsInputError(err) {
		d.log.Warn("inbox: mail refused", "rule", match.Rule, "room", match.Room, "err", err)
		return nil
	}
	if err != nil {
		return err
	}
	attrs := []any{"room", res.Room, "event", res.Event, "at", res.At, "rule", match.Rule, "outcome", res.Outcome}
	if res.Outcome == app.MailUnknownRoom {
		d.log.Warn("inbox: mail for a room roomwatch does not track; ignored", attrs...)
		return nil
	}
	d.log.Info("inbox: mail recorded", attrs...)
	return nil
}

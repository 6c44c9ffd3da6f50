package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/inbox/mailrule"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/store"
)

// MailRetention is how long a processed mail's Message-ID is remembered:
// longer than any platform keeps a room open, so a mail delivered again
// (a second forward, a mailbox restored) never records twice.
const MailRetention = 180 * 24 * time.Hour

// What became of a mail.
const (
	MailRecorded    = "recorded"     // the event was recorded in a known room
	MailCreatedRoom = "created-room" // a purchase created the room
	MailKnownRoom   = "known-room"   // a purchase for a room roomwatch already tracks: nothing to change
	MailDuplicate   = "duplicate"    // this Message-ID was processed before
	MailUnknownRoom = "unknown-room" // an event other than a purchase for a room roomwatch does not track
)

// MailResult says what a matched mail did.
type MailResult struct {
	Outcome string          `json:"outcome"`
	Room    string          `json:"room"`
	Event   rules.EventKind `json:"event"`
	At      time.Time       `json:"at"`
	// Where is "store" or "yaml" for a created room: where its facts live.
	Where string `json:"where,omitempty"`
}

// MailRecorder takes what a notification mail means. It is apart from
// Service: the IMAP reader calls it inside the daemon, and `roomwatch
// ingest` over the control socket or on the store.
type MailRecorder interface {
	RecordMail(ctx context.Context, m mailrule.Match) (MailResult, error)
}

var _ MailRecorder = (*App)(nil)

// RecordMail records what a mail means, once per Message-ID: the event in
// its room at the mail's time (source "mail"); for a purchase of a room
// roomwatch does not know yet, the room itself (in the store, or appended
// to the YAML with inbox.add_to_yaml). An event for an unknown room changes
// nothing and is reported as such, once.
func (e *App) RecordMail(ctx context.Context, m mailrule.Match) (MailResult, error) {
	if !m.Event.Valid() || m.Event == rules.EventSellerMessage || m.Event == rules.EventSellerRated {
		return MailResult{}, inputErrorf("event %q cannot come by mail", m.Event)
	}
	if m.Room == "" {
		return MailResult{}, inputErrorf("no room given")
	}
	e.mailMu.Lock()
	defer e.mailMu.Unlock()
	st := e.store
	now := e.Now()
	at := m.At
	if at.IsZero() || at.After(now) {
		at = now
	}
	res := MailResult{Room: m.Room, Event: m.Event, At: e.local(at)}
	if m.MessageID != "" {
		seen, err := st.MailSeen(m.MessageID)
		if err != nil {
			return MailResult{}, err
		}
		if seen {
			res.Outcome = MailDuplicate
			return res, nil
		}
	}
	_, known, err := e.Room(m.Room)
	if err != nil {
		return MailResult{}, err
	}
	switch {
	case !known && m.Event == rules.EventOpened:
		if res.Where, err = e.createRoom(ctx, m, at, now); err != nil {
			return MailResult{}, err
		}
		res.Outcome = MailCreatedRoom
	case !known:
		res.Outcome = MailUnknownRoom
	case m.Event == rules.EventOpened:
		// The purchase of a room already tracked: its opened time stands
		// (a later "opened" would move every clock of the room).
		res.Outcome = MailKnownRoom
	default:
		ev := store.Event{Room: m.Room, Kind: m.Event, At: at, Source: SourceMail, RecordedAt: now}
		if _, err := e.recordEvent(ctx, ev); err != nil {
			return MailResult{}, err
		}
		res.Outcome = MailRecorded
	}
	// Marked after the event is written: a crash in between may record
	// the same fact again, which changes nothing, but never loses it.
	if m.MessageID != "" {
		if err := st.MarkMailSeen(m.MessageID, now, MailRetention); err != nil {
			return MailResult{}, err
		}
	}
	return res, nil
}

// createRoom adds the room a purchase mail names: to the YAML when the
// configuration asks (the file is edited as `roomwatch add` does, then
// reloaded), otherwise to the store with source "mail".
func (e *App) createRoom(ctx context.Context, m mailrule.Match, at, now time.Time) (string, error) {
	cfg := e.Config()
	room := rules.Room{ID: m.Room, Title: m.Title, Buyer: m.Buyer, URL: m.URL, Platform: m.Platform, Opened: at}
	if _, ok := cfg.Profiles[m.Platform]; !ok || m.Platform == cfg.Platform {
		room.Platform = ""
	}
	if cfg.Inbox.AddToYAML && cfg.Path != "" {
		opt := cfg.Options()
		opt.Now = now
		nr := config.NewRoom{ID: room.ID, Title: room.Title, Buyer: room.Buyer, URL: room.URL, Opened: at, Platform: room.Platform}
		if err := config.AddRoom(cfg.Path, nr, cfg.Timezone, opt); err != nil {
			var refused *config.RoomError
			if errors.As(err, &refused) {
				return "", inputErrorf("adding room %s to %s: %s", room.ID, cfg.Path, refused.Msg)
			}
			return "", fmt.Errorf("adding room %s to %s: %w", room.ID, cfg.Path, err)
		}
		if err := e.reloadAfterEdit(ctx, now); err != nil {
			return "", err
		}
		return "yaml", nil
	}
	changed, err := e.store.ImportRooms([]rules.Room{room}, SourceMail, now)
	if err != nil {
		return "", err
	}
	if err := e.EvaluateRooms(ctx, changed); err != nil {
		return "", err
	}
	return "store", nil
}

// reloadAfterEdit puts the edited file in force: through the daemon's
// reload when one runs here, else by loading it into this App.
func (e *App) reloadAfterEdit(ctx context.Context, now time.Time) error {
	if e.reload != nil {
		return e.reload(ctx)
	}
	cfg := e.Config()
	opt := cfg.Options()
	opt.Now = now
	next, err := config.LoadWith(cfg.Path, opt)
	if err != nil {
		return err
	}
	e.SetConfig(next)
	changed, err := e.Sync(ctx)
	if err != nil {
		return err
	}
	return e.EvaluateRooms(ctx, changed)
}

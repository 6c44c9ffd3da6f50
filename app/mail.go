package control

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"log/slog"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/inbox/mailrule"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/store"
)

// MailRetention is how long a processed mail's Message-ID is remembered:
// longer than any platform keeps a room open, so a mail delivered again
// (a second forward, a mailbox restored) never records twice.
const MailRetention = 180 * 24 * time.Hour

// pathMail is where the control socket takes a matched mail.
const pathMail = "/v1/mail"

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

var _ MailRecorder = (*Local)(nil)
var _ MailRecorder = (*Client)(nil)

// mailMu makes "seen? record, mark seen" one step per process, so a mail
// read by IMAP and piped to ingest at the same moment records once. (Two
// processes cannot both hold the store.)
var mailMu sync.Mutex

// RecordMail records what a mail means, once per Message-ID: the event in
// its room at the mail's time (source "mail"); for a purchase of a room
// roomwatch does not know yet, the room itself (in the store, or appended
// to the YAML with inbox.add_to_yaml). An event for an unknown room changes
// nothing and is reported as such, once.
func (l *Local) RecordMail(ctx context.Context, m mailrule.Match) (MailResult, error) {
	if !m.Event.Valid() || m.Event == rules.EventSellerMessage || m.Event == rules.EventSellerRated {
		return MailResult{}, inputErrorf("event %q cannot come by mail", m.Event)
	}
	if m.Room == "" {
		return MailResult{}, inputErrorf("no room given")
	}
	mailMu.Lock()
	defer mailMu.Unlock()
	st := l.Engine.Store()
	now := l.Engine.Now()
	at := m.At
	if at.IsZero() || at.After(now) {
		at = now
	}
	res := MailResult{Room: m.Room, Event: m.Event, At: l.local(at)}
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
	_, known, err := l.Engine.Room(m.Room)
	if err != nil {
		return MailResult{}, err
	}
	switch {
	case !known && m.Event == rules.EventOpened:
		if res.Where, err = l.createRoom(ctx, m, at, now); err != nil {
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
		if _, err := l.Engine.Record(ctx, ev); err != nil {
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
func (l *Local) createRoom(ctx context.Context, m mailrule.Match, at, now time.Time) (string, error) {
	cfg := l.Engine.Config()
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
		if err := l.reloadAfterEdit(ctx, now); err != nil {
			return "", err
		}
		return "yaml", nil
	}
	changed, err := l.Engine.Store().ImportRooms([]rules.Room{room}, SourceMail, now)
	if err != nil {
		return "", err
	}
	if err := l.Engine.EvaluateRooms(ctx, changed); err != nil {
		return "", err
	}
	return "store", nil
}

// reloadAfterEdit puts the edited file in force: through the daemon's
// reload when one runs here, else by loading it into this engine.
func (l *Local) reloadAfterEdit(ctx context.Context, now time.Time) error {
	if l.Reloader != nil {
		return l.Reloader(ctx)
	}
	cfg := l.Engine.Config()
	opt := cfg.Options()
	opt.Now = now
	next, err := config.LoadWith(cfg.Path, opt)
	if err != nil {
		return err
	}
	l.Engine.SetConfig(next)
	changed, err := l.Engine.Sync(ctx)
	if err != nil {
		return err
	}
	return l.Engine.EvaluateRooms(ctx, changed)
}

// RecordMail sends a matched mail to the daemon.
func (c *Client) RecordMail(ctx context.Context, m mailrule.Match) (MailResult, error) {
	var out MailResult
	return out, c.call(ctx, http.MethodPost, pathMail, nil, m, &out)
}

// handleMail adds the mail route to mux when svc records mail.
func handleMail(mux *http.ServeMux, svc Service, log *slog.Logger) bool {
	mr, ok := svc.(MailRecorder)
	if !ok {
		return false
	}
	mux.HandleFunc("POST "+pathMail, func(w http.ResponseWriter, r *http.Request) {
		var m mailrule.Match
		if err := decode(r, w, &m); err != nil {
			reply(w, log)(nil, err)
			return
		}
		reply(w, log)(mr.RecordMail(r.Context(), m))
	})
	return true
}

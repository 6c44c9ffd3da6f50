// Package app is roomwatch's application core: every use case — record an
// event, acknowledge, snooze, status, plan, history, a buyer's record,
// backup, reload, mail from the platform; evaluate a room, catch up after a
// start or a reload, re-check the outbox before a send — behind plain
// methods of one App. It joins the rules to the store: it builds each
// room's environment from the configuration, evaluates a room's steps at a
// moment, queues the ones that came due and tells the timers the room's
// next step.
//
// Every way in is a thin adapter over an App: the command line (on the
// store when no daemon runs), the control socket and HTTP API (package
// control), the Slack buttons, the web app and the IMAP reader; so a
// command gives the same answer whether a daemon runs or not. App is built
// with its ports (the store, a clock, timers, a waker, a reloader) and
// imports no transport and no notifier backend.
package app

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/store"
)

// Timers keep each room's next step on a timer: Schedule is told the
// room's next send time after each evaluation of one room (zero: nothing
// left, drop the timer). The daemon gives its scheduler.
type Timers interface {
	Schedule(room string, at time.Time) error
}

// Waker is told that an evaluation queued steps in the outbox, so the
// dispatcher drains it. Wake must not block.
type Waker interface {
	Wake()
}

// Options are an App's ports and settings, all fixed at New.
type Options struct {
	Config *config.Config
	Store  *store.Store
	// Clock is the application's time; nil means the real clock.
	Clock clockwork.Clock
	Log   *slog.Logger
	// Timers and Waker are the daemon's; nil (the command line) means no
	// timer to set and nobody to wake: the next daemon start catches up.
	Timers Timers
	Waker  Waker
	// Reload puts the configuration file in force again; nil when no daemon
	// runs here (Reload then says so, and a room added to the YAML by mail
	// is loaded into this App directly).
	Reload func(ctx context.Context) error
	// Build describes the running binary (version, commit, date, Go); the
	// daemon sets it, and GET /v1/status reports it.
	Build string
}

// App evaluates rooms against the current configuration and the store, and
// runs every use case on them.
type App struct {
	cfg    atomic.Pointer[config.Config]
	store  *store.Store
	clock  clockwork.Clock
	log    *slog.Logger
	timers Timers
	waker  Waker
	reload func(ctx context.Context) error
	build  string

	// roomLocks serialise evaluations of one room (a timer and an event may
	// arrive together) without a lock per room.
	roomLocks [256]sync.Mutex

	// mailMu makes "seen? record, mark seen" one step, so a mail read by
	// IMAP and piped to ingest at the same moment records once. (Two
	// processes cannot both hold the store.)
	mailMu sync.Mutex
}

// New returns an App over an open store.
func New(opt Options) *App {
	if opt.Clock == nil {
		opt.Clock = clockwork.NewRealClock()
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	if opt.Timers == nil {
		opt.Timers = noTimers{}
	}
	if opt.Waker == nil {
		opt.Waker = noWaker{}
	}
	e := &App{
		store: opt.Store, clock: opt.Clock, log: opt.Log,
		timers: opt.Timers, waker: opt.Waker, reload: opt.Reload, build: opt.Build,
	}
	e.cfg.Store(opt.Config)
	return e
}

type noTimers struct{}

func (noTimers) Schedule(string, time.Time) error { return nil }

type noWaker struct{}

func (noWaker) Wake() {}

// Open opens the configuration's store and syncs its rooms, for a command
// that runs the use cases itself because no daemon answers; close releases
// the store. path overrides cfg.Store (a throw-away copy for a read-only
// look at a store that does not exist yet).
func Open(ctx context.Context, cfg *config.Config, path string, log *slog.Logger) (a *App, closeStore func() error, err error) {
	if path == "" {
		path = cfg.Store
	}
	st, err := store.Open(path, store.Options{})
	if err != nil {
		return nil, nil, err
	}
	a = New(Options{Config: cfg, Store: st, Log: log})
	if _, err := a.Sync(ctx); err != nil {
		st.Close()
		return nil, nil, err
	}
	return a, st.Close, nil
}

// IsStoreLocked reports whether err is another process holding the store
// (most likely a daemon starting or stuck).
func IsStoreLocked(err error) bool { return errors.Is(err, store.ErrLocked) }

// ForEachRoom calls fn with every tracked room, streaming from the store,
// until fn returns an error.
func (e *App) ForEachRoom(fn func(rules.Room) error) error {
	return e.store.ForEachRoom(fn)
}

// PeekRooms calls fn with the ID and title of each room tracked in the
// configuration's store, read-only and without syncing the configuration,
// until fn returns false: shell completion, which must never create or
// change a store, nor wait long for a lock (lockWait).
func PeekRooms(ctx context.Context, cfg *config.Config, lockWait time.Duration, fn func(id, title string) bool) error {
	if _, err := os.Stat(cfg.Store); err != nil {
		return err
	}
	st, err := store.Open(cfg.Store, store.Options{ReadOnly: true, Timeout: lockWait})
	if err != nil {
		return err
	}
	defer st.Close()
	err = st.ForEachRoom(func(r rules.Room) error {
		if !fn(r.ID, r.Title) {
			return errEnough
		}
		return ctx.Err()
	})
	if errors.Is(err, errEnough) {
		return nil
	}
	return err
}

var errEnough = errors.New("enough rooms")

// CompactResult is what a compaction did: sizes before and after, and the
// share of the old file that was free.
type CompactResult = store.CompactResult

// ErrStoreLocked is returned when another process holds the store.
var ErrStoreLocked = store.ErrLocked

// CompactStore rewrites the store file at path without its free pages
// (`roomwatch compact`); it needs the store to itself.
func CompactStore(path string) (CompactResult, error) {
	return store.Compact(path, store.CompactOptions{})
}

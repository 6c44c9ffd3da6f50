package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/control"
	"github.com/roomwatch/roomwatch/engine"
	"github.com/roomwatch/roomwatch/store"
	"github.com/roomwatch/roomwatch/systemd"
)

// service returns what a command talks to: the running daemon over its
// control socket, or, when no daemon runs, the store opened directly. Both
// run the same control.Local code, so the output is the same either way.
// A read-only command on a store that does not exist yet works on a
// throw-away copy, so looking never creates files.
func (a *app) service(ctx context.Context, cfg *config.Config, readOnly bool) (control.Service, func(), error) {
	if client, ok := control.Dial(ctx, cfg.Control.Socket); ok {
		return client, func() {}, nil
	}
	path := cfg.Store
	cleanup := func() {}
	if readOnly {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			dir, err := os.MkdirTemp("", "roomwatch-view-")
			if err != nil {
				return nil, nil, fmt.Errorf("temporary store: %w", err)
			}
			path = filepath.Join(dir, "view.db")
			cleanup = func() { os.RemoveAll(dir) }
		}
	}
	st, err := store.Open(path, store.Options{})
	if err != nil {
		cleanup()
		if errors.Is(err, store.ErrLocked) {
			return nil, nil, fmt.Errorf("%w; its control socket %s does not answer, so the daemon may be starting or stuck", err, cfg.Control.Socket)
		}
		return nil, nil, err
	}
	closeAll := func() {
		if err := st.Close(); err != nil {
			a.log.Error("closing the store", "err", err)
		}
		cleanup()
	}
	eng := engine.New(cfg, st, nil, a.log)
	if _, err := eng.Sync(ctx); err != nil {
		closeAll()
		return nil, nil, err
	}
	return &control.Local{Engine: eng}, closeAll, nil
}

// newLogger logs in logfmt to w; under journald, without timestamps, which
// the journal adds itself.
func newLogger(w *os.File) *slog.Logger {
	opts := &slog.HandlerOptions{Level: logLevel()}
	if systemd.UnderJournal() {
		opts.ReplaceAttr = func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func logLevel() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(os.Getenv("ROOMWATCH_LOG_LEVEL"))); err != nil {
		return slog.LevelInfo
	}
	return l
}

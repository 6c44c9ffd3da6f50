package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	core "github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/control"
	"github.com/roomwatch/roomwatch/systemd"
)

// service returns what a command talks to: the running daemon over its
// control socket, or, when no daemon runs, the application on the store
// opened directly. Both run the same app.App code, so the output is the
// same either way.
// A read-only command on a store that does not exist yet works on a
// throw-away copy, so looking never creates files.
func (a *app) service(ctx context.Context, cfg *config.Config, readOnly bool) (core.Service, func(), error) {
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
	local, closeStore, err := core.Open(ctx, cfg, path, a.log)
	if err != nil {
		cleanup()
		if core.IsStoreLocked(err) {
			return nil, nil, fmt.Errorf("%w; its control socket %s does not answer, so the daemon may be starting or stuck", err, cfg.Control.Socket)
		}
		return nil, nil, err
	}
	closeAll := func() {
		if err := closeStore(); err != nil {
			a.log.Error("closing the store", "err", err)
		}
		cleanup()
	}
	return local, closeAll, nil
}

// printWhere says in one line where a change went: to the running daemon,
// or straight into the store because none runs, and which store. Two
// configs (./roomwatch.yaml and the service's) mean two stores, and an
// event written to the wrong one is an alert the service never cancels.
func (a *app) printWhere(ctx context.Context, w io.Writer, cfg *config.Config, svc core.Service) {
	where, err := svc.Where(ctx)
	switch {
	case err != nil:
		// A daemon too old to say where it runs: the socket is what we know.
		fmt.Fprintf(w, cliWords(cfg).WhereSocket+"\n", cfg.Control.Socket)
	case where.Daemon:
		pid := ""
		if where.PID > 0 {
			pid = fmt.Sprintf(cliWords(cfg).WherePID, where.PID)
		}
		line := fmt.Sprintf(cliWords(cfg).WhereDaemon, pid, where.Store)
		if where.Config != "" && where.Config != cfg.Path {
			line += fmt.Sprintf(cliWords(cfg).WhereConfig, where.Config, cfg.Path)
		}
		fmt.Fprintln(w, line)
	default:
		fmt.Fprintf(w, cliWords(cfg).WhereStore+"\n", where.Store)
	}
}

// warnShadowed warns, once and on stderr, when the config a command found
// hides another that exists further down the search path (DESIGN §4): a
// service most likely runs on that other one, with another store.
func (a *app) warnShadowed(path string) {
	hidden := config.Shadowed(a.configFlag, path)
	if len(hidden) == 0 {
		return
	}
	from := "found in the working folder"
	if os.Getenv("ROOMWATCH_CONFIG") != "" {
		from = "named by $ROOMWATCH_CONFIG"
	}
	fmt.Fprintf(a.stderr, "roomwatch: warning: using %s (%s), which shadows %s: a service may be running on that; pass --config to choose\n",
		path, from, strings.Join(hidden, " and "))
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

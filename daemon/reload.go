package daemon

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/systemd"
)

// reloadSettle folds a burst of file events and SIGHUPs (an editor writes,
// renames and chmods; a deploy script edits twice) into one reload.
const reloadSettle = 300 * time.Millisecond

// requestReload reloads at once and reports the outcome (control API).
func (d *Daemon) requestReload(ctx context.Context) error {
	return d.reload(ctx)
}

// watchConfig starts watching the configuration's folder, not the file, so
// editors that replace the file (write a copy, rename it over) are seen too.
// It runs before READY, so no edit made after READY can go unseen; nil when
// there is nothing to watch.
func (d *Daemon) watchConfig() *fsnotify.Watcher {
	path := d.engine.Config().Path
	if !d.opt.Watch || path == "" {
		return nil
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		d.log.Warn("cannot watch the configuration; reload with SIGHUP", "err", err)
		return nil
	}
	if err := w.Add(filepath.Dir(path)); err != nil {
		d.log.Warn("cannot watch the configuration's folder; reload with SIGHUP", "dir", filepath.Dir(path), "err", err)
		w.Close()
		return nil
	}
	return w
}

// reloadLoop reloads on SIGHUP and on changes to the configuration file.
func (d *Daemon) reloadLoop(ctx context.Context, hup <-chan os.Signal, w *fsnotify.Watcher) {
	var events <-chan fsnotify.Event
	var watchErrs <-chan error
	if w != nil {
		defer w.Close()
		events, watchErrs = w.Events, w.Errors
	}
	name := filepath.Base(d.engine.Config().Path)
	var settle <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			d.log.Info("SIGHUP: reloading")
			settle = time.After(reloadSettle)
		case ev := <-events:
			if filepath.Base(ev.Name) != name || ev.Op == fsnotify.Chmod {
				continue
			}
			settle = time.After(reloadSettle)
		case err := <-watchErrs:
			d.log.Warn("watching the configuration", "err", err)
		case <-settle:
			settle = nil
			if err := d.reload(ctx); err != nil {
				d.log.Error("reload failed; still running on the last good configuration", "err", err)
			}
		}
	}
}

// reload validates the configuration file as a whole and only then puts it
// in force; on any error the daemon keeps the last good one, logs every
// error and sends one warning alert.
func (d *Daemon) reload(ctx context.Context) error {
	d.reloadMu.Lock()
	defer d.reloadMu.Unlock()
	old := d.engine.Config()
	if old.Path == "" {
		return errors.New("running on the embedded defaults: there is no configuration file to reload")
	}
	_ = systemd.Reloading()
	defer func() { _ = systemd.Ready(d.status()) }()

	cfg, err := config.Load(old.Path)
	if err == nil && cfg.Store != old.Store {
		err = fmt.Errorf("%s: store moved from %s to %s: restart roomwatch to switch stores", old.Path, old.Store, cfg.Store)
	}
	var router *notifier.Router
	if err == nil {
		router, err = d.opt.Router(cfg)
	}
	if err != nil {
		d.rejectConfig(ctx, err)
		return err
	}
	if cfg.Control != old.Control {
		d.log.Warn("control socket or HTTP settings changed: they take effect at the next restart")
	}
	d.lastRejected = ""
	d.engine.SetConfig(cfg)
	d.routerMu.Lock()
	d.router = router
	d.routerMu.Unlock()
	if err := d.catchUp(ctx, false); err != nil {
		return err
	}
	d.log.Info("configuration reloaded", "file", cfg.Path, "summary", cfg.Summary())
	return nil
}

// rejectConfig logs each error of a bad configuration and sends one
// warning alert for it (not again while the file stays the same).
func (d *Daemon) rejectConfig(ctx context.Context, err error) {
	lines := []string{err.Error()}
	var errs config.Errors
	if errors.As(err, &errs) {
		lines = lines[:0]
		for _, e := range errs {
			lines = append(lines, e.Error())
		}
	}
	for _, l := range lines {
		d.log.Error("configuration error", "error", l)
	}
	text := fmt.Sprint(lines)
	if text == d.lastRejected {
		return
	}
	d.lastRejected = text
	router := d.activeRouter()
	title := "roomwatch: the edited configuration has errors; still running on the last good one"
	if err := router.Notice(ctx, rules.Warning, title, lines); err != nil {
		d.log.Error("sending the configuration warning", "err", err)
	}
}

// fingerprint summarises the inputs every room's rules share, so a change
// of policy or profile re-evaluates every room and nothing else does.
func fingerprint(cfg *config.Config) string {
	type profile struct {
		Name string
		P    rules.Profile
	}
	var profiles []profile
	for name, p := range cfg.Profiles {
		profiles = append(profiles, profile{name, p})
	}
	slices.SortFunc(profiles, func(a, b profile) int {
		if a.Name < b.Name {
			return -1
		}
		if a.Name > b.Name {
			return 1
		}
		return 0
	})
	policy := cfg.Policy
	zone := ""
	if policy.Location != nil {
		zone = policy.Location.String()
	}
	policy.Location = nil
	b, _ := json.Marshal(struct {
		Policy   rules.Policy
		Zone     string
		Platform string
		Profiles []profile
	}{policy, zone, cfg.Platform, profiles})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

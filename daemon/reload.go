package daemon

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/roomwatch/roomwatch/app"
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
	path := d.app.Config().Path
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
	name := filepath.Base(d.app.Config().Path)
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

// reload validates the configuration file as a whole and puts it in force
// only once everything that follows from it succeeded: the router, the
// store's rooms, the catch-up and the timers. Until then the last good
// configuration and its router stay in force; a file that is refused, or
// whose catch-up fails, is logged with every error and sends one warning
// alert, and the store and timers are put back to the last good one.
func (d *Daemon) reload(ctx context.Context) error {
	d.reloadMu.Lock()
	defer d.reloadMu.Unlock()
	old := d.app.Config()
	if old.Path == "" {
		return errors.New("running on the embedded defaults: there is no configuration file to reload")
	}
	_ = systemd.Reloading()
	defer func() { _ = systemd.Ready(d.status()) }()

	// The same limits as at start, and the daemon's clock for the events.
	opt := old.Options()
	opt.Now = d.clock.Now()
	cfg, err := config.LoadWith(old.Path, opt)
	if err == nil && cfg.Store != old.Store {
		err = fmt.Errorf("%s: store moved from %s to %s: restart roomwatch to switch stores", old.Path, old.Store, cfg.Store)
	}
	var router *notifier.Router
	if err == nil {
		router, err = d.opt.Router(cfg)
	}
	if err != nil {
		d.rejectConfig(ctx, rejectedTitle, err)
		return err
	}
	for _, w := range cfg.Warnings {
		d.log.Warn("configuration warning", "warning", w.Error())
	}
	if err := d.apply(ctx, cfg, old); err != nil {
		err = fmt.Errorf("%s: the edited configuration could not be put in force: %w", cfg.Path, err)
		d.rejectConfig(ctx, unappliedTitle, err)
		return err
	}
	if cfg.Control != old.Control {
		d.log.Warn("control socket or HTTP settings changed: they take effect at the next restart")
	}
	d.lastRejected = ""
	d.routerMu.Lock()
	d.router = router
	d.routerMu.Unlock()
	d.log.Info("configuration reloaded", "file", cfg.Path, "summary", cfg.Summary())
	return nil
}

// apply brings the store and the timers to cfg: its rooms synced, the rooms
// it changes evaluated (all of them when its policy differs), their timers
// set. The application reads cfg meanwhile, as the evaluation needs it; messages
// keep going out through the last good router, which reload swaps only
// after apply succeeded. On failure apply puts old back in the engine and
// brings the store and timers back to it, then returns the failure.
func (d *Daemon) apply(ctx context.Context, cfg, old *config.Config) error {
	d.app.SetConfig(cfg)
	err := d.catchUp(ctx, false)
	if err == nil {
		err = reloadFault("catch-up")
	}
	if err == nil {
		return nil
	}
	d.app.SetConfig(old)
	d.dropAttemptTimers()
	if app.PolicyFingerprint(cfg) != app.PolicyFingerprint(old) {
		// The attempt may have evaluated some rooms under the new policy
		// before it failed; forgetting the recorded policy makes the
		// restore evaluate every room under the old one again.
		if err := d.app.ForgetPolicy(); err != nil {
			d.log.Error("restoring the last good configuration: forgetting the policy the attempt recorded", "err", err)
		}
	}
	// Syncing the old rooms untracks what the attempt added, tracks again
	// what it removed, and evaluates those rooms under the old rules.
	if err := d.catchUp(ctx, false); err != nil {
		d.log.Error("restoring the last good configuration in the store and timers failed; each room follows it again when its timer fires", "err", err)
	}
	return err
}

// dropAttemptTimers removes the timers a failed reload attempt may have
// set: those of the rooms its evaluation put within the horizon, which is
// what its sweep gave timers to. The restore's sweep then sets the last good
// configuration's timers again, so no timer of the attempt stays behind.
func (d *Daemon) dropAttemptTimers() {
	var rooms []string
	now := d.clock.Now()
	err := d.store.DueBefore(now.Add(d.opt.Horizon), func(room string, at time.Time) bool {
		if !d.sched.Wants(at) {
			return false
		}
		rooms = append(rooms, room)
		return true
	})
	if err != nil {
		d.log.Error("restoring the last good configuration: reading the due index", "err", err)
	}
	for _, room := range rooms {
		if err := d.sched.Remove(room); err != nil {
			d.log.Error("restoring the last good configuration: dropping a timer", "room", room, "err", err)
		}
	}
}

// reloadFaultEnv names, for end-to-end tests only, a reload step that then
// fails as if the store had failed there ("catch-up": after the catch-up
// ran), so a test can drive a failed reload through the built binary.
const reloadFaultEnv = "ROOMWATCH_TEST_RELOAD_FAULT"

func reloadFault(step string) error {
	if os.Getenv(reloadFaultEnv) == step {
		return fmt.Errorf("%s: injected failure (%s)", step, reloadFaultEnv)
	}
	return nil
}

const (
	rejectedTitle  = "roomwatch: the edited configuration has errors; still running on the last good one"
	unappliedTitle = "roomwatch: the edited configuration could not be put in force; still running on the last good one"
)

// rejectConfig logs each error of a configuration that was not put in force
// and sends one warning alert for it (not again while the errors stay the
// same).
func (d *Daemon) rejectConfig(ctx context.Context, title string, err error) {
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
	if err := router.Notice(ctx, rules.Warning, title, lines); err != nil {
		d.log.Error("sending the configuration warning", "err", err)
	}
}

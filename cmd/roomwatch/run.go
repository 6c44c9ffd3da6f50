package main

import (
	"context"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/roomwatch/roomwatch/daemon"
)

func (a *app) runCommand() *cobra.Command {
	var horizon time.Duration
	var maxTimers int
	var debugAddr string
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the daemon: send every alert on time; stop with SIGTERM or Ctrl-C",
		Long: `run keeps every room's next alert on a timer and sends it through the
configured notifiers. It catches up on what came due while it was stopped,
reloads the configuration when the file changes or on SIGHUP (keeping the last
good one if the edit is broken), and serves the control socket the other
commands use. Under systemd (Type=notify) it reports READY, STATUS and
WATCHDOG.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			build := currentBuild()
			cfg, err := a.loadConfig(true)
			if err != nil {
				return err
			}
			for _, w := range cfg.Warnings {
				a.log.Warn("configuration warning", "warning", w.Error())
			}
			ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
			defer stop()
			return daemon.Run(ctx, daemon.Options{
				Config:  cfg,
				Watch:   cfg.Path != "",
				Router:  routerFor(a.stdout, a.log),
				Log:     a.log,
				Horizon: horizon,
				Version: build.String(),
				// A clock before the build is a board that booted without
				// its time (no RTC, no NTP yet): plan nothing until it is set.
				NotBefore: build.Date,

				MaxTimers: maxTimers,
				DebugAddr: debugAddr,
			})
		},
	}
	cmd.Flags().DurationVar(&horizon, "horizon", 24*time.Hour, "only steps due within this window hold a timer (smaller saves memory with very many rooms)")
	cmd.Flags().IntVar(&maxTimers, "max-timers", 10000, "at most this many timers, for the earliest steps; the sweep gives later steps theirs as these run")
	cmd.Flags().StringVar(&debugAddr, "debug-addr", "", "serve Go's profiler (net/http/pprof) on this loopback host:port, e.g. 127.0.0.1:6060; off by default")
	return cmd
}

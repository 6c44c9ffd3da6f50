// Command baseline is the design roomwatch-bench measures roomwatch
// against: the roomwatch daemon with a gocron job for every live alert of
// every room (timers.go) instead of one job per room for the steps due
// soon. The benchmark builds it beside roomwatch and starts it the same
// way:
//
//	baseline --config FILE run
//
// It is no part of the product: the roomwatch binary has no such mode. It
// sends through the configuration's Slack webhooks only, which is what the
// benchmark configures.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/jonboulle/clockwork"

	"github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/daemon"
	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/registry"
)

func main() {
	configPath := flag.String("config", "", "the configuration file (required)")
	flag.Parse()
	if *configPath == "" || (flag.NArg() > 0 && (flag.NArg() != 1 || flag.Arg(0) != "run")) {
		fmt.Fprintln(os.Stderr, "usage: baseline --config FILE [run]")
		os.Exit(2)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*configPath, log); err != nil {
		log.Error("baseline", "err", err)
		os.Exit(1)
	}
}

func run(path string, log *slog.Logger) error {
	cfg, err := config.Load(path)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	clock := clockwork.NewRealClock()
	return daemon.Run(ctx, daemon.Options{
		Config:  cfg,
		Router:  webhookRouter(log),
		Clock:   clock,
		Log:     log,
		Horizon: baselineHorizon,
		Timers: func(ctx context.Context, a *app.App) (daemon.Timers, error) {
			return startAllAlertJobs(ctx, a, clock, log)
		},
	})
}

// webhookRouter builds the configuration's notifiers through the registry,
// as roomwatch does.
func webhookRouter(log *slog.Logger) func(cfg *config.Config) (*notifier.Router, error) {
	return func(cfg *config.Config) (*notifier.Router, error) {
		ns, err := registry.BuildAll(cfg, os.Stdout)
		if err != nil {
			return nil, err
		}
		return notifier.NewRouter(ns, cfg.Routes, notifier.DefaultRetrier(), log), nil
	}
}

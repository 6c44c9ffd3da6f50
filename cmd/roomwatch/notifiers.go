package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/registry"
)

// routerFor builds the notifiers and routes of a configuration.
func routerFor(stdout io.Writer, log *slog.Logger) func(cfg *config.Config) (*notifier.Router, error) {
	return func(cfg *config.Config) (*notifier.Router, error) {
		ns, err := registry.BuildAll(cfg, stdout)
		if err != nil {
			return nil, err
		}
		retrier := notifier.DefaultRetrier()
		if cfg.FailoverAfter > 0 {
			retrier.FailoverAfter = cfg.FailoverAfter
		}
		return notifier.NewRouter(ns, cfg.Routes, retrier, log), nil
	}
}

func (a *app) notifyTestCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "notify-test [NAME]",
		Short: "Send a test alert through one notifier, or all; exit 1 if any failed",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.loadConfig(false)
			if err != nil {
				return err
			}
			ns, err := registry.BuildAll(cfg, a.stdout)
			if err != nil {
				return err
			}
			if len(args) == 1 {
				var picked []notifier.Notifier
				for _, n := range ns {
					if n.Name() == args[0] {
						picked = append(picked, n)
					}
				}
				if len(picked) == 0 {
					return inputError("no notifier named %q in %s", args[0], cfg.Path)
				}
				ns = picked
			}
			failed := 0
			for _, n := range ns {
				ctx, cancel := context.WithTimeout(cmd.Context(), 30*time.Second)
				err := notifier.Test(ctx, n, time.Now())
				cancel()
				if err != nil {
					failed++
					fmt.Fprintf(a.stdout, "%s: FAILED: %v\n", n.Name(), err)
					continue
				}
				fmt.Fprintf(a.stdout, "%s: ok\n", n.Name())
			}
			if failed > 0 {
				return &exitError{code: exitFailure, err: fmt.Errorf("%d of %d notifiers failed", failed, len(ns))}
			}
			return nil
		},
	}
}

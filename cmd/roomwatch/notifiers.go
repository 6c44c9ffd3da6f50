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
	"github.com/roomwatch/roomwatch/notifier/console"
	"github.com/roomwatch/roomwatch/notifier/discord"
	"github.com/roomwatch/roomwatch/notifier/email"
	"github.com/roomwatch/roomwatch/notifier/line"
	"github.com/roomwatch/roomwatch/notifier/ntfy"
	"github.com/roomwatch/roomwatch/notifier/slack"
	jsonhook "github.com/roomwatch/roomwatch/notifier/webhook"
)

// buildNotifiers turns the configuration's notifier entries into backends.
func buildNotifiers(cfg *config.Config, stdout io.Writer) ([]notifier.Notifier, error) {
	var out []notifier.Notifier
	for _, n := range cfg.Notifiers {
		switch n.Type {
		case "console":
			out = append(out, console.New(console.Options{Name: n.Name, Writer: stdout, Language: cfg.Language, Location: cfg.Timezone}))
		case "slack":
			s, err := slack.New(slack.Options{
				Name: n.Name, WebhookURL: n.WebhookURL.Value(), Token: n.Token.Value(), Channel: n.Channel,
				APIURL: n.APIURL, Timeout: n.Timeout, Language: cfg.Language, Location: cfg.Timezone,
				Buttons: !n.AppToken.IsZero(),
			})
			if err != nil {
				return nil, fmt.Errorf("notifier %s: %w", n.Name, err)
			}
			out = append(out, s)
		case "email":
			e, err := email.New(email.Options{
				Name: n.Name, Host: n.Host, Port: n.Port, TLS: n.TLS, Username: n.Username,
				Password: n.Password.Value(), From: n.From, To: n.To, Timeout: n.Timeout,
				Language: cfg.Language, Location: cfg.Timezone,
			})
			if err != nil {
				return nil, fmt.Errorf("notifier %s: %w", n.Name, err)
			}
			out = append(out, e)
		case "ntfy":
			nt, err := ntfy.New(ntfy.Options{
				Name: n.Name, Server: n.Server, Topic: n.Topic, Token: n.NtfyToken.Value(), Timeout: n.Timeout,
				Language: cfg.Language, Location: cfg.Timezone,
			})
			if err != nil {
				return nil, fmt.Errorf("notifier %s: %w", n.Name, err)
			}
			out = append(out, nt)
		case "line":
			l, err := line.New(line.Options{
				Name: n.Name, Token: n.ChannelAccessToken.Value(), To: n.LineTo, APIURL: n.APIURL,
				Timeout: n.Timeout, Language: cfg.Language, Location: cfg.Timezone,
			})
			if err != nil {
				return nil, fmt.Errorf("notifier %s: %w", n.Name, err)
			}
			out = append(out, l)
		case "discord":
			d, err := discord.New(discord.Options{
				Name: n.Name, WebhookURL: n.WebhookURL.Value(), APIURL: n.APIURL, Timeout: n.Timeout,
				Language: cfg.Language, Location: cfg.Timezone,
			})
			if err != nil {
				return nil, fmt.Errorf("notifier %s: %w", n.Name, err)
			}
			out = append(out, d)
		case "webhook":
			headers := make(map[string]string, len(n.Headers))
			for name, value := range n.Headers {
				headers[name] = value.Value()
			}
			w, err := jsonhook.New(jsonhook.Options{
				Name: n.Name, URL: n.URL.Value(), Secret: n.Secret.Value(), Headers: headers,
				BodyTemplate: n.BodyTemplate, Timeout: n.Timeout, Language: cfg.Language, Location: cfg.Timezone,
			})
			if err != nil {
				return nil, fmt.Errorf("notifier %s: %w", n.Name, err)
			}
			out = append(out, w)
		default:
			return nil, fmt.Errorf("notifier %s: unknown type %q", n.Name, n.Type)
		}
	}
	return out, nil
}

// routerFor builds the notifiers and routes of a configuration.
func routerFor(stdout io.Writer, log *slog.Logger) func(cfg *config.Config) (*notifier.Router, error) {
	return func(cfg *config.Config) (*notifier.Router, error) {
		ns, err := buildNotifiers(cfg, stdout)
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
			ns, err := buildNotifiers(cfg, a.stdout)
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

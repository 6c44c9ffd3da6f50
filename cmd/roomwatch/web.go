package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	core "github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/control/web"
)

// webLinkCommand prints a link that signs one browser in to the web app.
func (a *app) webLinkCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "web-link",
		Short: "Print a link that signs a phone in to the web app (valid 10 minutes, once)",
		Long: `web-link prints a sign-in link for the web app the daemon serves on its HTTP
listener (control.http), under control.public_url when set. Open it on the
phone within 10 minutes and press the button: that browser stays signed in for
30 days, or until roomwatch web-logout --all. The link works once; it is made
from control.token, so changing the token ends every link not yet used.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.loadConfig(false)
			if err != nil {
				return err
			}
			if cfg.Control.HTTP == "" {
				return inputError("web-link: the web app is served on the HTTP API: set control.http (and control.token) first")
			}
			link, err := web.SignInLink(cfg.Control, time.Now())
			if err != nil {
				return inputError("web-link: %v", err)
			}
			fmt.Fprintln(a.stdout, link)
			return nil
		},
	}
}

// webLogoutCommand signs every browser out of the web app.
func (a *app) webLogoutCommand() *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "web-logout --all",
		Short: "Sign every browser out of the web app",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !all {
				return inputError("web-logout: add --all to sign every browser out (a single browser signs out from its own page)")
			}
			cfg, err := a.loadConfig(false)
			if err != nil {
				return err
			}
			svc, done, err := a.service(cmd.Context(), cfg, false)
			if err != nil {
				return err
			}
			defer done()
			rv, ok := svc.(core.WebSessionRevoker)
			if !ok {
				return errors.New("web-logout: this roomwatch cannot revoke web sessions")
			}
			res, err := rv.RevokeWebSessions(cmd.Context())
			if err != nil {
				return fmt.Errorf("web-logout: %w", err)
			}
			fmt.Fprintf(a.stdout, "signed %d browser(s) out of the web app\n", res.Revoked)
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "sign every browser out")
	return cmd
}

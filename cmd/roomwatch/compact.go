package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	core "github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/control"
	"github.com/roomwatch/roomwatch/notifier/message"
)

// compactCommand rewrites the store file to its live pages. It needs the
// store to itself: swapping the file under a running daemon would have to
// stop every reader and writer inside it, so a running daemon is asked to
// be stopped instead (it compacts by itself at start when the file is
// mostly free).
func (a *app) compactCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "compact",
		Short: "Rewrite the store to its live data, giving back the space pruned rooms left (stop the daemon first)",
		Long: `compact rewrites the store file without the free pages that pruning
(store.retention) and deleted records leave: bbolt never shrinks a file by
itself. The new file is written beside the store, checked page by page and
record by record against it, and only then renamed over it; the old file is
kept as a backup until then, so an interruption at any point leaves a whole
store. It needs the store to itself: stop the daemon first. The daemon also
compacts at start when more than half of the file is free.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.loadConfig(false)
			if err != nil {
				return err
			}
			if client, ok := control.Dial(cmd.Context(), cfg.Control.Socket); ok {
				pid := ""
				if where, err := client.Where(cmd.Context()); err == nil && where.PID > 0 {
					pid = fmt.Sprintf(" (pid %d)", where.PID)
				}
				return inputError("compact: the daemon%s has the store %s open; stop it (sudo systemctl stop roomwatch, or Ctrl-C on roomwatch run), run roomwatch compact, then start it again — a start also compacts by itself when more than half of the file is free",
					pid, cfg.Store)
			}
			if _, err := os.Stat(cfg.Store); errors.Is(err, os.ErrNotExist) {
				return inputError("compact: there is no store at %s yet: nothing to compact", cfg.Store)
			}
			res, err := core.CompactStore(cfg.Store)
			if errors.Is(err, core.ErrStoreLocked) {
				return fmt.Errorf("%w; stop the roomwatch process that holds it, then run roomwatch compact again", err)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "compacted %s: %s → %s (%.0f%% of it was free)\n",
				cfg.Store, byteSize(res.Before), byteSize(res.After), res.Free*100)
			return nil
		},
	}
}

// byteSize writes a file size in bytes, with KiB or MiB beside it.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d bytes (%.1f MiB)", n, float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d bytes (%.1f KiB)", n, float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// printPruned prints the one line left of a pruned room's history.
func printPruned(w io.Writer, p *core.HistoryPruned, cfg *config.Config) {
	if p == nil {
		return
	}
	fmt.Fprintf(w, cliWords(cfg).Pruned+"\n\n", localTime(p.PrunedAt, cfg), localTime(p.Opened, cfg),
		message.StateLabel(p.State, cfg.Language), localTime(p.Ended, cfg), p.Events, p.Alerts, p.Sent)
}

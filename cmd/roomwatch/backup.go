package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

func (a *app) backupCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent copy of the store, also while the daemon runs",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return inputError("backup takes the file to write, e.g. roomwatch backup roomwatch-2026-11-25.db")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.loadConfig(false)
			if err != nil {
				return err
			}
			dest, err := filepath.Abs(args[0])
			if err != nil {
				return inputError("backup: %v", err)
			}
			if dest == cfg.Store {
				return inputError("backup: %s is the store itself; name another file", dest)
			}
			svc, done, err := a.service(cmd.Context(), cfg, true)
			if err != nil {
				return err
			}
			defer done()
			// Write beside the destination and rename, so FILE is either the
			// old file or a whole new copy, never half of one.
			tmp, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".tmp-*")
			if err != nil {
				return fmt.Errorf("backup: %w", err)
			}
			defer os.Remove(tmp.Name())
			n, err := svc.Backup(cmd.Context(), tmp)
			if err == nil {
				err = tmp.Sync()
			}
			if cerr := tmp.Close(); err == nil {
				err = cerr
			}
			if err == nil {
				err = os.Rename(tmp.Name(), dest)
			}
			if err != nil {
				return fmt.Errorf("backup: %w", err)
			}
			fmt.Fprintf(a.stdout, "backup written to %s (%d bytes)\n", dest, n)
			return nil
		},
	}
}

// Command roomwatch keeps a freelance seller's talk rooms inside the
// platform's deadlines: it computes every clock of every room and alerts the
// seller before one runs out. See README.md.
package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"

	core "github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
)

// Exit codes: 1 for a failure of roomwatch or of its configuration, 2 for a
// request it refuses (unknown room, bad time, bad argument).
const (
	exitFailure = 1
	exitInput   = 2
)

// exitError carries an exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func inputError(format string, args ...any) error {
	return &exitError{code: exitInput, err: fmt.Errorf(format, args...)}
}

type app struct {
	configFlag string
	maxRooms   int
	stdout     io.Writer
	stderr     *os.File
	log        *slog.Logger
}

func main() {
	a := &app{stdout: os.Stdout, stderr: os.Stderr}
	root := a.rootCommand()
	err := root.Execute()
	if err == nil {
		return
	}
	code := exitFailure
	var ee *exitError
	switch {
	case errors.As(err, &ee):
		code = ee.code
	case core.IsInputError(err):
		code = exitInput
	}
	var errs config.Errors
	if errors.As(err, &errs) {
		for _, e := range errs {
			fmt.Fprintln(a.stderr, e.Error())
		}
	} else {
		fmt.Fprintln(a.stderr, "roomwatch:", err)
	}
	os.Exit(code)
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "roomwatch",
		Short: "Alerts a freelance seller before a talk room's platform deadline runs out",
		Long: `roomwatch tracks every talk room (order chat) you have on Coconala and similar
marketplaces, computes each platform clock (first message within 48 h, the
4-day silence that lets a buyer cancel, delivery due dates, closing, ratings)
and alerts you on Slack, by email or on the console before one runs out.

The configuration is found at --config, $ROOMWATCH_CONFIG, ./roomwatch.yaml,
$XDG_CONFIG_HOME/roomwatch/config.yaml or /etc/roomwatch/config.yaml.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRun: func(cmd *cobra.Command, args []string) {
			a.log = newLogger(a.stderr)
		},
	}
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.Version = currentBuild().String()
	root.SetVersionTemplate("{{.Version}}\n")
	root.PersistentFlags().StringVarP(&a.configFlag, "config", "c", "", "configuration file")
	// Every command reads the same file, so every command takes the limit
	// (run and check above all); a marketplace's rooms are imported into
	// the store instead of listed in the YAML.
	root.PersistentFlags().IntVar(&a.maxRooms, "max-rooms", config.DefaultMaxRooms, "refuse a configuration file listing more rooms than this")
	root.AddCommand(
		a.runCommand(),
		a.checkCommand(),
		a.planCommand(),
		a.statusCommand(),
		a.historyCommand(),
		a.ackCommand(),
		a.snoozeCommand(),
		a.backupCommand(),
		a.compactCommand(),
		a.notifyTestCommand(),
		a.addCommand(),
		a.ingestCommand(),
		a.termsCommand(),
		a.messageCommand(),
		a.buyerCommand(),
		a.webLinkCommand(),
		a.webLogoutCommand(),
		a.versionCommand(),
		a.initCommand(),
		a.manCommand(),
	)
	for _, ec := range eventCommands {
		root.AddCommand(a.eventCommand(ec.Command, ec.Event, ec.Short))
	}
	a.registerCompletions(root)
	return root
}

// loadConfig finds and loads the configuration, checked against now and
// --max-rooms. Run may fall back to the embedded defaults when no file exists
// anywhere.
func (a *app) loadConfig(allowDefault bool) (*config.Config, error) {
	path, err := config.Find(a.configFlag)
	if err != nil {
		if allowDefault && a.configFlag == "" {
			a.log.Info("no configuration file found; running on the embedded defaults (console alerts, roomwatch.db here)")
			return config.Default(), nil
		}
		return nil, err
	}
	a.warnShadowed(path)
	if a.maxRooms <= 0 {
		return nil, inputError("--max-rooms must be at least 1")
	}
	return config.LoadWith(path, config.Options{Now: time.Now(), MaxRooms: a.maxRooms})
}

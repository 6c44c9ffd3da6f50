package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	core "github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/rules"
)

func (a *app) checkCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Validate the configuration; print every error and warning as file:line:col: message",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.loadConfig(false)
			if err != nil {
				return err
			}
			for _, w := range cfg.Warnings {
				fmt.Fprintln(a.stderr, w.Error())
			}
			fmt.Fprintf(a.stdout, "%s: ok, %s\n", cfg.Path, cfg.Summary())
			return nil
		},
	}
}

// parseTimeFlag reads a --now/--until/--at value in the configured zone.
func parseTimeFlag(name, value string, cfg *config.Config) (time.Time, error) {
	if value == "" {
		return time.Time{}, nil
	}
	t, err := config.ParseTime(value, cfg.Timezone)
	if err != nil {
		return time.Time{}, inputError("--%s: %v", name, err)
	}
	return t, nil
}

func (a *app) planCommand() *cobra.Command {
	var nowFlag, untilFlag string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "List every alert step still to be sent, in time order",
		Long: `plan lists every future alert step: when it goes out, for which room, of
which kind and severity, and the deadline it warns about. --now plans from
another moment (as if every fact had been known from the start); --until
stops the list. --json prints one JSON array of {room, kind, severity,
deadline, at, step, ...} with RFC 3339 times.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var req core.PlanRequest
			parse := func(cfg *config.Config) (err error) {
				if req.Now, err = parseTimeFlag("now", nowFlag, cfg); err != nil {
					return err
				}
				req.Until, err = parseTimeFlag("until", untilFlag, cfg)
				return err
			}
			return a.withParsedService(cmd, true, parse, func(cfg *config.Config, svc core.Service) error {
				steps, err := svc.Plan(cmd.Context(), req)
				if err != nil {
					return err
				}
				if asJSON {
					if steps == nil {
						steps = []core.PlanStep{} // an empty plan is [], never null
					}
					return writeJSON(a.stdout, steps)
				}
				now := req.Now
				if now.IsZero() {
					now = time.Now()
				}
				printPlan(a.stdout, steps, cfg, now, terminalOf(a.stdout))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&nowFlag, "now", "", "plan from this time instead of now")
	cmd.Flags().StringVar(&untilFlag, "until", "", "list steps up to this time")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (a *app) statusCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status [ROOM]",
		Short: "Show each room: state, next deadline, time left, what to do",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withService(cmd, true, func(cfg *config.Config, svc core.Service) error {
				// One instant for the service's "time left" and the table's
				// dates and colours.
				req := core.StatusRequest{Now: time.Now()}
				if len(args) == 1 {
					req.Room = args[0]
				}
				rooms, err := svc.Status(cmd.Context(), req)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(a.stdout, rooms)
				}
				printStatus(a.stdout, rooms, cfg, req.Now, terminalOf(a.stdout))
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (a *app) historyCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "history ROOM",
		Short: "Show a room's recorded events and the alerts sent for it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withService(cmd, true, func(cfg *config.Config, svc core.Service) error {
				h, err := svc.History(cmd.Context(), core.HistoryRequest{Room: args[0]})
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(a.stdout, h)
				}
				printHistory(a.stdout, h, cfg)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (a *app) eventCommand(name string, event rules.EventKind, short string) *cobra.Command {
	var atFlag string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   name + " ROOM",
		Short: short + " (now, or --at)",
		Args:  exactRoomArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			var at time.Time
			parse := func(cfg *config.Config) (err error) {
				at, err = parseTimeFlag("at", atFlag, cfg)
				return err
			}
			return a.withParsedService(cmd, false, parse, func(cfg *config.Config, svc core.Service) error {
				st, err := svc.Record(cmd.Context(), core.EventRequest{Room: args[0], Event: event, At: at, Source: "cli"})
				if err != nil {
					return err
				}
				if asJSON {
					// stdout stays one JSON document; the note goes to stderr.
					a.printWhere(cmd.Context(), a.stderr, cfg, svc)
					return writeJSON(a.stdout, st)
				}
				recorded := st.Events[event]
				fmt.Fprintf(a.stdout, "%s: %s recorded at %s\n", st.Room, event, localTime(recorded, cfg))
				printNext(a.stdout, st, cfg)
				a.printWhere(cmd.Context(), a.stdout, cfg, svc)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&atFlag, "at", "", "when it happened (default now), e.g. \"2026-11-21 09:00\"")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the room's status as JSON")
	return cmd
}

func exactRoomArg(cmd *cobra.Command, args []string) error {
	if len(args) != 1 {
		return inputError("%s takes one room ID, got %d arguments", cmd.Name(), len(args))
	}
	return nil
}

func (a *app) ackCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "ack ROOM [KIND]",
		Short: "Stop the warnings and repeats of a room's critical alerts until their next deadline",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 1 || len(args) > 2 {
				return inputError("ack takes a room ID and optionally an alert kind")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withService(cmd, false, func(cfg *config.Config, svc core.Service) error {
				req := core.AckRequest{Room: args[0]}
				if len(args) == 2 {
					req.Kind = rules.Kind(args[1])
				}
				res, err := svc.Ack(cmd.Context(), req)
				if err != nil {
					return err
				}
				for _, v := range res.Acked {
					fmt.Fprintf(a.stdout, "%s: acknowledged %s (deadline %s); the deadline itself still alerts\n", res.Room, v.Kind, localTime(v.Deadline, cfg))
				}
				a.printWhere(cmd.Context(), a.stdout, cfg, svc)
				return nil
			})
		},
	}
}

func (a *app) snoozeCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "snooze ROOM DURATION",
		Short: "Hold a room's alerts (except deadline breaches) for a while, e.g. 2h",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return inputError("snooze takes a room ID and a duration, e.g. roomwatch snooze 4012345 2h")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := config.ParseDuration(args[1])
			if err != nil {
				return inputError("snooze: %v", err)
			}
			return a.withService(cmd, false, func(cfg *config.Config, svc core.Service) error {
				st, err := svc.Snooze(cmd.Context(), core.SnoozeRequest{Room: args[0], For: d})
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "%s: alerts held until %s (deadline breaches still alert)\n", st.Room, localTime(st.Snoozed, cfg))
				a.printWhere(cmd.Context(), a.stdout, cfg, svc)
				return nil
			})
		},
	}
}

// writeJSON prints v indented. The service already gives times in the
// configured zone, so they carry its offset.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// withService loads the configuration and runs fn against the daemon, or
// against the store when no daemon runs; readOnly commands never create a
// store.
func (a *app) withService(cmd *cobra.Command, readOnly bool, fn func(cfg *config.Config, svc core.Service) error) error {
	return a.withParsedService(cmd, readOnly, nil, fn)
}

// withParsedService is withService with a parse step that reads the
// command's arguments against the configuration before anything is opened,
// so a refused request touches nothing.
func (a *app) withParsedService(cmd *cobra.Command, readOnly bool, parse func(cfg *config.Config) error, fn func(cfg *config.Config, svc core.Service) error) error {
	cfg, err := a.loadConfig(false)
	if err != nil {
		return err
	}
	if parse != nil {
		if err := parse(cfg); err != nil {
			return err
		}
	}
	svc, done, err := a.service(cmd.Context(), cfg, readOnly)
	if err != nil {
		return err
	}
	defer done()
	return fn(cfg, svc)
}

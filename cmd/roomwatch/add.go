package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	core "github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/rules"
)

func (a *app) addCommand() *cobra.Command {
	var room config.NewRoom
	var openedFlag, dueFlag, viaFlag string
	cmd := &cobra.Command{
		Use:   "add ROOM --title TITLE --buyer BUYER",
		Short: "Append a room to the configuration file, keeping its comments",
		Long: `add appends a talk room to the rooms: list of the configuration file. The
rest of the file stays exactly as it was, comments and layout included.
--opened defaults to now; --due takes a date ("2026-11-30", the end of that
day) or a time. Times are read in the configuration's timezone. A running
daemon notices the edited file and picks the room up by itself.`,
		Args: exactRoomArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.loadConfig(false)
			if err != nil {
				return err
			}
			room.ID = args[0]
			if room.Opened, err = parseTimeFlag("opened", openedFlag, cfg); err != nil {
				return err
			}
			now := time.Now()
			if room.Opened.IsZero() {
				room.Opened = now.Truncate(time.Minute)
			}
			if room.Opened.After(now.Add(core.FutureSlack)) {
				return inputError("--opened %s is in the future", localTime(room.Opened, cfg))
			}
			if room.Due, err = parseTimeFlag("due", dueFlag, cfg); err != nil {
				return err
			}
			room.DueDateOnly = config.IsDateOnly(dueFlag)
			switch via := rules.Via(viaFlag); via {
			case "", rules.ViaPurchase, rules.ViaQuote:
				room.Via = via
			default:
				return inputError("--via %q: use quote or purchase", viaFlag)
			}
			err = config.AddRoom(cfg.Path, room, cfg.Timezone, cfg.Options())
			var refused *config.RoomError
			if errors.As(err, &refused) {
				return inputError("add: %s", refused.Msg)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "added room %s to %s; the running daemon picks it up on its own\n", room.ID, cfg.Path)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&room.Title, "title", "", "what the order is about (required)")
	f.StringVar(&room.Buyer, "buyer", "", "the buyer's name on the platform (required)")
	f.StringVar(&openedFlag, "opened", "", `when the talk room opened (default now), e.g. "2026-11-20 10:00"`)
	f.StringVar(&dueFlag, "due", "", `delivery due date (納品予定日), e.g. 2026-11-30 or "2026-11-30 18:00"`)
	f.StringVar(&viaFlag, "via", "", "how the order came: purchase or quote (見積り)")
	f.StringVar(&room.URL, "url", "", "the talk room's address")
	f.StringVar(&room.Platform, "platform", "", "the room's platform profile when it is not the configured default")
	return cmd
}

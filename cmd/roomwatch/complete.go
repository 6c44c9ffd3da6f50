package main

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	core "github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/control"
	"github.com/roomwatch/roomwatch/rules"
)

// Completion reads the config and the rooms on every <Tab>, so it must be
// quick and never in the way: the daemon is asked over its socket, and
// without one the store is opened read-only for at most completionLockWait.
// A read-only open takes a shared lock; a daemon starting meanwhile waits
// for it up to its own lock timeout (a second), far longer than this.
const (
	completionLockWait = 100 * time.Millisecond
	completionDeadline = 2 * time.Second
	// completionMax bounds the rooms offered: a marketplace's store holds a
	// million, and a shell shows nobody that many.
	completionMax = 500
)

// registerCompletions gives the commands that take a room, a kind or a
// notifier name what to complete instead of file names.
func (a *app) registerCompletions(root *cobra.Command) {
	room := map[string]bool{"status": true, "history": true, "snooze": true, "ack": true, "message": true}
	for _, ec := range eventCommands {
		room[ec.Command] = true
	}
	for _, cmd := range root.Commands() {
		if cmd.ValidArgsFunction != nil {
			continue // the command completes its own arguments
		}
		switch {
		case cmd.Name() == "ack" || cmd.Name() == "message":
			cmd.ValidArgsFunction = a.completeRoomThenKind
		case room[cmd.Name()]:
			cmd.ValidArgsFunction = a.completeFirstRoom
		case cmd.Name() == "notify-test":
			cmd.ValidArgsFunction = a.completeNotifier
		}
	}
}

func (a *app) completeFirstRoom(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return a.roomIDs(cmd.Context(), toComplete), cobra.ShellCompDirectiveNoFileComp
}

func (a *app) completeRoomThenKind(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	switch len(args) {
	case 0:
		return a.roomIDs(cmd.Context(), toComplete), cobra.ShellCompDirectiveNoFileComp
	case 1:
		return kindNames(toComplete), cobra.ShellCompDirectiveNoFileComp
	}
	return nil, cobra.ShellCompDirectiveNoFileComp
}

func (a *app) completeNotifier(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	cfg := a.completionConfig()
	if cfg == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, n := range cfg.Notifiers {
		if strings.HasPrefix(n.Name, toComplete) {
			out = append(out, n.Name+"\t"+n.Type)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

func kindNames(prefix string) []string {
	var out []string
	for _, k := range rules.Kinds {
		if strings.HasPrefix(string(k), prefix) {
			out = append(out, string(k))
		}
	}
	return out
}

// completionConfig loads the config the command would use, or nil: a
// broken config completes nothing rather than printing errors mid-line.
func (a *app) completionConfig() *config.Config {
	path, err := config.Find(a.configFlag)
	if err != nil {
		return nil
	}
	cfg, err := config.LoadWith(path, config.Options{Now: time.Now(), MaxRooms: a.maxRooms})
	if err != nil {
		return nil
	}
	return cfg
}

// roomIDs lists the rooms whose ID starts with prefix, each with its title
// as the description: those of the YAML, and those only the store knows
// (created from platform mail or the API).
func (a *app) roomIDs(ctx context.Context, prefix string) []string {
	cfg := a.completionConfig()
	if cfg == nil {
		return nil
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, completionDeadline)
	defer cancel()
	titles := map[string]string{}
	var order []string
	add := func(id, title string) bool {
		if !strings.HasPrefix(id, prefix) {
			return true
		}
		if _, seen := titles[id]; !seen {
			order = append(order, id)
		}
		if title != "" || titles[id] == "" {
			titles[id] = title
		}
		return len(order) < completionMax
	}
	for _, r := range cfg.Rooms {
		if !add(r.ID, r.Title) {
			break
		}
	}
	storeRooms(ctx, cfg, func(id, title string) bool { return add(id, title) })
	slices.Sort(order)
	out := make([]string, 0, len(order))
	for _, id := range order {
		if t := titles[id]; t != "" {
			out = append(out, id+"\t"+strings.ReplaceAll(t, "\t", " "))
		} else {
			out = append(out, id)
		}
	}
	return out
}

// storeRooms hands fn every room the store holds, asking the running
// daemon when there is one and reading the file read-only otherwise. It
// gives up quietly: completion offers what the YAML lists.
func storeRooms(ctx context.Context, cfg *config.Config, fn func(id, title string) bool) {
	if client, ok := control.Dial(ctx, cfg.Control.Socket); ok {
		rooms, err := client.Status(ctx, core.StatusRequest{})
		if err != nil {
			return
		}
		for _, r := range rooms {
			if !fn(r.Room, r.Title) {
				return
			}
		}
		return
	}
	// No store yet, one locked by a daemon whose socket did not answer,
	// or an unreadable one: nothing to offer.
	_ = core.PeekRooms(ctx, cfg, completionLockWait, fn)
}

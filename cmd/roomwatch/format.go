package main

import (
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/control"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

// words holds the few labels of the terminal output, per language.
var words = map[string]map[string]string{
	"en": {
		"nothing":  "Nothing to send: no alert step is planned.",
		"room":     "ROOM",
		"buyer":    "BUYER",
		"state":    "STATE",
		"next":     "NEXT DEADLINE",
		"left":     "LEFT",
		"todo":     "TO DO",
		"noroom":   "No rooms are tracked. Add one to the configuration or with `roomwatch add`.",
		"events":   "Events",
		"alerts":   "Alerts",
		"none":     "(none)",
		"deadline": "deadline",
		"held":     "held from",
		"nextis":   "next: %s, %s (%s)",
		"nonext":   "no deadline ahead",
	},
	"ja": {
		"nothing":  "送信予定の通知はありません。",
		"room":     "ルーム",
		"buyer":    "購入者",
		"state":    "状態",
		"next":     "次の期限",
		"left":     "残り",
		"todo":     "やること",
		"noroom":   "監視中のトークルームはありません。設定ファイルか `roomwatch add` で追加してください。",
		"events":   "出来事",
		"alerts":   "通知",
		"none":     "(なし)",
		"deadline": "期限",
		"held":     "本来",
		"nextis":   "次: %s %s (%s)",
		"nonext":   "今後の期限はありません",
	},
}

func word(cfg *config.Config, key string) string {
	if w, ok := words[cfg.Language][key]; ok {
		return w
	}
	return words["en"][key]
}

// localDay is a day heading: "2026-11-20 Fri" or "2026-11-20 (金)".
func localDay(t time.Time, cfg *config.Config) string {
	t = t.In(cfg.Timezone)
	if cfg.Language == "ja" {
		return t.Format("2006-01-02") + " (" + message.Weekday(t, "ja") + ")"
	}
	return t.Format("2006-01-02 Mon")
}

// localTime is a moment in the configured zone, to the minute.
func localTime(t time.Time, cfg *config.Config) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(cfg.Timezone).Format("2006-01-02 15:04")
}

var severityMark = map[rules.Severity]string{
	rules.Critical: "!!",
	rules.Warning:  "! ",
	rules.Info:     "  ",
}

// printPlan prints the steps as a timeline grouped by local day.
func printPlan(w io.Writer, steps []control.PlanStep, cfg *config.Config) {
	if len(steps) == 0 {
		fmt.Fprintln(w, word(cfg, "nothing"))
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	day := ""
	for _, s := range steps {
		if d := localDay(s.At, cfg); d != day {
			if day != "" {
				fmt.Fprintln(tw)
			}
			fmt.Fprintln(tw, d)
			day = d
		}
		extra := ""
		if !s.Deadline.Equal(s.At) {
			extra = word(cfg, "deadline") + " " + localTime(s.Deadline, cfg)
		}
		if !s.HeldFrom.IsZero() {
			extra = strings.TrimSpace(extra + " " + word(cfg, "held") + " " + s.HeldFrom.In(cfg.Timezone).Format("15:04"))
		}
		fmt.Fprintf(tw, "  %s\t%s %s\t%s\t%s\t%s\t%s\t%s\n",
			s.At.In(cfg.Timezone).Format("15:04"), severityMark[s.Severity], s.Severity,
			s.Room, s.Kind, s.Step, s.Action, extra)
	}
	tw.Flush()
}

// ANSI colours for the status table, by the next alert's severity.
var severityColour = map[rules.Severity]string{
	rules.Critical: "\033[1;31m",
	rules.Warning:  "\033[33m",
	rules.Info:     "\033[36m",
}

// useColour follows the NO_COLOR convention and colours only terminals.
func useColour(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// printStatus prints one row a room, most urgent first.
func printStatus(w io.Writer, rooms []control.RoomStatus, cfg *config.Config, colour bool) {
	if len(rooms) == 0 {
		fmt.Fprintln(w, word(cfg, "noroom"))
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", word(cfg, "room"), word(cfg, "buyer"), word(cfg, "state"),
		word(cfg, "next"), word(cfg, "left"), word(cfg, "todo"))
	for _, r := range rooms {
		next, left, todo := "-", "-", "-"
		start, end := "", ""
		if r.Next != nil {
			next = localTime(r.Next.Deadline, cfg) + " " + string(r.Next.Kind)
			left, todo = r.TimeLeft, r.Action
			if colour {
				start, end = severityColour[r.Next.Severity], "\033[0m"
			}
		}
		buyer := r.Buyer
		if buyer == "" {
			buyer = "-"
		}
		// Colour codes go inside the last column so tabwriter's widths stay right.
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s%s%s\n", r.Room, buyer, r.State, next, left, start, todo, end)
	}
	tw.Flush()
}

// printNext prints a room's next deadline after an event was recorded.
func printNext(w io.Writer, st control.RoomStatus, cfg *config.Config) {
	if st.Next == nil {
		fmt.Fprintf(w, "%s: %s\n", st.Room, word(cfg, "nonext"))
		return
	}
	fmt.Fprintf(w, "%s: "+word(cfg, "nextis")+"\n", st.Room, st.Next.Kind, localTime(st.Next.Deadline, cfg), st.TimeLeft)
}

// printHistory prints a room's events and the alerts sent for it.
func printHistory(w io.Writer, h control.History, cfg *config.Config) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s %s\n", word(cfg, "events"), h.Room)
	if len(h.Events) == 0 {
		fmt.Fprintf(tw, "  %s\n", word(cfg, "none"))
	}
	for _, e := range h.Events {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", localTime(e.At, cfg), e.Event, e.Source)
	}
	fmt.Fprintf(tw, "\n%s\n", word(cfg, "alerts"))
	if len(h.Alerts) == 0 {
		fmt.Fprintf(tw, "  %s\n", word(cfg, "none"))
	}
	for _, a := range h.Alerts {
		state := a.State
		if a.Late {
			state += " (late)"
		}
		via := ""
		for _, name := range slices.Sorted(maps.Keys(a.Results)) {
			via += " " + name + "=" + a.Results[name]
		}
		if a.Reason != "" {
			via += " " + a.Reason
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", localTime(a.At, cfg), a.Kind, a.Step, a.Severity, state, strings.TrimSpace(via))
	}
	tw.Flush()
}

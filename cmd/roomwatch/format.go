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

	"github.com/mattn/go-runewidth"
	"golang.org/x/term"

	core "github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

// cliWords are the headers and labels of the terminal output in the
// configured language.
func cliWords(cfg *config.Config) *message.CLIWords {
	return &message.For(cfg.Language).CLI
}

// localTime is a moment in the configured zone, to the minute.
func localTime(t time.Time, cfg *config.Config) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(cfg.Timezone).Format("2006-01-02 15:04")
}

// severityMark leads a severity in a table, so the most pressing rows
// stand out without colour too.
var severityMark = map[rules.Severity]string{
	rules.Critical: "!!",
	rules.Warning:  "! ",
	rules.Info:     "- ",
}

// printPlan prints the steps in time order, one line a step, each line whole
// (grep finds a room's steps with their dates).
// Dates show their year only when it is not the year of now.
func printPlan(w io.Writer, steps []core.PlanStep, cfg *config.Config, now time.Time, tty terminal) {
	if len(steps) == 0 {
		fmt.Fprintln(w, cliWords(cfg).Nothing)
		return
	}
	lang := cfg.Language
	t := table{columns: []column{
		{header: cliWords(cfg).At},
		{header: cliWords(cfg).Severity},
		{header: cliWords(cfg).Room},
		{header: cliWords(cfg).Title, max: 30, min: 8},
		{header: cliWords(cfg).Alert},
		{header: cliWords(cfg).Step},
		{header: cliWords(cfg).Deadline},
	}}
	for _, s := range steps {
		step := message.StepLabel(s.Step, lang)
		if !s.HeldFrom.IsZero() {
			step += fmt.Sprintf(cliWords(cfg).Held, s.HeldFrom.In(cfg.Timezone).Format("15:04"))
		}
		t.add(
			cell{text: message.Stamp(s.At, now, lang, cfg.Timezone)},
			cell{text: severityMark[s.Severity] + " " + message.SeverityLabel(s.Severity, lang), colour: severityColour[s.Severity]},
			cell{text: s.Room},
			cell{text: orDash(s.Title)},
			cell{text: message.KindLabel(s.Kind, lang)},
			cell{text: step},
			cell{text: message.Stamp(s.Deadline, now, lang, cfg.Timezone)},
		)
	}
	t.write(w, tty)
}

// ANSI colours by severity.
var severityColour = map[rules.Severity]string{
	rules.Critical: "\033[1;31m",
	rules.Warning:  "\033[33m",
	rules.Info:     "\033[36m",
}

const colourReset = "\033[0m"

// terminal is what the output's destination allows: colour, and the width
// a table must fit (0: no limit, as for a pipe or a file).
type terminal struct {
	colour bool
	width  int
}

// terminalOf inspects w: colour and a width only for a terminal (a
// character device such as /dev/null is not one), and no colour when
// NO_COLOR is set to anything (https://no-color.org) or TERM is dumb.
func terminalOf(w io.Writer) terminal {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return terminal{}
	}
	t := terminal{colour: os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"}
	if width, _, err := term.GetSize(int(f.Fd())); err == nil && width > 0 {
		t.width = width
	}
	return t
}

// printStatus prints one row a room, in the order the service gives (the
// most urgent first), each with its most urgent alert.
func printStatus(w io.Writer, rooms []core.RoomStatus, cfg *config.Config, now time.Time, tty terminal) {
	if len(rooms) == 0 {
		fmt.Fprintln(w, cliWords(cfg).NoRoom)
		return
	}
	lang := cfg.Language
	t := table{columns: []column{
		{header: cliWords(cfg).Room},
		{header: cliWords(cfg).Title, max: 30, min: 8},
		{header: cliWords(cfg).Buyer, max: 16, min: 6},
		{header: cliWords(cfg).State},
		{header: cliWords(cfg).Deadline},
		{header: cliWords(cfg).Left},
		{header: cliWords(cfg).ToDo, min: 14, lastResort: true},
	}}
	for _, r := range rooms {
		deadline, left, todo := cell{text: "-"}, cell{text: "-"}, cell{text: "-"}
		if r.Next != nil {
			colour := severityColour[r.Next.SeverityAt(now)]
			deadline = cell{text: message.Stamp(r.Next.Deadline, now, lang, cfg.Timezone), colour: colour}
			left = cell{text: r.TimeLeft, colour: colour}
			todo = cell{text: r.Action, colour: colour}
		}
		state := message.StateLabel(r.State, lang)
		if !r.ClosedAutomatically.IsZero() {
			state = message.ClosedAutomaticallyLabel(lang)
		}
		t.add(cell{text: r.Room}, cell{text: orDash(r.Title)}, cell{text: orDash(r.Buyer)},
			cell{text: state}, deadline, left, todo)
	}
	t.write(w, tty)
}

// orDash is s on one line, or "-" for nothing.
func orDash(s string) string {
	if s = strings.TrimSpace(message.OneLine(s)); s == "" {
		return "-"
	}
	return s
}

// printNext prints a room's most urgent alert after an event was recorded.
func printNext(w io.Writer, st core.RoomStatus, cfg *config.Config) {
	if st.Next == nil {
		fmt.Fprintf(w, "%s: %s\n", st.Room, cliWords(cfg).NoNext)
		return
	}
	fmt.Fprintf(w, "%s: "+cliWords(cfg).NextIs+"\n", st.Room, message.KindLabel(st.Next.Kind, cfg.Language),
		message.Stamp(st.Next.Deadline, time.Now(), cfg.Language, cfg.Timezone), st.TimeLeft)
}

// printHistory prints a room's events and the alerts sent for it.
func printHistory(w io.Writer, h core.History, cfg *config.Config) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	printPruned(w, h.Pruned, cfg)
	fmt.Fprintf(tw, "%s %s\n", cliWords(cfg).Events, h.Room)
	if len(h.Events) == 0 {
		fmt.Fprintf(tw, "  %s\n", cliWords(cfg).None)
	}
	for _, e := range h.Events {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", localTime(e.At, cfg), e.Event, e.Source)
	}
	fmt.Fprintf(tw, "\n%s\n", cliWords(cfg).Alerts)
	if len(h.Alerts) == 0 {
		fmt.Fprintf(tw, "  %s\n", cliWords(cfg).None)
	}
	for _, a := range h.Alerts {
		state := a.State
		if a.Late {
			state += cliWords(cfg).Late
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
	printRecordLines(w, h.BuyerRecord, cfg.Language)
}

// cells measures text in terminal columns: a kanji or kana takes two, so
// counting runes (or bytes, as text/tabwriter does) misaligns Japanese.
// Ambiguous-width runes (…, ①, ★) count one column, as tmux and most
// terminals draw them; RUNEWIDTH_EASTASIAN=1 counts them two for a
// terminal set to draw them wide.
var cells = &runewidth.Condition{EastAsianWidth: os.Getenv("RUNEWIDTH_EASTASIAN") == "1", StrictEmojiNeutral: true}

// column is one column of a table.
type column struct {
	header string
	// max cuts longer text (with "…") to this many terminal columns; 0 never.
	max int
	// min lets the column shrink down to this width when the table would
	// be wider than the terminal; 0 never shrinks it.
	min int
	// lastResort columns shrink only once every other column is at its min:
	// what to do matters more than a long title.
	lastResort bool
}

// cell is one value of a table, with an optional ANSI colour.
type cell struct {
	text   string
	colour string
}

// table lines its columns up by terminal width, not by runes or bytes.
type table struct {
	columns []column
	rows    [][]cell
}

const columnGap = 2

func (t *table) add(cs ...cell) { t.rows = append(t.rows, cs) }

func (t *table) hasHeader() bool {
	for _, c := range t.columns {
		if c.header != "" {
			return true
		}
	}
	return false
}

// widths is each column's width: the widest value (header included),
// capped by max; then, while the table is wider than the terminal, the
// widest column that may shrink gives up one column at a time.
func (t *table) widths(termWidth int) []int {
	w := make([]int, len(t.columns))
	for i, c := range t.columns {
		w[i] = cells.StringWidth(c.header)
	}
	for _, r := range t.rows {
		for i, c := range r {
			w[i] = max(w[i], cells.StringWidth(c.text))
		}
	}
	for i, c := range t.columns {
		if c.max > 0 && w[i] > c.max {
			w[i] = c.max
		}
	}
	if termWidth <= 0 {
		return w
	}
	total := columnGap * (len(w) - 1)
	for _, n := range w {
		total += n
	}
	for ; total > termWidth; total-- {
		widest := -1
		for _, lastResort := range []bool{false, true} {
			for i, c := range t.columns {
				if c.lastResort == lastResort && c.min > 0 && w[i] > c.min && (widest < 0 || w[i] > w[widest]) {
					widest = i
				}
			}
			if widest >= 0 {
				break
			}
		}
		if widest < 0 {
			break // as narrow as it goes: the terminal wraps the rest
		}
		w[widest]--
	}
	return w
}

// write prints the table: every cell cut to its column's width and padded
// with spaces to it, colour codes outside the measured text.
func (t *table) write(out io.Writer, tty terminal) {
	w := t.widths(tty.width)
	var b strings.Builder
	line := func(cs []cell) {
		var l strings.Builder
		for i, c := range cs {
			text := cells.Truncate(c.text, w[i], "…")
			if tty.colour && c.colour != "" && text != "" {
				l.WriteString(c.colour + text + colourReset)
			} else {
				l.WriteString(text)
			}
			if i < len(cs)-1 {
				l.WriteString(strings.Repeat(" ", w[i]-cells.StringWidth(text)+columnGap))
			}
		}
		// Empty trailing cells leave only padding behind.
		b.WriteString(strings.TrimRight(l.String(), " "))
		b.WriteByte('\n')
	}
	if t.hasHeader() {
		header := make([]cell, len(t.columns))
		for i, c := range t.columns {
			header[i] = cell{text: c.header}
		}
		line(header)
	}
	for _, r := range t.rows {
		line(r)
	}
	io.WriteString(out, b.String())
}

package main

// status and plan: the most urgent first, and tables whose columns line up
// in a terminal with Japanese text.

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/jonboulle/clockwork"
	"github.com/mattn/go-runewidth"

	core "github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// overdueRooms: room 4012399 was due six days ago and its 120-day room limit
// is months away; room 4012300 (a lower ID) has only a check-in ahead.
func overdueRooms(lang string, now time.Time) string {
	return fmt.Sprintf(`timezone: Asia/Tokyo
language: %s
store: roomwatch.db
control:
  socket: roomwatch.sock
rooms:
  - id: "4012300"
    title: Logo
    buyer: sato
    opened: %s
    seller_message: %s
  - id: "4012399"
    title: ブログ記事 5本
    buyer: 田中花子
    opened: %s
    seller_message: %s
    due: %s
`, lang, ts(now.Add(-2*time.Hour)), ts(now.Add(-time.Hour)),
		ts(now.Add(-7*24*time.Hour)), ts(now.Add(-time.Hour)), ts(now.Add(-6*24*time.Hour-time.Hour)))
}

func writeFile(t *testing.T, path, body string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestStatusLeadsWithTheOverdueDelivery(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	cfg := writeFile(t, filepath.Join(shortTempDir(t), "roomwatch.yaml"), overdueRooms("en", now))

	out, code := run(t, "--config", cfg, "status")
	if code != 0 {
		t.Fatalf("status exited %d: %s", code, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("want a header and two rooms:\n%s", out)
	}
	first := lines[1]
	if !strings.HasPrefix(first, "4012399") {
		t.Errorf("the room with the overdue delivery is not first:\n%s", out)
	}
	for _, want := range []string{"overdue by 6d", "Deliver the work"} {
		if !strings.Contains(first, want) {
			t.Errorf("its row does not say %q:\n%s", want, first)
		}
	}
	if strings.Contains(first, "left") || strings.Contains(first, "Wrap up") {
		t.Errorf("its row shows the far room-expiry instead of the overdue delivery:\n%s", first)
	}

	out, code = run(t, "--config", cfg, "status", "--json")
	if code != 0 {
		t.Fatalf("status --json exited %d: %s", code, out)
	}
	var rooms []struct {
		Room     string          `json:"room"`
		Next     *core.AlertView `json:"next"`
		TimeLeft string          `json:"time_left"`
		Action   string          `json:"action"`
		Alerts   []core.AlertView
	}
	if err := json.Unmarshal([]byte(out), &rooms); err != nil || len(rooms) != 2 {
		t.Fatalf("status --json: %v\n%s", err, out)
	}
	r := rooms[0]
	if r.Room != "4012399" || r.Next == nil || r.Next.Kind != "delivery-due" || !r.Next.Overdue {
		t.Fatalf("first room %s, next %+v: want 4012399 with its overdue delivery-due", r.Room, r.Next)
	}
	if !strings.HasPrefix(r.TimeLeft, "overdue by 6d") || r.Action != "Deliver the work" {
		t.Errorf("time_left %q, action %q: the existing fields must follow next", r.TimeLeft, r.Action)
	}
	// Every live alert, the most urgent first, each with its own time and action.
	kinds := map[string]core.AlertView{}
	for _, a := range r.Alerts {
		kinds[string(a.Kind)] = a
		if a.TimeLeft == "" || a.Action == "" || a.Deadline.IsZero() || a.Severity == "" {
			t.Errorf("alert %+v lacks a field", a)
		}
	}
	if len(r.Alerts) < 3 || r.Alerts[0].Kind != "delivery-due" {
		t.Errorf("alerts are not led by the overdue delivery: %+v", r.Alerts)
	}
	if exp, ok := kinds["room-expiry"]; !ok || exp.Overdue || !strings.HasSuffix(exp.TimeLeft, "left") {
		t.Errorf("room-expiry missing or wrong: %+v", exp)
	}
	if ci, ok := kinds["check-in"]; !ok || ci.Overdue {
		t.Errorf("check-in missing or marked overdue: %+v", ci)
	}

	// The same in Japanese: 「6日…超過」.
	writeFile(t, cfg, overdueRooms("ja", now))
	out, _ = run(t, "--config", cfg, "status")
	lines = strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[1], "4012399") || !regexp.MustCompile(`6日(\d+時間)?超過`).MatchString(lines[1]) ||
		!strings.Contains(lines[1], "納品する") || !strings.Contains(lines[1], "進行中") {
		t.Errorf("ja status does not lead with the overdue delivery:\n%s", out)
	}
}

// goldenNow is the instant of the golden tables: 2026-11-25 09:00 in Tokyo.
var goldenNow = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// goldenRooms has Japanese titles and buyer names of every width, a title
// too long for its column, ASCII ones, and rooms in every state.
const goldenRooms = `timezone: Asia/Tokyo
language: ja
store: roomwatch.db
rooms:
  - id: "4012345"
    title: ブログ記事 5本
    buyer: 田中花子
    opened: 2026-11-10 10:00
    seller_message: 2026-11-24 12:00
    due: 2026-11-18
  - id: "4012346"
    title: ロゴデザイン（名刺用・商用利用あり）とても長いタイトルです
    buyer: 鈴木一郎
    opened: 2026-11-20 10:00
    seller_message: 2026-11-21 18:00
    buyer_message: 2026-11-22 12:00
  - id: "4012347"
    title: Translation EN→JA
    buyer: sato
    opened: 2026-11-24 20:00
  - id: "4012348"
    title: 翻訳チェック
    buyer: かとう
    opened: 2026-11-10 10:00
    seller_message: 2026-11-20 10:00
    delivered: 2026-11-20 10:00
    closed: 2026-11-23 10:00
    buyer_rated: 2026-11-24 08:00
  - id: "4012349"
    title: 見積り案件
    opened: 2026-11-25 08:00
    seller_message: 2026-11-25 08:30
    via: quote
  - id: "4012350"
    title: ｷｬﾝｾﾙ済み
    buyer: 山本
    opened: 2026-11-15 10:00
    seller_message: 2026-11-15 11:00
    cancelled: 2026-11-24 10:00
  - id: "4012351"
    title: 納品済みの記事
    buyer: mori
    opened: 2026-11-15 10:00
    seller_message: 2026-11-23 10:00
    delivered: 2026-11-23 10:00
`

// goldenService is a Local on the golden rooms with a clock stopped at
// goldenNow.
func goldenService(t *testing.T) (*config.Config, *core.App) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "roomwatch.yaml")
	cfg, err := config.Parse(path, []byte(goldenRooms))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(cfg.Store, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := core.New(core.Options{Config: cfg, Store: st, Clock: clockwork.NewFakeClockAt(goldenNow), Log: slog.New(slog.DiscardHandler)})
	if _, err := e.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	return cfg, e
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		writeFile(t, path, got)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("%s differs:\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestStatusAndPlanGoldenInJapanese(t *testing.T) {
	cfg, svc := goldenService(t)
	ctx := context.Background()
	rooms, err := svc.Status(ctx, core.StatusRequest{Now: goldenNow})
	if err != nil {
		t.Fatal(err)
	}
	steps, err := svc.Plan(ctx, core.PlanRequest{Now: goldenNow, Until: goldenNow.Add(72 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	// No terminal (a pipe: titles cut at 30 columns), a 100-column terminal
	// the tables must fit, and an 80-column one where titles and buyers
	// shrink as far as they go and the terminal wraps the rest.
	for _, c := range []struct{ width, fits int }{{0, 0}, {100, 100}, {80, 0}} {
		tty := terminal{width: c.width}
		var status, plan bytes.Buffer
		printStatus(&status, rooms, cfg, goldenNow, tty)
		printPlan(&plan, steps, cfg, goldenNow, tty)
		golden(t, fmt.Sprintf("status.ja.w%d.golden", c.width), status.String())
		golden(t, fmt.Sprintf("plan.ja.w%d.golden", c.width), plan.String())
		t.Run(fmt.Sprintf("status lines up at width %d", c.width), func(t *testing.T) { checkColumns(t, status.String(), c.fits) })
		t.Run(fmt.Sprintf("plan lines up at width %d", c.width), func(t *testing.T) { checkColumns(t, plan.String(), c.fits) })
	}
}

// terminalWidth measures as a terminal draws: wide kana and kanji take two
// columns, ambiguous runes one (tmux, xterm and VTE by default).
var terminalWidth = &runewidth.Condition{EastAsianWidth: false, StrictEmojiNeutral: true}

// checkColumns fails t with columnProblems.
func checkColumns(t *testing.T, table string, fits int) {
	t.Helper()
	for _, p := range columnProblems(table, fits) {
		t.Error(p)
	}
}

// columnProblems checks every row of a table starts a cell exactly at the
// display column where its header starts, measuring with runewidth, and
// that no line is wider than fits (0: any width). It also checks the table
// needs that: counting runes instead would put some cell elsewhere.
func columnProblems(table string, fits int) []string {
	var problems []string
	lines := strings.Split(strings.TrimSuffix(table, "\n"), "\n")
	header := lines[0]
	// Headers are words without double spaces; columns are at least two apart.
	var starts, runeStarts []int
	for _, m := range regexp.MustCompile(`\S+( \S+)*`).FindAllStringIndex(header, -1) {
		starts = append(starts, terminalWidth.StringWidth(header[:m[0]]))
		runeStarts = append(runeStarts, len([]rune(header[:m[0]])))
	}
	if len(starts) < 5 {
		return []string{fmt.Sprintf("header %q has %d columns", header, len(starts))}
	}
	runesDiffer := false
	for _, line := range lines[1:] {
		// screen[i] is the rune drawn at display column i; 0 marks the
		// second half of a wide rune.
		var screen []rune
		runeAt := map[int]int{}
		for i, r := range []rune(line) {
			runeAt[len(screen)] = i
			screen = append(screen, r)
			for range terminalWidth.RuneWidth(r) - 1 {
				screen = append(screen, 0)
			}
		}
		if fits > 0 && len(screen) > fits {
			problems = append(problems, fmt.Sprintf("line is %d columns wide, the terminal %d:\n%s", len(screen), fits, line))
		}
		for c, col := range starts {
			if col >= len(screen) {
				if c < len(starts)-1 {
					problems = append(problems, fmt.Sprintf("line ends before column %d (%d):\n%s", c, col, line))
				}
				continue
			}
			if screen[col] == ' ' || screen[col] == 0 || (col > 0 && screen[col-1] != ' ') {
				problems = append(problems, fmt.Sprintf("no cell starts at display column %d (header column %d):\n%s\n%s", col, c, header, line))
			}
			if runeAt[col] != runeStarts[c] {
				runesDiffer = true
			}
		}
	}
	if !runesDiffer {
		problems = append(problems, "every cell starts at the same rune offset as its header: the check would not catch rune counting")
	}
	return problems
}

// The check itself: the same status laid out by text/tabwriter, which
// counts bytes (as the status table did before), or by rune counts, does
// not line up.
func TestColumnCheckCatchesMisalignment(t *testing.T) {
	_, svc := goldenService(t)
	rooms, err := svc.Status(context.Background(), core.StatusRequest{Now: goldenNow})
	if err != nil {
		t.Fatal(err)
	}
	row := func(r core.RoomStatus) []string {
		return []string{r.Room, r.Title, r.Buyer, message.StateLabel(r.State, "ja"), r.TimeLeft, r.Action}
	}
	var tabbed bytes.Buffer
	tw := tabwriter.NewWriter(&tabbed, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ルーム\tタイトル\t購入者\t状態\t残り\tやること")
	for _, r := range rooms {
		fmt.Fprintln(tw, strings.Join(row(r), "\t"))
	}
	tw.Flush()
	if len(columnProblems(tabbed.String(), 0)) == 0 {
		t.Errorf("a tabwriter table passed the check:\n%s", tabbed.String())
	}

	header := []string{"ルーム", "タイトル", "購入者", "状態", "残り", "やること"}
	widths := make([]int, len(header))
	all := [][]string{header}
	for _, r := range rooms {
		all = append(all, row(r))
	}
	for _, cs := range all {
		for i, c := range cs {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var byRunes strings.Builder
	for _, cs := range all {
		for i, c := range cs {
			byRunes.WriteString(c + strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2))
		}
		byRunes.WriteString("\n")
	}
	if len(columnProblems(byRunes.String(), 0)) == 0 {
		t.Errorf("a table aligned by rune counts passed the check:\n%s", byRunes.String())
	}
}

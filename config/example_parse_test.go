package config_test

import (
	"fmt"

	"github.com/roomwatch/roomwatch/config"
)

// Parse reads a roomwatch.yaml: times in the file's timezone, a date alone
// meaning the end of that day, and what the file leaves out from the
// built-in defaults.
func ExampleParse() {
	data := []byte(`
timezone: Asia/Tokyo
language: ja
rooms:
  - id: "4100021"
    title: ロゴ作成
    buyer: tanaka_k
    opened: 2026-11-20 10:00
    due: 2026-11-30
`)
	cfg, err := config.Parse("roomwatch.yaml", data)
	if err != nil {
		fmt.Println(err)
		return
	}
	r := cfg.Rooms[0]
	fmt.Println(cfg.Summary())
	fmt.Println(r.ID, r.Platform, r.Opened.Format("2006-01-02 15:04 MST"), r.Due.Format("2006-01-02 15:04"))
	// Output:
	// 1 room, 1 notifier, timezone Asia/Tokyo
	// 4100021 coconala 2026-11-20 10:00 JST 2026-11-30 23:59
}

// A value check refuses is reported with its place in the file, so the
// seller can find it; the daemon refuses the same file at start and on reload.
func ExampleParse_error() {
	data := []byte(`
timezone: Asia/Tokyo
policy:
  repeat_every: 10m
`)
	_, err := config.Parse("roomwatch.yaml", data)
	fmt.Println(err)
	// Output:
	// roomwatch.yaml:4:17: repeat_for 1d / repeat_every 10m makes 144 repeats per alert; at most 48: lengthen repeat_every or shorten repeat_for
}

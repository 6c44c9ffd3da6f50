package config

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/roomwatch/roomwatch/rules"
)

// Limits on what a file may ask for. Past them a value either makes no sense
// for a seller or costs the daemon work without bound, so the file is
// refused — at check, at start and on reload alike.
const (
	// DefaultMaxRooms bounds the rooms of one YAML file; a marketplace's
	// rooms are imported into the store instead (store.ImportRooms).
	DefaultMaxRooms = 100_000
	// MaxRoomIDBytes bounds a room ID: it is part of every store key.
	MaxRoomIDBytes = 128
	// MaxTextChars bounds a room's title and buyer name, in characters:
	// they go into every message about the room.
	MaxTextChars = 500
	// MaxRepeats bounds the repeats of one alert (repeat_for / repeat_every):
	// 48 is every 30 minutes for a day.
	MaxRepeats = 48
	// MaxWarnings bounds warn_before: each is one more message per alert.
	MaxWarnings = 10
	// FutureTolerance is how far past now a room's event may lie in the
	// file: a time typed by hand is often rounded up a little, while a typo
	// in the year, month or day is off by a day or more. (Events recorded
	// through the CLI or the API allow less, control.FutureSlack, since
	// there the time is a clock's.)
	FutureTolerance = time.Hour
)

// Options are what a load checks the file against besides the file itself.
// The daemon reloads with the options it started with (Config.Options).
type Options struct {
	// Now is the moment the file is checked at: a room event later than
	// Now + FutureTolerance is refused. It comes from the caller's clock so
	// a check is exact in tests. Zero skips that one check (tools and tests
	// reading fixed files).
	Now time.Time
	// MaxRooms bounds the rooms in the file; 0 means DefaultMaxRooms.
	MaxRooms int
}

func (o Options) maxRooms() int {
	if o.MaxRooms <= 0 {
		return DefaultMaxRooms
	}
	return o.MaxRooms
}

// durationRule is what one duration key accepts.
type durationRule struct {
	// floor is the shortest value that makes sense for the key.
	floor time.Duration
	// aboveFloor refuses the floor itself too (room_limit: more than 7 days).
	aboveFloor bool
	// why explains the floor in the message; empty for the plain floor.
	why string
	// noneOK lets "none" (or a zero such as 0s) switch the rule off.
	noneOK bool
}

// A minute is the useful floor of every rule and policy duration: timers
// fire to the second, but the sweep that catches missed steps runs every
// minute, and nothing a seller does is measured in seconds.
var (
	ruleDuration = durationRule{floor: time.Minute, noneOK: true}
	// room-expiry warns 7 days before the platform closes the room, so a
	// shorter limit would warn before the room opened.
	roomLimitDuration = durationRule{
		floor: 7 * 24 * time.Hour, aboveFloor: true, noneOK: true,
		why: "room-expiry warns 7 days before the room closes",
	}
	// A send needs a time limit, and less than a second fails every send.
	timeoutDuration = durationRule{floor: time.Second}
	// A critical alert needs some time on its first notifier before the
	// next one gets it too.
	failoverDuration = durationRule{floor: time.Second, why: "a critical alert needs some time on its first notifier"}
)

const (
	noneHint      = ", or none to switch it off"
	noneableForms = `use Go units (90m, 72h, 1h30m), days (90d, 1d12h) or none to switch it off`
)

// duration reads a duration key under rule. 0 means none (the rule is off),
// which only keys with noneOK accept.
func (p *parser) duration(e entry, rule durationRule) (time.Duration, bool) {
	s, ok := p.text(e)
	if !ok {
		return 0, false
	}
	hint := ""
	if rule.noneOK {
		hint = noneHint
	}
	if strings.EqualFold(strings.TrimSpace(s), "none") {
		if !rule.noneOK {
			p.errorf(e.val, "%s cannot be none: use a duration of at least %s", e.key, formatDuration(rule.floor))
			return 0, false
		}
		return 0, true
	}
	d, err := parseDuration(strings.TrimSpace(s))
	if err != nil {
		forms := durationForms
		if rule.noneOK {
			forms = noneableForms
		}
		p.errorf(e.val, "%s: bad duration %q: %s", e.key, s, forms)
		return 0, false
	}
	switch {
	case d < 0:
		p.errorf(e.val, "%s: %q is negative", e.key, s)
		return 0, false
	case d == 0 && rule.noneOK:
		return 0, true
	case d < rule.floor, d == rule.floor && rule.aboveFloor:
		bound := "at least"
		if rule.aboveFloor {
			bound = "longer than"
		}
		why := ""
		if rule.why != "" {
			why = " (" + rule.why + ")"
		}
		p.errorf(e.val, "%s: %s is too short: use %s %s%s%s", e.key, s, bound, formatDuration(rule.floor), why, hint)
		return 0, false
	}
	return d, true
}

// formatDuration writes a limit the way the file would: 7d, 1m, 1s.
func formatDuration(d time.Duration) string {
	const day = 24 * time.Hour
	if d >= day && d%day == 0 {
		return fmt.Sprintf("%dd", d/day)
	}
	s := d.String() // "24h30m0s", "1m0s", "1s"
	if strings.HasSuffix(s, "h0m0s") {
		return strings.TrimSuffix(s, "0m0s")
	}
	if strings.HasSuffix(s, "m0s") {
		return strings.TrimSuffix(s, "0s")
	}
	return s
}

// checkRepeats refuses a policy whose repeats per alert exceed MaxRepeats,
// pointing at repeat_for (or repeat_every when only that is written).
func (p *parser) checkRepeats(f fields, pol rules.Policy) {
	n := rules.RepeatCount(pol)
	if n <= MaxRepeats {
		return
	}
	at, ok := f.get("repeat_for")
	if !ok {
		at, ok = f.get("repeat_every")
	}
	if !ok {
		return // the defaults are within the bound
	}
	p.errorf(at.val, "repeat_for %s / repeat_every %s makes %d repeats per alert; at most %d: lengthen repeat_every or shorten repeat_for",
		formatDuration(pol.RepeatFor), formatDuration(pol.RepeatEvery), n, MaxRepeats)
}

// roomTextProblem says what is wrong with a room ID, title or buyer name too
// long for store keys and messages, or "" when it is fine. Parse and AddRoom
// share it.
func roomTextProblem(key, value string) string {
	switch key {
	case "id":
		if len(value) > MaxRoomIDBytes {
			return fmt.Sprintf("room ID is %d bytes long; at most %d", len(value), MaxRoomIDBytes)
		}
	case "title", "buyer":
		if n := utf8.RuneCountInString(value); n > MaxTextChars {
			return fmt.Sprintf("%s is %d characters long; at most %d", key, n, MaxTextChars)
		}
	}
	return ""
}

// tooManyRooms reports a rooms list longer than the limit at its first room
// past the limit, and says where such numbers of rooms belong.
func (p *parser) tooManyRooms(list *yaml.Node) bool {
	limit := p.opt.maxRooms()
	if len(list.Content) <= limit {
		return false
	}
	p.errorf(list.Content[limit], "%d rooms in the file; at most %d (--max-rooms): raise the limit, or import a marketplace's rooms into the store instead of listing them here",
		len(list.Content), limit)
	return true
}

package rules

import (
	"maps"
	"strconv"
	"sync/atomic"
	"time"
)

// FormatDuration writes d compactly for step names: 24h, 1h30m, 45m, 30s.
// Hours never become days, so a name says the figure the config says.
func FormatDuration(d time.Duration) string {
	var buf [32]byte
	return string(appendDuration(buf[:0], d))
}

func appendDuration(b []byte, d time.Duration) []byte {
	if d == 0 {
		return append(b, "0s"...)
	}
	if d%time.Second != 0 {
		return append(b, d.String()...)
	}
	if d < 0 {
		b = append(b, '-')
		d = -d
	}
	for _, unit := range [...]struct {
		size   time.Duration
		suffix byte
	}{{time.Hour, 'h'}, {time.Minute, 'm'}, {time.Second, 's'}} {
		if n := d / unit.size; n > 0 {
			b = strconv.AppendInt(b, int64(n), 10)
			b = append(b, unit.suffix)
			d -= n * unit.size
		}
	}
	return b
}

// Step names are interned: Plan runs for every room at start, and a million
// rooms share a handful of names.

var repeatNames = func() (names [64]string) {
	for i := 1; i < len(names); i++ {
		names[i] = "repeat-" + strconv.Itoa(i)
	}
	return names
}()

func repeatName(i int) string {
	if i > 0 && i < len(repeatNames) {
		return repeatNames[i]
	}
	return "repeat-" + strconv.Itoa(i)
}

// warnNames maps a warn_before duration to its step name. It is replaced,
// never modified, so readers need no lock.
var warnNames atomic.Pointer[map[time.Duration]string]

// maxWarnNames bounds the table; configs name a few durations.
const maxWarnNames = 64

func warnName(d time.Duration) string {
	old := warnNames.Load()
	if old != nil {
		if name, ok := (*old)[d]; ok {
			return name
		}
	}
	var buf [40]byte
	name := string(appendDuration(append(buf[:0], "warn-"...), d))
	if old == nil || len(*old) < maxWarnNames {
		next := map[time.Duration]string{d: name}
		if old != nil {
			maps.Copy(next, *old)
		}
		// Losing the race to another writer only means interning later.
		warnNames.CompareAndSwap(old, &next)
	}
	return name
}

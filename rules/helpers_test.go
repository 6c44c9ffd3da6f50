package rules

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var tokyo = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		panic(err)
	}
	return loc
}()

// jst is a wall-clock time in Tokyo, the zone of every timeline below.
func jst(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, tokyo)
}

// opened is the room every timeline starts from: a Coconala order opened on
// 2026-11-20 10:00 and seen by roomwatch at that moment.
var opened = jst(2026, 11, 20, 10, 0)

func baseRoom() Room {
	return Room{ID: "4012345", Title: "ブログ記事 5本", Buyer: "tanaka", Opened: opened, Seen: opened}
}

func tokyoPolicy() Policy {
	p := DefaultPolicy()
	p.Location = tokyo
	return p
}

func envFor(profile string) Env {
	return Env{Profile: Profiles[profile], Policy: tokyoPolicy()}
}

func show(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(tokyo).Format("2006-01-02 15:04")
}

// describeAlert renders an alert as one line, so a table can list a room's
// whole set of alerts and a failure shows what differs.
func describeAlert(a Alert) string {
	s := fmt.Sprintf("%s %s due=%s known=%s", a.Kind, a.Severity, show(a.Deadline), show(a.Known))
	if !a.Related.IsZero() {
		s += " related=" + show(a.Related)
	}
	if len(a.Others) > 0 {
		s += " others=" + strings.Join(a.Others, ",")
	}
	return s
}

func describeAlerts(alerts []Alert) []string {
	out := make([]string, len(alerts))
	for i, a := range alerts {
		out[i] = describeAlert(a)
	}
	return out
}

// describeStep renders a step as kind/name@SendAt, with At when a hold moved it.
func describeStep(s Step) string {
	out := fmt.Sprintf("%s/%s@%s", s.Kind, s.Name, show(s.SendAt))
	if !s.At.Equal(s.SendAt) {
		out += " (at " + show(s.At) + ")"
	}
	return out
}

func describeSteps(steps []Step) []string {
	out := make([]string, len(steps))
	for i, s := range steps {
		out[i] = describeStep(s)
	}
	return out
}

func kindsOf(alerts []Alert) []Kind {
	out := make([]Kind, len(alerts))
	for i, a := range alerts {
		out[i] = a.Kind
	}
	return out
}

func assertLines(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

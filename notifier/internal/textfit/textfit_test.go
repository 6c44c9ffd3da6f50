package textfit

import (
	"strings"
	"testing"
)

func runes(s string) []string {
	var out []string
	for _, r := range s {
		piece := string(r)
		if r == '&' {
			piece = "&amp;"
		}
		out = append(out, piece)
	}
	return out
}

func TestFitKeepsWholeTextThatFits(t *testing.T) {
	if got := Fit(runes("a&b"), 7, false); got != "a&amp;b" {
		t.Errorf("got %q", got)
	}
}

func TestFitCutsAtTheEndOrInTheMiddle(t *testing.T) {
	text := "ロゴデザイン & 名刺 (4012345)"
	head := Fit(runes(text), 10, false)
	if !strings.HasSuffix(head, Ellipsis) || Units(head) > 10 || !strings.HasPrefix(head, "ロゴデザイン") {
		t.Errorf("head cut %q (%d units)", head, Units(head))
	}
	mid := Fit(runes(text), 16, true)
	if !strings.Contains(mid, Ellipsis) || Units(mid) > 16 || !strings.HasSuffix(mid, "5)") {
		t.Errorf("middle cut %q (%d units)", mid, Units(mid))
	}
	if strings.Contains(Fit(runes("&&&&&&&&"), 8, true), "&am…") {
		t.Error("an escape was cut in two")
	}
	if got := Fit(runes("abc"), 0, true); got != "" {
		t.Errorf("limit 0 gave %q", got)
	}
}

func TestUnitsCountsOutsideTheBasicPlaneTwice(t *testing.T) {
	if n := Units("a🙂名"); n != 4 {
		t.Errorf("Units = %d, want 4", n)
	}
}

func TestFitLinesShortensOnlyTheLongest(t *testing.T) {
	lines := []string{"期限：11/25 12:00", strings.Repeat("長い", 500), "buyer"}
	out := FitLines(lines, 200, runes, true)
	if out[0] != lines[0] || out[2] != lines[2] {
		t.Errorf("short lines changed: %q", out)
	}
	if joined := strings.Join(out, "\n"); Units(joined) > 200 {
		t.Errorf("%d units, limit 200", Units(joined))
	}
	if FitLines(nil, 10, runes, true) != nil || FitLines(lines, 0, runes, true) != nil {
		t.Error("no lines or no room should give nothing")
	}
}

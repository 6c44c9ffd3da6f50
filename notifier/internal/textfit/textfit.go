// Package textfit shortens text to a chat service's length limits without
// cutting an escape sequence or a character in two. Each backend brings its
// own escaping (as the escaped pieces of each character); the counting and
// the arithmetic of who gives way are shared here.
package textfit

import (
	"slices"
	"strings"
	"unicode/utf16"
)

// Ellipsis marks where text was cut.
const Ellipsis = "…"

// Pieces splits raw text into its characters, each already escaped as the
// service needs it where it stands, so a cut between two pieces is safe.
type Pieces func(raw string) []string

// Units counts s the way Slack's and Discord's limits are safest counted: in
// UTF-16 code units, so a character outside the basic plane counts twice,
// never less than the service may count it.
func Units(s string) int {
	n := 0
	for _, r := range s {
		n += RuneUnits(r)
	}
	return n
}

// RuneUnits is one rune's share of Units; an invalid rune counts as one.
func RuneUnits(r rune) int {
	if n := utf16.RuneLen(r); n > 0 {
		return n
	}
	return 1
}

// Fit joins the escaped pieces and, when they exceed limit units, shortens
// them with an ellipsis: at the end, or with keepTail in the middle, so the
// head (what to do) and the tail (a room ID a line ends with) both stay.
func Fit(pieces []string, limit int, keepTail bool) string {
	whole := strings.Join(pieces, "")
	if Units(whole) <= limit {
		return whole
	}
	if limit < Units(Ellipsis) {
		return ""
	}
	budget := limit - Units(Ellipsis)
	headBudget := budget
	if keepTail {
		headBudget = budget - budget/3
	}
	var head, tail []string
	used := 0
	for _, p := range pieces {
		if used+Units(p) > headBudget {
			break
		}
		head = append(head, p)
		used += Units(p)
	}
	if !keepTail {
		return strings.TrimRight(strings.Join(head, ""), " ") + Ellipsis
	}
	for i := len(pieces) - 1; i >= len(head); i-- {
		if used+Units(pieces[i]) > budget {
			break
		}
		tail = append(tail, pieces[i])
		used += Units(pieces[i])
	}
	slices.Reverse(tail)
	return strings.Join(head, "") + Ellipsis + strings.Join(tail, "")
}

// FitLines escapes lines so that, joined by newlines, they fit limit units,
// shortening the longest ones to one common cap: short lines (a deadline, a
// buyer) stay whole and only what is too long gives way.
func FitLines(lines []string, limit int, pieces Pieces, keepTail bool) []string {
	if len(lines) == 0 || limit <= 0 {
		return nil
	}
	budget := limit - (len(lines) - 1) // the newlines between them
	split := make([][]string, len(lines))
	sizes := make([]int, len(lines))
	total := 0
	for i, l := range lines {
		split[i] = pieces(l)
		sizes[i] = Units(strings.Join(split[i], ""))
		total += sizes[i]
	}
	out := make([]string, len(lines))
	if total <= budget {
		for i := range lines {
			out[i] = strings.Join(split[i], "")
		}
		return out
	}
	c := evenCap(sizes, budget)
	for i := range lines {
		out[i] = Fit(split[i], c, keepTail)
	}
	return out
}

// evenCap is the largest cap c with sum(min(size, c)) <= budget: every size
// under it stays whole, every one above it is cut to it.
func evenCap(sizes []int, budget int) int {
	sorted := slices.Sorted(slices.Values(sizes))
	c, rest := 0, budget
	for i, s := range sorted {
		share := rest / (len(sorted) - i)
		if s > share {
			c = share
			break
		}
		rest -= s
		c = s
	}
	return max(c, 0)
}

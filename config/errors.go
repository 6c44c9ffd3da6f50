package config

import (
	"fmt"
	"sort"
	"strings"
)

// Error is one problem in a config file, placed where the seller can fix it.
type Error struct {
	File         string
	Line, Column int // 1-based; 0 when the position is unknown
	Msg          string
	// Warning marks a problem that does not refuse the file (Config.Warnings).
	Warning bool
}

// Error formats the problem the way compilers do, so editors can jump to it:
// "file:line:col: message", leaving out the parts that are unknown.
// A warning says so after the position.
func (e Error) Error() string {
	msg := e.Msg
	if e.Warning {
		msg = "warning: " + msg
	}
	switch {
	case e.Line == 0:
		return fmt.Sprintf("%s: %s", e.File, msg)
	case e.Column == 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, msg)
	default:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, msg)
	}
}

// Errors is every problem found in one file. Reporting them all at once
// spares the seller an edit-and-retry loop per typo.
type Errors []Error

// Error puts one problem per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// sorted orders the problems by position and drops repeats, which arise when
// an anchor is merged into several places.
func (es Errors) sorted() Errors {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Line != es[j].Line {
			return es[i].Line < es[j].Line
		}
		return es[i].Column < es[j].Column
	})
	seen := make(map[Error]bool, len(es))
	out := es[:0]
	for _, e := range es {
		if seen[e] {
			continue
		}
		seen[e] = true
		out = append(out, e)
	}
	return out
}

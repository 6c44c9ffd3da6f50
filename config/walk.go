package config

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// parser walks the YAML tree against the schema by hand instead of decoding
// into structs. yaml.v3's KnownFields does collect every unknown field and
// type mismatch into one TypeError, but with a line only and without our
// value rules (durations, times, limits, cross-field checks); walking the
// tree, the seller sees every mistake of the file in one run, each at its
// line and column.
type parser struct {
	file      string // as the caller named it, for messages
	dir       string // the config's folder, for relative paths
	lookupEnv func(string) (string, bool)
	opt       Options
	errs      Errors
	warnings  Errors   // problems that do not refuse the file (Error.Warning)
	inline    []string // keys whose secret is written in the file itself
	// declared holds every notifier name the file defines, broken ones
	// included, so a route to a broken notifier is not a second error.
	declared []string
	// lines is the file's text by line, to place errors inside a block
	// scalar (a message template).
	lines []string
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	e := Error{File: p.file, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	p.errs = append(p.errs, e)
}

// warnf records a problem that does not refuse the file: check prints it and
// the daemon logs it.
func (p *parser) warnf(n *yaml.Node, format string, args ...any) {
	e := Error{File: p.file, Msg: fmt.Sprintf(format, args...), Warning: true}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	p.warnings = append(p.warnings, e)
}

// entry is one key of a mapping with its value.
type entry struct {
	key     string
	keyNode *yaml.Node
	val     *yaml.Node
}

// fields is a checked mapping: known keys only, each once.
type fields struct {
	node    *yaml.Node // for "missing key" messages
	entries []entry
	byKey   map[string]entry
}

func (f fields) get(key string) (entry, bool) {
	e, ok := f.byKey[key]
	return e, ok
}

func resolve(n *yaml.Node) *yaml.Node {
	// yaml.v3 rejects an anchor that contains itself, but a bound keeps a
	// malformed tree from looping here.
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	n = resolve(n)
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

func describe(n *yaml.Node) string {
	switch resolve(n).Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	default:
		return "a single value"
	}
}

// mapping checks that n is a mapping of known keys, each written once, with
// "<<" merges expanded; where names the mapping in messages. known == nil
// accepts any key, for mappings keyed by names (platforms, severities). A
// null or absent node is an empty mapping.
func (p *parser) mapping(n *yaml.Node, where string, known []string) (fields, bool) {
	f := fields{node: n, byKey: map[string]entry{}}
	if isNull(n) {
		return f, true
	}
	m := resolve(n)
	if m.Kind != yaml.MappingNode {
		p.errorf(n, "%s must be a mapping (key: value), not %s", where, describe(n))
		return f, false
	}
	p.collect(m, where, known, &f, map[*yaml.Node]bool{})
	return f, true
}

// collect adds m's keys to f. Keys already in f win: explicit keys are
// collected before the mappings merged into them, as YAML's merge key says.
// visited makes each merged mapping count once, so nested merges stay linear.
func (p *parser) collect(m *yaml.Node, where string, known []string, f *fields, visited map[*yaml.Node]bool) {
	if visited[m] {
		return
	}
	visited[m] = true
	local := map[string]*yaml.Node{}
	var merges []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		rk := resolve(k)
		if rk.Kind != yaml.ScalarNode {
			p.errorf(k, "keys in %s must be plain words, not %s", where, describe(k))
			continue
		}
		if rk.Tag == "!!merge" || (rk.Value == "<<" && rk.Style == 0) {
			merges = append(merges, v)
			continue
		}
		if first, dup := local[rk.Value]; dup {
			p.errorf(k, "duplicate key %q in %s (first at line %d)", rk.Value, where, first.Line)
			continue
		}
		local[rk.Value] = k
		if known != nil && !isKnown(known, rk.Value) {
			p.errorf(k, "unknown key %q in %s%s", rk.Value, where, suggest(rk.Value, known))
			continue
		}
		if _, taken := f.byKey[rk.Value]; taken {
			continue
		}
		e := entry{key: rk.Value, keyNode: k, val: v}
		f.entries = append(f.entries, e)
		f.byKey[e.key] = e
	}
	for _, merge := range merges {
		src := resolve(merge)
		var sources []*yaml.Node
		switch src.Kind {
		case yaml.MappingNode:
			sources = []*yaml.Node{src}
		case yaml.SequenceNode:
			sources = src.Content
		}
		for _, s := range sources {
			if rs := resolve(s); rs.Kind == yaml.MappingNode {
				p.collect(rs, where, known, f, visited)
				continue
			}
			p.errorf(s, "<< in %s must merge a mapping, not %s", where, describe(s))
		}
		if len(sources) == 0 {
			p.errorf(merge, "<< in %s must merge a mapping, not %s", where, describe(merge))
		}
	}
}

// text returns the scalar's value with ${ENV} expanded; null is "". ok is
// false once a problem has been reported.
func (p *parser) text(e entry) (string, bool) {
	v := resolve(e.val)
	if v.Kind != yaml.ScalarNode {
		p.errorf(e.val, "%s must be a single value, not %s", e.key, describe(e.val))
		return "", false
	}
	if v.Tag == "!!null" {
		return "", true
	}
	s, err := expand(v.Value, p.lookupEnv)
	if err != nil {
		p.errorf(e.val, "%s: %v", e.key, err)
		return "", false
	}
	return s, true
}

// items returns a list's elements; a single value is a list of one and
// null an empty list, so "to: me@example.com" works like "to: [me@example.com]".
func items(n *yaml.Node) []*yaml.Node {
	if v := resolve(n); v.Kind == yaml.SequenceNode {
		return v.Content
	}
	if isNull(n) {
		return nil
	}
	return []*yaml.Node{n}
}

// rawText is the scalar as written, before ${ENV} expansion.
func rawText(n *yaml.Node) string {
	if v := resolve(n); v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

// expand replaces ${NAME} with the environment variable NAME; "$${" is a
// literal "${". A lone "$" stays as it is, so prices and regexps survive.
func expand(s string, lookup func(string) (string, bool)) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "$${"):
			b.WriteString("${")
			i += 3
		case strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				return "", fmt.Errorf("unterminated ${ (write $${ for a literal ${)")
			}
			name := s[i+2 : i+2+end]
			if !validEnvName(name) {
				return "", fmt.Errorf("bad environment variable name %q in ${...}", name)
			}
			value, ok := lookup(name)
			if !ok {
				return "", fmt.Errorf("environment variable %q is not set", name)
			}
			b.WriteString(value)
			i += 2 + end + 1
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String(), nil
}

func validEnvName(name string) bool {
	if name == "" {
		return false
	}
	for i, r := range name {
		letter := r == '_' || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z')
		if !letter && (i == 0 || r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// isKnown matches key against the schema's keys; a key ending in "*"
// matches by prefix.
func isKnown(known []string, key string) bool {
	for _, k := range known {
		if k == key || (strings.HasSuffix(k, "*") && strings.HasPrefix(key, strings.TrimSuffix(k, "*"))) {
			return true
		}
	}
	return false
}

// suggest names the closest known key when a typo is likely.
func suggest(key string, known []string) string {
	// Short keys are a letter or two from many others; demand a closer match.
	best, bestDist := "", min(3, len(key)/2+1)
	for _, k := range known {
		if strings.HasSuffix(k, "*") {
			continue
		}
		if d := editDistance(key, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/roomwatch/roomwatch/rules"
)

// topKeys are the top-level sections. "x-…" keys are ignored, as in Compose
// files, to give YAML anchors for "<<" merges a home.
var topKeys = []string{
	"timezone", "language", "store", "platform", "profiles", "policy",
	"notifiers", "routes", "control", "inbox", "rooms", "terms", "messages", "buyers", "x-*",
}

var policyKeys = []string{
	"check_in_every", "cancel_after_buyer_silence", "close_after_buyer_silence",
	"close_after_delivery", "warn_before", "repeat_every", "repeat_for",
	"quiet_hours", "digest_at",
}

// policyDurations are the policy's plain durations. Each may be none (0),
// which switches that habit off: no check-in, may-cancel on the platform's
// condition alone, that closing term unused, no repeats (rules.Plan reads a
// zero policy duration so).
var policyDurations = []struct {
	key   string
	field func(*rules.Policy) *time.Duration
}{
	{"check_in_every", func(p *rules.Policy) *time.Duration { return &p.CheckInEvery }},
	{"cancel_after_buyer_silence", func(p *rules.Policy) *time.Duration { return &p.CancelAfterBuyerSilence }},
	{"close_after_buyer_silence", func(p *rules.Policy) *time.Duration { return &p.CloseAfterBuyerSilence }},
	{"close_after_delivery", func(p *rules.Policy) *time.Duration { return &p.CloseAfterDelivery }},
	{"repeat_every", func(p *rules.Policy) *time.Duration { return &p.RepeatEvery }},
	{"repeat_for", func(p *rules.Policy) *time.Duration { return &p.RepeatFor }},
}

// profileDurations are the overridable clocks of a platform; 0 ("none")
// means the platform has no such rule.
var profileDurations = []struct {
	key   string
	field func(*rules.Profile) *time.Duration
	rule  durationRule
}{
	{"first_message", func(p *rules.Profile) *time.Duration { return &p.FirstMessage }, ruleDuration},
	{"seller_silence_cancel", func(p *rules.Profile) *time.Duration { return &p.SellerSilenceCancel }, ruleDuration},
	{"buyer_unreachable_cancel", func(p *rules.Profile) *time.Duration { return &p.BuyerUnreachableCancel }, ruleDuration},
	{"auto_approval", func(p *rules.Profile) *time.Duration { return &p.AutoApproval }, ruleDuration},
	{"rating_window", func(p *rules.Profile) *time.Duration { return &p.RatingWindow }, ruleDuration},
	{"room_limit", func(p *rules.Profile) *time.Duration { return &p.RoomLimit }, roomLimitDuration},
	{"content_hidden_after_cancel", func(p *rules.Profile) *time.Duration { return &p.ContentHiddenAfterCancel }, ruleDuration},
	{"cancel_request_answer", func(p *rules.Profile) *time.Duration { return &p.CancelRequestAnswer }, ruleDuration},
}

var profileFlags = []struct {
	key   string
	field func(*rules.Profile) *bool
}{
	{"rating_from_close", func(p *rules.Profile) *bool { return &p.RatingFromClose }},
	{"room_limit_from_activity", func(p *rules.Profile) *bool { return &p.RoomLimitFromActivity }},
}

var profileKeys = func() []string {
	var keys []string
	for _, d := range profileDurations {
		keys = append(keys, d.key)
	}
	for _, f := range profileFlags {
		keys = append(keys, f.key)
	}
	return keys
}()

// maxSocketPath is sun_path's size on Linux less the terminating NUL.
const maxSocketPath = 107

// Parse validates data as the config file at path with the default
// Options: no check of events against the clock. Commands and the daemon use
// ParseWith or LoadWith and pass their clock's now.
func Parse(path string, data []byte) (*Config, error) {
	return ParseWith(path, data, Options{})
}

// ParseWith validates data as the config file at path. Relative paths in it
// resolve against path's folder. On any problem it returns Errors holding
// every problem found, warnings included, sorted by position; a file with
// warnings only is accepted and carries them in Config.Warnings.
func ParseWith(path string, data []byte, opt Options) (*Config, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	p := &parser{file: path, dir: filepath.Dir(abs), lookupEnv: os.LookupEnv, opt: opt, lines: strings.Split(string(data), "\n")}
	c := defaults(p.dir)
	c.Path = abs
	c.options = opt
	if root := p.document(data); root != nil {
		p.config(root, c)
	}
	if c.Routes == nil {
		c.Routes = routeAll(c.Notifiers)
	}
	if len(p.errs) > 0 {
		return nil, append(p.errs, p.warnings...).sorted()
	}
	c.Warnings = p.warnings.sorted()
	c.inlineSecrets = p.inline
	return c, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlParserProblems are the messages of yaml.v3's parser stage, which
// reports 0-based line numbers (its scanner stage reports 1-based ones).
var yamlParserProblems = []string{
	"did not find expected <stream-start>",
	"did not find expected <document start>",
	"did not find expected node content",
	"did not find expected '-' indicator",
	"did not find expected key",
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"found undefined tag handle",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found duplicate %TAG directive",
}

// document parses the YAML text and returns its root node, or nil for an
// empty file or a syntax error (which is reported).
func (p *parser) document(data []byte) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if !errors.Is(err, io.EOF) {
			p.syntaxError(err)
		}
		return nil
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		at := &next
		if len(next.Content) > 0 {
			at = next.Content[0]
		}
		p.errorf(at, "a second YAML document: the config is one document, remove the \"---\"")
	case !errors.Is(err, io.EOF):
		p.syntaxError(err)
	}
	if len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return nil
	}
	return doc.Content[0]
}

func (p *parser) syntaxError(err error) {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		if slices.Contains(yamlParserProblems, m[2]) {
			line++
		}
		p.errs = append(p.errs, Error{File: p.file, Line: line, Msg: "YAML syntax: " + m[2]})
		return
	}
	p.errs = append(p.errs, Error{File: p.file, Msg: "YAML syntax: " + strings.TrimPrefix(msg, "yaml: ")})
}

// config fills c from the root mapping. Sections are read in dependency
// order, not file order: rooms need the timezone and the platforms, routes
// need the notifier names.
func (p *parser) config(root *yaml.Node, c *Config) {
	top, ok := p.mapping(root, "the top level", topKeys)
	if !ok {
		return
	}
	if e, ok := top.get("timezone"); ok {
		if s, ok := p.text(e); ok && s != "" {
			if tz, err := time.LoadLocation(s); err != nil {
				p.errorf(e.val, "unknown timezone %q: use an IANA name such as Asia/Tokyo or UTC", s)
			} else {
				c.Timezone = tz
			}
		}
	}
	c.Policy.Location = c.Timezone
	if e, ok := top.get("language"); ok {
		if s, ok := p.text(e); ok && s != "" {
			if s != "ja" && s != "en" {
				p.errorf(e.val, "unknown language %q: use ja or en", s)
			} else {
				c.Language = s
			}
		}
	}
	if e, ok := top.get("profiles"); ok {
		p.profiles(e, c.Profiles)
	}
	p.store(top, c)
	if e, ok := top.get("platform"); ok {
		if s, ok := p.text(e); ok && s != "" {
			if p.knownPlatform(e.val, s, c.Profiles) {
				c.Platform = s
			}
		}
	}
	if e, ok := top.get("policy"); ok {
		p.policy(e, c)
	}
	if e, ok := top.get("notifiers"); ok {
		if notifiers := p.notifiers(e); len(notifiers) > 0 {
			c.Notifiers = notifiers
		}
	}
	if len(p.declared) == 0 {
		p.declared = notifierNames(c.Notifiers)
	}
	c.Routes = routeAll(c.Notifiers)
	if e, ok := top.get("routes"); ok {
		p.routes(e, c)
	}
	if e, ok := top.get("control"); ok {
		p.control(e, c)
	}
	p.publicURLFromActionsURL(c)
	if e, ok := top.get("inbox"); ok {
		p.inbox(e, c)
	}
	if e, ok := top.get("rooms"); ok {
		p.rooms(e, c)
	}
	if e, ok := top.get("terms"); ok {
		p.terms(e, c)
	}
	if e, ok := top.get("messages"); ok {
		p.messages(e, c)
	}
	if e, ok := top.get("buyers"); ok {
		p.buyers(e, c)
	}
	p.compileReplies(c)
}

func (p *parser) knownPlatform(at *yaml.Node, name string, profiles map[string]rules.Profile) bool {
	if _, ok := profiles[name]; ok {
		return true
	}
	known := make([]string, 0, len(profiles))
	for k := range profiles {
		known = append(known, k)
	}
	sort.Strings(known)
	p.errorf(at, "unknown platform %q: use one of %s", name, strings.Join(known, ", "))
	return false
}

// path makes a path from the file absolute, against the file's folder.
func (p *parser) path(s string) string {
	if filepath.IsAbs(s) {
		return filepath.Clean(s)
	}
	return filepath.Join(p.dir, s)
}

func (p *parser) profiles(e entry, profiles map[string]rules.Profile) {
	// Any key is accepted here so that a wrong one is reported as an unknown
	// platform, with the list of known ones.
	platforms, _ := p.mapping(e.val, "profiles", nil)
	for _, pe := range platforms.entries {
		if !p.knownPlatform(pe.keyNode, pe.key, profiles) {
			continue
		}
		profile := profiles[pe.key]
		f, ok := p.mapping(pe.val, "profiles."+pe.key, profileKeys)
		if !ok {
			continue
		}
		for _, d := range profileDurations {
			if de, ok := f.get(d.key); ok {
				if v, ok := p.duration(de, d.rule); ok {
					*d.field(&profile) = v
				}
			}
		}
		for _, flag := range profileFlags {
			if fe, ok := f.get(flag.key); ok {
				if v, ok := p.boolean(fe); ok {
					*flag.field(&profile) = v
				}
			}
		}
		profiles[pe.key] = profile
	}
}

func (p *parser) boolean(e entry) (bool, bool) {
	s, ok := p.text(e)
	if !ok {
		return false, false
	}
	switch s {
	case "true":
		return true, true
	case "false", "":
		return false, true
	}
	p.errorf(e.val, "%s: %q is not true or false", e.key, s)
	return false, false
}

func (p *parser) policy(e entry, c *Config) {
	f, ok := p.mapping(e.val, "policy", policyKeys)
	if !ok {
		return
	}
	for _, d := range policyDurations {
		de, ok := f.get(d.key)
		if !ok {
			continue
		}
		if v, ok := p.duration(de, ruleDuration); ok {
			*d.field(&c.Policy) = v
		}
	}
	p.checkRepeats(f, c.Policy)
	if we, ok := f.get("warn_before"); ok {
		if warn, ok := p.warnBefore(we); ok {
			c.Policy.WarnBefore = warn
		}
	}
	if qe, ok := f.get("quiet_hours"); ok {
		if s, ok := p.text(qe); ok {
			c.Policy.QuietHours = rules.QuietHours{}
			if s != "" && !strings.EqualFold(s, "none") {
				start, end, err := parseWindow(s)
				if err != nil {
					p.errorf(qe.val, "quiet_hours: %v", err)
				} else {
					c.Policy.QuietHours = rules.QuietHours{Start: start, End: end}
				}
			}
		}
	}
	if de, ok := f.get("digest_at"); ok {
		if s, ok := p.text(de); ok {
			c.DigestAt = DigestOff
			if s != "" && !strings.EqualFold(s, "none") {
				at, err := parseClock(s)
				if err != nil {
					p.errorf(de.val, "digest_at: %v", err)
				} else {
					c.DigestAt = at
				}
			}
		}
	}
}

// warnBefore reads the warning offsets, largest first without repeats, the
// order rules.Plan expects. none (or []) means no warnings.
func (p *parser) warnBefore(e entry) ([]time.Duration, bool) {
	warn := []time.Duration{}
	if v := resolve(e.val); v.Kind == yaml.ScalarNode && strings.EqualFold(strings.TrimSpace(v.Value), "none") {
		return warn, true
	}
	list := items(e.val)
	if len(list) > MaxWarnings {
		p.errorf(e.val, "warn_before has %d warnings; at most %d", len(list), MaxWarnings)
		return nil, false
	}
	good := true
	for _, item := range list {
		d, ok := p.duration(entry{key: e.key, keyNode: e.keyNode, val: item}, ruleDuration)
		if ok && d == 0 {
			p.errorf(item, "warn_before: %s is not a warning; for no warnings write warn_before: none", rawText(item))
			ok = false
		}
		if !ok {
			good = false
			continue
		}
		if !slices.Contains(warn, d) {
			warn = append(warn, d)
		}
	}
	slices.Sort(warn)
	slices.Reverse(warn)
	return warn, good
}

func (p *parser) routes(e entry, c *Config) {
	f, ok := p.mapping(e.val, "routes", nil)
	if !ok {
		return
	}
	for _, re := range f.entries {
		if re.key == "failover_after" {
			if d, ok := p.duration(entry{key: "routes.failover_after", keyNode: re.keyNode, val: re.val}, failoverDuration); ok {
				c.FailoverAfter = d
			}
			continue
		}
		severity := rules.Severity(re.key)
		if !slices.Contains(severities, severity) {
			p.errorf(re.keyNode, "unknown severity %q in routes: use critical, warning or info", re.key)
			continue
		}
		names := []string{}
		for _, item := range items(re.val) {
			name, ok := p.text(entry{key: "routes." + re.key, keyNode: re.keyNode, val: item})
			if !ok {
				continue
			}
			switch {
			case name == "":
				p.errorf(item, "routes.%s: empty notifier name", re.key)
			case slices.Contains(names, name):
				p.errorf(item, "routes.%s names notifier %q twice", re.key, name)
			default:
				if !slices.Contains(p.declared, name) {
					p.errorf(item, "routes.%s names notifier %q, which is not defined (notifiers: %s)",
						re.key, name, strings.Join(p.declared, ", "))
					continue
				}
				names = append(names, name)
			}
		}
		c.Routes[severity] = names
	}
}

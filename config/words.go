package config

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

// The seller's words: the terms block (`terms:`), the ready-to-send
// templates (`messages:`) and private notes on buyers (`buyers:`).

var termsKeys = []string{"lines", "off", "on", "max_chars"}

var buyerKeys = []string{"note", "decline", "platform"}

// Buyer is the seller's private record of one buyer (`buyers:`).
type Buyer struct {
	Name     string
	Platform string // empty: the buyer of that name on any platform
	Note     string
	// Decline says the seller takes no more orders from this buyer: a new
	// room of theirs raises a warning at once.
	Decline bool
}

// BuyerOf returns the seller's note on the buyer of room, matched by name
// and platform (a note without a platform matches every platform).
func (c *Config) BuyerOf(room rules.Room) (Buyer, bool) {
	platform := room.Platform
	if platform == "" {
		platform = c.Platform
	}
	for _, b := range c.Buyers {
		if b.Name == room.Buyer && (b.Platform == "" || b.Platform == platform) {
			return b, true
		}
	}
	return Buyer{}, false
}

// TermsFor is the seller's terms block in lang for a platform ("" the
// default one), from the effective policy and the `terms:` section.
func (c *Config) TermsFor(lang, platform string) string {
	if platform == "" {
		platform = c.Platform
	}
	return message.Terms(c.Policy, c.Profiles[platform], c.Terms, lang)
}

func (p *parser) terms(e entry, c *Config) {
	f, ok := p.mapping(e.val, "terms", termsKeys)
	if !ok {
		return
	}
	if le, ok := f.get("lines"); ok {
		for _, item := range items(le.val) {
			if s, ok := p.text(entry{key: "terms.lines", keyNode: le.keyNode, val: item}); ok && strings.TrimSpace(s) != "" {
				c.Terms.Own = append(c.Terms.Own, s)
			}
		}
	}
	for _, key := range []string{"off", "on"} {
		le, ok := f.get(key)
		if !ok {
			continue
		}
		for _, item := range items(le.val) {
			s, ok := p.text(entry{key: "terms." + key, keyNode: le.keyNode, val: item})
			if !ok {
				continue
			}
			line := message.TermsLine(s)
			switch {
			case !line.Valid():
				names := make([]string, len(message.TermsLines))
				for i, l := range message.TermsLines {
					names[i] = string(l)
				}
				p.errorf(item, "terms.%s: unknown line %q: use one of %s", key, s, strings.Join(names, ", "))
			case key == "on" && !line.Optional():
				p.errorf(item, "terms.on: %q is on already; only no_cancel_after_delivery and review_within_window are off until turned on", s)
			case key == "off":
				c.Terms.Off = append(c.Terms.Off, line)
			default:
				c.Terms.On = append(c.Terms.On, line)
			}
		}
	}
	if me, ok := f.get("max_chars"); ok {
		if s, ok := p.text(me); ok && s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n <= 0 {
				p.errorf(me.val, "terms.max_chars: %q is not a positive whole number", s)
			} else {
				c.Terms.MaxChars = n
			}
		}
	}
	if c.Terms.MaxChars > 0 {
		block := c.TermsFor(c.Language, "")
		if chars, tooLong := message.TermsTooLong(block, c.Terms); tooLong {
			p.warnf(e.keyNode, "terms: the block has %d characters, more than max_chars %d: shorten or turn off lines", chars, c.Terms.MaxChars)
		}
	}
}

// messages reads `messages: {LANG: {KIND: template}}`, compiling and running
// each template on a sample, so an unknown field is refused here with its
// place in the file rather than when an alert is due.
func (p *parser) messages(e entry, c *Config) {
	langs, ok := p.mapping(e.val, "messages", []string{message.Japanese, message.English})
	if !ok {
		return
	}
	c.Messages = map[string]map[rules.Kind]string{}
	for _, le := range langs.entries {
		kinds, ok := p.mapping(le.val, "messages."+le.key, nil)
		if !ok {
			continue
		}
		c.Messages[le.key] = map[rules.Kind]string{}
		for _, ke := range kinds.entries {
			kind := rules.Kind(ke.key)
			if !message.HasReply(kind) {
				names := make([]string, 0, len(message.ReplyKinds()))
				for _, k := range message.ReplyKinds() {
					names = append(names, string(k))
				}
				p.errorf(ke.keyNode, "messages.%s: %q has no ready-to-send text: use one of %s", le.key, ke.key, strings.Join(names, ", "))
				continue
			}
			v := resolve(ke.val)
			if v.Kind != yaml.ScalarNode {
				p.errorf(ke.val, "messages.%s.%s must be a template text, not %s", le.key, ke.key, describe(ke.val))
				continue
			}
			if _, err := message.ParseReply(le.key+"/"+ke.key, v.Value); err != nil {
				line, col, msg := p.templatePlace(v, err)
				p.errors(line, col, "messages.%s.%s: %s", le.key, ke.key, msg)
				continue
			}
			c.Messages[le.key][kind] = v.Value
		}
	}
}

// templateError reads text/template's "template: NAME:LINE[:COL]: …".
var templateError = regexp.MustCompile(`^template: [^:]*:(\d+)(?::(\d+))?: (?:executing "[^"]*" at )?(.*)$`)

var unknownField = regexp.MustCompile(`can't evaluate field (\w+) in type`)

// templatePlace turns a template error's place into the config file's: a
// block scalar (|) starts on the line after its key, indented; a one-line
// scalar starts where its value does (after a quote). text/template counts
// the column in bytes from 0; the file's columns count characters from 1.
func (p *parser) templatePlace(v *yaml.Node, err error) (line, col int, msg string) {
	m := templateError.FindStringSubmatch(err.Error())
	if m == nil {
		return v.Line, v.Column, err.Error()
	}
	tl, _ := strconv.Atoi(m[1])
	offset := 0
	if m[2] != "" {
		byteCol, _ := strconv.Atoi(m[2])
		if lines := strings.Split(v.Value, "\n"); tl >= 1 && tl <= len(lines) {
			text := lines[tl-1]
			offset = utf8.RuneCountInString(text[:min(byteCol, len(text))])
		}
	}
	msg = m[3]
	if f := unknownField.FindStringSubmatch(msg); f != nil {
		msg = "unknown field ." + f[1] + ": use " + strings.Join(message.ReplyFieldNames(), ", ")
	}
	switch v.Style {
	case yaml.LiteralStyle, yaml.FoldedStyle:
		line = v.Line + tl
		col = p.indentOf(line) + 1 + offset
	default:
		line = v.Line + tl - 1
		start := v.Column
		if v.Style == yaml.DoubleQuotedStyle || v.Style == yaml.SingleQuotedStyle {
			start++
		}
		if tl > 1 {
			start = p.indentOf(line) + 1
		}
		col = start + offset
	}
	return line, col, msg
}

// indentOf is how many spaces start line (1-based) of the file.
func (p *parser) indentOf(line int) int {
	if line < 1 || line > len(p.lines) {
		return 0
	}
	s := p.lines[line-1]
	return len(s) - len(strings.TrimLeft(s, " "))
}

// errors records an error at a place computed rather than at a node.
func (p *parser) errors(line, col int, format string, args ...any) {
	p.errorf(&yaml.Node{Line: line, Column: col}, format, args...)
}

func (p *parser) buyers(e entry, c *Config) {
	names, ok := p.mapping(e.val, "buyers", nil)
	if !ok {
		return
	}
	for _, be := range names.entries {
		f, ok := p.mapping(be.val, "buyers."+be.key, buyerKeys)
		if !ok {
			continue
		}
		b := Buyer{Name: be.key}
		if ne, ok := f.get("note"); ok {
			b.Note, _ = p.text(ne)
		}
		if de, ok := f.get("decline"); ok {
			b.Decline, _ = p.boolean(de)
		}
		if pe, ok := f.get("platform"); ok {
			if s, ok := p.text(pe); ok && s != "" && p.knownPlatform(pe.val, s, c.Profiles) {
				b.Platform = s
			}
		}
		c.Buyers = append(c.Buyers, b)
	}
}

// compileReplies builds the ready-to-send texts once the terms and the
// templates are read; the templates already ran on a sample, so only a
// mistake of roomwatch's own can fail here.
func (p *parser) compileReplies(c *Config) {
	terms := map[string]string{}
	for _, lang := range []string{message.Japanese, message.English} {
		terms[lang] = c.TermsFor(lang, "")
	}
	replies, err := message.NewReplies(c.Messages, terms)
	if err != nil {
		p.errorf(nil, "%v", err)
		return
	}
	c.Replies = replies
}

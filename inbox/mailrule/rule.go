package mailrule

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// Spec is one matching rule as data: a mail from one of From whose subject
// matches Subject means Event in the room whose ID Room finds. It is what
// the presets are written in and what inbox.rules in the configuration
// gives.
type Spec struct {
	// Name identifies the rule; a configured rule with a preset's name
	// replaces the preset.
	Name     string
	Platform string
	// From lists sender addresses ("info@coconala.com") or domains
	// ("coconala.com", which also admits its subdomains). Empty: any sender.
	From    []string
	Subject string // regular expression on the decoded subject
	// Body, optional, must also match somewhere in the text.
	Body  string
	Event rules.EventKind
	// Room is a regular expression whose first group is the room ID;
	// empty means the platform's talk-room address (TalkRoomPattern).
	Room string
	// Title and Buyer, optional, are regular expressions whose first group
	// is the room's title or the buyer's name, for a new order.
	Title string
	Buyer string
	// Unconfirmed marks a preset not yet checked against a real mail.
	Unconfirmed bool
}

// Rule is a compiled Spec.
type Rule struct {
	Spec
	subject, body, room, title, buyer *regexp.Regexp
}

// Ruleset is an ordered list of rules: the first that matches a mail wins.
type Ruleset []Rule

// Events a mail may record. A seller's own message or rating never comes
// by mail from the platform.
var mailEvents = []rules.EventKind{
	rules.EventOpened, rules.EventBuyerMessage, rules.EventDelivered, rules.EventPushedBack,
	rules.EventClosed, rules.EventCancelled, rules.EventCancelRequest, rules.EventBuyerRated,
}

// MailEvents returns the events a rule may name.
func MailEvents() []rules.EventKind { return append([]rules.EventKind(nil), mailEvents...) }

// Compile checks a spec and compiles its patterns; the error names the
// field at fault, for the configuration's file:line:col messages.
func Compile(s Spec) (Rule, error) {
	r := Rule{Spec: s}
	if s.Name == "" {
		return Rule{}, fmt.Errorf("name: a rule needs a name")
	}
	if _, ok := TalkRoomPattern[s.Platform]; !ok {
		return Rule{}, fmt.Errorf("platform: unknown platform %q: use one of %s", s.Platform, strings.Join(Platforms(), ", "))
	}
	known := false
	for _, e := range mailEvents {
		known = known || e == s.Event
	}
	if !known {
		names := make([]string, len(mailEvents))
		for i, e := range mailEvents {
			names[i] = string(e)
		}
		return Rule{}, fmt.Errorf("event: %q cannot come by mail: use one of %s", s.Event, strings.Join(names, ", "))
	}
	if s.Subject == "" {
		return Rule{}, fmt.Errorf("subject: a rule needs a subject pattern")
	}
	for _, f := range s.From {
		if f == "" || strings.ContainsAny(f, " \t\r\n<>") {
			return Rule{}, fmt.Errorf("from: %q is not an address or a domain", f)
		}
	}
	var err error
	compile := func(field, pattern string, groups bool) *regexp.Regexp {
		if err != nil || pattern == "" {
			return nil
		}
		re, cerr := regexp.Compile(pattern)
		if cerr != nil {
			err = fmt.Errorf("%s: %w", field, cerr)
			return nil
		}
		if groups && re.NumSubexp() < 1 {
			err = fmt.Errorf("%s: the pattern needs a group ( … ) around the part to take", field)
			return nil
		}
		return re
	}
	room := s.Room
	if room == "" {
		room = TalkRoomPattern[s.Platform]
	}
	r.subject = compile("subject", s.Subject, false)
	r.body = compile("body", s.Body, false)
	r.room = compile("room", room, true)
	r.title = compile("title", s.Title, true)
	r.buyer = compile("buyer", s.Buyer, true)
	if err != nil {
		return Rule{}, err
	}
	return r, nil
}

// NewRuleset compiles the presets with the configured specs: a configured
// spec named like a preset takes its place; the others come first, so
// they are tried before the presets.
func NewRuleset(configured []Spec) (Ruleset, error) {
	replaced := map[string]bool{}
	var out Ruleset
	for _, s := range configured {
		r, err := Compile(s)
		if err != nil {
			return nil, fmt.Errorf("rule %q: %w", s.Name, err)
		}
		replaced[s.Name] = true
		if !isPreset(s.Name) {
			out = append(out, r)
		}
	}
	for _, s := range Presets {
		if replaced[s.Name] {
			for _, c := range configured {
				if c.Name == s.Name {
					s = c
				}
			}
		}
		r, err := Compile(s)
		if err != nil {
			return nil, fmt.Errorf("rule %q: %w", s.Name, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func isPreset(name string) bool {
	for _, s := range Presets {
		if s.Name == name {
			return true
		}
	}
	return false
}

// Match is what a mail means: an event in a room, at the mail's time.
type Match struct {
	Rule      string          `json:"rule"`
	Platform  string          `json:"platform"`
	Room      string          `json:"room"`
	Event     rules.EventKind `json:"event"`
	At        time.Time       `json:"at"`
	URL       string          `json:"url,omitempty"`
	Title     string          `json:"title,omitempty"`
	Buyer     string          `json:"buyer,omitempty"`
	MessageID string          `json:"message_id,omitempty"`
}

// maxID, maxName bound what a mail may set: a room ID as the store takes
// it, a title or buyer as the configuration takes them.
const (
	maxID   = 128
	maxName = 500
)

// Match returns the first rule's reading of m. received is the server's
// delivery time (IMAP INTERNALDATE), used when the mail has no Date; now
// bounds the time, since a clock that runs ahead in a mail must not move a
// deadline into the future. ok is false when no rule matches, or when the
// matching rule finds no room ID in the mail.
func (rs Ruleset) Match(m Mail, received, now time.Time) (Match, bool) {
	for _, r := range rs {
		if !r.senderMatches(m.From) || !r.subject.MatchString(m.Subject) {
			continue
		}
		if r.body != nil && !r.body.MatchString(m.Text) {
			continue
		}
		haystack := m.Subject + "\n" + m.Text
		sub := r.room.FindStringSubmatch(haystack)
		if sub == nil || sub[1] == "" || len(sub[1]) > maxID {
			continue
		}
		match := Match{
			Rule: r.Name, Platform: r.Platform, Room: sub[1], Event: r.Event,
			At: eventTime(m.Date, received, now), MessageID: m.MessageID,
		}
		if r.Spec.Room == "" {
			match.URL = strings.TrimRight(sub[0], "/")
		}
		match.Title = capture(r.title, haystack)
		match.Buyer = capture(r.buyer, haystack)
		return match, true
	}
	return Match{}, false
}

// eventTime is the mail's own time: its Date, else when the server got it,
// else now; never later than now.
func eventTime(date, received, now time.Time) time.Time {
	at := date
	if at.IsZero() {
		at = received
	}
	if at.IsZero() || at.After(now) {
		at = now
	}
	return at
}

func capture(re *regexp.Regexp, s string) string {
	if re == nil {
		return ""
	}
	sub := re.FindStringSubmatch(s)
	if sub == nil {
		return ""
	}
	v := strings.TrimSpace(oneLine(sub[1]))
	if r := []rune(v); len(r) > maxName {
		v = string(r[:maxName])
	}
	return v
}

func (r Rule) senderMatches(from string) bool {
	if len(r.From) == 0 {
		return true
	}
	for _, f := range r.From {
		f = strings.ToLower(f)
		if strings.Contains(f, "@") {
			if from == f {
				return true
			}
			continue
		}
		at := strings.LastIndexByte(from, '@')
		if at < 0 {
			continue
		}
		domain := from[at+1:]
		if domain == f || strings.HasSuffix(domain, "."+f) {
			return true
		}
	}
	return false
}

// Read parses one message and matches it: the one path every way mail
// comes in (roomwatch ingest, the IMAP reader) takes. ok is false when no
// rule matches; err wraps ErrNotAMail for input that is not a message.
func (rs Ruleset) Read(r io.Reader, received, now time.Time) (m Mail, match Match, ok bool, err error) {
	m, err = Parse(r)
	if err != nil {
		return Mail{}, Match{}, false, err
	}
	match, ok = rs.Match(m, received, now)
	return m, match, ok, nil
}

package config

import (
	"fmt"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/roomwatch/roomwatch/inbox/mailrule"
	"github.com/roomwatch/roomwatch/rules"
)

// Inbox is the inbox: section: the IMAP account the daemon watches for the
// platforms' notification mails, and the matching rules `roomwatch ingest`
// uses too. Without host, only rules and add_to_yaml apply (mail comes in
// through ingest).
type Inbox struct {
	Host     string
	Port     int
	TLS      string // tls | starttls | none
	Username string
	Password Secret
	Mailbox  string // default INBOX
	// PollEvery is how often a server without IDLE is asked for new mail.
	PollEvery time.Duration
	// AddToYAML appends a room created by a purchase mail to this file
	// (as `roomwatch add` does) instead of keeping it in the store only.
	AddToYAML bool
	// Rules are the configured matching rules (inbox.rules): a rule named
	// like a preset replaces it, the others are tried first.
	Rules []mailrule.Spec
}

// Watches reports whether an IMAP account is configured.
func (i Inbox) Watches() bool { return i.Host != "" }

// Address is host:port.
func (i Inbox) Address() string { return i.Host + ":" + strconv.Itoa(i.Port) }

var (
	inboxKeys = []string{"host", "port", "tls", "username", "password", "password_file",
		"mailbox", "poll_every", "add_to_yaml", "rules"}
	inboxRuleKeys   = []string{"name", "platform", "from", "subject", "body", "event", "room", "title", "buyer"}
	pollDuration    = durationRule{floor: 10 * time.Second, why: "a mail server must not be asked more often"}
	defaultPoll     = time.Minute
	defaultMailbox  = "INBOX"
	defaultIMAPPort = map[string]int{"tls": 993, "starttls": 143, "none": 143}
)

func (p *parser) inbox(e entry, c *Config) {
	f, ok := p.mapping(e.val, "inbox", inboxKeys)
	if !ok {
		return
	}
	in := Inbox{TLS: "tls", Mailbox: defaultMailbox, PollEvery: defaultPoll}
	in.Host = p.optionalText(f, "host")
	if te, ok := f.get("tls"); ok {
		if s, ok := p.text(te); ok && s != "" {
			if _, known := defaultIMAPPort[s]; !known {
				p.errorf(te.val, "inbox.tls: unknown mode %q: use tls, starttls or none", s)
			} else {
				in.TLS = s
			}
		}
	}
	in.Port = defaultIMAPPort[in.TLS]
	if pe, ok := f.get("port"); ok {
		if s, ok := p.text(pe); ok && s != "" {
			port, err := strconv.Atoi(s)
			if err != nil || port < 1 || port > 65535 {
				p.errorf(pe.val, "inbox.port: %q is not a port number (1-65535)", s)
			}
			in.Port = port
		}
	}
	in.Username = p.optionalText(f, "username")
	in.Password, _ = p.secret(f, "password", "inbox")
	if s := p.optionalText(f, "mailbox"); s != "" {
		in.Mailbox = s
	}
	if de, ok := f.get("poll_every"); ok {
		if d, ok := p.duration(de, pollDuration); ok && d > 0 {
			in.PollEvery = d
		}
	}
	if ae, ok := f.get("add_to_yaml"); ok {
		in.AddToYAML, _ = p.boolean(ae)
	}
	if in.Host == "" {
		for _, k := range []string{"username", "password", "password_file", "port", "tls", "mailbox", "poll_every"} {
			if ke, ok := f.get(k); ok {
				p.errorf(ke.keyNode, "inbox.%s is set but inbox.host is not: name the IMAP server, or leave the account out to read mail through roomwatch ingest only", k)
				break
			}
		}
	} else {
		if in.Username == "" {
			p.errorf(f.node, "inbox needs username (the IMAP login)")
		}
		if in.Password.IsZero() {
			p.errorf(f.node, "inbox needs password or password_file (an app password for Gmail or Outlook)")
		}
	}
	if re, ok := f.get("rules"); ok {
		names := map[string]bool{}
		for _, item := range items(re.val) {
			spec, ok := p.inboxRule(item, c)
			if !ok {
				continue
			}
			if names[spec.Name] {
				p.errorf(item, "inbox.rules: two rules named %q", spec.Name)
				continue
			}
			names[spec.Name] = true
			in.Rules = append(in.Rules, spec)
		}
	}
	c.Inbox = in
}

// inboxRule reads one entry of inbox.rules and checks it with the same
// code that compiles the rules (mailrule.Compile), so a bad pattern is an
// error with its place in the file.
func (p *parser) inboxRule(item *yaml.Node, c *Config) (mailrule.Spec, bool) {
	f, ok := p.mapping(item, "inbox.rules[]", inboxRuleKeys)
	if !ok {
		return mailrule.Spec{}, false
	}
	s := mailrule.Spec{
		Name:     p.optionalText(f, "name"),
		Platform: p.optionalText(f, "platform"),
		Subject:  p.optionalText(f, "subject"),
		Body:     p.optionalText(f, "body"),
		Event:    rules.EventKind(p.optionalText(f, "event")),
		Room:     p.optionalText(f, "room"),
		Title:    p.optionalText(f, "title"),
		Buyer:    p.optionalText(f, "buyer"),
	}
	if s.Platform == "" {
		s.Platform = c.Platform
	}
	if fe, ok := f.get("from"); ok {
		for _, n := range items(fe.val) {
			if v, ok := p.text(entry{key: "from", keyNode: fe.keyNode, val: n}); ok && v != "" {
				s.From = append(s.From, v)
			}
		}
	}
	if _, err := mailrule.Compile(s); err != nil {
		p.errorf(item, "inbox.rules: rule %q: %v", s.Name, err)
		return mailrule.Spec{}, false
	}
	return s, true
}

// MailRules compiles the matching rules the configuration gives: the
// presets with inbox.rules applied.
func (c *Config) MailRules() (mailrule.Ruleset, error) {
	rs, err := mailrule.NewRuleset(c.Inbox.Rules)
	if err != nil {
		return nil, fmt.Errorf("config: inbox.rules: %w", err)
	}
	return rs, nil
}

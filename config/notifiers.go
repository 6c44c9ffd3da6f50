package config

import (
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/roomwatch/roomwatch/notifier/webhook/body"
)

var commonNotifierKeys = []string{"name", "type", "timeout"}

// notifierType is what config knows of one notifier type: the keys that
// apply to it, how to read and check them into the type's settings, and
// which pointer of Notifier holds them. Adding a type is a row here, its
// settings struct (notifier_types.go), its reader, and its line in
// notifier/registry.
type notifierType struct {
	name     string
	keys     []string
	read     func(p *parser, f fields, n *Notifier, where, owner string) bool
	settings func(n *Notifier) any
}

// notifierTypeTable lists the types in the order messages name them.
var notifierTypeTable = []notifierType{
	{"slack", []string{"webhook_url", "webhook_url_file", "token", "token_file", "channel", "app_token", "app_token_file", "api_url"},
		(*parser).slack, func(n *Notifier) any { return settingsOf(n.Slack) }},
	{"email", []string{"host", "port", "tls", "username", "password", "password_file", "from", "to"},
		(*parser).email, func(n *Notifier) any { return settingsOf(n.Email) }},
	{"console", nil,
		(*parser).console, func(n *Notifier) any { return settingsOf(n.Console) }},
	{"ntfy", []string{"server", "topic", "token", "token_file", "actions_url"},
		(*parser).ntfy, func(n *Notifier) any { return settingsOf(n.Ntfy) }},
	{"line", []string{"channel_access_token", "channel_access_token_file", "to", "api_url"},
		(*parser).line, func(n *Notifier) any { return settingsOf(n.Line) }},
	{"discord", []string{"webhook_url", "webhook_url_file", "api_url"},
		(*parser).discord, func(n *Notifier) any { return settingsOf(n.Discord) }},
	{"webhook", []string{"url", "url_file", "secret", "secret_file", "headers", "body_template"},
		(*parser).webhook, func(n *Notifier) any { return settingsOf(n.Webhook) }},
}

// settingsOf keeps a nil pointer from becoming a non-nil interface.
func settingsOf[T any](settings *T) any {
	if settings == nil {
		return nil
	}
	return settings
}

// NotifierTypes lists the notifier types a file may name, in the order
// messages name them.
func NotifierTypes() []string {
	return slices.Clone(notifierTypes)
}

var notifierTypes = func() []string {
	names := make([]string, len(notifierTypeTable))
	for i, t := range notifierTypeTable {
		names[i] = t.name
	}
	return names
}()

func lookupNotifierType(name string) (notifierType, bool) {
	for _, t := range notifierTypeTable {
		if t.name == name {
			return t, true
		}
	}
	return notifierType{}, false
}

var allNotifierKeys = func() []string {
	keys := slices.Clone(commonNotifierKeys)
	for _, t := range notifierTypeTable {
		for _, k := range t.keys {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	return keys
}()

const defaultNtfyServer = "https://ntfy.sh"

// notifiers reads the notifier list; an empty list leaves the console alone.
func (p *parser) notifiers(e entry) []Notifier {
	if isNull(e.val) {
		return nil
	}
	list := resolve(e.val)
	if list.Kind != yaml.SequenceNode {
		p.errorf(e.val, "notifiers must be a list (- name: …), not %s", describe(e.val))
		return nil
	}
	var out []Notifier
	firstLine := map[string]int{}
	for _, item := range list.Content {
		n, ok := p.notifier(item)
		if n.Name == "" {
			continue
		}
		if line, dup := firstLine[n.Name]; dup {
			p.errorf(item, "duplicate notifier name %q (first at line %d)", n.Name, line)
			continue
		}
		firstLine[n.Name] = item.Line
		p.declared = append(p.declared, n.Name)
		if ok {
			out = append(out, n)
		}
	}
	return out
}

// notifier reads one entry. A notifier with problems comes back with ok
// false and, when it can be told, its name, so routes to it stay valid.
func (p *parser) notifier(item *yaml.Node) (n Notifier, ok bool) {
	f, ok := p.mapping(item, "notifier", allNotifierKeys)
	if !ok {
		return Notifier{}, false
	}
	n = Notifier{Timeout: defaultTimeout}
	good := true
	te, hasType := f.get("type")
	if hasType {
		n.Type, good = p.text(te)
	}
	switch {
	case !hasType || (good && n.Type == ""):
		p.errorf(item, "notifier needs a type: %s", strings.Join(notifierTypes, ", "))
		good = false
	case good && !slices.Contains(notifierTypes, n.Type):
		p.errorf(te.val, "unknown notifier type %q: use %s", n.Type, strings.Join(notifierTypes, ", "))
		good = false
	}
	n.Name = n.Type // one notifier per type needs no name
	if ne, ok := f.get("name"); ok {
		name, ok := p.text(ne)
		if ok && !validName(name) {
			p.errorf(ne.val, "bad notifier name %q: use letters, digits, '-', '_' or '.'", name)
			ok = false
		}
		if !ok {
			return Notifier{}, false
		}
		n.Name = name
	}
	if !good {
		return n, false
	}
	typ, _ := lookupNotifierType(n.Type)
	for _, fe := range f.entries {
		if !slices.Contains(commonNotifierKeys, fe.key) && !slices.Contains(typ.keys, fe.key) {
			p.errorf(fe.keyNode, "key %q does not apply to a %s notifier", fe.key, n.Type)
			good = false
		}
	}
	if toe, ok := f.get("timeout"); ok {
		if d, ok := p.duration(toe, timeoutDuration); ok {
			n.Timeout = d
		} else {
			good = false
		}
	}
	where := fmt.Sprintf("%s notifier %q", n.Type, n.Name)
	owner := "notifiers." + n.Name
	good = typ.read(p, f, &n, where, owner) && good
	return n, good
}

func validName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

func (p *parser) console(_ fields, n *Notifier, _, _ string) bool {
	n.Console = &ConsoleConfig{}
	return true
}

func (p *parser) slack(f fields, n *Notifier, where, owner string) bool {
	errs := len(p.errs)
	s := &SlackConfig{}
	n.Slack = s
	var hasHook, hasToken, hasApp bool
	s.WebhookURL, hasHook = p.secret(f, "webhook_url", owner)
	s.Token, hasToken = p.secret(f, "token", owner)
	s.AppToken, hasApp = p.secret(f, "app_token", owner)
	if !s.WebhookURL.IsZero() && !isHTTPURL(s.WebhookURL.Value()) {
		// The URL is the credential: name the key, never the value.
		p.errorf(valueNode(f, "webhook_url"), "webhook_url is not an http(s) URL")
	}
	s.Channel = p.optionalText(f, "channel")
	if ae, ok := f.get("api_url"); ok {
		if u, ok := p.text(ae); ok && u != "" {
			if !isHTTPURL(u) {
				// URLs may carry user:password@; do not echo them.
				p.errorf(ae.val, "api_url is not an http(s) URL")
			} else if !strings.HasSuffix(u, "/") {
				u += "/" // slack-go joins method names straight onto the base
			}
			s.APIURL = u
		}
	}
	switch {
	case hasToken && s.Channel == "":
		p.errorf(f.node, "%s has a token but no channel (e.g. channel: \"#roomwatch\")", where)
	case !hasHook && !hasToken:
		p.errorf(f.node, "%s needs webhook_url (or webhook_url_file), or token (or token_file) with channel", where)
	}
	if hasApp && !hasToken {
		p.errorf(valueNode(f, "app_token"), "app_token (buttons) also needs token and channel")
	}
	// Two ways to post written at once: the Web API wins (the buttons edit
	// what the bot posted), and the seller learns which one is idle.
	switch {
	case hasHook && hasToken && s.Channel != "":
		p.warnf(valueNode(f, "webhook_url"), "%s: webhook_url is not used: with token and channel, alerts go through the Web API", where)
	case hasHook && !hasToken && s.Channel != "":
		p.warnf(valueNode(f, "channel"), "%s: channel is not used: an incoming webhook posts to the channel it was made for", where)
	}
	return len(p.errs) == errs
}

func (p *parser) email(f fields, n *Notifier, where, owner string) bool {
	errs := len(p.errs)
	m := &EmailConfig{}
	n.Email = m
	m.Host, _ = p.required(f, "host", where)
	m.TLS = "starttls"
	if te, ok := f.get("tls"); ok {
		if s, ok := p.text(te); ok && s != "" {
			if s != "starttls" && s != "tls" && s != "none" {
				p.errorf(te.val, "tls: unknown mode %q: use starttls, tls or none", s)
			}
			m.TLS = s
		}
	}
	m.Port = map[string]int{"starttls": 587, "tls": 465, "none": 25}[m.TLS]
	if pe, ok := f.get("port"); ok {
		if s, ok := p.text(pe); ok && s != "" {
			port, err := strconv.Atoi(s)
			if err != nil || port < 1 || port > 65535 {
				p.errorf(pe.val, "port: %q is not a port number (1-65535)", s)
			}
			m.Port = port
		}
	}
	m.Username = p.optionalText(f, "username")
	var hasPassword bool
	m.Password, hasPassword = p.secret(f, "password", owner)
	if hasPassword && m.Username == "" {
		p.errorf(valueNode(f, "password"), "%s has a password but no username", where)
	}
	if from, ok := p.required(f, "from", where); ok {
		m.From = p.address(valueNode(f, "from"), "from", from)
	}
	te, ok := f.get("to")
	if !ok {
		p.errorf(f.node, "%s needs to (one address or a list)", where)
		return false
	}
	for _, item := range items(te.val) {
		if s, ok := p.text(entry{key: "to", keyNode: te.keyNode, val: item}); ok {
			if addr := p.address(item, "to", s); addr != "" {
				m.To = append(m.To, addr)
			}
		}
	}
	if len(m.To) == 0 && len(p.errs) == errs {
		p.errorf(te.val, "%s needs to (one address or a list)", where)
	}
	return len(p.errs) == errs
}

// address checks one mail address. Rejecting line breaks here is what keeps
// header injection out of the mail notifier.
func (p *parser) address(at *yaml.Node, key, s string) string {
	_, err := mail.ParseAddress(s)
	if err != nil || strings.ContainsAny(s, "\r\n") {
		p.errorf(at, "%s: bad mail address %q", key, s)
		return ""
	}
	return strings.TrimSpace(s)
}

func (p *parser) ntfy(f fields, n *Notifier, where, owner string) bool {
	errs := len(p.errs)
	c := &NtfyConfig{Server: defaultNtfyServer}
	n.Ntfy = c
	if se, ok := f.get("server"); ok {
		if s, ok := p.text(se); ok && s != "" {
			if !isHTTPURL(s) {
				p.errorf(se.val, "server is not an http(s) URL")
			} else if err := checkNtfyServer(s); err != nil {
				p.errorf(se.val, "server: %v", err)
			}
			c.Server = strings.TrimRight(s, "/")
		}
	}
	if topic, ok := p.required(f, "topic", where); ok {
		if !validTopic(topic) {
			p.errorf(valueNode(f, "topic"), "bad topic %q: use up to 64 letters, digits, '-' or '_'", topic)
		}
		c.Topic = topic
	}
	c.Token, _ = p.secret(f, "token", owner)
	if ae, ok := f.get("actions_url"); ok {
		if s, ok := p.text(ae); ok && s != "" {
			// An alias of control.public_url (publicURLFromActionsURL):
			// the buttons carry signed one-purpose links, never a token.
			if !isHTTPURL(s) {
				p.errorf(ae.val, "actions_url is not an http(s) URL")
			}
			c.ActionsURL = strings.TrimSuffix(s, "/")
		}
	}
	return len(p.errs) == errs
}

// discord reads a Discord webhook: the URL Discord shows, checked to be
// one (a Slack URL pasted by mistake is caught here, not at the first
// alert), and api_url, which sends the posts elsewhere (a test server, a
// proxy) with the same webhook ID and token.
func (p *parser) discord(f fields, n *Notifier, where, owner string) bool {
	errs := len(p.errs)
	d := &DiscordConfig{}
	n.Discord = d
	var has bool
	d.WebhookURL, has = p.secret(f, "webhook_url", owner)
	switch {
	case !has:
		p.errorf(f.node, "%s needs webhook_url (or webhook_url_file): in Discord, Server Settings → Integrations → Webhooks → Copy Webhook URL", where)
	case !d.WebhookURL.IsZero():
		if _, err := ParseDiscordWebhookURL(d.WebhookURL.Value()); err != nil {
			// The URL is the credential: the error names the key, never the value.
			p.errorf(valueNode(f, "webhook_url"), "webhook_url: %v", err)
		}
	}
	if ae, ok := f.get("api_url"); ok {
		if s, ok := p.text(ae); ok && s != "" {
			if err := checkDiscordAPIURL(s); err != nil {
				p.errorf(ae.val, "api_url: %v", err)
			}
			d.APIURL = strings.TrimRight(s, "/")
		}
	}
	return len(p.errs) == errs
}

// webhook reads a generic JSON webhook: where to POST, the signing secret,
// extra headers and a body template, which is tried on sample alerts here
// so that check reports its mistakes with their place.
func (p *parser) webhook(f fields, n *Notifier, where, owner string) bool {
	errs := len(p.errs)
	w := &WebhookConfig{}
	n.Webhook = w
	var has bool
	w.URL, has = p.secret(f, "url", owner)
	switch {
	case !has:
		p.errorf(f.node, "%s needs url (or url_file)", where)
	case !w.URL.IsZero():
		if err := checkWebhookURL(w.URL.Value()); err != nil {
			p.errorf(valueNode(f, "url"), "url: %v", err)
		}
	}
	w.Secret, _ = p.secret(f, "secret", owner)
	if he, ok := f.get("headers"); ok {
		hf, ok := p.mapping(he.val, "headers", nil)
		if ok {
			w.Headers = map[string]Secret{}
		}
		firstSpelling := map[string]entry{}
		for _, e := range hf.entries {
			value, ok := p.text(e)
			if !ok {
				continue
			}
			if err := body.CheckHeader(e.key, value); err != nil {
				p.errorf(e.keyNode, "headers: %v", err)
				continue
			}
			// Header names ignore case: two spellings of one would leave
			// which value is sent to chance.
			if first, dup := firstSpelling[http.CanonicalHeaderKey(e.key)]; dup {
				p.errorf(e.keyNode, "headers: %s is set twice (first as %s at line %d)", e.key, first.key, first.keyNode.Line)
				continue
			}
			firstSpelling[http.CanonicalHeaderKey(e.key)] = e
			if !strings.Contains(rawText(e.val), "${") {
				p.inline = append(p.inline, owner+".headers."+e.key)
			}
			w.Headers[e.key] = Secret{value: value}
		}
	}
	if te, ok := f.get("body_template"); ok {
		if s, ok := p.text(te); ok && s != "" {
			if _, err := body.Compile(s, body.IsJSON(w.HeaderValues())); err != nil {
				p.templateError(te, err)
			}
			w.BodyTemplate = s
		}
	}
	return len(p.errs) == errs
}

// templateError reports a body_template mistake at its place in the file:
// the template's line counted from the value's first line, and its column
// when the template package names one.
func (p *parser) templateError(e entry, err error) {
	val := e.val
	var te *body.TemplateError
	if !errors.As(err, &te) {
		p.errorf(val, "body_template: %v", err)
		return
	}
	at := &yaml.Node{Line: val.Line + te.Line - 1, Column: val.Column}
	switch {
	case val.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		// A block scalar starts on the line after its "|" or ">", indented
		// (by the usual two spaces) past the key.
		at.Line++
		at.Column = e.keyNode.Column + 2
		if te.Column > 0 {
			at.Column += te.Column - 1
		}
	case te.Line == 1 && te.Column > 0:
		at.Column += te.Column - 1
		if val.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			at.Column++
		}
	}
	p.errorf(at, "body_template (template %s): %s", placeOf(te), te.Msg)
}

func placeOf(te *body.TemplateError) string {
	if te.Column > 0 {
		return fmt.Sprintf("line %d, column %d", te.Line, te.Column)
	}
	return fmt.Sprintf("line %d", te.Line)
}

func validTopic(topic string) bool {
	if topic == "" || len(topic) > 64 {
		return false
	}
	for _, r := range topic {
		if !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// line reads a LINE Messaging API notifier: a channel access token and the
// seller's own user ID to push to.
func (p *parser) line(f fields, n *Notifier, where, owner string) bool {
	errs := len(p.errs)
	l := &LineConfig{}
	n.Line = l
	var hasToken bool
	l.ChannelAccessToken, hasToken = p.secret(f, "channel_access_token", owner)
	if !hasToken {
		p.errorf(f.node, "%s needs channel_access_token (or channel_access_token_file): the long-lived token from the LINE Developers console", where)
	} else if tok := l.ChannelAccessToken.Value(); tok != "" && strings.ContainsFunc(tok, unicode.IsSpace) {
		// The token goes into an Authorization header; never echo it.
		p.errorf(valueNode(f, "channel_access_token"), "channel_access_token holds a space or line break: paste the token alone")
	}
	if to, ok := p.required(f, "to", where); ok {
		if !validLineUserID(to) {
			p.errorf(valueNode(f, "to"), "to: %q is not a LINE user ID: \"U\" and 32 hex digits (0-9, a-f), shown as \"Your user ID\" on the channel's Basic settings tab", to)
		}
		l.To = to
	}
	if ae, ok := f.get("api_url"); ok {
		if s, ok := p.text(ae); ok && s != "" {
			if !isHTTPURL(s) {
				p.errorf(ae.val, "api_url is not an http(s) URL")
			}
			l.APIURL = strings.TrimSuffix(s, "/")
		}
	}
	return len(p.errs) == errs
}

// validLineUserID reports whether id has the shape of a LINE user ID: "U"
// and 32 lowercase hex digits. LINE answers any other "to" with a 400 only
// when the first alert is due; check catches the typo at once.
func validLineUserID(id string) bool {
	if len(id) != 33 || id[0] != 'U' {
		return false
	}
	for _, c := range id[1:] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// optionalText reads a string key that may be absent.
func (p *parser) optionalText(f fields, key string) string {
	e, ok := f.get(key)
	if !ok {
		return ""
	}
	s, _ := p.text(e)
	return s
}

// required reads a key that must be set to something.
func (p *parser) required(f fields, key, where string) (string, bool) {
	e, ok := f.get(key)
	if !ok {
		p.errorf(f.node, "%s needs %s", where, key)
		return "", false
	}
	s, ok := p.text(e)
	if ok && s == "" {
		p.errorf(e.val, "%s needs %s", where, key)
		return "", false
	}
	return s, ok
}

// valueNode is where to point at a key's problem: the value of key or of
// its _file twin, whichever is written.
func valueNode(f fields, key string) *yaml.Node {
	if e, ok := f.get(key); ok {
		return e.val
	}
	if e, ok := f.get(key + "_file"); ok {
		return e.val
	}
	return f.node
}

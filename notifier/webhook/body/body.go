// Package body is the webhook notifier's contract with its receiver: the
// default JSON body (Payload), the body templates a seller may write, and
// the headers a config may add. It is a leaf that config (which checks a
// template and the headers once, with their place in the file) and the
// webhook backend (which writes the bodies) both use.
package body

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

// MaxBody caps one POST's body. A default body is a few kilobytes at most
// (room text is shortened first); a template that writes more is refused by
// check, and at send time, rather than sent to a service that would cut or
// refuse it (Teams and Google Chat take about 28–32 KB).
const MaxBody = 64 << 10

// The headers a signed POST carries. The signature is HMAC-SHA256 over the
// exact body bytes, keyed with the secret, in hex; the timestamp is the
// send time in Unix seconds, and the default body carries the same instant
// as sent_at, so a receiver can refuse an old body replayed.
const (
	SignatureHeader = "X-Roomwatch-Signature"
	TimestampHeader = "X-Roomwatch-Timestamp"
)

// Payload is the default body of one POST, and what a body_template reads
// (as {{.Room}}, {{.Text}}, …). The first fields are those of `plan
// --json`; times are RFC 3339 in the configured time zone. A notice about
// roomwatch itself (a rejected config) has Notice set and no room fields.
type Payload struct {
	Room     string `json:"room,omitempty"`
	Kind     string `json:"kind,omitempty"`
	Severity string `json:"severity"`
	Deadline string `json:"deadline,omitempty"`
	At       string `json:"at,omitempty"`
	Step     string `json:"step,omitempty"`
	Title    string `json:"title,omitempty"`
	Buyer    string `json:"buyer,omitempty"`
	Action   string `json:"action,omitempty"`
	// URL is the talk room's link, when the room has an http(s) one.
	URL string `json:"url,omitempty"`
	// Late marks a step caught up after downtime; Test a notify-test.
	Late bool `json:"late"`
	Test bool `json:"test"`
	// Preview is the one line a phone notification shows; Text is the
	// whole alert in words, several lines, as mail and the console show it.
	Preview string `json:"preview"`
	Text    string `json:"text"`
	// Links are the alert's signed action links; [] when none.
	Links  []Link  `json:"links"`
	Notice *Notice `json:"notice,omitempty"`
	// SentAt is when this body was made; with a secret it equals the
	// timestamp header, and being inside the signed body it cannot be
	// changed by whoever replays it.
	SentAt string `json:"sent_at"`
}

// Link is one action link: what it does, its label and where it leads.
type Link struct {
	Action string `json:"action"`
	Label  string `json:"label"`
	URL    string `json:"url"`
}

// Notice is a message about roomwatch itself.
type Notice struct {
	Title string   `json:"title"`
	Lines []string `json:"lines"`
}

// Room text is shortened in a body: the talk room has it whole.
const (
	maxTitleRunes = 500
	maxBuyerRunes = 100
)

// NewPayload lays out m, one alert or a notice, in lang with times in loc.
// A message of several alerts (Send splits them first) is laid out for its
// most urgent one.
func NewPayload(m notifier.Message, lang string, loc *time.Location, now time.Time) Payload {
	if loc == nil {
		loc = time.UTC
	}
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format(time.RFC3339)
	}
	p := Payload{Late: m.Late, Test: m.Test, Links: []Link{}, SentAt: stamp(now)}
	if m.Notice != nil {
		r := message.RenderMessage(m, lang, loc)
		p.Severity = string(r.Severity)
		p.Preview = r.Preview
		p.Notice = &Notice{Title: r.Preview, Lines: []string{}}
		if len(r.Texts) > 0 {
			p.Notice.Lines = append(p.Notice.Lines, r.Texts[0].Lines...)
		}
		p.Text = strings.TrimSpace(r.PlainText())
		return p
	}
	if len(m.Alerts) > 1 {
		m = notifier.Message{Alerts: []notifier.Alert{m.Alerts[0]}, Late: m.Late, Test: m.Test}
	}
	if len(m.Alerts) == 1 {
		a := m.Alerts[0]
		a.Room.Title = message.Shorten(a.Room.Title, maxTitleRunes)
		a.Room.Buyer = message.Shorten(a.Room.Buyer, maxBuyerRunes)
		m.Alerts = []notifier.Alert{a}
		p.Room = message.OneLine(a.Step.Room)
		p.Kind = string(a.Step.Kind)
		p.Deadline = stamp(a.Step.Deadline)
		p.At = stamp(a.Step.At)
		p.Step = a.Step.Name
		p.Title = message.OneLine(a.Room.Title)
		p.Buyer = message.OneLine(a.Room.Buyer)
		for _, l := range a.Links {
			p.Links = append(p.Links, Link{Action: l.Action, Label: l.Label, URL: l.URL})
		}
	}
	r := message.RenderMessage(m, lang, loc)
	p.Severity = string(r.Severity)
	p.Preview = r.Preview
	p.Text = strings.TrimSpace(r.PlainText())
	if len(r.Texts) == 1 {
		p.Action = r.Texts[0].Action
		p.URL = r.Texts[0].URL
	}
	return p
}

// funcs are what a body_template may call besides text/template's own:
// json writes a value as JSON (a string with its quotes), the one safe way
// to put text inside a JSON body; markdown escapes text for services that
// render Markdown (Teams, Mattermost, Google Chat) and breaks @mentions, so
// a room title cannot ping a channel.
var funcs = template.FuncMap{
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
	"markdown": Markdown,
}

var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, "*", `\*`, "_", `\_`, "~", `\~`, "`", "\\`", "|", `\|`,
	"<", `\<`, ">", `\>`, "#", `\#`, "[", `\[`, "]", `\]`,
	// A zero-width space after @ keeps "@channel" and "@all" from
	// notifying anyone, whatever the service's escaping rules.
	"@", "@\u200b",
)

// Markdown escapes s for a service that renders Markdown.
func Markdown(s string) string { return markdownEscaper.Replace(s) }

// Compile parses a body_template and runs it on sample alerts (with
// quotes, backslashes and a notice among them), so a mistake shows in
// `check`, not at the first alert: an unknown field or function, a syntax
// error, a body over MaxBody or, when the body is JSON, output that is not
// JSON. Errors are *TemplateError when the template names a place.
func Compile(text string, jsonBody bool) (*template.Template, error) {
	t, err := template.New("body").Option("missingkey=error").Funcs(funcs).Parse(text)
	if err != nil {
		return nil, templateError(err)
	}
	for _, sample := range samples() {
		if _, err := Execute(t, sample, jsonBody); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Execute writes p through t, a template from Compile, and checks the
// result: within MaxBody and, when the body is JSON, JSON.
func Execute(t *template.Template, p Payload, jsonBody bool) ([]byte, error) {
	var b bytes.Buffer
	if err := t.Execute(&capped{w: &b}, p); err != nil {
		if errors.Is(err, errTooBig) {
			return nil, fmt.Errorf("the template writes more than the %d-byte cap", MaxBody)
		}
		return nil, templateError(err)
	}
	if jsonBody && !json.Valid(b.Bytes()) {
		what := "an alert"
		if p.Notice != nil {
			what = "a notice"
		}
		var syntax *json.SyntaxError
		detail := ""
		if err := json.Unmarshal(b.Bytes(), new(any)); errors.As(err, &syntax) {
			detail = fmt.Sprintf(" (%v at byte %d)", syntax, syntax.Offset)
		}
		return nil, fmt.Errorf("the template does not write JSON for %s%s; put text in with {{json .Text}}, which adds the quotes and escapes", what, detail)
	}
	return b.Bytes(), nil
}

// errTooBig stops a template that writes past MaxBody, so a runaway one
// cannot fill the memory of the machine that checks it.
var errTooBig = errors.New("body over the cap")

// capped is a writer that refuses to grow past MaxBody.
type capped struct {
	w *bytes.Buffer
}

func (c *capped) Write(p []byte) (int, error) {
	if c.w.Len()+len(p) > MaxBody {
		return 0, errTooBig
	}
	return c.w.Write(p)
}

// TemplateError is a body_template mistake with its place inside the
// template (line 1 is the template's first line, column 1 its first
// character; Column is 0 when the template package does not say).
type TemplateError struct {
	Line, Column int
	Msg          string
}

func (e *TemplateError) Error() string {
	if e.Column > 0 {
		return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

// templatePlace reads text/template's "template: body:3:12: …" prefix.
var templatePlace = regexp.MustCompile(`^template: body:(\d+)(?::(\d+))?: (.*)$`)

func templateError(err error) error {
	m := templatePlace.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	line, _ := strconv.Atoi(m[1])
	col := 0
	if m[2] != "" {
		// text/template counts the column from 0.
		col, _ = strconv.Atoi(m[2])
		col++
	}
	msg := strings.TrimPrefix(m[3], `executing "body" at `)
	// The seller knows the data as webhook.Payload (the README's name), not
	// by the Go package it lives in.
	msg = strings.ReplaceAll(msg, "type "+reflect.TypeFor[Payload]().String(), "type webhook.Payload")
	if strings.Contains(msg, "can't evaluate field") && strings.Contains(msg, "webhook.Payload") {
		msg += " (a body_template can use " + payloadFields() + ")"
	}
	return &TemplateError{Line: line, Column: col, Msg: msg}
}

// payloadFields lists what a template can read: ".Room, .Kind, …".
func payloadFields() string {
	t := reflect.TypeFor[Payload]()
	names := make([]string, t.NumField())
	for i := range names {
		names[i] = "." + t.Field(i).Name
	}
	return strings.Join(names, ", ")
}

// samples are the payloads Compile tries a template on: an alert whose
// text needs escaping in JSON and Markdown, and a notice.
func samples() []Payload {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	a := notifier.TestAlert(now)
	a.Room.Title = `"Logo" \ design <@everyone> *draft*`
	a.Room.Buyer = `o'neil "tanaka"`
	a.Room.URL = "https://coconala.com/talkrooms/0000000"
	a.Step.Severity = rules.Critical
	a.Links = []message.ActionLink{{Action: "sent", Label: "Sent", URL: "https://roomwatch.example/a/sent?sig=x"}}
	alert := NewPayload(notifier.Message{Alerts: []notifier.Alert{a}, Late: true}, message.English, time.UTC, now)
	notice := NewPayload(notifier.Message{Notice: &message.Notice{Severity: rules.Warning,
		Title: `Config "rejected"`, Lines: []string{`roomwatch.yaml:3:5: unknown key "x"`}}}, message.English, time.UTC, now)
	return []Payload{alert, notice}
}

// reservedHeaders are set by roomwatch or by HTTP itself.
var reservedHeaders = []string{"Host", "Content-Length", "Transfer-Encoding", "Connection", SignatureHeader, TimestampHeader}

// CheckHeader checks one entry of headers: a valid field name roomwatch
// does not set itself, and a value on one line.
func CheckHeader(name, value string) error {
	if name == "" || strings.IndexFunc(name, func(r rune) bool { return !isTokenChar(r) }) >= 0 {
		return fmt.Errorf("%q is not a header name", name)
	}
	canonical := http.CanonicalHeaderKey(name)
	if slices.Contains(reservedHeaders, canonical) {
		return fmt.Errorf("%s is set by roomwatch; leave it out", canonical)
	}
	if strings.ContainsAny(value, "\r\n\x00") {
		return fmt.Errorf("the value of %s must be one line", canonical)
	}
	return nil
}

// isTokenChar reports whether r may appear in a header name (RFC 9110 token).
func isTokenChar(r rune) bool {
	return r < 0x7f && r > 0x20 && !strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r)
}

// IsJSON reports whether bodies sent with headers are JSON: yes unless a
// Content-Type header says otherwise.
func IsJSON(headers map[string]string) bool {
	for name, value := range headers {
		if http.CanonicalHeaderKey(name) == "Content-Type" {
			media, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(value)), ";")
			return media == "application/json" || strings.HasSuffix(media, "+json")
		}
	}
	return true
}

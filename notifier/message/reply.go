package message

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"text/template"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// ReplyFields are what a ready-to-send template can use. The names are a
// contract: the config's `messages:` templates refer to them, and `check`
// refuses any other.
type ReplyFields struct {
	// Buyer is the buyer as the seller addresses them: "tanaka 様" in
	// Japanese, "tanaka" in English ("" replaced by a neutral greeting).
	Buyer string
	// BuyerName is the name alone.
	BuyerName string
	// Title is the order's title; Room its talk room ID.
	Title, Room string
	// Deadline is the alert's deadline, as the buyer reads a date.
	Deadline string
	// CloseDate is when the seller may close the order: the
	// eligible-to-close deadline (set for that kind only).
	CloseDate string
	// Due is the agreed delivery date; "" when none.
	Due string
	// Delivered is true once the work is formally delivered.
	Delivered bool
	// Terms is the seller's terms block (`roomwatch terms`).
	Terms string
}

// ReplyKinds lists the kinds that carry a ready-to-send text, in the order
// of rules.Kinds: those whose catalogue entry has a Reply (delivery-due has
// a text only once it is late).
func ReplyKinds() []rules.Kind {
	var kinds []rules.Kind
	for _, k := range rules.Kinds {
		if HasReply(k) {
			kinds = append(kinds, k)
		}
	}
	return kinds
}

// HasReply reports whether kind carries a ready-to-send text. Every
// language has one for the same kinds (a test checks), so English decides.
func HasReply(kind rules.Kind) bool {
	return en.Kinds[kind].Reply != ""
}

// Replies turns alerts into ready-to-send texts: the default templates,
// with the seller's overrides, and the terms block per language. The zero
// of *Replies (nil) uses the defaults and the default policy's terms.
type Replies struct {
	templates map[string]map[rules.Kind]*template.Template
	terms     map[string]string
}

// ParseReply compiles one template and executes it on a sample alert, so an
// unknown field is an error now rather than at 3 a.m. name appears in the
// error with the template's line and column ("name:1:7").
func ParseReply(name, text string) (*template.Template, error) {
	t, err := template.New(name).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, err
	}
	sample := ReplyFields{Buyer: "b", BuyerName: "b", Title: "t", Room: "r", Deadline: "d", CloseDate: "c", Due: "d", Terms: "x"}
	for _, delivered := range []bool{false, true} {
		sample.Delivered = delivered
		if err := t.Execute(&bytes.Buffer{}, sample); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// NewReplies compiles the defaults and the seller's overrides (language →
// kind → template text); terms gives the terms block per language.
func NewReplies(overrides map[string]map[rules.Kind]string, terms map[string]string) (*Replies, error) {
	r := &Replies{templates: map[string]map[rules.Kind]*template.Template{}, terms: terms}
	for _, lang := range []string{Japanese, English} {
		r.templates[lang] = map[rules.Kind]*template.Template{}
		for _, kind := range ReplyKinds() {
			text := For(lang).Kinds[kind].Reply
			if o, ok := overrides[lang][kind]; ok {
				text = o
			}
			t, err := ParseReply(lang+"/"+string(kind), text)
			if err != nil {
				return nil, fmt.Errorf("message template %s/%s: %w", lang, kind, err)
			}
			r.templates[lang][kind] = t
		}
	}
	for lang, kinds := range overrides {
		for kind := range kinds {
			if !HasReply(kind) {
				return nil, fmt.Errorf("message template %s/%s: that kind has no ready-to-send text", lang, kind)
			}
		}
	}
	return r, nil
}

var defaultRepliesCompiled = func() *Replies {
	terms := map[string]string{}
	for _, lang := range []string{Japanese, English} {
		terms[lang] = Terms(rules.DefaultPolicy(), rules.Profiles["coconala"], TermsOptions{}, lang)
	}
	r, err := NewReplies(nil, terms)
	if err != nil {
		panic(err) // the defaults are part of the program
	}
	return r
}()

// Reply is the ready-to-send text of an alert in lang, or "" when its
// action is not to write to the buyer (or delivery is not yet late).
func (r *Replies) Reply(a Alert, lang string, loc *time.Location) string {
	if r == nil {
		r = defaultRepliesCompiled
	}
	lang = Language(lang)
	if loc == nil {
		loc = time.UTC
	}
	kind := a.Step.Kind
	if !HasReply(kind) || (kind == rules.DeliveryDue && !overdue(a)) {
		return ""
	}
	t := r.templates[lang][kind]
	var b bytes.Buffer
	if err := t.Execute(&b, r.fields(a, lang, loc)); err != nil {
		// ParseReply ran every template on a sample; a failure here is
		// a value the sample did not foresee, so say nothing rather than
		// half a message.
		return ""
	}
	return strings.TrimSpace(b.String())
}

func (r *Replies) fields(a Alert, lang string, loc *time.Location) ReplyFields {
	name := strings.TrimSpace(OneLine(a.Room.Buyer))
	w := &For(lang).Reply
	buyer := w.NoName
	if name != "" {
		buyer = fmt.Sprintf(w.Buyer, name)
	}
	title := OneLine(a.Room.Title)
	if title == "" {
		title = roomID(a)
	}
	f := ReplyFields{
		Buyer:     buyer,
		BuyerName: name,
		Title:     title,
		Room:      roomID(a),
		Deadline:  BuyerDate(a.Step.Deadline, lang, loc),
		Delivered: !a.Room.Delivered.IsZero() && !a.Room.PushedBack.After(a.Room.Delivered),
		Terms:     r.terms[lang],
	}
	if !a.Room.Due.IsZero() {
		f.Due = BuyerDate(a.Room.Due, lang, loc)
	}
	if a.Step.Kind == rules.EligibleToClose {
		f.CloseDate = f.Deadline
	}
	return f
}

// BuyerDate writes an instant as a buyer reads a date in a message:
// "12月8日(火) 18:00" or "Tue, Dec 8, 18:00".
func BuyerDate(t time.Time, lang string, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(loc)
	if Language(lang) == Japanese {
		return fmt.Sprintf("%d月%d日(%s) %s", int(t.Month()), t.Day(), For(lang).Time.Weekdays[t.Weekday()], t.Format("15:04"))
	}
	return t.Format("Mon, Jan 2, 15:04")
}

// Indent prefixes every line of text, so a multi-line reply stands apart
// from the alert's details in plain text.
func Indent(text, prefix string) string {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		lines[i] = strings.TrimRight(prefix+line, " ")
	}
	return strings.Join(lines, "\n")
}

// ReplyFieldNames lists the fields a template may use, for messages.
func ReplyFieldNames() []string {
	t := reflect.TypeFor[ReplyFields]()
	names := make([]string, t.NumField())
	for i := range names {
		names[i] = "." + t.Field(i).Name
	}
	return names
}

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

// replyKinds are the kinds whose action is to write to the buyer, in the
// order of rules.Kinds. delivery-due has a text only once it is late.
var replyKinds = []rules.Kind{
	rules.FirstMessage, rules.CheckIn, rules.CancelRisk, rules.CancelRequest,
	rules.DeliveryDue, rules.MayCancel, rules.EligibleToClose, rules.ExtraPayment,
	rules.SendTerms,
}

// ReplyKinds lists the kinds that carry a ready-to-send text.
func ReplyKinds() []rules.Kind { return append([]rules.Kind(nil), replyKinds...) }

// HasReply reports whether kind carries a ready-to-send text.
func HasReply(kind rules.Kind) bool {
	for _, k := range replyKinds {
		if k == kind {
			return true
		}
	}
	return false
}

// defaultReplies are the texts roomwatch offers, per language and kind, in
// text/template over ReplyFields.
var defaultReplies = map[string]map[rules.Kind]string{
	Japanese: {
		rules.FirstMessage: "{{.Buyer}}\nこのたびは「{{.Title}}」をご購入いただき、ありがとうございます。" +
			"内容を確認のうえ、作業を始めます。{{if .Due}}{{.Due}}までの納品を予定しております。{{end}}" +
			"ご不明な点があれば、こちらのトークルームでいつでもお知らせください。",
		rules.CheckIn: "{{.Buyer}}\n「{{.Title}}」について、途中経過のご連絡です。" +
			"{{if .Delivered}}納品物をご確認いただけましたでしょうか。修正のご希望があればお知らせください。" +
			"{{else}}作業は順調に進んでおります。{{if .Due}}{{.Due}}までにお届けする予定です。{{end}}{{end}}" +
			"ご質問やご要望があれば、お気軽にお知らせください。",
		rules.CancelRisk: "{{.Buyer}}\nメッセージをありがとうございます。お返事が遅くなり、申し訳ありません。" +
			"いただいた内容を確認し、あらためて詳しくご連絡いたします。",
		rules.CancelRequest: "{{.Buyer}}\nキャンセルのご依頼を拝見しました。" +
			"お手数ですが、理由をお聞かせいただけますでしょうか。内容を確認し、対応をご相談させてください。",
		rules.DeliveryDue: "{{.Buyer}}\n「{{.Title}}」の納品が{{if .Due}}お約束の{{.Due}}に{{end}}間に合わず、申し訳ありません。" +
			"現在仕上げを進めており、できるだけ早くお届けいたします。お届けの見込みはあらためてご連絡いたします。",
		rules.MayCancel: "{{.Buyer}}\n先日お送りしたメッセージへのご返信をお待ちしております。" +
			"このままご連絡をいただけない場合、お取引のお願いにもとづき、お取引をキャンセルさせていただくことがあります。" +
			"お手すきの際にご確認ください。",
		rules.EligibleToClose: "{{.Buyer}}\n「{{.Title}}」の納品物はご確認いただけましたでしょうか。" +
			"お取引のお願いのとおり、{{.CloseDate}}をもってお取引を完了させていただきます。" +
			"修正のご希望があれば、それまでにお知らせください。",
		rules.ExtraPayment: "{{.Buyer}}\n{{if .Delivered}}「{{.Title}}」の追加作業分について、おひねりでのお支払いがまだ確認できておりません。" +
			"お手数ですが、お支払いをお願いいたします。" +
			"{{else}}「{{.Title}}」の追加作業分は、おひねりでのお支払いをお願いいたします。" +
			"お支払いを確認できしだい、納品いたします。{{end}}",
		rules.SendTerms: "{{.Buyer}}\nお見積もりからのご購入、ありがとうございます。" +
			"お取引を始める前に、以下の内容をご確認ください。\n\n{{.Terms}}",
	},
	English: {
		rules.FirstMessage: "Hello {{.Buyer}},\nthank you for ordering \"{{.Title}}\". I am reviewing your request and starting work now." +
			"{{if .Due}} I plan to deliver by {{.Due}}.{{end}} If anything is unclear, just ask me here in the talk room.",
		rules.CheckIn: "Hello {{.Buyer}},\na quick update on \"{{.Title}}\". " +
			"{{if .Delivered}}Have you had a chance to check the delivery? Tell me if you would like anything changed." +
			"{{else}}The work is going well.{{if .Due}} I expect to deliver by {{.Due}}.{{end}}{{end}}" +
			" Questions and requests are always welcome.",
		rules.CancelRisk: "Hello {{.Buyer}},\nthank you for your message, and sorry for the slow reply. " +
			"I am looking into it and will write back in detail shortly.",
		rules.CancelRequest: "Hello {{.Buyer}},\nI have seen your cancellation request. " +
			"Could you tell me the reason? I would like to look at it together and find the right way forward.",
		rules.DeliveryDue: "Hello {{.Buyer}},\nI am sorry: \"{{.Title}}\" was not delivered{{if .Due}} by {{.Due}} as agreed{{end}}. " +
			"I am finishing it now and will deliver as soon as I can; I will tell you when to expect it.",
		rules.MayCancel: "Hello {{.Buyer}},\nI am still waiting for your reply to my last message. " +
			"If I do not hear from you, I may cancel the order as my terms state. Please have a look when you can.",
		rules.EligibleToClose: "Hello {{.Buyer}},\nhave you had a chance to check the delivery of \"{{.Title}}\"? " +
			"As my terms state, I will close the order on {{.CloseDate}}. " +
			"If you would like any changes, please tell me before then.",
		rules.ExtraPayment: "Hello {{.Buyer}},\n{{if .Delivered}}the extra work on \"{{.Title}}\" is still unpaid. " +
			"Please send the agreed amount as a tip (おひねり) when you can." +
			"{{else}}please send the agreed amount for the extra work on \"{{.Title}}\" as a tip (おひねり). " +
			"I will deliver as soon as it arrives.{{end}}",
		rules.SendTerms: "Hello {{.Buyer}},\nthank you for ordering from my quote. " +
			"Before we start, please read the following.\n\n{{.Terms}}",
	},
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
		for _, kind := range replyKinds {
			text := defaultReplies[lang][kind]
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
	buyer := name
	switch {
	case name == "" && lang == Japanese:
		buyer = "ご購入者様"
	case name == "":
		buyer = "there"
	case lang == Japanese:
		buyer = name + " 様"
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
		return fmt.Sprintf("%d月%d日(%s) %s", int(t.Month()), t.Day(), jaWeekdays[t.Weekday()], t.Format("15:04"))
	}
	return t.Format("Mon, Jan 2, 15:04")
}

// replyLabel introduces the ready-to-send text in every backend.
var replyLabel = map[string]string{
	Japanese: "送る文面（コピーしてトークルームへ）",
	English:  "Ready to send (copy into the talk room)",
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

package email

import (
	_ "embed"
	"fmt"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

// mailHTML lays a message out for a phone: one column at most 600 px wide
// that narrows to the screen, inline CSS only, no tables, images or other
// resources to fetch. html/template escapes every value from a room.
//
//go:embed mail.html
var mailHTML string

var htmlTemplate = template.Must(template.New("mail").Parse(mailHTML))

// severityColors mark each alert's card; they are constants, so they are
// handed to the template as trusted CSS.
var severityColors = map[rules.Severity]template.CSS{
	rules.Critical: "#b91c1c",
	rules.Warning:  "#b45309",
	rules.Info:     "#1d4ed8",
}

// htmlMail is what mail.html shows.
type htmlMail struct {
	Lang      string
	Subject   string
	Preheader string // the line a mail list shows under the subject
	Notice    string
	Summary   string
	Alerts    []htmlAlert
	Footer    string
}

type htmlAlert struct {
	Severity string
	Color    template.CSS
	Title    string
	Preview  string
	Lines    []string
	URL      string
	OpenRoom string
	// Links are the alert's signed action links; html/template checks
	// each URL is http(s) before it becomes an href.
	Links []message.ActionLink
	// Reply is the ready-to-send text, shown in a box of its own to copy.
	Reply, ReplyLabel string
}

// composed is a message in the words a mail carries: its subject and both
// bodies.
type composed struct {
	Subject string
	Text    string
	HTML    string
}

// render words m for a mail in lang: a subject led by the most urgent
// alert, a plain-text body and an HTML body, both listing the alerts most
// severe first under a summary when there are several.
func render(m notifier.Message, lang string, loc *time.Location) (composed, error) {
	lang = message.Language(lang)
	m.Alerts = slices.Clone(m.Alerts)
	slices.SortStableFunc(m.Alerts, message.Urgency)
	r := message.RenderMessage(m, lang, loc)
	footer := message.MailFooter(lang, loc)
	c := composed{
		Subject: HeaderSafe(message.Subject(m, lang, loc, message.MaxSubject)),
		Text:    r.PlainTextWithLinks() + "\n-- \n" + footer + "\n",
	}

	view := htmlMail{
		Lang:      lang,
		Subject:   c.Subject,
		Preheader: r.Preview,
		Notice:    r.Notice,
		Summary:   r.Summary,
		Footer:    footer,
	}
	for _, t := range r.Texts {
		sev := t.Severity
		if _, ok := severityColors[sev]; !ok {
			sev = rules.Info
		}
		alert := htmlAlert{
			Severity: message.SeverityLabel(sev, lang),
			Color:    severityColors[sev],
			Title:    t.Title,
			Lines:    t.DetailLines(),
			URL:      t.URL,
			OpenRoom: message.OpenRoomLabel(lang),
			Links:    t.Links,
			Reply:    t.Reply, ReplyLabel: t.ReplyLabel,
		}
		// A notice's preview is its title; saying it twice helps nobody.
		if t.Preview != t.Title {
			alert.Preview = t.Preview
		}
		view.Alerts = append(view.Alerts, alert)
	}
	var html strings.Builder
	if err := htmlTemplate.Execute(&html, view); err != nil {
		return composed{}, fmt.Errorf("html body: %w", err)
	}
	c.HTML = html.String()
	return c, nil
}

// compose builds the mail for m: multipart/alternative with the plain text
// first and the HTML a mail app prefers second.
func (n *Notifier) compose(m notifier.Message) (*mail.Msg, error) {
	c, err := render(m, n.opts.Language, n.opts.Location)
	if err != nil {
		return nil, err
	}
	msg := mail.NewMsg()
	if err := msg.From(n.cfg.From); err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	if err := msg.To(n.cfg.To...); err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	msg.Subject(c.Subject)
	msg.SetDate()
	msg.SetMessageID()
	// Tell vacation responders and list software this is a machine's mail.
	msg.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(mail.TypeTextPlain, c.Text)
	msg.AddAlternativeString(mail.TypeTextHTML, c.HTML)
	return msg, nil
}

// HeaderSafe removes line breaks and other control characters, so a value
// cannot end its header line and start another (Bcc: …).
func HeaderSafe(s string) string {
	return message.OneLine(s)
}

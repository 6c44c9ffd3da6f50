// Package mailrule reads the notification mails marketplaces send a seller
// (a new order, a buyer's message, an approval, a cancellation request, a
// cancellation, a rating) and says which room event each one means. The
// matching rules are data (Spec), with built-in presets per platform that
// the configuration can override or extend. Nothing here does I/O beyond
// reading the message it is given, and nothing reads a clock.
package mailrule

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // ISO-2022-JP, Shift_JIS, EUC-JP and the other charsets Japanese mail uses
	"github.com/emersion/go-message/mail"
)

// MaxSize bounds a message: notification mails are a few kilobytes, and a
// mail with big attachments is read only up to here (its text comes first).
const MaxSize = 8 << 20

// maxText bounds the text kept from a message for matching.
const maxText = 1 << 20

// Mail is what the rules look at in a message.
type Mail struct {
	MessageID string    // without angle brackets; "" when the mail has none
	From      string    // the sender's address, lower case
	Subject   string    // decoded
	Date      time.Time // the Date: header; zero when absent or unreadable
	// Text is the readable text of the message: its text/plain parts, and
	// its text/html parts turned into text (with every link's address), in
	// message order. Attachments are left out.
	Text string
}

// ErrNotAMail is returned for input that is not an RFC 5322 message.
var ErrNotAMail = errors.New("not a mail message")

// Parse reads one RFC 5322 message. A leading mbox "From " line (as
// procmail and Postfix's pipe may add) is skipped. It returns an error
// wrapping ErrNotAMail when the input has no header a mail must have.
func Parse(r io.Reader) (Mail, error) {
	br := bufio.NewReader(io.LimitReader(r, MaxSize))
	if first, err := br.Peek(5); err == nil && string(first) == "From " {
		if _, err := br.ReadString('\n'); err != nil {
			return Mail{}, fmt.Errorf("%w: only an mbox From line", ErrNotAMail)
		}
	}
	e, err := message.Read(br)
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		return Mail{}, fmt.Errorf("%w: %s", ErrNotAMail, oneLine(err.Error()))
	}
	h := mail.Header{Header: e.Header}
	if !h.Has("From") || (!h.Has("Date") && !h.Has("Message-Id") && !h.Has("Subject")) {
		return Mail{}, fmt.Errorf("%w: no From header, or none of Date, Subject and Message-ID", ErrNotAMail)
	}
	var m Mail
	if addrs, err := h.AddressList("From"); err == nil && len(addrs) > 0 {
		m.From = strings.ToLower(addrs[0].Address)
	} else {
		m.From = strings.ToLower(strings.TrimSpace(bareAddress(h.Get("From"))))
	}
	if s, err := h.Subject(); err == nil {
		m.Subject = s
	} else {
		m.Subject = h.Get("Subject")
	}
	m.Subject = oneLine(m.Subject)
	if d, err := h.Date(); err == nil && !d.IsZero() {
		m.Date = d
	}
	if id, err := h.MessageID(); err == nil && id != "" {
		m.MessageID = id
	} else {
		m.MessageID = strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>")
	}
	m.MessageID = oneLine(m.MessageID)
	var text strings.Builder
	walkErr := e.Walk(func(_ []int, part *message.Entity, err error) error {
		if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
			return err
		}
		if text.Len() >= maxText {
			return nil
		}
		disp, _, _ := part.Header.ContentDisposition()
		if disp == "attachment" {
			return nil
		}
		ct, _, cerr := part.Header.ContentType()
		if cerr != nil || ct == "" {
			ct = "text/plain"
		}
		if ct != "text/plain" && ct != "text/html" {
			return nil
		}
		body, err := io.ReadAll(io.LimitReader(part.Body, maxText))
		if err != nil {
			// A part cut short (the size limit) still gives its beginning.
			if len(body) == 0 {
				return nil
			}
		}
		s := toValidUTF8(body)
		if ct == "text/html" {
			s = HTMLText(s)
		}
		text.WriteString(s)
		text.WriteString("\n")
		return nil
	})
	if walkErr != nil && text.Len() == 0 && m.Subject == "" {
		return Mail{}, fmt.Errorf("%w: %s", ErrNotAMail, oneLine(walkErr.Error()))
	}
	m.Text = text.String()
	return m, nil
}

func bareAddress(s string) string {
	if i := strings.LastIndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			return s[i+1 : i+j]
		}
	}
	return s
}

// oneLine removes line breaks and control characters, so a subject or an
// ID from a mail can never start a new line in a log, a YAML file or a
// message.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

func toValidUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return string(bytes.ToValidUTF8(b, []byte("\uFFFD")))
}

var (
	htmlDrop    = regexp.MustCompile(`(?is)<(script|style|head)\b.*?</(script|style|head)\s*>`)
	htmlLink    = regexp.MustCompile(`(?is)<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>(.*?)</a\s*>`)
	htmlHref    = regexp.MustCompile(`(?is)<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>`)
	htmlBreak   = regexp.MustCompile(`(?i)<\s*(br|/p|/div|/tr|/li|/h[1-6])\b[^>]*>`)
	htmlTag     = regexp.MustCompile(`(?s)<[^>]*>`)
	htmlSpaces  = regexp.MustCompile(`[ \t\r\f]+`)
	htmlNewline = regexp.MustCompile(`\s*\n\s*`)
)

// HTMLText turns an HTML part into plain text: scripts and styles go, line
// breaks stay, entities are decoded, and each link keeps its address after
// its text ("トークルームを開く (https://…)"), since a button may be the only
// place a mail names its talk room.
func HTMLText(s string) string {
	s = htmlDrop.ReplaceAllString(s, " ")
	s = htmlLink.ReplaceAllStringFunc(s, func(a string) string {
		sub := htmlLink.FindStringSubmatch(a)
		return sub[4] + " (" + sub[1] + sub[2] + sub[3] + ") "
	})
	// A link left open still gives its address.
	s = htmlHref.ReplaceAllStringFunc(s, func(a string) string {
		sub := htmlHref.FindStringSubmatch(a)
		return " (" + sub[1] + sub[2] + sub[3] + ") "
	})
	s = htmlBreak.ReplaceAllString(s, "\n")
	s = htmlTag.ReplaceAllString(s, " ")
	s = html.UnescapeString(s)
	s = htmlSpaces.ReplaceAllString(s, " ")
	s = htmlNewline.ReplaceAllString(s, "\n")
	return strings.TrimSpace(s)
}

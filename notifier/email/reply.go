package email

import (
	"errors"
	"fmt"
	"net/textproto"
	"regexp"
	"strconv"
	"strings"

	"github.com/wneessen/go-mail"

	"github.com/roomwatch/roomwatch/notifier/message"
)

// ReplyError is an SMTP server's refusal as the server put it: the command
// it answered, its reply code, the enhanced status code when it sent one,
// and its text. It is what a seller needs to see in the log to fix a
// rejected sender or recipient, a full mailbox or a wrong password.
type ReplyError struct {
	Command  string // "AUTH", "MAIL FROM", "RCPT TO", "DATA"; empty when unknown
	Code     int    // 4xx: temporary, 5xx: permanent
	Enhanced string // RFC 3463 code such as "5.1.1", or ""
	Text     string // the server's words, enhanced code included, on one line
	err      error
}

func (e *ReplyError) Error() string {
	refused := "server refused"
	if e.Command != "" {
		refused += " " + e.Command
	}
	return fmt.Sprintf("%s: %d %s", refused, e.Code, e.Text)
}

func (e *ReplyError) Unwrap() error { return e.err }

// maxReplyText bounds the server's words kept in an error, which ends up in
// logs and the store.
const maxReplyText = 300

// replyOf finds the server's reply in an error of go-mail: a SendError for
// a refused MAIL FROM, RCPT TO or DATA, or a textproto.Error for a refused
// AUTH, HELO or STARTTLS. It returns nil when the server said nothing (a
// connection or TLS failure).
func replyOf(err error) *ReplyError {
	var send *mail.SendError
	if errors.As(err, &send) && send.ErrorCode() >= 400 {
		code := send.ErrorCode()
		return &ReplyError{
			Command:  sendCommands[send.Reason],
			Code:     code,
			Enhanced: send.EnhancedStatusCode(),
			Text:     cleanReply(replyText(send.Error(), code)),
			err:      err,
		}
	}
	var proto *textproto.Error
	if errors.As(err, &proto) {
		reply := &ReplyError{Code: proto.Code, Text: cleanReply(proto.Msg), err: err}
		// go-mail marks a refused login only in its error text.
		if strings.Contains(err.Error(), "SMTP AUTH failed") {
			reply.Command = "AUTH"
		}
		if m := enhancedCode.FindString(reply.Text); m != "" && strings.HasPrefix(reply.Text, m) {
			reply.Enhanced = m
		}
		return reply
	}
	return nil
}

// sendCommands names the command each of go-mail's send failures answers.
var sendCommands = map[mail.SendErrReason]string{
	mail.ErrSMTPMailFrom:  "MAIL FROM",
	mail.ErrSMTPRcptTo:    "RCPT TO",
	mail.ErrSMTPData:      "DATA",
	mail.ErrSMTPDataClose: "DATA",
	mail.ErrSMTPReset:     "RSET",
}

var enhancedCode = regexp.MustCompile(`\b[245]\.\d{1,3}\.\d{1,3}\b`)

// replyText digs the server's words for code out of a SendError's text,
// which holds them as textproto.Error prints them: `550 "5.1.1 no such
// user"` (quoted since Go 1.26) or `550 5.1.1 no such user` before. The
// SendError keeps the reply itself unexported.
func replyText(text string, code int) string {
	prefix := strconv.Itoa(code) + " "
	i := strings.Index(text, prefix)
	if i < 0 {
		return text
	}
	rest := text[i+len(prefix):]
	if strings.HasPrefix(rest, `"`) {
		if quoted, err := strconv.QuotedPrefix(rest); err == nil {
			if unquoted, err := strconv.Unquote(quoted); err == nil {
				return unquoted
			}
		}
	}
	// go-mail appends the recipients and message ID after the errors.
	rest, _, _ = strings.Cut(rest, ", affected ")
	return rest
}

// cleanReply keeps a reply to one short line: a multi-line reply's lines
// joined, control characters gone.
func cleanReply(text string) string {
	return message.Shorten(strings.Join(strings.Fields(message.OneLine(text)), " "), maxReplyText)
}

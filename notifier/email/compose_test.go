package email

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-smtp"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/internal/smtptest"
	"github.com/roomwatch/roomwatch/notifier/internal/testalert"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

// checkHeaders asserts that every header line went out as 7-bit ASCII (RFC
// 2047 encoded where needed) and decodes to valid UTF-8 on one line.
func checkHeaders(t *testing.T, p parsed) {
	t.Helper()
	for i := 0; i < len(p.raw); i++ {
		if c := p.raw[i]; c >= 0x80 || (c < 0x20 && c != '\r' && c != '\n' && c != '\t') {
			t.Fatalf("raw header byte %#x at %d:\n%s", c, i, p.raw)
		}
	}
	for name, values := range p.header {
		for _, v := range values {
			decoded := decodeHeader(t, v)
			if !utf8.ValidString(decoded) || strings.ContainsAny(decoded, "\r\n") {
				t.Errorf("%s: %q decodes to %q", name, v, decoded)
			}
		}
	}
}

func TestJapaneseMailOverSMTP(t *testing.T) {
	srv := smtptest.Start(t, authed())
	n := newMailer(t, srv, func(_ *config.EmailConfig, o *Options) { o.Language = "ja" })
	alert := testalert.Make(rules.CancelRisk, rules.Critical, "4012345", "ブログ記事 5本 <b>&</b>")
	alert.Room.Buyer = "tanaka_k"
	if _, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{alert}}); err != nil {
		t.Fatal(err)
	}
	p := parse(t, srv.Mails()[0].Data)
	checkHeaders(t, p)
	if !strings.Contains(p.header.Get("Subject"), "=?UTF-8?") {
		t.Errorf("Subject %q is not RFC 2047 encoded", p.header.Get("Subject"))
	}
	if got, want := decodeHeader(t, p.header.Get("Subject")), "【至急】tanaka_kさんに返信 — ブログ記事 5本 <b>&</b>（期限 11/25 12:00）"; got != want {
		t.Errorf("Subject = %q, want %q", got, want)
	}
	if !slices.Equal(p.types, []string{"text/plain", "text/html"}) {
		t.Fatalf("parts = %v, want text/plain then text/html", p.types)
	}

	rendered := message.Render(alert, "ja", testalert.Now.Location())
	for _, want := range append([]string{rendered.Preview, "■ " + rendered.Title}, rendered.Lines...) {
		if !strings.Contains(p.body, want) {
			t.Errorf("plain text lacks %q:\n%s", want, p.body)
		}
	}
	if !strings.Contains(p.body, "\n-- \nroomwatch からの自動送信です。時刻は JST で表示しています。") {
		t.Errorf("plain text lacks the footer:\n%s", p.body)
	}

	for _, want := range []string{
		`<html lang="ja">`,
		`<meta name="viewport" content="width=device-width, initial-scale=1">`,
		"緊急",
		"購入者に返信する：ブログ記事 5本 &lt;b&gt;&amp;&lt;/b&gt;",
		"tanaka_kさんに返信してください（11/25(水) 12:00まで）",
		"返信期限：11/25(水) 12:00（残り3時間）",
		`<a href="https://coconala.com/talkrooms/4012345"`,
		">トークルームを開く</a>",
	} {
		if !strings.Contains(p.html, want) {
			t.Errorf("HTML lacks %q:\n%s", want, p.html)
		}
	}
	if strings.Contains(p.html, "<b>&</b>") {
		t.Errorf("HTML carries the title unescaped:\n%s", p.html)
	}
	// The link is a button, not a line of text as well.
	if strings.Contains(p.html, "URL：") {
		t.Errorf("HTML repeats the talk room URL as a line:\n%s", p.html)
	}
}

// TestHTMLFitsAPhone: one narrow column with inline CSS only, nothing to
// fetch, no table to scroll sideways, and no link but the talk rooms'.
func TestHTMLFitsAPhone(t *testing.T) {
	alerts := []notifier.Alert{
		testalert.Make(rules.CancelRisk, rules.Critical, "4012345", strings.Repeat("とても長いタイトル", 30)),
		testalert.Make(rules.CheckIn, rules.Warning, "4012346", strings.Repeat("x", 300)),
	}
	c, err := render(notifier.Message{Alerts: alerts}, "ja", testalert.Now.Location())
	if err != nil {
		t.Fatal(err)
	}
	for _, banned := range []string{"<table", "<img", "<link", "<style", "<script", "src=", "url(", "@import", "position:"} {
		if strings.Contains(c.HTML, banned) {
			t.Errorf("HTML holds %q", banned)
		}
	}
	for _, width := range regexp.MustCompile(`(?:^|[;"\s])((?:min-)?width:\s*\d+px)`).FindAllStringSubmatch(c.HTML, -1) {
		t.Errorf("HTML sets a fixed %q; only max-width may be set", width[1])
	}
	if !strings.Contains(c.HTML, "max-width:600px") || !strings.Contains(c.HTML, "overflow-wrap:anywhere") {
		t.Error("the column must narrow to the screen and wrap long words")
	}
	hrefs := regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(c.HTML, -1)
	if len(hrefs) != 2 || hrefs[0][1] != alerts[0].Room.URL || hrefs[1][1] != alerts[1].Room.URL {
		t.Errorf("links = %v, want the two talk rooms", hrefs)
	}
}

func TestGroupedMailListsMostSevereFirstUnderASummary(t *testing.T) {
	srv := smtptest.Start(t, authed())
	n := newMailer(t, srv, nil)
	info := testalert.Make(rules.MayCancel, rules.Info, "4012001", "Banner")
	warning := testalert.Make(rules.CheckIn, rules.Warning, "4012002", "Logo")
	critical := testalert.Make(rules.FirstMessage, rules.Critical, "4012003", "Blog posts")
	// Out of order on purpose: the mail sorts, whoever calls it.
	m := notifier.Message{Alerts: []notifier.Alert{info, warning, critical}, Late: true}
	if _, err := n.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	p := parse(t, srv.Mails()[0].Data)
	checkHeaders(t, p)
	if got, want := decodeHeader(t, p.header.Get("Subject")), "[late] [Urgent] Send your first message to tanaka — Blog posts (by 11/25 12:00) and 2 more"; got != want {
		t.Errorf("Subject = %q, want %q", got, want)
	}
	_, htmlBody, _ := strings.Cut(p.html, "<body") // past the <title>
	for part, body := range map[string]string{"plain text": p.body, "HTML": htmlBody} {
		summary := strings.Index(body, "1 critical, 1 warning, 1 info")
		first, second, third := strings.Index(body, "Blog posts"), strings.Index(body, "Logo"), strings.Index(body, "Banner")
		if summary < 0 || !(summary < first && first < second && second < third) {
			t.Errorf("%s: summary at %d, alerts at %d, %d, %d; want the summary, then critical, warning, info:\n%s",
				part, summary, first, second, third, body)
		}
		if !strings.Contains(body, "Sent late") {
			t.Errorf("%s lacks the late notice", part)
		}
	}
	if m.Alerts[0].Room.ID != info.Room.ID || m.Alerts[2].Room.ID != critical.Room.ID {
		t.Error("Send reordered the caller's alerts")
	}
}

func TestNoticeMail(t *testing.T) {
	m := notifier.Message{Notice: &message.Notice{
		Severity: rules.Warning,
		Title:    "設定ファイルの再読み込みに失敗しました",
		Lines:    []string{`config.yaml:12:3: unknown key "tiemzone"`, "<script>"},
	}}
	c, err := render(m, "ja", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != "【要対応】設定ファイルの再読み込みに失敗しました" {
		t.Errorf("Subject = %q", c.Subject)
	}
	for _, want := range []string{"config.yaml:12:3: unknown key &#34;tiemzone&#34;", "&lt;script&gt;", "注意"} {
		if !strings.Contains(c.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, c.HTML)
		}
	}
	if strings.Contains(c.HTML, "href=") {
		t.Error("a notice has no talk room to link")
	}
}

// FuzzMail: whatever the titles and buyer names (long, CJK, emoji, CR/LF,
// HTML), the mail as sent has only the headers roomwatch sets, a one-line
// subject of valid UTF-8 within its length, both parts, every alert in
// each, and no markup but the template's.
func FuzzMail(f *testing.F) {
	for _, seed := range []struct{ title, buyer string }{
		{"ブログ記事 5本", "tanaka"},
		{strings.Repeat("ロゴデザイン", 200), strings.Repeat("長い名前", 50)},
		{"Logo\r\nBcc: evil@example.com\r\n\r\n<html>", "x\r\nSubject: hi"},
		{`</p><script>alert("x")</script><a href="javascript:1">`, `"><img src=x onerror=alert(1)>`},
		{"👩‍👩‍👧‍👦🇯🇵 emoji =?UTF-8?B?SGk=?=", "🍣\u200d"},
		{"\xff\xfe\x00 invalid", "\t\v\f"},
		{"", ""},
	} {
		f.Add(seed.title, seed.buyer, uint8(3))
	}
	kinds := rules.Kinds
	f.Fuzz(func(t *testing.T, title, buyer string, count uint8) {
		alerts := make([]notifier.Alert, 1+int(count)%12)
		for i := range alerts {
			sev := []rules.Severity{rules.Critical, rules.Warning, rules.Info}[i%3]
			alerts[i] = testalert.Make(kinds[i%len(kinds)], sev, fmt.Sprintf("40%05d", i), title)
			alerts[i].Room.Buyer = buyer
		}
		n := New(config.EmailConfig{Host: "smtp.example.com", From: "roomwatch@example.com", To: []string{"me@example.com"}},
			Options{Language: []string{"ja", "en"}[count%2], Location: testalert.Now.Location()})
		msg, err := n.compose(notifier.Message{Alerts: alerts, Late: count%3 == 0})
		if err != nil {
			t.Fatal(err)
		}
		var data bytes.Buffer
		if _, err := msg.WriteTo(&data); err != nil {
			t.Fatal(err)
		}
		p := parse(t, data.Bytes())
		checkHeaders(t, p)
		allowed := []string{"Auto-Submitted", "Content-Type", "Date", "From", "Message-Id", "Mime-Version", "Subject", "To", "User-Agent", "X-Mailer"}
		for name := range p.header {
			if !slices.Contains(allowed, name) {
				t.Fatalf("unexpected header %s: %q", name, p.header[name])
			}
		}
		if got := msg.GetToString(); !slices.Equal(got, []string{"<me@example.com>"}) {
			t.Fatalf("recipients %v", got)
		}
		subject := decodeHeader(t, p.header.Get("Subject"))
		if utf8.RuneCountInString(subject) > message.MaxSubject {
			t.Fatalf("subject of %d characters: %q", utf8.RuneCountInString(subject), subject)
		}
		if !slices.Equal(p.types, []string{"text/plain", "text/html"}) {
			t.Fatalf("parts %v", p.types)
		}
		text := html.UnescapeString(p.html)
		for _, a := range alerts {
			if !strings.Contains(p.body, "（"+a.Room.ID+"）") && !strings.Contains(p.body, "("+a.Room.ID+")") {
				t.Fatalf("plain text lacks room %s", a.Room.ID)
			}
			if !strings.Contains(text, a.Room.ID) {
				t.Fatalf("HTML lacks room %s", a.Room.ID)
			}
		}
		// No markup from a room: the HTML has exactly the tags the same
		// mail has with harmless words.
		for i := range alerts {
			alerts[i].Room.Title, alerts[i].Room.Buyer = placeholderText(title), placeholderText(buyer)
		}
		plain, err := render(notifier.Message{Alerts: alerts, Late: count%3 == 0}, []string{"ja", "en"}[count%2], testalert.Now.Location())
		if err != nil {
			t.Fatal(err)
		}
		if got, want := tags(p.html), tags(plain.HTML); !slices.Equal(got, want) {
			t.Fatalf("room text changed the markup:\n got %v\nwant %v", got, want)
		}
	})
}

// placeholderText stands in for s with harmless letters, keeping whether it
// is empty (an empty buyer drops a line).
func placeholderText(s string) string {
	if s == "" {
		return ""
	}
	return "x"
}

var tagPattern = regexp.MustCompile(`<[^>]*>`)

// tags lists an HTML text's tags with their attribute values blanked, so
// two mails can be compared for markup alone.
func tags(s string) []string {
	var out []string
	for _, tag := range tagPattern.FindAllString(s, -1) {
		out = append(out, regexp.MustCompile(`"[^"]*"`).ReplaceAllString(tag, `""`))
	}
	return out
}

func TestServerReplyInErrorAndLog(t *testing.T) {
	cases := []struct {
		name    string
		stage   smtptest.Stage
		reply   smtp.SMTPError
		command string
		retry   bool
	}{
		{"unknown recipient", smtptest.StageRcpt, smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox unavailable"}, "RCPT TO", false},
		{"mailbox full", smtptest.StageRcpt, smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 2, 2}, Message: "mailbox full, try later"}, "RCPT TO", true},
		{"spam", smtptest.StageData, smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "message refused as spam"}, "DATA", false},
		{"echoes the password", smtptest.StageData, smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "bad credentials " + password}, "DATA", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := authed()
			opts.Reject = func(stage smtptest.Stage, _ int) *smtp.SMTPError {
				if stage == c.stage {
					reply := c.reply
					return &reply
				}
				return nil
			}
			srv := smtptest.Start(t, opts)
			n := newMailer(t, srv, nil)
			var logged bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logged, nil))
			// A few quick attempts: the waits are counted, not slept.
			retrier := notifier.Retrier{
				Base: time.Second, Max: time.Second, Deadline: 2500 * time.Millisecond,
				Sleep:  func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
				Jitter: func(d time.Duration) time.Duration { return d },
			}
			router := notifier.NewRouter([]notifier.Notifier{n}, nil, retrier, log)
			results := router.Dispatch(context.Background(), []notifier.Alert{testalert.Make(rules.CheckIn, rules.Warning, "1", "t")}, false)

			want := fmt.Sprintf("server refused %s: %d %d.%d.%d %s", c.command, c.reply.Code,
				c.reply.EnhancedCode[0], c.reply.EnhancedCode[1], c.reply.EnhancedCode[2], c.reply.Message)
			want = strings.ReplaceAll(want, password, "<secret>")
			if results[0].Delivered || !strings.Contains(results[0].Errors["mail"], want) {
				t.Errorf("result %+v, want an error saying %q", results[0], want)
			}
			if !strings.Contains(logged.String(), strings.ReplaceAll(want, `"`, `\"`)) {
				t.Errorf("log does not carry the reply %q:\n%s", want, logged.String())
			}
			for _, text := range []string{results[0].Errors["mail"], logged.String()} {
				if strings.Contains(text, password) {
					t.Errorf("the password leaked: %s", text)
				}
			}

			retry, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{testalert.Make(rules.CheckIn, rules.Warning, "1", "t")}})
			var reply *ReplyError
			if !errors.As(err, &reply) || retry != c.retry {
				t.Fatalf("Send = %v, %v; want a ReplyError, retry %v", retry, err, c.retry)
			}
			enhanced := fmt.Sprintf("%d.%d.%d", c.reply.EnhancedCode[0], c.reply.EnhancedCode[1], c.reply.EnhancedCode[2])
			if reply.Code != c.reply.Code || reply.Enhanced != enhanced || reply.Command != c.command {
				t.Errorf("reply = %+v", reply)
			}
		})
	}
}

func TestRefusedLoginSaysSo(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{Username: "me@example.com", Password: "the-right-one"})
	n := newMailer(t, srv, nil)
	retry, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{testalert.Make(rules.CheckIn, rules.Warning, "1", "t")}})
	var reply *ReplyError
	if !errors.As(err, &reply) || retry {
		t.Fatalf("Send = %v, %v; want a permanent ReplyError", retry, err)
	}
	if reply.Command != "AUTH" || reply.Code != 535 || reply.Enhanced != "5.7.8" {
		t.Errorf("reply = %+v", reply)
	}
	if !strings.Contains(err.Error(), "server refused AUTH: 535 5.7.8 Authentication failed") || strings.Contains(err.Error(), password) {
		t.Errorf("error = %v", err)
	}
}

func TestReplyText(t *testing.T) {
	cases := map[string]string{
		`sending SMTP RCPT TO command: 550 "5.1.1 no such user", affected recipient(s): <a@b>`: "5.1.1 no such user",
		`sending SMTP RCPT TO command: 550 5.1.1 no such user, affected recipient(s): <a@b>`:   "5.1.1 no such user",
		`closing SMTP DATA writer: 554 "5.7.1 line one\nline two"`:                             "5.7.1 line one\nline two",
		`something else entirely`: "something else entirely",
	}
	for in, want := range cases {
		code := 550
		if strings.Contains(in, "554") {
			code = 554
		}
		if got := replyText(in, code); got != want {
			t.Errorf("replyText(%q) = %q, want %q", in, got, want)
		}
	}
	if got := cleanReply("5.7.1 line one\nline two\x00" + strings.Repeat("x", 500)); strings.ContainsAny(got, "\n\x00") || utf8.RuneCountInString(got) > maxReplyText {
		t.Errorf("cleanReply = %q", got)
	}
}

package config

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

func TestInboxSection(t *testing.T) {
	c := mustLoad(t, `
inbox:
  host: imap.gmail.com
  username: seller@gmail.com
  password: abcd efgh ijkl mnop
  add_to_yaml: true
  rules:
    - name: coconala-message
      subject: "メッセージ"
      event: buyer_message
      from: [noreply@coconala.com]
    - name: forwarded
      platform: lancers
      from: me@example.com
      subject: "^Fwd:"
      event: buyer_rated
      room: "room ([0-9]+)"
`)
	in := c.Inbox
	if !in.Watches() || in.Address() != "imap.gmail.com:993" || in.TLS != "tls" || in.Mailbox != "INBOX" || in.PollEvery != time.Minute || !in.AddToYAML {
		t.Errorf("inbox = %+v", in)
	}
	if in.Password.Value() != "abcd efgh ijkl mnop" || fmt.Sprint(in.Password) != "<secret>" {
		t.Errorf("the password is not a secret: %q", fmt.Sprint(in.Password))
	}
	if len(in.Rules) != 2 || in.Rules[0].Platform != "coconala" || in.Rules[1].From[0] != "me@example.com" || in.Rules[1].Event != rules.EventBuyerRated {
		t.Errorf("rules = %+v", in.Rules)
	}
	if _, err := c.MailRules(); err != nil {
		t.Error(err)
	}
	if got := strings.Join(c.InlineSecrets(), ","); !strings.Contains(got, "inbox.password") {
		t.Errorf("inline secrets %q lack inbox.password", got)
	}
}

func TestInboxWithoutAccountOnlyRules(t *testing.T) {
	c := mustLoad(t, "inbox:\n  add_to_yaml: false\n")
	if c.Inbox.Watches() {
		t.Error("no host, yet watched")
	}
	if rs, err := c.MailRules(); err != nil || len(rs) == 0 {
		t.Errorf("presets: %d %v", len(rs), err)
	}
}

func TestInboxErrors(t *testing.T) {
	errs := loadErrors(t, `
inbox:
  host: imap.example.com
  tls: ssl
  port: 99999
  poll_every: 1s
  rules:
    - name: a
      subject: "("
      event: buyer_message
    - name: b
      subject: x
      event: seller_message
    - name: c
      subject: x
      event: closed
      room: "no group"
    - name: d
      subject: x
      event: closed
    - name: d
      subject: y
      event: closed
    - name: e
      subject: x
      event: closed
      colour: red
`)
	all := strings.Join(errs, "\n")
	for _, want := range []string{
		"3:3: inbox needs username",
		"3:3: inbox needs password or password_file",
		`4:8: inbox.tls: unknown mode "ssl"`,
		`5:9: inbox.port: "99999" is not a port number`,
		"6:15: poll_every",
		`8:7: inbox.rules: rule "a": subject: error parsing regexp`,
		`11:7: inbox.rules: rule "b": event: "seller_message" cannot come by mail`,
		`14:7: inbox.rules: rule "c": room: the pattern needs a group`,
		`21:7: inbox.rules: two rules named "d"`,
		"colour",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %q in:\n%s", want, all)
		}
	}
	errs = loadErrors(t, "inbox:\n  username: me\n")
	if !strings.Contains(strings.Join(errs, "\n"), "inbox.username is set but inbox.host is not") {
		t.Errorf("errors: %v", errs)
	}
}

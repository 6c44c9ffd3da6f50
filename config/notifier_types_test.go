package config

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// minimalNotifiers holds, per type, the smallest entry check accepts.
var minimalNotifiers = map[string]string{
	"slack":   "    webhook_url: https://hooks.slack.com/services/T/B/x\n",
	"email":   "    host: smtp.example.com\n    from: a@example.com\n    to: b@example.com\n",
	"console": "",
	"ntfy":    "    topic: roomwatch-alerts\n",
	"line":    "    channel_access_token: t0ken\n    to: " + testLineUser + "\n",
	"discord": "    webhook_url: https://discord.com/api/webhooks/1/ab\n",
	"webhook": "    url: https://e.example/hook\n",
}

// TestEveryTypeHasItsOwnSettings ties the type table to Notifier: one
// pointer field per type, and an entry of each type sets its own pointer
// and no other.
func TestEveryTypeHasItsOwnSettings(t *testing.T) {
	var pointers []string
	typ := reflect.TypeFor[Notifier]()
	for i := range typ.NumField() {
		if typ.Field(i).Type.Kind() == reflect.Pointer {
			pointers = append(pointers, typ.Field(i).Name)
		}
	}
	if len(pointers) != len(NotifierTypes()) {
		t.Errorf("Notifier has settings %v for types %v", pointers, NotifierTypes())
	}
	if got := slices.Sorted(maps.Keys(minimalNotifiers)); !slices.Equal(got, slices.Sorted(slices.Values(NotifierTypes()))) {
		t.Fatalf("minimal entries for %v, types %v", got, NotifierTypes())
	}
	for _, name := range NotifierTypes() {
		c := mustLoad(t, "notifiers:\n  - type: "+name+"\n"+minimalNotifiers[name])
		n := c.Notifiers[0]
		settings := n.Settings()
		if settings == nil {
			t.Errorf("%s: no settings", name)
			continue
		}
		var set []string
		v := reflect.ValueOf(n)
		for _, field := range pointers {
			if !v.FieldByName(field).IsNil() {
				set = append(set, field)
			}
		}
		if len(set) != 1 || !strings.EqualFold(set[0], name) || reflect.TypeOf(settings) != v.FieldByName(set[0]).Type() {
			t.Errorf("%s: settings set %v, Settings() %T", name, set, settings)
		}
	}
	if (Notifier{Type: "slack"}).Settings() != nil || (Notifier{Type: "pager", Slack: &SlackConfig{}}).Settings() != nil {
		t.Error("Settings() of a notifier without its pointer, or of an unknown type, is not nil")
	}
	if d := Default().Notifiers[0]; d.Console == nil || d.Settings() == nil {
		t.Errorf("the default console has no settings: %+v", d)
	}
}

// TestNotifierBadFormsRefusedWithTheirPlace pins, per type, what check
// says about each bad form and where: these are the checks the backends
// made again at start before config was their one place.
func TestNotifierBadFormsRefusedWithTheirPlace(t *testing.T) {
	const user = "    to: " + testLineUser + "\n"
	tests := []struct{ name, entry, want string }{
		{"slack nothing", "    type: slack\n",
			`2:5: slack notifier "phone" needs webhook_url (or webhook_url_file), or token (or token_file) with channel`},
		{"slack token only", "    type: slack\n    token: xoxb-1\n",
			`2:5: slack notifier "phone" has a token but no channel (e.g. channel: "#roomwatch")`},
		{"slack bad webhook", "    type: slack\n    webhook_url: hooks.slack.com/x\n",
			`4:18: webhook_url is not an http(s) URL`},
		{"slack app token without bot token", "    type: slack\n    webhook_url: https://hooks.slack.com/x\n    app_token: xapp-1\n",
			`5:16: app_token (buttons) also needs token and channel`},
		{"slack bad api_url", "    type: slack\n    webhook_url: https://hooks.slack.com/x\n    api_url: ftp://x\n",
			`5:14: api_url is not an http(s) URL`},
		{"email no host", "    type: email\n    from: a@example.com\n    to: b@example.com\n",
			`2:5: email notifier "phone" needs host`},
		{"email bad tls", "    type: email\n    host: smtp.example.com\n    tls: ssl\n    from: a@example.com\n    to: b@example.com\n",
			`5:10: tls: unknown mode "ssl": use starttls, tls or none`},
		{"email bad port", "    type: email\n    host: smtp.example.com\n    port: 70000\n    from: a@example.com\n    to: b@example.com\n",
			`5:11: port: "70000" is not a port number (1-65535)`},
		{"email bad from", "    type: email\n    host: smtp.example.com\n    from: not an address\n    to: b@example.com\n",
			`5:11: from: bad mail address "not an address"`},
		{"email header injection", "    type: email\n    host: smtp.example.com\n    from: \"a@example.com\\r\\nBcc: evil@x\"\n    to: b@example.com\n",
			`5:11: from: bad mail address`},
		{"email no to", "    type: email\n    host: smtp.example.com\n    from: a@example.com\n",
			`2:5: email notifier "phone" needs to (one address or a list)`},
		{"email bad to", "    type: email\n    host: smtp.example.com\n    from: a@example.com\n    to: [x]\n",
			`6:10: to: bad mail address "x"`},
		{"email password without username", "    type: email\n    host: smtp.example.com\n    password: pa55\n    from: a@example.com\n    to: b@example.com\n",
			`5:15: email notifier "phone" has a password but no username`},
		{"ntfy no topic", "    type: ntfy\n",
			`2:5: ntfy notifier "phone" needs topic`},
		{"ntfy server without scheme", "    type: ntfy\n    server: ntfy.example.com\n    topic: rw\n",
			`4:13: server is not an http(s) URL`},
		{"ntfy server not http", "    type: ntfy\n    server: ftp://ntfy.example.com\n    topic: rw\n",
			`4:13: server is not an http(s) URL`},
		{"ntfy server with password", "    type: ntfy\n    server: https://me:pa55word@ntfy.example.com\n    topic: rw\n",
			`4:13: server: credentials do not belong in the URL; use token`},
		{"ntfy server with query", "    type: ntfy\n    server: https://ntfy.example.com/?auth=x\n    topic: rw\n",
			`4:13: server: the URL must not have a query or fragment`},
		{"ntfy topic with slash", "    type: ntfy\n    topic: a/b\n",
			`4:12: bad topic "a/b": use up to 64 letters, digits, '-' or '_'`},
		{"ntfy topic in Japanese", "    type: ntfy\n    topic: 通知\n",
			`4:12: bad topic "通知"`},
		{"ntfy topic too long", "    type: ntfy\n    topic: " + strings.Repeat("a", 65) + "\n",
			`4:12: bad topic "` + strings.Repeat("a", 65) + `"`},
		{"line no token", "    type: line\n" + user,
			`2:5: line notifier "phone" needs channel_access_token (or channel_access_token_file)`},
		{"line no user", "    type: line\n    channel_access_token: t\n",
			`2:5: line notifier "phone" needs to`},
		{"line bad api_url", "    type: line\n    channel_access_token: t\n" + user + "    api_url: not a url\n",
			`6:14: api_url is not an http(s) URL`},
		{"console with a key", "    type: console\n    to: x\n",
			`4:5: key "to" does not apply to a console notifier`},
		{"unknown type", "    type: pager\n",
			`3:11: unknown notifier type "pager": use slack, email, console, ntfy, line, discord, webhook`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := loadErrors(t, "notifiers:\n  - name: phone\n"+tt.entry)
			if len(got) != 1 || !strings.HasPrefix(got[0], tt.want) {
				t.Errorf("errors:\n%s\nwant one starting with:\n%s", strings.Join(got, "\n"), tt.want)
			}
			if strings.Contains(strings.Join(got, ""), "pa55word") {
				t.Errorf("an error shows the password: %s", got)
			}
		})
	}
}

// TestSlackWarnsOfTheUnusedWay: written both ways, a Slack notifier posts
// through the Web API (the buttons edit what the bot posted) and check
// says the other setting is idle; the file is accepted.
func TestSlackWarnsOfTheUnusedWay(t *testing.T) {
	c := mustLoad(t, "notifiers:\n  - name: phone\n    type: slack\n    webhook_url: https://hooks.slack.com/x\n    token: xoxb-1\n    channel: C1\n")
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0].Error(), `:4:18: warning: slack notifier "phone": webhook_url is not used`) {
		t.Errorf("warnings = %v", c.Warnings)
	}
	if s := c.Notifiers[0].Slack; s.Token.Value() != "xoxb-1" || s.WebhookURL.IsZero() {
		t.Errorf("settings = %+v", s)
	}
	c = mustLoad(t, "notifiers:\n  - name: phone\n    type: slack\n    webhook_url: https://hooks.slack.com/x\n    channel: C1\n")
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0].Error(), `:5:14: warning: slack notifier "phone": channel is not used`) {
		t.Errorf("warnings = %v", c.Warnings)
	}
}

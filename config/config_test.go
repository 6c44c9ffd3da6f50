package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// writeConfig writes text as roomwatch.yaml in a fresh folder.
func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "roomwatch.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func mustLoad(t *testing.T, text string) *Config {
	t.Helper()
	c, err := Load(writeConfig(t, text))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

// loadErrors loads text and returns the problems as "line:col: message".
func loadErrors(t *testing.T, text string) []string {
	t.Helper()
	path := writeConfig(t, text)
	_, err := Load(path)
	if err == nil {
		t.Fatalf("Load succeeded, want errors; config:\n%s", text)
	}
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Load error %T %v, want Errors", err, err)
	}
	var out []string
	for _, e := range errs {
		if e.File != path {
			t.Errorf("error file = %q, want %q", e.File, path)
		}
		out = append(out, strings.TrimPrefix(e.Error(), path+":"))
	}
	return out
}

func TestEveryErrorReportedAtOnce(t *testing.T) {
	got := loadErrors(t, `timezone: Asia/Tokyo
policy:
  check_in_every: 3days
rooms:
  - id: 4012345
    titel: ブログ記事
    opened: 2026-11-20 10:00
  - id: "4012345"
    opened: 2026-11-21 10:00
`)
	want := []string{
		`3:19: check_in_every: bad duration "3days": use Go units (90m, 72h, 1h30m), days (90d, 1d12h) or none to switch it off`,
		`6:5: unknown key "titel" in room (did you mean "title"?)`,
		`8:9: duplicate room ID "4012345" (first at line 5)`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestErrorsSortedByPosition(t *testing.T) {
	// Rooms are read after the timezone, yet the room's error comes first.
	got := loadErrors(t, `rooms:
  - id: a
    opened: yesterday
timezone: Mars/Olympus
`)
	if len(got) != 2 || !strings.HasPrefix(got[0], "3:13: opened: bad time") || !strings.HasPrefix(got[1], "4:11: unknown timezone") {
		t.Errorf("errors not in file order:\n%s", strings.Join(got, "\n"))
	}
}

func TestErrorClasses(t *testing.T) {
	t.Setenv("ROOMWATCH_TEST_UNSET", "")
	os.Unsetenv("ROOMWATCH_TEST_UNSET")
	tests := []struct {
		name, config string
		want         string // "line:col: message" prefix of the only error
	}{
		{"unknown top-level key", "timezon: Asia/Tokyo\n",
			`1:1: unknown key "timezon" in the top level (did you mean "timezone"?)`},
		{"duplicate key", "language: ja\nlanguage: en\n",
			`2:1: duplicate key "language" in the top level (first at line 1)`},
		{"bad language", "language: fr\n",
			`1:11: unknown language "fr": use ja or en`},
		{"bad timezone", "timezone: Asia/Tokio\n",
			`1:11: unknown timezone "Asia/Tokio"`},
		{"unknown default platform", "platform: coconara\n",
			`1:11: unknown platform "coconara": use one of coconala, crowdworks, fiverr, lancers, upwork`},
		{"unknown room platform", "rooms:\n  - id: a\n    opened: 2026-11-20\n    platform: mercari\n",
			`4:15: unknown platform "mercari"`},
		{"unknown profile platform", "profiles:\n  coconal: {auto_approval: 72h}\n",
			`2:3: unknown platform "coconal"`},
		{"unknown profile key", "profiles:\n  coconala: {auto_aproval: 72h}\n",
			`2:14: unknown key "auto_aproval" in profiles.coconala (did you mean "auto_approval"?)`},
		{"bad profile duration", "profiles:\n  coconala:\n    rating_window: 90 days\n",
			`3:20: rating_window: bad duration "90 days"`},
		{"negative duration", "profiles:\n  coconala:\n    auto_approval: -1h\n",
			`3:20: auto_approval: "-1h" is negative`},
		{"policy duration below a minute", "policy:\n  check_in_every: 30s\n",
			`2:19: check_in_every: 30s is too short: use at least 1m, or none to switch it off`},
		{"bad warn_before", "policy:\n  warn_before: [24h, soon]\n",
			`2:22: warn_before: bad duration "soon"`},
		{"bad quiet_hours", "policy:\n  quiet_hours: \"23:00~08:00\"\n",
			`2:16: quiet_hours: bad quiet hours "23:00~08:00": use HH:MM-HH:MM`},
		{"empty quiet_hours window", "policy:\n  quiet_hours: 08:00-08:00\n",
			`2:16: quiet_hours: quiet hours "08:00-08:00" start and end at the same time`},
		{"bad digest_at", "policy:\n  digest_at: \"8:3\"\n",
			`2:14: digest_at: bad time of day "8:3": use HH:MM`},
		{"digest_at out of range", "policy:\n  digest_at: \"24:00\"\n",
			`2:14: digest_at: bad time of day "24:00"`},
		{"unknown notifier type", "notifiers:\n  - name: sms\n    type: twilio\n",
			`3:11: unknown notifier type "twilio": use slack, email, console, ntfy, line, discord, webhook`},
		{"notifier without type", "notifiers:\n  - name: x\n",
			`2:5: notifier needs a type`},
		{"duplicate notifier name", "notifiers:\n  - type: console\n  - type: console\n",
			`3:5: duplicate notifier name "console" (first at line 2)`},
		{"secret file not regular", "notifiers:\n  - type: slack\n    webhook_url_file: /dev/null\n",
			`3:23: webhook_url_file: /dev/null is not a regular file`},
		{"slack without destination", "notifiers:\n  - name: phone\n    type: slack\n",
			`2:5: slack notifier "phone" needs webhook_url (or webhook_url_file), or token (or token_file) with channel`},
		{"slack with an empty webhook", "notifiers:\n  - name: phone\n    type: slack\n    webhook_url: \"\"\n",
			`2:5: slack notifier "phone" needs webhook_url`},
		{"slack token without channel", "notifiers:\n  - name: phone\n    type: slack\n    token: ${SLACK_TOKEN_FOR_TEST}\n",
			`2:5: slack notifier "phone" has a token but no channel`},
		{"slack app token alone", "notifiers:\n  - type: slack\n    webhook_url: https://hooks.slack.com/services/T/B/X\n    app_token: xapp-1\n",
			`4:16: app_token (buttons) also needs token and channel`},
		{"email without host", "notifiers:\n  - type: email\n    from: a@example.com\n    to: b@example.com\n",
			`2:5: email notifier "email" needs host`},
		{"email without from", "notifiers:\n  - type: email\n    host: smtp.example.com\n    to: [b@example.com]\n",
			`2:5: email notifier "email" needs from`},
		{"email without to", "notifiers:\n  - type: email\n    host: smtp.example.com\n    from: a@example.com\n",
			`2:5: email notifier "email" needs to`},
		{"email bad address", "notifiers:\n  - type: email\n    host: h\n    from: a@example.com\n    to: [b@example.com, not an address]\n",
			`5:25: to: bad mail address "not an address"`},
		{"email bad port", "notifiers:\n  - type: email\n    host: h\n    port: 99999\n    from: a@example.com\n    to: b@example.com\n",
			`4:11: port: "99999" is not a port number`},
		{"email bad tls", "notifiers:\n  - type: email\n    host: h\n    tls: ssl\n    from: a@example.com\n    to: b@example.com\n",
			`4:10: tls: unknown mode "ssl": use starttls, tls or none`},
		{"ntfy without topic", "notifiers:\n  - type: ntfy\n",
			`2:5: ntfy notifier "ntfy" needs topic`},
		{"weak control token", "control:\n  http: 127.0.0.1:8765\n  token: hunter2\n",
			`3:10: token: control.token is the key to every operation of the HTTP API, and this one has 7 bytes: use at least 32 random bytes`},
		{"weak read token", "control:\n  token: " + strongToken + "\n  read_token: cal\n",
			`3:15: read_token: control.read_token opens the calendar feed and status, and this one has 3 bytes`},
		{"remote HTTP API without TLS", "control:\n  http: 0.0.0.0:8765\n  token: " + strongToken + "\n",
			`2:9: control.http: 0.0.0.0:8765 is reachable from other machines, and the API would send its token and your rooms in plain HTTP`},
		{"tls key without cert", "control:\n  tls_key_file: key.pem\n",
			`2:3: tls_key_file needs tls_cert_file beside it`},
		{"public_url without the API", "control:\n  token: " + strongToken + "\n  public_url: https://pi.example.net:8765\n",
			`3:15: public_url needs control.http: action links are served by the HTTP API`},
		{"public_url not a URL", "control:\n  public_url: pi.example.net\n",
			`2:15: public_url: "pi.example.net" is not an address like https://pi.tailnet.ts.net:8765`},
		{"link_ttl too short", "control:\n  link_ttl: 5m\n",
			`2:13: link_ttl: 5m is too short: use at least 1h`},
		{"ntfy bad actions_url", "notifiers:\n  - type: ntfy\n    topic: t\n    token: tk\n    actions_url: ftp://x\n",
			`5:18: actions_url is not an http(s) URL`},
		{"route to a broken notifier is not a second error", "notifiers:\n  - name: phone\n    type: slack\nroutes:\n  critical: [phone]\n",
			`2:5: slack notifier "phone" needs webhook_url`},
		{"route to missing notifier", "routes:\n  critical: [console, phone]\n",
			`2:23: routes.critical names notifier "phone", which is not defined (notifiers: console)`},
		{"unknown severity", "routes:\n  urgent: [console]\n",
			`2:3: unknown severity "urgent" in routes: use critical, warning or info`},
		{"failover_after zero", "routes:\n  failover_after: 0s\n",
			`2:19: routes.failover_after: 0s is too short: use at least 1s (a critical alert needs some time on its first notifier)`},
		{"failover_after negative", "routes:\n  failover_after: -1m\n",
			`2:19: routes.failover_after: "-1m" is negative`},
		{"room without id", "rooms:\n  - title: x\n    opened: 2026-11-20\n",
			`2:5: room needs id`},
		{"room without opened", "rooms:\n  - id: a\n",
			`2:5: room needs opened`},
		{"room with empty opened", "rooms:\n  - id: a\n    opened: \"\"\n",
			`3:13: room needs opened`},
		{"room event with a bad time", "rooms:\n  - id: a\n    opened: 2026-11-20 10:00\n    seller_message: 2026-11-31 10:00\n",
			`4:21: seller_message: bad time "2026-11-31 10:00": use "2026-11-20 10:00"`},
		{"bad due", "rooms:\n  - id: a\n    opened: 2026-11-20\n    due: next friday\n",
			`4:10: due: bad time "next friday"`},
		{"bad via", "rooms:\n  - id: a\n    opened: 2026-11-20\n    via: quotation\n",
			`4:10: via: unknown value "quotation": use purchase or quote`},
		{"bad extra_payment", "rooms:\n  - id: a\n    opened: 2026-11-20\n    extra_payment: yes\n",
			`4:20: extra_payment: unknown value "yes": use none, pending or paid`},
		{"bad room id", "rooms:\n  - id: a|b\n    opened: 2026-11-20\n",
			`2:9: bad room ID "a|b"`},
		{"room url", "rooms:\n  - id: a\n    opened: 2026-11-20\n    url: coconala.com/talkrooms/1\n",
			`4:10: url "coconala.com/talkrooms/1" is not an http(s) URL`},
		{"rooms not a list", "rooms:\n  id: a\n",
			`2:3: rooms must be a list`},
		{"room not a mapping", "rooms:\n  - 4012345\n",
			`2:5: room must be a mapping`},
		{"list where a value belongs", "language: [ja]\n",
			`1:11: language must be a single value, not a list`},
		{"unset variable", "store: ${ROOMWATCH_TEST_UNSET}/roomwatch.db\n",
			`1:8: store: environment variable "ROOMWATCH_TEST_UNSET" is not set`},
		{"unterminated variable", "store: ${HOME\n",
			`1:8: store: unterminated ${`},
		{"control http without token", "control:\n  http: 127.0.0.1:8765\n",
			`2:9: control.http enables the HTTP API, which needs token or token_file`},
		{"control bad http", "control:\n  http: localhost\n  token: " + strongToken + "\n",
			`2:9: control.http: bad listen address "localhost"`},
		{"socket path too long", "control:\n  socket: /run/" + strings.Repeat("x", 120) + ".sock\n",
			`2:11: control.socket: /run/xxx`},
		{"secret and its file", "control:\n  token: ${HOME}\n  token_file: t\n",
			`3:3: set token or token_file, not both`},
		{"missing secret file", "control:\n  token_file: no-such-file\n",
			`2:15: token_file: secret file not found`},
		{"syntax error in a block", "rooms:\n  - id: a\n   opened: x\n",
			`2: YAML syntax: did not find expected '-' indicator`},
		{"syntax error at the top", "language: ja\n- rooms\n",
			`2: YAML syntax: did not find expected key`},
		{"syntax error of the scanner", "language: ja\nstore: a: b\n",
			`2: YAML syntax: mapping values are not allowed in this context`},
		{"second document", "language: ja\n---\nlanguage: en\n",
			`3:1: a second YAML document`},
		{"merge of a scalar", "rooms:\n  - <<: 5\n    id: a\n    opened: 2026-11-20\n",
			`2:9: << in room must merge a mapping`},
	}
	t.Setenv("SLACK_TOKEN_FOR_TEST", "xoxb-test")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := loadErrors(t, tt.config)
			if len(got) != 1 || !strings.HasPrefix(got[0], tt.want) {
				t.Errorf("errors:\n%s\nwant one starting with:\n%s", strings.Join(got, "\n"), tt.want)
			}
		})
	}
}

func TestKeyOfAnotherNotifierType(t *testing.T) {
	hook := filepath.Join(t.TempDir(), "hook")
	if err := os.WriteFile(hook, []byte("https://hooks.slack.com/services/T/B/X\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got := loadErrors(t, "notifiers:\n  - type: slack\n    webhook_url_file: "+hook+"\n    host: smtp.example.com\n")
	want := []string{`4:5: key "host" does not apply to a slack notifier`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("errors = %q, want %q", got, want)
	}
}

func TestDefaults(t *testing.T) {
	path := writeConfig(t, "# nothing set\n")
	dir := filepath.Dir(path)
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		c    *Config
		dir  string
	}{{"empty file", c, dir}, {"Default()", Default(), wd}} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c
			if c.Timezone.String() != "Asia/Tokyo" || c.Language != "ja" || c.Platform != "coconala" {
				t.Errorf("timezone %v, language %q, platform %q", c.Timezone, c.Language, c.Platform)
			}
			if want := filepath.Join(tc.dir, "roomwatch.db"); c.Store != want {
				t.Errorf("store = %q, want %q", c.Store, want)
			}
			if want := filepath.Join(tc.dir, "roomwatch.sock"); c.Control.Socket != want {
				t.Errorf("socket = %q, want %q", c.Control.Socket, want)
			}
			if c.Control.HTTP != "" || !c.Control.Token.IsZero() {
				t.Errorf("HTTP API should be off: %+v", c.Control)
			}
			if !reflect.DeepEqual(c.Profiles, rules.Profiles) {
				t.Errorf("profiles = %+v, want the built-in ones", c.Profiles)
			}
			policy := rules.DefaultPolicy()
			policy.Location = c.Timezone
			if !reflect.DeepEqual(c.Policy, policy) {
				t.Errorf("policy = %+v, want %+v", c.Policy, policy)
			}
			if c.DigestAt != 8*time.Hour+30*time.Minute {
				t.Errorf("digest at %v, want 08:30", c.DigestAt)
			}
			if !reflect.DeepEqual(c.Notifiers, []Notifier{{Name: "console", Type: "console", Timeout: 10 * time.Second, Console: &ConsoleConfig{}}}) {
				t.Errorf("notifiers = %+v, want the console alone", c.Notifiers)
			}
			for _, s := range severities {
				if !reflect.DeepEqual(c.Routes[s], []string{"console"}) {
					t.Errorf("routes[%s] = %v", s, c.Routes[s])
				}
			}
			if len(c.Rooms) != 0 || c.Summary() != "0 rooms, 1 notifier, timezone Asia/Tokyo" {
				t.Errorf("summary %q", c.Summary())
			}
		})
	}
	if c.Path != path {
		t.Errorf("Path = %q, want %q", c.Path, path)
	}
}

func TestProfileOverrides(t *testing.T) {
	c := mustLoad(t, `profiles:
  coconala:
    auto_approval: 96h
    rating_window: none
    room_limit: 0
  fiverr:
    rating_window: 30d
    rating_from_close: false
platform: fiverr
rooms:
  - {id: a, opened: 2026-11-20 10:00}
  - {id: b, opened: 2026-11-20 10:00, platform: coconala}
`)
	coconala := rules.Profiles["coconala"]
	coconala.AutoApproval = 96 * time.Hour
	coconala.RatingWindow = 0
	coconala.RoomLimit = 0
	if got := c.Profiles["coconala"]; got != coconala {
		t.Errorf("coconala = %+v, want %+v", got, coconala)
	}
	fiverr := rules.Profiles["fiverr"]
	fiverr.RatingWindow = 30 * 24 * time.Hour
	fiverr.RatingFromClose = false
	if got := c.Profiles["fiverr"]; got != fiverr {
		t.Errorf("fiverr = %+v, want %+v", got, fiverr)
	}
	if rules.Profiles["coconala"].AutoApproval != 72*time.Hour {
		t.Error("overrides leaked into rules.Profiles")
	}
	if c.Rooms[0].Platform != "fiverr" || c.Rooms[1].Platform != "coconala" {
		t.Errorf("platforms %q %q", c.Rooms[0].Platform, c.Rooms[1].Platform)
	}
	if c.Profile(c.Rooms[1]) != coconala {
		t.Error("Profile(room) should use the room's platform")
	}
}

func TestPolicyOverrides(t *testing.T) {
	c := mustLoad(t, `timezone: UTC
policy:
  check_in_every: 2d
  warn_before: [3h, 24h, 3h, 30m]
  repeat_every: 1h
  repeat_for: none
  quiet_hours: "22:30-07:00"
  digest_at: ""
`)
	want := rules.DefaultPolicy()
	want.CheckInEvery = 48 * time.Hour
	want.WarnBefore = []time.Duration{24 * time.Hour, 3 * time.Hour, 30 * time.Minute}
	want.RepeatEvery = time.Hour
	want.RepeatFor = 0
	want.QuietHours = rules.QuietHours{Start: 22*time.Hour + 30*time.Minute, End: 7 * time.Hour}
	want.Location = time.UTC
	if !reflect.DeepEqual(c.Policy, want) {
		t.Errorf("policy = %+v\nwant %+v", c.Policy, want)
	}
	if c.DigestAt != -1 {
		t.Errorf("digest_at \"\" = %v, want -1 (off)", c.DigestAt)
	}

	c = mustLoad(t, "policy:\n  warn_before: []\n  digest_at: \"07:05\"\n")
	if len(c.Policy.WarnBefore) != 0 || c.DigestAt != 7*time.Hour+5*time.Minute {
		t.Errorf("warn_before %v, digest %v", c.Policy.WarnBefore, c.DigestAt)
	}
}

func TestNotifiersAndRoutes(t *testing.T) {
	t.Setenv("RW_SLACK_TOKEN", "xoxb-from-env")
	c := mustLoad(t, `notifiers:
  - name: phone
    type: slack
    token: ${RW_SLACK_TOKEN}
    channel: "#roomwatch"
    api_url: http://127.0.0.1:9/api
    timeout: 3s
  - name: mail
    type: email
    host: smtp.example.com
    tls: tls
    username: me@example.com
    password: ${RW_SLACK_TOKEN}
    from: roomwatch@example.com
    to: me@example.com
  - type: ntfy
    topic: roomwatch-alerts
    token: ${RW_SLACK_TOKEN}
  - type: console
routes:
  critical: [phone, mail]
  info: []
  failover_after: 90s
`)
	if len(c.Notifiers) != 4 {
		t.Fatalf("notifiers = %+v", c.Notifiers)
	}
	phone, mail, ntfy := c.Notifiers[0], c.Notifiers[1], c.Notifiers[2]
	if phone.Slack.Token.Value() != "xoxb-from-env" || phone.Slack.Channel != "#roomwatch" ||
		phone.Slack.APIURL != "http://127.0.0.1:9/api/" || phone.Timeout != 3*time.Second {
		t.Errorf("phone = %+v", phone)
	}
	if mail.Email.Port != 465 || mail.Email.TLS != "tls" || mail.Timeout != 10*time.Second ||
		!reflect.DeepEqual(mail.Email.To, []string{"me@example.com"}) || mail.Email.From != "roomwatch@example.com" {
		t.Errorf("mail = %+v", mail)
	}
	if ntfy.Name != "ntfy" || ntfy.Ntfy.Server != "https://ntfy.sh" || ntfy.Ntfy.Topic != "roomwatch-alerts" ||
		ntfy.Ntfy.Token.Value() != "xoxb-from-env" {
		t.Errorf("ntfy = %+v", ntfy)
	}
	want := map[rules.Severity][]string{
		rules.Critical: {"phone", "mail"},
		rules.Warning:  {"phone", "mail", "ntfy", "console"}, // left out: every notifier
		rules.Info:     {},
	}
	if !reflect.DeepEqual(c.Routes, want) {
		t.Errorf("routes = %v, want %v", c.Routes, want)
	}
	if c.FailoverAfter != 90*time.Second {
		t.Errorf("failover_after = %s, want 1m30s", c.FailoverAfter)
	}
	if n, ok := c.NotifierByName("mail"); !ok || n.Email.Host != "smtp.example.com" {
		t.Errorf("NotifierByName(mail) = %+v, %v", n, ok)
	}
	if got := c.InlineSecrets(); len(got) != 0 {
		t.Errorf("secrets from ${ENV} reported as inline: %v", got)
	}
}

func TestRoomsInFileOrder(t *testing.T) {
	c := mustLoad(t, `timezone: Asia/Tokyo
rooms:
  - id: 4012345
    title: ブログ記事 5本
    buyer: tanaka
    url: https://coconala.com/talkrooms/4012345
    opened: 2026-11-20 10:00
    seller_message: 2026-11-21 09:00
    buyer_message: 2026-11-21T12:00:00+09:00
    delivered: ""
    due: 2026-11-27
    via: quote
    extra_payment: pending
  - id: 0012
    opened: 2026-11-22T01:00:00Z
`)
	tokyo := c.Timezone
	want := rules.Room{
		ID: "4012345", Title: "ブログ記事 5本", Buyer: "tanaka",
		URL: "https://coconala.com/talkrooms/4012345", Platform: "coconala",
		Opened:        time.Date(2026, 11, 20, 10, 0, 0, 0, tokyo),
		SellerMessage: time.Date(2026, 11, 21, 9, 0, 0, 0, tokyo),
		BuyerMessage:  time.Date(2026, 11, 21, 12, 0, 0, 0, time.FixedZone("", 9*3600)),
		Due:           time.Date(2026, 11, 27, 23, 59, 0, 0, tokyo),
		Via:           rules.ViaQuote, ExtraPayment: rules.ExtraPending,
	}
	got := c.Rooms[0]
	if !got.BuyerMessage.Equal(want.BuyerMessage) {
		t.Errorf("buyer_message %v, want %v", got.BuyerMessage, want.BuyerMessage)
	}
	got.BuyerMessage = want.BuyerMessage
	if !reflect.DeepEqual(got, want) {
		t.Errorf("room = %+v\nwant %+v", got, want)
	}
	// A leading zero stays: IDs are text, not numbers.
	second := c.Rooms[1]
	if second.ID != "0012" || second.Via != rules.ViaPurchase || second.ExtraPayment != rules.ExtraNone {
		t.Errorf("second room = %+v", second)
	}
	if c.RoomPos["4012345"] != (Pos{Line: 3, Column: 5}) || c.RoomPos["0012"] != (Pos{Line: 14, Column: 5}) {
		t.Errorf("positions = %v", c.RoomPos)
	}
}

func TestMergeKeys(t *testing.T) {
	c := mustLoad(t, `x-defaults: &tanaka
  buyer: tanaka
  via: quote
rooms:
  - <<: *tanaka
    id: a
    opened: 2026-11-20
  - <<: *tanaka
    id: b
    via: purchase
    opened: 2026-11-20
`)
	if c.Rooms[0].Buyer != "tanaka" || c.Rooms[0].Via != rules.ViaQuote || c.Rooms[1].Via != rules.ViaPurchase {
		t.Errorf("rooms = %+v", c.Rooms)
	}
}

// strongToken is a control token long enough for check.
const strongToken = "0123456789abcdef0123456789abcdef"

package config

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const testLineUser = "U0123456789abcdef0123456789abcdef"

func TestLineNotifier(t *testing.T) {
	tokenFile := filepath.Join(t.TempDir(), "line-token")
	if err := os.WriteFile(tokenFile, []byte("line-channel-token-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := mustLoad(t, `notifiers:
  - name: phone
    type: line
    channel_access_token_file: `+tokenFile+`
    to: `+testLineUser+`
    timeout: 5s
  - name: phone2
    type: line
    channel_access_token: inline-token
    to: `+testLineUser+`
    api_url: http://127.0.0.1:8080/
routes: {critical: [phone]}
`)
	phone, phone2 := c.Notifiers[0], c.Notifiers[1]
	if phone.Type != "line" || phone.Line.ChannelAccessToken.Value() != "line-channel-token-from-file" ||
		phone.Line.To != testLineUser || phone.Timeout.Seconds() != 5 || phone.Line.APIURL != "" {
		t.Errorf("phone = %+v", phone)
	}
	if phone2.Line.ChannelAccessToken.Value() != "inline-token" || phone2.Line.APIURL != "http://127.0.0.1:8080" {
		t.Errorf("phone2 = %+v", phone2)
	}
	if got := c.InlineSecrets(); !reflect.DeepEqual(got, []string{"notifiers.phone2.channel_access_token"}) {
		t.Errorf("inline secrets = %q", got)
	}
	// The token is a secret wherever the notifier is printed.
	for _, text := range []string{fmt.Sprintf("%v", phone2), fmt.Sprintf("%+v", phone2), fmt.Sprintf("%#v", phone2)} {
		if strings.Contains(text, "inline-token") {
			t.Errorf("token printed: %s", text)
		}
	}
}

func TestLineNotifierErrors(t *testing.T) {
	tests := []struct {
		name, config string
		want         []string // "line:col: message" of every error
	}{
		{"no token", "notifiers:\n  - type: line\n    to: " + testLineUser + "\n",
			[]string{`2:5: line notifier "line" needs channel_access_token (or channel_access_token_file): the long-lived token from the LINE Developers console`}},
		{"no to", "notifiers:\n  - type: line\n    channel_access_token: tk\n",
			[]string{`2:5: line notifier "line" needs to`}},
		{"to is a display name", "notifiers:\n  - type: line\n    channel_access_token: tk\n    to: tanaka\n",
			[]string{`4:9: to: "tanaka" is not a LINE user ID: "U" and 32 hex digits (0-9, a-f), shown as "Your user ID" on the channel's Basic settings tab`}},
		{"to one digit short", "notifiers:\n  - type: line\n    channel_access_token: tk\n    to: U0123456789abcdef0123456789abcde\n",
			[]string{`4:9: to: "U0123456789abcdef0123456789abcde" is not a LINE user ID`}},
		{"to in capitals", "notifiers:\n  - type: line\n    channel_access_token: tk\n    to: U0123456789ABCDEF0123456789ABCDEF\n",
			[]string{`4:9: to: "U0123456789ABCDEF0123456789ABCDEF" is not a LINE user ID`}},
		{"to a group", "notifiers:\n  - type: line\n    channel_access_token: tk\n    to: C0123456789abcdef0123456789abcdef\n",
			[]string{`4:9: to: "C0123456789abcdef0123456789abcdef" is not a LINE user ID`}},
		{"to as a list", "notifiers:\n  - type: line\n    channel_access_token: tk\n    to: [" + testLineUser + "]\n",
			[]string{`4:9: `}},
		{"both token forms", "notifiers:\n  - type: line\n    channel_access_token: tk\n    channel_access_token_file: tk\n    to: " + testLineUser + "\n",
			[]string{`4:5: set channel_access_token or channel_access_token_file, not both`}},
		{"token with a line break", "notifiers:\n  - type: line\n    channel_access_token: \"secret-part\\nmore\"\n    to: " + testLineUser + "\n",
			[]string{`3:27: channel_access_token holds a space or line break: paste the token alone`}},
		{"bad api_url", "notifiers:\n  - type: line\n    channel_access_token: tk\n    to: " + testLineUser + "\n    api_url: ftp://user:pw@example.com\n",
			[]string{`5:14: api_url is not an http(s) URL`}},
		{"slack key on line", "notifiers:\n  - type: line\n    channel_access_token: tk\n    to: " + testLineUser + "\n    webhook_url: https://example.com/x\n",
			[]string{`5:5: key "webhook_url" does not apply to a line notifier`}},
		{"misspelt key", "notifiers:\n  - type: line\n    channel_acces_token: tk\n    to: " + testLineUser + "\n",
			[]string{`3:5: unknown key "channel_acces_token" in notifier (did you mean "channel_access_token"?)`,
				`2:5: line notifier "line" needs channel_access_token`}},
		{"line key on slack", "notifiers:\n  - type: slack\n    webhook_url: https://hooks.slack.com/services/T/B/X\n    channel_access_token: tk\n",
			[]string{`4:5: key "channel_access_token" does not apply to a slack notifier`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := loadErrors(t, tt.config)
			if len(got) != len(tt.want) {
				t.Fatalf("errors:\n%s\nwant %d:\n%s", strings.Join(got, "\n"), len(tt.want), strings.Join(tt.want, "\n"))
			}
			for _, want := range tt.want {
				found := false
				for _, g := range got {
					found = found || strings.HasPrefix(g, want)
				}
				if !found {
					t.Errorf("errors:\n%s\nwant one starting with:\n%s", strings.Join(got, "\n"), want)
				}
			}
			for _, g := range got {
				if strings.Contains(g, "secret-part") || strings.Contains(g, "pw@") {
					t.Errorf("error echoes a secret: %s", g)
				}
			}
		})
	}
}

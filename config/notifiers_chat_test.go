package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const discordHook = "https://discord.com/api/webhooks/1234567890/s3cr3t-T0ken"

func TestDiscordAndWebhookNotifiers(t *testing.T) {
	dir := t.TempDir()
	hookFile := filepath.Join(dir, "discord-hook")
	if err := os.WriteFile(hookFile, []byte(discordHook+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HA_TOKEN_FOR_TEST", "ha-t0ken")
	c, err := Parse(filepath.Join(dir, "roomwatch.yaml"), []byte(`notifiers:
  - name: chat
    type: discord
    webhook_url_file: `+hookFile+`
    api_url: http://127.0.0.1:9/api/
  - name: teams
    type: webhook
    url: https://example.webhook.office.com/webhookb2/x?key=1
    secret: sign-me
    headers:
      Authorization: Bearer ${HA_TOKEN_FOR_TEST}
    body_template: |
      {"text": {{json .Preview}}}
routes: {critical: [chat, teams]}
`))
	if err != nil {
		t.Fatal(err)
	}
	chat, teams := c.Notifiers[0], c.Notifiers[1]
	if chat.Type != "discord" || chat.Discord.WebhookURL.Value() != discordHook || chat.Discord.APIURL != "http://127.0.0.1:9/api" {
		t.Errorf("discord = %+v", chat)
	}
	hook := teams.Webhook
	if hook.URL.Value() != "https://example.webhook.office.com/webhookb2/x?key=1" || hook.Secret.Value() != "sign-me" ||
		hook.Headers["Authorization"].Value() != "Bearer ha-t0ken" || hook.BodyTemplate != "{\"text\": {{json .Preview}}}\n" {
		t.Errorf("webhook = %+v", teams)
	}
	dump := fmt.Sprintf("%+v %v %+v %v", chat, teams, *chat.Discord, *teams.Webhook)
	for _, secret := range []string{"s3cr3t-T0ken", "sign-me", "ha-t0ken", "key=1"} {
		if strings.Contains(dump, secret) {
			t.Errorf("a printed notifier shows %q: %s", secret, dump)
		}
	}
	if got := strings.Join(c.InlineSecrets(), " "); !strings.Contains(got, "notifiers.teams.url") || !strings.Contains(got, "notifiers.teams.secret") ||
		strings.Contains(got, "headers.Authorization") {
		t.Errorf("inline secrets = %s", got)
	}
}

func TestDiscordAndWebhookErrors(t *testing.T) {
	tests := []struct{ name, config, want string }{
		{"discord without webhook", "notifiers:\n  - name: chat\n    type: discord\n",
			`2:5: discord notifier "chat" needs webhook_url (or webhook_url_file): in Discord, Server Settings → Integrations → Webhooks → Copy Webhook URL`},
		{"discord with a Slack URL", "notifiers:\n  - type: discord\n    webhook_url: https://hooks.slack.com/services/T/B/X\n",
			`3:18: webhook_url: not a Discord webhook URL: the host should be discord.com`},
		{"discord with a bad path", "notifiers:\n  - type: discord\n    webhook_url: https://discord.com/channels/1/2\n",
			`3:18: webhook_url: not a Discord webhook URL: the path should be /api/webhooks/ID/TOKEN`},
		{"discord bad api_url", "notifiers:\n  - type: discord\n    webhook_url: " + discordHook + "\n    api_url: ftp://x\n",
			`4:14: api_url: not an http(s) URL`},
		{"discord with a webhook key", "notifiers:\n  - type: discord\n    webhook_url: " + discordHook + "\n    headers: {A: b}\n",
			`4:5: key "headers" does not apply to a discord notifier`},
		{"webhook without url", "notifiers:\n  - name: ha\n    type: webhook\n",
			`2:5: webhook notifier "ha" needs url (or url_file)`},
		{"webhook bad url", "notifiers:\n  - type: webhook\n    url: example.com/hook\n",
			`3:10: url: not an http(s) URL`},
		{"webhook bad header", "notifiers:\n  - type: webhook\n    url: https://e.example/h\n    headers:\n      Bad Name: x\n",
			`5:7: headers: "Bad Name" is not a header name`},
		{"webhook reserved header", "notifiers:\n  - type: webhook\n    url: https://e.example/h\n    headers:\n      X-Roomwatch-Signature: x\n",
			`5:7: headers: X-Roomwatch-Signature is set by roomwatch`},
		{"webhook header twice", "notifiers:\n  - type: webhook\n    url: https://e.example/h\n    headers:\n      authorization: a\n      Authorization: b\n",
			`6:7: headers: Authorization is set twice (first as authorization at line 5)`},
		{"webhook headers not a mapping", "notifiers:\n  - type: webhook\n    url: https://e.example/h\n    headers: [a]\n",
			`4:14: headers must be a mapping`},
		{"template unknown field in a block", "notifiers:\n  - type: webhook\n    url: https://e.example/h\n    body_template: |\n      {\n        \"text\": {{json .Nope}}\n      }\n",
			`6:24: body_template (template line 2, column 18): <.Nope>: can't evaluate field Nope in type webhook.Payload (a body_template can use .Room, .Kind,`},
		{"template syntax on one line", "notifiers:\n  - type: webhook\n    url: https://e.example/h\n    body_template: '{\"a\": {{json .Text}'\n",
			`4:20: body_template (template line 1): bad character U+007D '}'`},
		{"template not JSON", "notifiers:\n  - type: webhook\n    url: https://e.example/h\n    body_template: '{\"text\": \"{{.Title}}\"}'\n",
			`4:20: body_template: the template does not write JSON for an alert`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := loadErrors(t, tt.config)
			if len(got) != 1 || !strings.HasPrefix(got[0], tt.want) {
				t.Errorf("errors:\n%s\nwant one starting with:\n%s", strings.Join(got, "\n"), tt.want)
			}
			if strings.Contains(strings.Join(got, ""), "s3cr3t") {
				t.Errorf("an error shows the webhook token: %s", got)
			}
		})
	}
}

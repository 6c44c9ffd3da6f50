package config

import (
	"strings"
	"testing"
)

func TestParseDiscordWebhookURL(t *testing.T) {
	good := map[string]DiscordWebhook{
		"https://discord.com/api/webhooks/1234567890123456789/s3cretT0ken-abc_DEF": {ID: "1234567890123456789", Token: "s3cretT0ken-abc_DEF"},
		"https://discordapp.com/api/webhooks/1/ab":                                 {ID: "1", Token: "ab"},
		"https://canary.discord.com/api/v10/webhooks/1/ab/":                        {ID: "1", Token: "ab"},
		"https://discord.com/api/webhooks/1/ab?thread_id=99":                       {ID: "1", Token: "ab", ThreadID: "99"},
	}
	for raw, want := range good {
		got, err := ParseDiscordWebhookURL(raw)
		if err != nil || got != want {
			t.Errorf("ParseDiscordWebhookURL(%q) = %+v, %v; want %+v", raw, got, err, want)
		}
	}
	bad := []string{
		"",
		"http://discord.com/api/webhooks/1/ab",
		"https://evil.example/api/webhooks/1/ab",
		"https://discord.com/api/webhooks/abc/ab",
		"https://discord.com/api/webhooks/1",
		"https://hooks.slack.com/services/T/B/x",
		"https://discord.com/api/webhooks/1/ab?wait=false",
		"https://user:pw@discord.com/api/webhooks/1/ab",
	}
	for _, raw := range bad {
		_, err := ParseDiscordWebhookURL(raw)
		if err == nil {
			t.Errorf("ParseDiscordWebhookURL(%q) accepted", raw)
			continue
		}
		if strings.Contains(err.Error(), "ab") && strings.Contains(raw, "/ab") {
			t.Errorf("error %q repeats the token", err)
		}
	}
}

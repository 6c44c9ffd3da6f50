package discordcheck

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	embed := func(title, desc string) map[string]any {
		return map[string]any{"title": title, "description": desc, "footer": map[string]string{"text": "f"}}
	}
	none := map[string]any{"parse": []string{}}
	cases := []struct {
		name    string
		payload map[string]any
		want    string // "" for accepted
	}{
		{"fits", map[string]any{"content": "x", "embeds": []any{embed("t", "d")}, "allowed_mentions": none}, ""},
		{"mentions allowed", map[string]any{"content": "x"}, "allowed_mentions"},
		{"title too long in UTF-16", map[string]any{"embeds": []any{embed(strings.Repeat("𠮷", 129), "")}, "allowed_mentions": none}, "embeds.0.title: 258 > 256"},
		{"six thousand over embeds", map[string]any{"embeds": []any{embed("", strings.Repeat("あ", 4000)), embed("", strings.Repeat("あ", 2000))}, "allowed_mentions": none}, "embeds: 6002 characters"},
		{"eleven embeds", map[string]any{"embeds": make([]any, 11), "allowed_mentions": none}, "11 embeds > 10"},
		{"empty", map[string]any{"allowed_mentions": none}, "empty message"},
	}
	for _, c := range cases {
		raw, _ := json.Marshal(c.payload)
		got := strings.Join(Check(raw), "; ")
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

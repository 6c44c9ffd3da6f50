package slackcheck

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func section(id, s string) map[string]any {
	return map[string]any{"type": "section", "block_id": id, "text": map[string]any{"type": "mrkdwn", "text": s}}
}

func payload(t *testing.T, text string, blocks ...map[string]any) []byte {
	t.Helper()
	raw, err := json.Marshal(map[string]any{"text": text, "blocks": blocks})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// The checker is the tests' stand-in for Slack: it must accept what Slack
// accepts and refuse, as invalid_blocks or no_text, what Slack refuses.
func TestCheck(t *testing.T) {
	many := make([]map[string]any, MaxBlocks+1)
	for i := range many {
		many[i] = section(fmt.Sprint("b", i), "x")
	}
	tests := []struct {
		name    string
		payload []byte
		code    string // "" when accepted
	}{
		{"one section", payload(t, "preview", section("a", "hello")), ""},
		{"section at its limit", payload(t, "preview", section("a", strings.Repeat("x", MaxSectionText))), ""},
		{"section over its limit", payload(t, "preview", section("a", strings.Repeat("x", MaxSectionText+1))), "invalid_blocks"},
		{"emoji counts twice", payload(t, "preview", section("a", strings.Repeat("🙂", MaxSectionText/2+1))), "invalid_blocks"},
		{"too many blocks", payload(t, "preview", many...), "invalid_blocks"},
		{"header over its limit", payload(t, "preview", map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": strings.Repeat("h", MaxHeaderText+1)}}), "invalid_blocks"},
		{"a block ID twice", payload(t, "preview", section("a", "x"), section("a", "y")), "invalid_blocks"},
		{"no fallback text", payload(t, "", section("a", "x")), "no_text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.payload)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != tt.code {
				t.Fatalf("got %v, want %s", err, tt.code)
			}
		})
	}
}

func TestUnits(t *testing.T) {
	if n := Units("a名🙂"); n != 4 {
		t.Errorf("Units = %d, want 4", n)
	}
}

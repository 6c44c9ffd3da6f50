// Package slackcheck checks a Slack message payload against Slack's
// documented limits, as Slack itself would before answering 400
// invalid_blocks. Tests use it as a strict stand-in for Slack: a payload it
// accepts, Slack accepts.
package slackcheck

import (
	"encoding/json"
	"fmt"
	"unicode/utf16"
)

// Limits of Block Kit and chat.postMessage (api.slack.com/reference/block-kit).
const (
	MaxBlocks        = 50
	MaxSectionText   = 3000
	MaxSectionFields = 10
	MaxFieldText     = 2000
	MaxHeaderText    = 150
	MaxContextItems  = 10
	MaxContextText   = 3000
	MaxActions       = 25
	MaxButtonText    = 75
	MaxButtonValue   = 2000
	MaxID            = 255 // block_id, action_id
	// MaxText is the length of the top-level text Slack shows in full
	// (chat.postMessage truncates longer text at 40,000).
	MaxText = 4000
)

// Error is Slack's answer to a refused payload: its error code (the text
// body of a webhook's 400, the "error" of the Web API) and why.
type Error struct {
	Code string // invalid_blocks, no_text, invalid_payload
	Why  string
}

func (e *Error) Error() string { return e.Code + ": " + e.Why }

type text struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type element struct {
	Type     string `json:"type"`
	Text     *text  `json:"text"`
	ActionID string `json:"action_id"`
	Value    string `json:"value"`
}

type block struct {
	Type     string            `json:"type"`
	BlockID  string            `json:"block_id"`
	Text     *text             `json:"text"`
	Fields   []text            `json:"fields"`
	Elements []json.RawMessage `json:"elements"`
}

type message struct {
	Text   string  `json:"text"`
	Blocks []block `json:"blocks"`
}

// Units counts s in UTF-16 code units, the strictest way to read Slack's
// "characters".
func Units(s string) int {
	n := 0
	for _, r := range s {
		if u := utf16.RuneLen(r); u > 0 {
			n += u
		} else {
			n++
		}
	}
	return n
}

// Check returns nil for a payload Slack accepts, else an *Error.
func Check(payload []byte) error {
	var m message
	if err := json.Unmarshal(payload, &m); err != nil {
		return &Error{"invalid_payload", err.Error()}
	}
	if m.Text == "" {
		return &Error{"no_text", "the top-level text (the notification fallback) is missing"}
	}
	if n := Units(m.Text); n > MaxText {
		return &Error{"msg_too_long", fmt.Sprintf("text has %d characters, more than %d", n, MaxText)}
	}
	if len(m.Blocks) > MaxBlocks {
		return &Error{"invalid_blocks", fmt.Sprintf("%d blocks, more than %d", len(m.Blocks), MaxBlocks)}
	}
	ids := map[string]bool{}
	for i, b := range m.Blocks {
		if err := checkBlock(b, ids); err != nil {
			return &Error{"invalid_blocks", fmt.Sprintf("block %d (%s): %s", i, b.Type, err)}
		}
	}
	return nil
}

func checkBlock(b block, ids map[string]bool) error {
	if b.BlockID != "" {
		if Units(b.BlockID) > MaxID {
			return fmt.Errorf("block_id longer than %d", MaxID)
		}
		if ids[b.BlockID] {
			return fmt.Errorf("block_id %q repeated", b.BlockID)
		}
		ids[b.BlockID] = true
	}
	switch b.Type {
	case "divider":
		return nil
	case "header":
		if b.Text == nil || b.Text.Type != "plain_text" || b.Text.Text == "" {
			return fmt.Errorf("a header needs plain_text")
		}
		if n := Units(b.Text.Text); n > MaxHeaderText {
			return fmt.Errorf("header text has %d characters, more than %d", n, MaxHeaderText)
		}
	case "section":
		if b.Text == nil && len(b.Fields) == 0 {
			return fmt.Errorf("a section needs text or fields")
		}
		if b.Text != nil {
			if b.Text.Text == "" {
				return fmt.Errorf("empty section text")
			}
			if n := Units(b.Text.Text); n > MaxSectionText {
				return fmt.Errorf("section text has %d characters, more than %d", n, MaxSectionText)
			}
		}
		if len(b.Fields) > MaxSectionFields {
			return fmt.Errorf("%d fields, more than %d", len(b.Fields), MaxSectionFields)
		}
		for _, f := range b.Fields {
			if Units(f.Text) > MaxFieldText {
				return fmt.Errorf("field longer than %d", MaxFieldText)
			}
		}
	case "context":
		if len(b.Elements) == 0 || len(b.Elements) > MaxContextItems {
			return fmt.Errorf("%d context elements, want 1 to %d", len(b.Elements), MaxContextItems)
		}
		for _, raw := range b.Elements {
			var t text
			if err := json.Unmarshal(raw, &t); err != nil {
				return err
			}
			if (t.Type == "mrkdwn" || t.Type == "plain_text") && (t.Text == "" || Units(t.Text) > MaxContextText) {
				return fmt.Errorf("context text of %d characters, want 1 to %d", Units(t.Text), MaxContextText)
			}
		}
	case "actions":
		if len(b.Elements) == 0 || len(b.Elements) > MaxActions {
			return fmt.Errorf("%d actions, want 1 to %d", len(b.Elements), MaxActions)
		}
		for _, raw := range b.Elements {
			var e element
			if err := json.Unmarshal(raw, &e); err != nil {
				return err
			}
			if Units(e.ActionID) > MaxID {
				return fmt.Errorf("action_id longer than %d", MaxID)
			}
			if e.Type == "button" {
				if e.Text == nil || e.Text.Text == "" || Units(e.Text.Text) > MaxButtonText {
					return fmt.Errorf("button text must have 1 to %d characters", MaxButtonText)
				}
				if Units(e.Value) > MaxButtonValue {
					return fmt.Errorf("button value longer than %d", MaxButtonValue)
				}
			}
		}
	default:
		return fmt.Errorf("unexpected block type %q", b.Type)
	}
	return nil
}

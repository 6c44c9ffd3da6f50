package slack

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/internal/testalert"
	"github.com/roomwatch/roomwatch/notifier/slack/slackcheck"
	"github.com/roomwatch/roomwatch/rules"
)

// TestReplyIsACopyableInertBlock: the ready-to-send text of a check-in is a
// block of its own, one code block a phone copies whole, with a buyer or
// title that would ping a channel or close the code block shown inert.
func TestReplyIsACopyableInertBlock(t *testing.T) {
	for _, lang := range []string{"ja", "en"} {
		a := testalert.Make(rules.CheckIn, rules.Warning, "4012345", "```<!channel> & "+strings.Repeat("長いタイトル", 600))
		a.Room.Buyer = "<!here>`"
		parts, bodies := partsOf(t, notifier.Message{Alerts: []notifier.Alert{a}}, lang, true)
		checkWithinLimitsAndWhole(t, []notifier.Alert{a}, parts, bodies)
		var got struct {
			Blocks []struct {
				BlockID string `json:"block_id"`
				Text    *struct {
					Text string `json:"text"`
				} `json:"text"`
			} `json:"blocks"`
		}
		if err := json.Unmarshal(bodies[0], &got); err != nil {
			t.Fatal(err)
		}
		var reply string
		for _, b := range got.Blocks {
			if b.BlockID == "reply-0" && b.Text != nil {
				reply = b.Text.Text
			}
		}
		if reply == "" {
			t.Fatalf("%s: no reply block in %s", lang, bodies[0])
		}
		if strings.Count(reply, "```") != 2 || !strings.HasSuffix(reply, "```") {
			t.Errorf("%s: the reply is not one code block:\n%s", lang, reply)
		}
		for _, live := range []string{"<!channel>", "<!here>", "& "} {
			if strings.Contains(reply, live) {
				t.Errorf("%s: %q reached Slack unescaped:\n%s", lang, live, reply)
			}
		}
		if err := slackcheck.Check(bodies[0]); err != nil {
			t.Errorf("%s: %v", lang, err)
		}
	}
}

// TestFullMessageWithRepliesFits: a message of the most alerts Split puts in
// one, every one with a long ready-to-send text, stays within 50 blocks.
func TestFullMessageWithRepliesFits(t *testing.T) {
	for _, buttons := range []bool{false, true} {
		n := alertsPerMessage(buttons)
		alerts := make([]notifier.Alert, 3*n)
		for i := range alerts {
			alerts[i] = testalert.Make(rules.CheckIn, rules.Warning, "r"+strings.Repeat("9", i%5)+string(rune('a'+i%26))+string(rune('a'+i/26)), strings.Repeat("題", 2000))
		}
		parts, bodies := partsOf(t, notifier.Message{Alerts: alerts}, "ja", buttons)
		checkWithinLimitsAndWhole(t, alerts, parts, bodies)
	}
}

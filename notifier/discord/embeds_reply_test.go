package discord

import (
	"strings"
	"testing"

	"github.com/roomwatch/roomwatch/notifier/message"
)

func TestReplyFieldIsOneInertCodeBlockWithinLimits(t *testing.T) {
	long := "```@everyone``` " + strings.Repeat("ご連絡です。🙂", 400)
	f := replyField(message.Text{Reply: long, ReplyLabel: "送る文面"})
	if units(f.Value) > maxFieldValue {
		t.Errorf("field value is %d units, limit %d", units(f.Value), maxFieldValue)
	}
	inner := strings.TrimSuffix(strings.TrimPrefix(f.Value, "```\n"), "\n```")
	if inner == f.Value || strings.Contains(inner, "`") {
		t.Errorf("the text is not one closed code block:\n%.200s", f.Value)
	}
	if !strings.HasSuffix(inner, "…") {
		t.Errorf("a cut text does not say so: %.80s", inner[len(inner)-40:])
	}
}

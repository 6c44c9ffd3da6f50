package email

import (
	"html"
	"strings"
	"testing"

	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/internal/testalert"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

// TestReplyInBothParts: the ready-to-send text is in the plain-text part
// and, escaped, in a box of its own in the HTML part.
func TestReplyInBothParts(t *testing.T) {
	a := testalert.Make(rules.CheckIn, rules.Warning, "4012345", `<script>alert("x")</script> 記事`)
	a.Room.Buyer = "<b>tanaka</b>&co"
	want := message.Render(a, "ja", testalert.Now.Location()).Reply
	if want == "" {
		t.Fatal("a check-in has no ready-to-send text")
	}
	c, err := render(notifier.Message{Alerts: []notifier.Alert{a}}, "ja", testalert.Now.Location())
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(want, "\n") {
		if !strings.Contains(c.Text, line) {
			t.Errorf("text part lacks %q:\n%s", line, c.Text)
		}
	}
	if !strings.Contains(c.HTML, "<pre") || !strings.Contains(c.HTML, html.EscapeString(strings.Split(want, "\n")[1])) {
		t.Errorf("HTML part lacks the escaped reply:\n%s", c.HTML)
	}
	for _, raw := range []string{"<script>", "<b>tanaka"} {
		if strings.Contains(c.HTML, raw) {
			t.Errorf("HTML holds %q unescaped", raw)
		}
	}
}

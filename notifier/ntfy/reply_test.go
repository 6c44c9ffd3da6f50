package ntfy

import (
	"strings"
	"testing"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/internal/testalert"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

// TestCheckInCarriesItsReadyToSendText: the notification body holds the
// text to paste, whole, within ntfy's limits.
func TestCheckInCarriesItsReadyToSendText(t *testing.T) {
	for _, lang := range []string{"ja", "en"} {
		n := newNotifier(t, config.NtfyConfig{Server: "https://ntfy.sh"}, Options{Language: lang})
		a := testalert.Make(rules.SendTerms, rules.Warning, "4012345", "ブログ記事 5本 🎉")
		m := notifier.Message{Alerts: []notifier.Alert{a}}
		parts := n.Split(m)
		checkSplit(t, n, m, parts)
		p := n.build(parts[0])
		want := message.Render(a, lang, n.opts.Location).Reply
		if want == "" {
			t.Fatal("send-terms has no text")
		}
		for _, line := range strings.Split(want, "\n") {
			if !strings.Contains(p.Message, line) {
				t.Errorf("%s: the body lacks %q:\n%s", lang, line, p.Message)
			}
		}
		if !fits(p) {
			t.Errorf("%s: over a limit", lang)
		}
	}
}

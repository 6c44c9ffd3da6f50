package email

import (
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/internal/testalert"
	"github.com/roomwatch/roomwatch/rules"
)

func TestMailShowsActionLinksInBothParts(t *testing.T) {
	a := testalert.WithLinks(testalert.Make(rules.DeliveryDue, rules.Critical, "4012345", "Logo"), "ja")
	c, err := render(notifier.Message{Alerts: []notifier.Alert{a}}, "ja", testalert.Now.Location())
	if err != nil {
		t.Fatal(err)
	}
	hrefs := map[string]string{}
	for _, m := range regexp.MustCompile(`<a href="([^"]*)"[^>]*>([^<]*)</a>`).FindAllStringSubmatch(c.HTML, -1) {
		hrefs[html.UnescapeString(m[1])] = html.UnescapeString(m[2])
	}
	for _, l := range a.Links {
		if !strings.Contains(c.Text, "→ "+l.Label+": "+l.URL+"\n") {
			t.Errorf("text part lacks %s:\n%s", l.Action, c.Text)
		}
		if hrefs[l.URL] != l.Label {
			t.Errorf("HTML part lacks a link %q to %s: %v", l.Label, l.URL, hrefs)
		}
	}
	// Without links, the mail is as before: only the talk room is linked.
	a.Links = nil
	c, _ = render(notifier.Message{Alerts: []notifier.Alert{a}}, "ja", testalert.Now.Location())
	if strings.Contains(c.Text, testalert.LinkBase) || strings.Contains(c.HTML, testalert.LinkBase) {
		t.Error("links in a mail whose alert had none")
	}
}

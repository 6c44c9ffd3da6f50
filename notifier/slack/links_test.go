package slack

import (
	"encoding/json"
	"testing"

	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/internal/testalert"
	"github.com/roomwatch/roomwatch/rules"
)

func TestLinksAreURLButtonsWithoutSocketMode(t *testing.T) {
	a := testalert.WithLinks(testalert.Make(rules.CheckIn, rules.Warning, "4012345", "Logo"), "en")
	m := notifier.Message{Alerts: []notifier.Alert{a}}
	for _, buttons := range []bool{false, true} {
		_, blocks := payload(m, "en", testalert.Now.Location(), buttons)
		raw, err := json.Marshal(blocks)
		if err != nil {
			t.Fatal(err)
		}
		var decoded []struct {
			Type     string `json:"type"`
			Elements []struct {
				ActionID string `json:"action_id"`
				URL      string `json:"url"`
				Text     struct{ Text string }
			} `json:"elements"`
		}
		if err := json.Unmarshal(raw, &decoded); err != nil {
			t.Fatal(err)
		}
		var urls []string
		for _, b := range decoded {
			if b.Type != "actions" {
				continue
			}
			for _, e := range b.Elements {
				if e.URL != "" {
					urls = append(urls, e.URL)
				}
			}
		}
		if buttons {
			if len(urls) != 0 {
				t.Errorf("with Socket Mode buttons, link buttons too: %v", urls)
			}
			continue
		}
		if len(urls) != len(a.Links) {
			t.Fatalf("url buttons %v, want one per link", urls)
		}
		for i, l := range a.Links {
			if urls[i] != l.URL {
				t.Errorf("button %d url %s, want %s", i, urls[i], l.URL)
			}
		}
	}
}

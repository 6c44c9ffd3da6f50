package message

import (
	"strings"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

func TestAlertLinksToTheRoomPage(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	a := Alert{
		Step: rules.Step{Alert: rules.Alert{Room: "4012345", Kind: rules.CheckIn, Severity: rules.Warning, Deadline: now.Add(time.Hour)}, Name: rules.StepDue, At: now, SendAt: now},
		Room: rules.Room{ID: "4012345", Title: "Logo", Buyer: "tanaka"},
		Now:  now,
	}
	for _, lang := range []string{English, Japanese} {
		plain := RenderMessage(Message{Alerts: []Alert{a}}, lang, time.UTC).PlainText()
		if strings.Contains(plain, RoomPageLabel(lang)) {
			t.Errorf("%s: a room page line without a public address:\n%s", lang, plain)
		}
		a.RoomPage = "https://pi.example.ts.net/rooms/4012345"
		plain = RenderMessage(Message{Alerts: []Alert{a}}, lang, time.UTC).PlainText()
		if !strings.Contains(plain, RoomPageLabel(lang)) || !strings.Contains(plain, a.RoomPage) {
			t.Errorf("%s: no room page line:\n%s", lang, plain)
		}
		a.RoomPage = "javascript:alert(1)"
		if plain := RenderMessage(Message{Alerts: []Alert{a}}, lang, time.UTC).PlainText(); strings.Contains(plain, "javascript") {
			t.Errorf("%s: a room page that is no http(s) URL was shown:\n%s", lang, plain)
		}
		a.RoomPage = ""
	}
}

func TestEveryWebWordIsThere(t *testing.T) {
	for _, lang := range []string{English, Japanese} {
		w := Web(lang)
		if w.Lang != lang || w.SignIn == "" || w.Forbidden == "" || w.ReadAtf == "" || w.Addedf == "" {
			t.Errorf("%s: words missing: %+v", lang, w)
		}
		for _, e := range rules.EventKinds {
			if WebEventLabel(e, lang) == string(e) {
				t.Errorf("%s: no label for the event %s", lang, e)
			}
		}
	}
}

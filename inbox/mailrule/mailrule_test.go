package mailrule

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

var jst = time.FixedZone("JST", 9*3600)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPresetsReadTheFixtureMails(t *testing.T) {
	rs, err := NewRuleset(nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, jst)
	received := time.Date(2026, 11, 28, 7, 0, 0, 0, jst)
	tests := []struct {
		file              string
		rule, room        string
		event             rules.EventKind
		at                time.Time
		url, title, buyer string
		messageID         string
		wantNoMatch       bool
	}{
		{file: "coconala-order-iso2022jp.eml", rule: "coconala-order", room: "4100001", event: rules.EventOpened,
			at: time.Date(2026, 11, 21, 10, 0, 0, 0, jst), url: "https://coconala.com/talkrooms/4100001",
			title: "ロゴデザイン 3案", buyer: "yamada_hanako", messageID: "order-4100001@mail.coconala.example"},
		{file: "coconala-message-multipart.eml", rule: "coconala-message", room: "4100002", event: rules.EventBuyerMessage,
			at: time.Date(2026, 11, 23, 21, 15, 30, 0, jst), url: "https://coconala.com/talkrooms/4100002",
			messageID: "msg-4100002-1@mail.coconala.example"},
		{file: "coconala-approved-html.eml", rule: "coconala-closed", room: "4100003", event: rules.EventClosed,
			at: time.Date(2026, 11, 24, 8, 0, 0, 0, jst), url: "https://coconala.com/talkrooms/4100003",
			messageID: "approved-4100003@mail.coconala.example"},
		{file: "coconala-cancel-request-attachment.eml", rule: "coconala-cancel-request", room: "4100004", event: rules.EventCancelRequest,
			at: time.Date(2026, 11, 25, 13, 40, 0, 0, jst), url: "https://coconala.com/talkrooms/4100004",
			messageID: "cancelreq-4100004@mail.coconala.example"},
		{file: "coconala-cancelled-iso2022jp.eml", rule: "coconala-cancelled", room: "4100005", event: rules.EventCancelled,
			at: time.Date(2026, 11, 26, 9, 30, 0, 0, jst), url: "https://coconala.com/talkrooms/4100005",
			messageID: "cancelled-4100005@mail.coconala.example"},
		{file: "coconala-rated.eml", rule: "coconala-rated", room: "4100006", event: rules.EventBuyerRated,
			at: time.Date(2026, 11, 27, 18, 5, 0, 0, jst), url: "https://coconala.com/talkrooms/4100006",
			messageID: "rated-4100006@mail.coconala.example"},
		{file: "fiverr-message-nodate.eml", rule: "fiverr-message", room: "FO5A1B2C3D4E", event: rules.EventBuyerMessage,
			at: received, url: "https://www.fiverr.com/orders/FO5A1B2C3D4E", messageID: "fvr-msg-77@e.fiverr.example"},
		{file: "coconala-message-future.eml", rule: "coconala-message", room: "4100010", event: rules.EventBuyerMessage,
			at: now, url: "https://coconala.com/talkrooms/4100010", messageID: "future-1@mail.coconala.example"},
		{file: "coconala-newsletter.eml", wantNoMatch: true},
		{file: "lookalike-sender.eml", wantNoMatch: true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			m, err := Parse(bytes.NewReader(readFixture(t, tt.file)))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got, ok := rs.Match(m, received, now)
			if tt.wantNoMatch {
				if ok {
					t.Fatalf("matched %+v, want no match", got)
				}
				return
			}
			if !ok {
				t.Fatalf("no match; subject %q from %q, text:\n%s", m.Subject, m.From, m.Text)
			}
			if got.Rule != tt.rule || got.Room != tt.room || got.Event != tt.event || !got.At.Equal(tt.at) {
				t.Errorf("got rule %s room %s event %s at %s, want %s %s %s %s", got.Rule, got.Room, got.Event, got.At, tt.rule, tt.room, tt.event, tt.at)
			}
			if got.URL != tt.url || got.Title != tt.title || got.Buyer != tt.buyer || got.MessageID != tt.messageID {
				t.Errorf("got url %q title %q buyer %q id %q, want %q %q %q %q", got.URL, got.Title, got.Buyer, got.MessageID, tt.url, tt.title, tt.buyer, tt.messageID)
			}
		})
	}
}

func TestHTMLOnlyMailKeepsTextAndLinks(t *testing.T) {
	m, err := Parse(bytes.NewReader(readFixture(t, "coconala-approved-html.eml")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"購入者が正式な納品を承認しました。", "取引画面を見る (https://coconala.com/talkrooms/4100003)"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, m.Text)
		}
	}
	for _, gone := range []string{"<p>", "color:#333", "style="} {
		if strings.Contains(m.Text, gone) {
			t.Errorf("text keeps %q:\n%s", gone, m.Text)
		}
	}
}

func TestAttachmentsAreNotRead(t *testing.T) {
	m, err := Parse(bytes.NewReader(readFixture(t, "coconala-cancel-request-attachment.eml")))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.Text, "9999999") {
		t.Errorf("the attachment's room reached the text:\n%s", m.Text)
	}
}

func TestNotAMailIsAnError(t *testing.T) {
	for name, in := range map[string]string{
		"empty":       "",
		"plain text":  "hello, this is not a mail\n",
		"no from":     "Subject: hi\r\nDate: Sat, 21 Nov 2026 10:00:00 +0900\r\n\r\nbody\r\n",
		"mbox only":   "From someone Sat Nov 21 10:00:05 2026",
		"binary junk": "\x00\x01\x02\xff\xfe",
	} {
		if _, err := Parse(strings.NewReader(in)); !errors.Is(err, ErrNotAMail) {
			t.Errorf("%s: err = %v, want ErrNotAMail", name, err)
		}
	}
}

func TestConfiguredRulesReplaceAndExtendPresets(t *testing.T) {
	custom := Spec{Name: "coconala-message", Platform: "coconala", From: []string{"coconala.com"},
		Subject: `お知らせ`, Event: rules.EventBuyerMessage}
	extra := Spec{Name: "my-forwarder", Platform: "coconala", From: []string{"me@example.com"},
		Subject: `^Fwd:`, Event: rules.EventBuyerMessage, Room: `room ([0-9]+)`}
	rs, err := NewRuleset([]Spec{custom, extra})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, jst)
	m, _ := Parse(bytes.NewReader(readFixture(t, "coconala-message-multipart.eml")))
	if got, ok := rs.Match(m, time.Time{}, now); ok {
		t.Errorf("the replaced preset still matched: %+v", got)
	}
	fwd := Mail{From: "me@example.com", Subject: "Fwd: buyer wrote", Text: "see room 4100099", Date: now.Add(-time.Hour)}
	got, ok := rs.Match(fwd, time.Time{}, now)
	if !ok || got.Rule != "my-forwarder" || got.Room != "4100099" || got.URL != "" {
		t.Errorf("got %+v %v", got, ok)
	}
	if rs[0].Name != "my-forwarder" {
		t.Errorf("a new rule is tried after the presets: first is %s", rs[0].Name)
	}
}

func TestCompileRefusesBadSpecs(t *testing.T) {
	base := Spec{Name: "x", Platform: "coconala", Subject: "a", Event: rules.EventBuyerMessage}
	for name, tc := range map[string]struct {
		mutate func(*Spec)
		want   string
	}{
		"no name":        {func(s *Spec) { s.Name = "" }, "name:"},
		"bad platform":   {func(s *Spec) { s.Platform = "ebay" }, "platform:"},
		"seller event":   {func(s *Spec) { s.Event = rules.EventSellerMessage }, "event:"},
		"no subject":     {func(s *Spec) { s.Subject = "" }, "subject:"},
		"bad regexp":     {func(s *Spec) { s.Subject = "(" }, "subject:"},
		"room no group":  {func(s *Spec) { s.Room = "talkrooms/[0-9]+" }, "room: the pattern needs a group"},
		"bad from":       {func(s *Spec) { s.From = []string{"a b"} }, "from:"},
		"title no group": {func(s *Spec) { s.Title = "title" }, "title:"},
	} {
		s := base
		tc.mutate(&s)
		if _, err := Compile(s); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
	if _, err := Compile(base); err != nil {
		t.Errorf("a good spec: %v", err)
	}
}

func TestNothingFromAMailBreaksALine(t *testing.T) {
	mail := "From: noreply@coconala.com\r\nSubject: =?UTF-8?B?" +
		"44CQ44Kz44Kz44OK44Op44CR44K144O844OT44K544GM6LO85YWl44GV44KM44G+44GX44Gf?=\r\n" +
		"Message-ID: <a\r\n b@x>\r\nDate: Sat, 21 Nov 2026 10:00:00 +0900\r\n\r\n" +
		"サービス名：<!channel>\u2028 evil\r\n購入者：bob\x1b[31m\r\nhttps://coconala.com/talkrooms/1\r\n"
	m, err := Parse(strings.NewReader(mail))
	if err != nil {
		t.Fatal(err)
	}
	rs, _ := NewRuleset(nil)
	got, ok := rs.Match(m, time.Time{}, time.Date(2026, 12, 1, 0, 0, 0, 0, jst))
	if !ok {
		t.Fatalf("no match: %+v", m)
	}
	for _, s := range []string{got.Title, got.Buyer, got.MessageID, m.Subject} {
		if strings.ContainsAny(s, "\r\n\x1b") {
			t.Errorf("%q keeps a control character", s)
		}
	}
}

// FuzzParse: no input makes Parse or Match panic, and what a match
// returns is bounded and on one line.
func FuzzParse(f *testing.F) {
	entries, _ := os.ReadDir("testdata")
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".eml") {
			f.Add(readFixture(f, e.Name()))
		}
	}
	f.Add([]byte("From: a@coconala.com\nSubject: メッセージが届きました\n\nhttps://coconala.com/talkrooms/12"))
	rs, err := NewRuleset(nil)
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, jst)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrNotAMail) {
				t.Fatalf("error %v does not wrap ErrNotAMail", err)
			}
			return
		}
		got, ok := rs.Match(m, time.Time{}, now)
		if !ok {
			return
		}
		if got.Room == "" || len(got.Room) > maxID || got.At.After(now) || got.At.IsZero() {
			t.Fatalf("bad match %+v", got)
		}
		for _, s := range []string{got.Room, got.Title, got.Buyer, got.MessageID, got.URL} {
			if strings.ContainsAny(s, "\r\n") {
				t.Fatalf("%q spans lines", s)
			}
		}
		if len([]rune(got.Title)) > maxName || len([]rune(got.Buyer)) > maxName {
			t.Fatalf("unbounded title or buyer")
		}
	})
}

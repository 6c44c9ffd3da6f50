package message

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var jst = time.FixedZone("JST", 9*60*60)

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, jst)
	if err != nil {
		panic(err)
	}
	return t
}

func baseRoom() rules.Room {
	return rules.Room{
		ID:       "4012345",
		Title:    "ブログ記事 5本",
		Buyer:    "tanaka",
		URL:      "https://coconala.com/talkrooms/4012345",
		Platform: "coconala",
		Opened:   at("2026-11-20 10:00"),
	}
}

// fixture is one alert as the daemon would build it at the step's send time.
func fixture(kind rules.Kind, sev rules.Severity, step string, deadline, now time.Time, edit func(*rules.Room, *rules.Step)) Alert {
	room := baseRoom()
	s := rules.Step{
		Alert: rules.Alert{
			Room:     room.ID,
			Kind:     kind,
			Severity: sev,
			Deadline: deadline,
		},
		Name:     step,
		Severity: sev,
		At:       now,
		SendAt:   now,
	}
	if edit != nil {
		edit(&room, &s)
	}
	return Alert{Step: s, Room: room, Now: now}
}

// fixtures holds one concrete timeline per kind (plus the rate-buyer variant
// before the buyer rated), following DESIGN §1's deadlines.
func fixtures() map[string]Alert {
	return map[string]Alert{
		"first-message": fixture(rules.FirstMessage, rules.Critical, "warn-3h",
			at("2026-11-22 10:00"), at("2026-11-22 07:00"), nil),
		"check-in": fixture(rules.CheckIn, rules.Warning, rules.StepDue,
			at("2026-11-26 18:00"), at("2026-11-26 18:00"), func(r *rules.Room, _ *rules.Step) {
				r.SellerMessage = at("2026-11-23 18:00")
			}),
		"cancel-risk": fixture(rules.CancelRisk, rules.Critical, "repeat-2",
			at("2026-11-25 09:00"), at("2026-11-25 13:00"), func(r *rules.Room, _ *rules.Step) {
				r.SellerMessage = at("2026-11-21 09:00")
				r.BuyerMessage = at("2026-11-21 12:00")
			}),
		"delivery-due": fixture(rules.DeliveryDue, rules.Warning, "warn-24h",
			at("2026-11-27 23:59"), at("2026-11-26 23:59"), func(r *rules.Room, _ *rules.Step) {
				r.Due = at("2026-11-27 23:59")
			}),
		"may-cancel": fixture(rules.MayCancel, rules.Info, rules.StepDue,
			at("2026-11-24 12:00"), at("2026-11-24 12:00"), func(r *rules.Room, _ *rules.Step) {
				r.SellerMessage = at("2026-11-21 09:00")
				r.BuyerMessage = at("2026-11-20 12:00")
			}),
		"eligible-to-close": fixture(rules.EligibleToClose, rules.Warning, rules.StepDue,
			at("2026-11-28 16:00"), at("2026-11-28 16:00"), func(r *rules.Room, s *rules.Step) {
				r.Delivered = at("2026-11-25 15:00")
				r.BuyerMessage = at("2026-11-25 16:00")
				s.Related = at("2026-11-28 15:00")
			}),
		"extra-payment": fixture(rules.ExtraPayment, rules.Warning, rules.StepDue,
			at("2026-11-25 15:00"), at("2026-11-25 15:00"), func(r *rules.Room, _ *rules.Step) {
				r.Delivered = at("2026-11-25 15:00")
				r.ExtraPayment = rules.ExtraPending
			}),
		"send-terms": fixture(rules.SendTerms, rules.Warning, rules.StepDue,
			at("2026-11-20 10:00"), at("2026-11-20 10:00"), func(r *rules.Room, _ *rules.Step) {
				r.Via = rules.ViaQuote
			}),
		"buyer-open-rooms": fixture(rules.BuyerOpenRooms, rules.Warning, rules.StepDue,
			at("2026-11-20 10:00"), at("2026-11-20 10:00"), func(_ *rules.Room, s *rules.Step) {
				s.Others = []string{"4012001", "4012002"}
			}),
		"declined-buyer": fixture(rules.DeclinedBuyer, rules.Warning, rules.StepDue,
			at("2026-11-20 10:00"), at("2026-11-20 10:00"), func(r *rules.Room, _ *rules.Step) {
				r.SellerMessage = time.Time{}
			}),
		"rate-buyer": fixture(rules.RateBuyer, rules.Info, rules.StepDue,
			at("2026-11-29 10:00"), at("2026-11-29 10:00"), func(r *rules.Room, s *rules.Step) {
				r.Delivered = at("2026-11-25 15:00")
				r.Closed = at("2026-11-28 15:00")
				r.BuyerRated = at("2026-11-29 10:00")
				s.Related = at("2027-02-23 15:00")
			}),
		"rate-buyer-waiting": fixture(rules.RateBuyer, rules.Info, rules.StepDue,
			at("2027-02-16 15:00"), at("2027-02-16 15:00"), func(r *rules.Room, s *rules.Step) {
				r.Delivered = at("2026-11-25 15:00")
				r.Closed = at("2026-11-28 15:00")
				s.Related = at("2027-02-23 15:00")
			}),
		"extra-payment-before-delivery": fixture(rules.ExtraPayment, rules.Warning, rules.StepDue,
			at("2026-11-26 18:00"), at("2026-11-26 18:00"), func(r *rules.Room, s *rules.Step) {
				r.ExtraPayment = rules.ExtraPending
				r.Due = at("2026-11-27 18:00")
				s.Related = at("2026-11-27 18:00")
			}),
		"cancel-request": fixture(rules.CancelRequest, rules.Critical, "warn-3h",
			at("2026-11-26 09:00"), at("2026-11-26 06:00"), func(r *rules.Room, _ *rules.Step) {
				r.Delivered = at("2026-11-24 15:00")
				r.CancelRequested = at("2026-11-25 09:00")
			}),
		"room-expiry": fixture(rules.RoomExpiry, rules.Info, rules.StepDue,
			at("2027-03-13 10:00"), at("2027-03-13 10:00"), func(_ *rules.Room, s *rules.Step) {
				s.Related = at("2027-03-20 10:00")
			}),
		"export-files": fixture(rules.ExportFiles, rules.Info, rules.StepDue,
			at("2026-11-24 11:00"), at("2026-11-24 11:00"), func(r *rules.Room, s *rules.Step) {
				r.Cancelled = at("2026-11-24 11:00")
				s.Related = at("2026-11-27 11:00")
			}),
	}
}

func formatText(t Text) string {
	var b strings.Builder
	fmt.Fprintf(&b, "preview: %s\ntitle: %s\naction: %s\nseverity: %s\nurl: %s\nlines:\n", t.Preview, t.Title, t.Action, t.Severity, t.URL)
	for _, l := range t.Lines {
		fmt.Fprintf(&b, "  %s\n", l)
	}
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestRenderGolden(t *testing.T) {
	fx := fixtures()
	for _, kind := range rules.Kinds {
		if _, ok := fx[string(kind)]; !ok {
			t.Fatalf("no fixture for kind %s", kind)
		}
	}
	for name, a := range fx {
		for _, lang := range []string{English, Japanese} {
			t.Run(name+"."+lang, func(t *testing.T) {
				text := Render(a, lang, jst)
				golden(t, name+"."+lang, formatText(text))
				if !strings.Contains(text.Preview, a.Room.ID) {
					t.Errorf("preview %q does not name room %s", text.Preview, a.Room.ID)
				}
				if strings.ContainsAny(text.Preview, "\n{}") {
					t.Errorf("preview %q is not one filled line", text.Preview)
				}
				for _, l := range text.Lines {
					if strings.ContainsAny(l, "{}") {
						t.Errorf("unfilled placeholder in %q", l)
					}
				}
				if text.Action == "" || text.Action != Action(a.Step.Kind, lang) {
					t.Errorf("action %q, Action() says %q", text.Action, Action(a.Step.Kind, lang))
				}
			})
		}
	}
}

func TestRenderMessageGolden(t *testing.T) {
	fx := fixtures()
	grouped := []Alert{fx["check-in"], fx["cancel-risk"], fx["send-terms"]}
	slices.SortStableFunc(grouped, Urgency)
	if grouped[0].Step.Kind != rules.CancelRisk {
		t.Fatalf("critical alert should lead the group, got %s", grouped[0].Step.Kind)
	}
	cases := map[string]Message{
		"message-late": {Alerts: grouped, Late: true},
		"message-test": {Alerts: []Alert{fx["check-in"]}, Test: true},
	}
	for name, m := range cases {
		for _, lang := range []string{English, Japanese} {
			t.Run(name+"."+lang, func(t *testing.T) {
				r := RenderMessage(m, lang, jst)
				golden(t, name+"."+lang, r.PlainText())
			})
		}
	}
	r := RenderMessage(cases["message-late"], English, jst)
	if r.Severity != rules.Critical {
		t.Errorf("message severity = %s, want critical", r.Severity)
	}
	if !strings.HasPrefix(r.Preview, "[late] Reply to tanaka now") || !strings.HasSuffix(r.Preview, "(+2 more)") {
		t.Errorf("late grouped preview = %q", r.Preview)
	}
}

func TestRelative(t *testing.T) {
	cases := []struct {
		d      time.Duration
		en, ja string
	}{
		{27*time.Hour + 20*time.Minute, "1d 3h left", "残り1日3時間"},
		{48 * time.Hour, "2d left", "残り2日"},
		{3*time.Hour + 20*time.Minute + 40*time.Second, "3h 20m left", "残り3時間20分"},
		{45 * time.Minute, "45m left", "残り45分"},
		{30 * time.Second, "now", "今"},
		{-2 * time.Hour, "overdue by 2h", "2時間超過"},
	}
	for _, c := range cases {
		if got := relative(c.d, English); got != c.en {
			t.Errorf("relative(%v, en) = %q, want %q", c.d, got, c.en)
		}
		if got := TimeLeft(c.d, "ja"); got != c.ja {
			t.Errorf("TimeLeft(%v, ja) = %q, want %q", c.d, got, c.ja)
		}
	}
}

func TestPreviewExample(t *testing.T) {
	a := fixtures()["check-in"]
	a.Now = at("2026-11-25 18:00")
	got := Render(a, English, jst).Preview
	want := "Send a check-in to tanaka by Thu 11/26 18:00 — room 4012345"
	if got != want {
		t.Errorf("preview = %q, want %q", got, want)
	}
}

func TestPlaceholdersInRoomDataAreNotExpanded(t *testing.T) {
	a := fixtures()["check-in"]
	a.Room.Title = "{deadline} {buyer}"
	a.Room.Buyer = "{room}"
	text := Render(a, English, jst)
	if !strings.Contains(text.Title, "{deadline} {buyer}") {
		t.Errorf("room title was expanded: %q", text.Title)
	}
	if !strings.Contains(text.Preview, "to {room} by") {
		t.Errorf("buyer name was expanded: %q", text.Preview)
	}
}

func TestUnknownKindStillRenders(t *testing.T) {
	a := fixtures()["check-in"]
	a.Step.Kind = "brand-new-kind"
	for _, lang := range []string{English, Japanese} {
		text := Render(a, lang, jst)
		if !strings.Contains(text.Preview, "brand-new-kind") || !strings.Contains(text.Preview, "4012345") {
			t.Errorf("%s preview = %q", lang, text.Preview)
		}
	}
}

func TestURLMustBeHTTP(t *testing.T) {
	a := fixtures()["check-in"]
	a.Room.URL = "javascript:alert(1)"
	if got := Render(a, English, jst).URL; got != "" {
		t.Errorf("URL = %q, want none for a non-http link", got)
	}
}

func TestEmojiAndLabels(t *testing.T) {
	if Emoji(rules.Critical) != ":rotating_light:" || Emoji(rules.Warning) != ":warning:" || Emoji(rules.Info) != ":information_source:" {
		t.Error("unexpected severity emoji")
	}
	if SeverityLabel(rules.Critical, Japanese) != "緊急" || SeverityLabel(rules.Warning, English) != "warning" {
		t.Error("unexpected severity label")
	}
}

func TestRoomTextCannotBreakLines(t *testing.T) {
	a := fixtures()["buyer-open-rooms"]
	a.Room.Title = "Logo\r\nBcc: evil@x"
	a.Room.Buyer = "tanaka\nsecond line"
	a.Step.Others = []string{"1\r\n2"}
	a.Room.URL = "https://coconala.com/talkrooms/1\r\nX: y"
	for _, lang := range []string{English, Japanese} {
		text := Render(a, lang, jst)
		for _, s := range append([]string{text.Preview, text.Title, text.URL}, text.Lines...) {
			if strings.ContainsAny(s, "\r\n") {
				t.Errorf("%s: line break survived in %q", lang, s)
			}
		}
	}
}

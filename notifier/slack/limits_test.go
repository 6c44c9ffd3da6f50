package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/internal/testalert"
	"github.com/roomwatch/roomwatch/notifier/slack/slackcheck"
	"github.com/roomwatch/roomwatch/rules"
)

// kinds of every severity, so a split has something to order.
var mixedKinds = []struct {
	kind rules.Kind
	sev  rules.Severity
}{
	{rules.CheckIn, rules.Warning},
	{rules.FirstMessage, rules.Critical},
	{rules.RateBuyer, rules.Info},
	{rules.CancelRisk, rules.Critical},
	{rules.SendTerms, rules.Warning},
}

func mixedAlerts(n int, title func(i int) string) []notifier.Alert {
	alerts := make([]notifier.Alert, n)
	for i := range alerts {
		k := mixedKinds[i%len(mixedKinds)]
		alerts[i] = testalert.Make(k.kind, k.sev, fmt.Sprint(4000000+i), title(i))
	}
	return alerts
}

// partsOf splits m as the router does and builds each part's payload as
// Send posts it.
func partsOf(t *testing.T, m notifier.Message, lang string, buttons bool) ([]notifier.Message, [][]byte) {
	t.Helper()
	parts := split(m, buttons)
	bodies := make([][]byte, len(parts))
	for i, part := range parts {
		text, blocks := payload(part, lang, testalert.Now.Location(), buttons)
		body, err := json.Marshal(slack.WebhookMessage{Text: text, Blocks: &slack.Blocks{BlockSet: blocks}})
		if err != nil {
			t.Fatalf("part %d does not encode: %v", i, err)
		}
		bodies[i] = body
	}
	return parts, bodies
}

// checkWithinLimitsAndWhole asserts that every part is a payload Slack
// accepts, every alert of alerts is in exactly one part with its own
// section naming its room, and severities never rise from part to part.
func checkWithinLimitsAndWhole(t *testing.T, alerts []notifier.Alert, parts []notifier.Message, bodies [][]byte) {
	t.Helper()
	seen := map[string]int{}
	lastRank := 1 << 30
	for i, part := range parts {
		if err := slackcheck.Check(bodies[i]); err != nil {
			t.Fatalf("part %d of %d refused: %v", i+1, len(parts), err)
		}
		var got struct {
			Blocks []struct {
				BlockID string `json:"block_id"`
				Text    *struct {
					Text string `json:"text"`
				} `json:"text"`
			} `json:"blocks"`
		}
		if err := json.Unmarshal(bodies[i], &got); err != nil {
			t.Fatal(err)
		}
		sections := 0
		for _, b := range got.Blocks {
			if strings.HasPrefix(b.BlockID, "alert-") {
				sections++
			}
		}
		if sections != len(part.Alerts) {
			t.Errorf("part %d carries %d alerts but shows %d sections", i+1, len(part.Alerts), sections)
		}
		for j, a := range part.Alerts {
			seen[a.Step.Key()]++
			section := ""
			for _, b := range got.Blocks {
				if b.BlockID == fmt.Sprintf("alert-%d", j) && b.Text != nil {
					section = b.Text.Text
				}
			}
			if !strings.Contains(section, Escape(a.Step.Room)) && utf8.RuneCountInString(a.Step.Room) < 100 {
				t.Errorf("part %d: the section of room %q does not name it:\n%s", i+1, a.Step.Room, section)
			}
			if rank := a.Step.Severity.Rank(); rank > lastRank {
				t.Errorf("part %d: a %s alert comes after a less severe one", i+1, a.Step.Severity)
			} else {
				lastRank = rank
			}
		}
	}
	for _, a := range alerts {
		if seen[a.Step.Key()] != 1 {
			t.Errorf("alert %s is in %d parts, want exactly 1", a.Step.Key(), seen[a.Step.Key()])
		}
	}
}

func TestSplitShowsEveryAlertMostSevereFirst(t *testing.T) {
	for _, buttons := range []bool{false, true} {
		for _, n := range []int{1, 12, 13, 25, 26, 40, 79} {
			t.Run(fmt.Sprintf("%d alerts buttons=%v", n, buttons), func(t *testing.T) {
				alerts := mixedAlerts(n, func(i int) string { return fmt.Sprintf("room %d", i) })
				m := notifier.Message{Alerts: alerts, Late: true}
				parts, bodies := partsOf(t, m, "en", buttons)
				per := alertsPerMessage(buttons)
				if want := (n + per - 1) / per; len(parts) != want {
					t.Errorf("%d parts, want %d", len(parts), want)
				}
				for _, p := range parts {
					if !p.Late {
						t.Error("a part lost the late mark")
					}
				}
				checkWithinLimitsAndWhole(t, alerts, parts, bodies)
			})
		}
	}
}

// A press adds a context line under the pressed alert's buttons; a full
// message with every alert pressed must still fit.
func TestPressedMessageStaysWithinLimits(t *testing.T) {
	alerts := mixedAlerts(alertsPerMessage(true), func(i int) string { return "room" })
	_, blocks := payload(notifier.Message{Alerts: alerts, Late: true}, "en", time.UTC, true)
	for _, b := range blocks {
		if b.BlockType() == slack.MBTAction {
			blocks = annotate(blocks, b.ID(), "pressed")
		}
	}
	body, _ := json.Marshal(slack.WebhookMessage{Text: "x", Blocks: &slack.Blocks{BlockSet: blocks}})
	if err := slackcheck.Check(body); err != nil {
		t.Fatalf("a fully pressed message is refused: %v", err)
	}
}

func TestLongTitleIsShortenedNotRefused(t *testing.T) {
	long := strings.Repeat("ロゴ&<!channel>", 200) + " end"
	a := testalert.Make(rules.FirstMessage, rules.Critical, "4012345", long)
	a.Room.Buyer = strings.Repeat("🙂", 2000)
	a.Room.URL = "https://coconala.com/talkrooms/4012345?" + strings.Repeat("x", 3000)
	parts, bodies := partsOf(t, notifier.Message{Alerts: []notifier.Alert{a}}, "ja", true)
	checkWithinLimitsAndWhole(t, []notifier.Alert{a}, parts, bodies)
	body := string(bodies[0])
	if !strings.Contains(body, "…") {
		t.Errorf("the long title was not shortened with an ellipsis: %.300s", body)
	}
	if strings.Contains(body, "<!channel>") {
		t.Error("a title reached Slack unescaped")
	}
	if !strings.Contains(body, "4012345") {
		t.Error("the room ID was cut off")
	}
}

// hostileText builds text of the kinds that break naive builders: very
// long, CJK, emoji outside the basic plane, Slack control sequences,
// entities, line breaks, invalid UTF-8.
func hostileText(r *rand.Rand) string {
	pieces := []string{
		"<!channel>", "<!here>", "<@U123>", "<#C1|x>", "&amp;", "&", "<", ">", "*bold*", "`code`",
		"ブログ記事", "翻訳", "👨‍👩‍👧‍👦", "🙂", "𠮷", "\n", "\r\n", "\t", "\x00", "\xff", "|", "a", " ",
	}
	var b strings.Builder
	for range r.IntN(4) * r.IntN(600) {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

func TestPayloadsStayWithinLimitsForAnyRoomText(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 2026))
	for round := range 60 {
		n := 1 + r.IntN(60)
		alerts := mixedAlerts(n, func(int) string { return hostileText(r) })
		for i := range alerts {
			alerts[i].Room.Buyer = hostileText(r)
			if r.IntN(3) == 0 {
				alerts[i].Room.URL = "https://coconala.com/talkrooms/" + hostileText(r)
			}
		}
		lang := []string{"en", "ja"}[round%2]
		parts, bodies := partsOf(t, notifier.Message{Alerts: alerts, Late: round%3 == 0}, lang, round%4 < 2)
		checkWithinLimitsAndWhole(t, alerts, parts, bodies)
		if t.Failed() {
			t.Fatalf("round %d failed", round)
		}
	}
}

func FuzzSlackPayload(f *testing.F) {
	f.Add(strings.Repeat("長いタイトル", 400), "tanaka", "https://coconala.com/talkrooms/1", uint8(40))
	f.Add("<!channel> & <@U1>", strings.Repeat("🙂", 1600), "", uint8(1))
	f.Add("\xff\xfe", "\n\r", "https://x/"+strings.Repeat("|", 1200), uint8(26))
	f.Fuzz(func(t *testing.T, title, buyer, url string, n uint8) {
		alerts := mixedAlerts(1+int(n)%80, func(int) string { return title })
		for i := range alerts {
			alerts[i].Room.Buyer = buyer
			alerts[i].Room.URL = url
		}
		for _, buttons := range []bool{false, true} {
			parts, bodies := partsOf(t, notifier.Message{Alerts: alerts, Late: true}, "ja", buttons)
			checkWithinLimitsAndWhole(t, alerts, parts, bodies)
		}
	})
}

func TestFitKeepsHeadAndTail(t *testing.T) {
	got := fit("Room: "+strings.Repeat("x&", 500)+" (4012345)", 60)
	if slackcheck.Units(got) > 60 || !strings.HasPrefix(got, "Room: x&amp;") || !strings.HasSuffix(got, "(4012345)") || !strings.Contains(got, "…") {
		t.Errorf("fit = %q (%d units)", got, slackcheck.Units(got))
	}
	if got := fit("short", 60); got != "short" {
		t.Errorf("fit shortened a short text: %q", got)
	}
}

func TestWebhookRefusalCarriesSlacksReason(t *testing.T) {
	for _, c := range []struct {
		status int
		body   string
		want   string
	}{
		{400, "invalid_blocks", "invalid_blocks"},
		{404, "no_service", "no_service"},
		{410, "channel_is_archived", "channel_is_archived"},
		{403, "action_prohibited\nsecond line", "action_prohibited"},
		{502, "<html><body>Bad Gateway</body></html>", "502 Bad Gateway"},
	} {
		t.Run(c.want, func(t *testing.T) {
			hook := &webhookServer{Server: httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(c.status)
				_, _ = io.WriteString(w, c.body)
			}))}
			t.Cleanup(hook.Close)
			n := newWebhook(t, hook, nil)
			retry, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{hostileAlert()}})
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error = %q, want Slack's reason %q", err, c.want)
			}
			if strings.Contains(err.Error(), webhookPath) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error leaks the URL or spans lines: %q", err)
			}
			if retry != (c.status >= 500) {
				t.Errorf("retry = %v for %d", retry, c.status)
			}
		})
	}
}

func TestWebAPIRefusalCarriesSlacksReason(t *testing.T) {
	server := slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = fmt.Fprint(w, `{"ok":false,"error":"invalid_blocks","response_metadata":{"messages":["[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"]}}`)
		})
	})
	server.Start()
	t.Cleanup(server.Stop)
	n := New(config.SlackConfig{Token: config.NewSecret(token), Channel: "C1", APIURL: server.GetAPIURL()}, Options{})
	retry, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{hostileAlert()}})
	if err == nil || retry {
		t.Fatalf("Send = %v, %v", retry, err)
	}
	for _, want := range []string{"invalid_blocks", "3001 characters", "/blocks/0/text"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error = %q, want %q in it", err, want)
		}
	}
	if strings.Contains(err.Error(), token) {
		t.Errorf("error leaks the token: %q", err)
	}
}

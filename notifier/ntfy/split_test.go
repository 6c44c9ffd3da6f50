package ntfy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/internal/testalert"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

// catchUp is n alerts of every severity and several kinds, in no order.
func catchUp(n int, title, buyer string) []notifier.Alert {
	kinds := []rules.Kind{rules.CheckIn, rules.FirstMessage, rules.MayCancel, rules.DeliveryDue, rules.CancelRisk}
	sevs := []rules.Severity{rules.Warning, rules.Critical, rules.Info, rules.Warning, rules.Critical}
	alerts := make([]notifier.Alert, n)
	for i := range alerts {
		a := testalert.WithLinks(testalert.Make(kinds[i%len(kinds)], sevs[i%len(sevs)], fmt.Sprintf("40%05d", i), title), "en")
		a.Room.Buyer = buyer
		a.Step.Deadline = a.Step.Deadline.Add(time.Duration(i%7) * time.Hour)
		alerts[i] = a
	}
	return alerts
}

// checkSplit asserts Splitter's contract on parts of m: every alert in
// exactly one part, most urgent parts first, each part within every limit
// as it is (no shedding), showing each of its alerts whole.
func checkSplit(t *testing.T, n *Notifier, m notifier.Message, parts []notifier.Message) {
	t.Helper()
	seen := map[string]int{}
	var order []notifier.Alert
	for i, part := range parts {
		if part.Late != m.Late || part.Test != m.Test {
			t.Fatalf("part %d lost the late or test mark", i)
		}
		if len(part.Alerts) == 0 {
			t.Fatalf("part %d is empty", i)
		}
		p := n.build(part)
		if !fits(p) {
			t.Fatalf("part %d of %d alerts is over a limit: message %d bytes, push %d bytes", i, len(part.Alerts), len(p.Message), pushSize(p))
		}
		if !utf8.ValidString(p.Message) || !utf8.ValidString(p.Title) {
			t.Fatalf("part %d is not valid UTF-8", i)
		}
		for _, a := range part.Alerts {
			seen[a.Step.Key()]++
			order = append(order, a)
			// Whole: every line of the alert, as laid out with its room
			// text shortened, is in the part's body.
			short := a
			short.Room.Title = message.Shorten(a.Room.Title, maxRoomTitleRunes)
			short.Room.Buyer = message.Shorten(a.Room.Buyer, maxBuyerRunes)
			text := message.Render(short, n.opts.Language, n.opts.Location)
			for _, line := range append([]string{text.Title}, text.Lines...) {
				if !strings.Contains(p.Message, line) {
					t.Fatalf("part %d does not show %q of room %s whole:\n%s", i, line, a.Room.ID, p.Message)
				}
			}
		}
		if more := len(part.Alerts) - 1; more > 0 {
			want := message.RenderMessage(part, n.opts.Language, n.opts.Location).Preview
			if !strings.HasSuffix(want, fmt.Sprintf(map[string]string{"en": " (+%d more)", "ja": "（他%d件）"}[message.Language(n.opts.Language)], more)) {
				t.Fatalf("part %d preview %q does not count exactly its own alerts", i, want)
			}
		}
	}
	for _, a := range m.Alerts {
		if seen[a.Step.Key()] != 1 {
			t.Fatalf("alert %s is in %d parts, want exactly one", a.Step.Key(), seen[a.Step.Key()])
		}
	}
	if len(order) != len(m.Alerts) {
		t.Fatalf("%d alerts in the parts, %d in the message", len(order), len(m.Alerts))
	}
	if !slices.IsSortedFunc(order, message.Urgency) {
		t.Fatal("parts are not most urgent first")
	}
}

func TestSplitKeepsEveryAlertWhole(t *testing.T) {
	for _, lang := range []string{"ja", "en"} {
		t.Run(lang, func(t *testing.T) {
			n := newNotifier(t, config.NtfyConfig{Server: "https://ntfy.sh"}, Options{Language: lang})
			m := notifier.Message{Alerts: catchUp(40, "ブログ記事 5本", "tanaka"), Late: true}
			parts := n.Split(m)
			if len(parts) < 2 {
				t.Fatalf("40 alerts in %d part(s)", len(parts))
			}
			checkSplit(t, n, m, parts)
			t.Logf("%s: 40 alerts in %d notifications", lang, len(parts))
		})
	}
}

func TestSplitLeavesAFittingMessageAlone(t *testing.T) {
	n := newNotifier(t, config.NtfyConfig{Server: "https://ntfy.sh"}, Options{Language: "ja"})
	m := notifier.Message{Alerts: catchUp(2, "ロゴ", "tanaka")}
	parts := n.Split(m)
	if len(parts) != 1 || len(parts[0].Alerts) != 2 {
		t.Fatalf("parts = %d", len(parts))
	}
	checkSplit(t, n, m, parts)
	// A part Split made splits no further, so a router that splits and a
	// Send that splits again agree.
	for _, part := range n.Split(notifier.Message{Alerts: catchUp(40, "ロゴ", "tanaka")}) {
		if again := n.Split(part); len(again) != 1 {
			t.Fatalf("a part split again into %d", len(again))
		}
	}
	notice := notifier.Message{Notice: &message.Notice{Severity: rules.Warning, Title: "x"}}
	if parts := n.Split(notice); len(parts) != 1 || parts[0].Notice == nil {
		t.Fatalf("a notice split into %v", parts)
	}
}

// FuzzSplit: whatever the titles and buyer names (long, CJK, emoji, CR/LF,
// HTML, invalid UTF-8) and however many alerts, Split keeps the contract and
// every part fits without shedding anything.
func FuzzSplit(f *testing.F) {
	for _, seed := range []struct {
		title, buyer string
		count        uint8
	}{
		{"ブログ記事 5本", "tanaka", 40},
		{strings.Repeat("とても長いタイトル🎉", 400), strings.Repeat("長い名前", 100), 7},
		{"Logo\r\nX-Title: injected\r\n\r\n", "x\ny", 3},
		{`<b>"quoted" & 'single'</b> \u003c`, "{buyer}", 12},
		{"\xff\xfe broken", "\u200d\u200d", 1},
		{"", "", 0},
	} {
		f.Add(seed.title, seed.buyer, seed.count, true)
	}
	f.Fuzz(func(t *testing.T, title, buyer string, count uint8, japanese bool) {
		lang := "en"
		if japanese {
			lang = "ja"
		}
		n := New(config.NtfyConfig{Server: "https://ntfy.sh", Topic: topic}, Options{Language: lang, Location: testalert.Now.Location()})
		m := notifier.Message{Alerts: catchUp(1+int(count)%120, title, buyer), Late: count%2 == 0}
		checkSplit(t, n, m, n.Split(m))
	})
}

// TestFitShedsWhatOneAlertCannotKeep: a room whose URL alone is bigger than
// a notification still goes out, within the limits, named in its title.
func TestFitShedsWhatOneAlertCannotKeep(t *testing.T) {
	srv := newServer(t)
	n := newNotifier(t, config.NtfyConfig{Server: srv.URL}, Options{Language: "en"})
	a := testalert.WithLinks(testalert.Make(rules.CancelRisk, rules.Critical, "4012345", "Logo"), "en")
	a.Room.URL = "https://coconala.com/talkrooms/4012345?" + strings.Repeat("x", 9000)
	send(t, n, notifier.Message{Alerts: []notifier.Alert{a}})
	req := srv.only(t)
	if len(req.body) > requestLimit {
		t.Fatalf("request of %d bytes", len(req.body))
	}
	var p publication
	if err := json.Unmarshal(req.body, &p); err != nil {
		t.Fatal(err)
	}
	if !fits(p) || len(p.Actions) != 0 || p.Click != "" {
		t.Errorf("fit kept buttons or the tap target, or is over: push %d bytes", pushSize(p))
	}
	if !strings.Contains(p.Title, "Reply to tanaka") || !strings.Contains(p.Message, "Reply by:") {
		t.Errorf("the alert is not recognisable: title %q\n%s", p.Title, p.Message)
	}
}

func TestCutBytesOfNothing(t *testing.T) {
	for n := -3; n <= 3; n++ {
		if got := cutBytes("納品", n); len(got) > max(n, 0) {
			t.Errorf("cutBytes(_, %d) = %q", n, got)
		}
	}
}

// TestRefusalCarriesNtfyWords: the status and ntfy's JSON error reach the
// error and the router's log; the token does not.
func TestRefusalCarriesNtfyWords(t *testing.T) {
	srv := newServer(t, reply{
		status: http.StatusForbidden,
		body:   `{"code":40301,"http":403,"error":"forbidden","link":"https://ntfy.sh/docs/publish/#access-control"}` + "\n",
	})
	n := newNotifier(t, config.NtfyConfig{Server: srv.URL, Token: config.NewSecret(token)}, Options{Name: "phone"})
	var logged bytes.Buffer
	router := notifier.NewRouter([]notifier.Notifier{n}, nil, noWait(), slog.New(slog.NewTextHandler(&logged, nil)))
	results := router.Dispatch(context.Background(), []notifier.Alert{testalert.Make(rules.CheckIn, rules.Warning, "4012345", "Logo")}, false)

	want := "403 Forbidden: forbidden (ntfy error 40301, see https://ntfy.sh/docs/publish/#access-control)"
	if results[0].Delivered || !strings.Contains(results[0].Errors["phone"], want) {
		t.Errorf("result %+v, want %q", results[0], want)
	}
	if !strings.Contains(logged.String(), want) {
		t.Errorf("log lacks %q:\n%s", want, logged.String())
	}
	if strings.Contains(logged.String()+results[0].Errors["phone"], token) {
		t.Error("the token leaked")
	}

	srv = newServer(t, reply{status: http.StatusBadRequest, body: `{"code":40009,"http":400,"error":"invalid request: topic invalid"}`})
	n = newNotifier(t, config.NtfyConfig{Server: srv.URL}, Options{})
	_, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{testalert.Make(rules.CheckIn, rules.Warning, "4012345", "Logo")}})
	var refused *ServerError
	if !errors.As(err, &refused) {
		t.Fatalf("error %v is not a ServerError", err)
	}
	if refused.Status != 400 || refused.Code != 40009 || refused.Message != "invalid request: topic invalid" || refused.Link != "" {
		t.Errorf("refusal = %+v", refused)
	}
}

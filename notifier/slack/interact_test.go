package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jonboulle/clockwork"
	"github.com/slack-go/slack"

	"github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/internal/testalert"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/store"
)

const (
	appToken  = "xapp-1-A0001-s3cret-app"
	channelID = "C0ALERTS"
	messageTS = "1795420980.000100"
	presser   = "U0SELLER"
)

// pressedAt is when the seller presses a button: Wed 11/25 14:03 in Tokyo.
var pressedAt = time.Date(2026, 11, 25, 14, 3, 0, 0, testalert.Now.Location())

// fakeSlack answers apps.connections.open with a websocket on itself, sends
// hello and then the scripted envelopes over it, and records the acks that
// come back and the Web API calls the buttons make.
type fakeSlack struct {
	*httptest.Server
	envelopes    []string
	refuseApp    bool // apps.connections.open says invalid_auth
	refuseUpdate bool // chat.update says message_not_found

	mu         sync.Mutex
	openAuth   []string
	acks       chan string
	updates    chan url.Values
	ephemerals chan url.Values
}

func newFakeSlack(t *testing.T, envelopes ...string) *fakeSlack {
	f := &fakeSlack{
		envelopes:  envelopes,
		acks:       make(chan string, 16),
		updates:    make(chan url.Values, 16),
		ephemerals: make(chan url.Values, 16),
	}
	// socketmode dials with Slack's own origin.
	upgrader := websocket.Upgrader{CheckOrigin: func(r *http.Request) bool {
		return r.Header.Get("Origin") == "https://api.slack.com"
	}}
	mux := http.NewServeMux()
	mux.HandleFunc("/apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.openAuth = append(f.openAuth, r.Header.Get("Authorization"))
		f.mu.Unlock()
		if f.refuseApp {
			io.WriteString(w, `{"ok":false,"error":"invalid_auth"}`)
			return
		}
		fmt.Fprintf(w, `{"ok":true,"url":"ws://%s/link"}`, r.Host)
	})
	mux.HandleFunc("/link", func(w http.ResponseWriter, r *http.Request) {
		conn, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			t.Errorf("websocket upgrade: %v", err)
			return
		}
		defer conn.Close()
		conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"hello","num_connections":1,"connection_info":{"app_id":"A0001"}}`))
		for _, e := range f.envelopes {
			conn.WriteMessage(websocket.TextMessage, []byte(e))
		}
		for {
			var ack struct {
				EnvelopeID string `json:"envelope_id"`
			}
			if err := conn.ReadJSON(&ack); err != nil {
				return
			}
			f.acks <- ack.EnvelopeID
		}
	})
	mux.HandleFunc("/chat.update", func(w http.ResponseWriter, r *http.Request) {
		form := webForm(r)
		f.updates <- form
		if f.refuseUpdate {
			io.WriteString(w, `{"ok":false,"error":"message_not_found"}`)
			return
		}
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q,"text":""}`, form.Get("channel"), form.Get("ts"))
	})
	mux.HandleFunc("/chat.postEphemeral", func(w http.ResponseWriter, r *http.Request) {
		f.ephemerals <- webForm(r)
		io.WriteString(w, `{"ok":true,"message_ts":"1795420999.000200"}`)
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

// webForm is a Web API call's form, with the bearer token folded in as
// "token" wherever the client put it.
func webForm(r *http.Request) url.Values {
	r.ParseForm()
	form := r.PostForm
	if auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && form.Get("token") == "" {
		form.Set("token", auth)
	}
	return form
}

func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("no %s within 5s", what)
	}
	var zero T
	return zero
}

// alertBlocksJSON is the Block Kit of the alert the seller answers: a
// delivery-due warning for room 4012345 with its buttons, as posted.
func alertBlocksJSON(t *testing.T) string {
	a := testalert.Make(rules.DeliveryDue, rules.Warning, "4012345", "Blog posts")
	rendered := message.RenderMessage(notifier.Message{Alerts: []notifier.Alert{a}}, "en", a.Now.Location())
	b, err := json.Marshal(Blocks(rendered, "en", true))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// pressEnvelope is the Socket Mode envelope of a press of button action on
// the alert's buttons for room.
func pressEnvelope(t *testing.T, envelopeID, action, room string) string {
	payload := fmt.Sprintf(`{"type":"block_actions","user":{"id":%q,"name":"seller"},
		"container":{"type":"message","message_ts":%q,"channel_id":%q,"is_ephemeral":false},
		"channel":{"id":%q,"name":"roomwatch"},
		"message":{"type":"message","ts":%q,"text":"Deliver — Blog posts","blocks":%s},
		"actions":[{"action_id":%q,"block_id":"room-0-4012345","type":"button","value":%q,"action_ts":"1795420990.1"}]}`,
		presser, messageTS, channelID, channelID, messageTS, alertBlocksJSON(t), action, room)
	return fmt.Sprintf(`{"type":"interactive","envelope_id":%q,"accepts_response_payload":false,"payload":%s}`, envelopeID, payload)
}

// newLocal is a real application over a real store holding room 4012345,
// on a fake clock stopped at pressedAt.
func newLocal(t *testing.T, lang string) *app.App {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "roomwatch.yaml")
	yaml := `timezone: Asia/Tokyo
language: ` + lang + `
store: roomwatch.db
rooms:
  - id: "4012345"
    title: Blog posts
    buyer: tanaka
    opened: 2026-11-20 10:00
    seller_message: 2026-11-21 09:00
    buyer_message: 2026-11-21 12:00
    due: 2026-11-27 18:00
`
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(path, []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(cfg.Store, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a := app.New(app.Options{Config: cfg, Store: st, Clock: clockwork.NewFakeClockAt(pressedAt), Log: slog.New(slog.DiscardHandler)})
	if _, err := a.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a
}

// runInteractions runs the buttons against f until the test ends, and
// checks Run returns nil once its context is cancelled.
func runInteractions(t *testing.T, f *fakeSlack, lang string, rec Recorder) {
	t.Helper()
	in, err := NewInteractions(InteractOptions{
		Name: "phone", AppToken: appToken, BotToken: token, APIURL: f.URL, Language: lang,
		Location: pressedAt.Location(), Log: slog.New(slog.NewTextHandler(t.Output(), nil)), Recorder: rec,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run after cancel = %v, want nil", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("Run did not return within 5s of its context ending")
		}
	})
}

// updateNote checks a chat.update kept the alert and its buttons and put
// one note right after the buttons, and returns the note.
func updateNote(t *testing.T, form url.Values) string {
	t.Helper()
	if form.Get("channel") != channelID || form.Get("ts") != messageTS {
		t.Errorf("chat.update of %s/%s, want %s/%s", form.Get("channel"), form.Get("ts"), channelID, messageTS)
	}
	if form.Get("token") != token {
		t.Errorf("chat.update was not made with the bot token")
	}
	if form.Get("text") != "Deliver — Blog posts" {
		t.Errorf("chat.update text = %q, want the original fallback", form.Get("text"))
	}
	var blocks slack.Blocks
	if err := json.Unmarshal([]byte(form.Get("blocks")), &blocks); err != nil {
		t.Fatalf("chat.update blocks: %v", err)
	}
	ids := make([]string, len(blocks.BlockSet))
	for i, b := range blocks.BlockSet {
		ids[i] = b.ID()
	}
	want := []string{"alert-0", "room-0-4012345", "done-room-0-4012345"}
	if strings.Join(ids, " ") != strings.Join(want, " ") {
		t.Fatalf("updated block IDs = %v, want %v", ids, want)
	}
	section := blocks.BlockSet[0].(*slack.SectionBlock)
	if !strings.Contains(section.Text.Text, "Blog posts") {
		t.Errorf("the alert text was lost: %q", section.Text.Text)
	}
	if n := len(blocks.BlockSet[1].(*slack.ActionBlock).Elements.ElementSet); n != 3 {
		t.Errorf("%d buttons left, want the 3", n)
	}
	return blocks.BlockSet[2].(*slack.ContextBlock).ContextElements.Elements[0].(*slack.TextBlockObject).Text
}

// The note names the room's most urgent alert (app.RoomStatus.Next):
// in the fixture the buyer wrote last and the cancellation clock ran out at
// 09:00, so a snooze or a delivery (which the rules do not count as a
// message yet) leaves the overdue cancel-risk first.
func TestButtonRecordsAcksAndUpdatesTheAlert(t *testing.T) {
	cases := []struct {
		name, lang, action string
		want               string
		event              rules.EventKind // recorded with source slack; "" for a snooze
	}{
		{"sent", "en", ActionSent,
			"✅ Recorded by <@U0SELLER>: message sent at Wed 11/25 14:03 — next: delivery-due by Fri 11/27 18:00 (2d 3h left)",
			rules.EventSellerMessage},
		// Coconala approves the delivery by itself 72 h later, the very
		// instant eligible-to-close would fall due (issue 19, rule 2): what
		// is left to do is rating the buyer once the room has closed.
		{"delivered", "en", ActionDelivered,
			"✅ Recorded by <@U0SELLER>: delivered at Wed 11/25 14:03 — next: rate-buyer by Tue 2/16 14:03 (83d left)",
			rules.EventDelivered},
		{"snooze", "en", ActionSnooze,
			"😴 Snoozed by <@U0SELLER> until Wed 11/25 16:03 (deadlines still alert) — next: cancel-risk by Wed 11/25 09:00 (overdue by 5h 3m)",
			""},
		{"sent in Japanese", "ja", ActionSent,
			"✅ <@U0SELLER> さんが記録：メッセージ送信 11/25(水) 14:03 — 次：delivery-due 11/27(金) 18:00 まで（残り2日3時間）",
			rules.EventSellerMessage},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			local := newLocal(t, c.lang)
			f := newFakeSlack(t, pressEnvelope(t, "env-1", c.action, "4012345"))
			runInteractions(t, f, c.lang, appButtons{local})

			if id := receive(t, f.acks, "ack"); id != "env-1" {
				t.Errorf("acked envelope %q, want env-1", id)
			}
			if got := updateNote(t, receive(t, f.updates, "chat.update")); got != c.want {
				t.Errorf("note =\n  %s\nwant\n  %s", got, c.want)
			}
			f.mu.Lock()
			if len(f.openAuth) != 1 || f.openAuth[0] != "Bearer "+appToken {
				t.Errorf("apps.connections.open auth = %q, want the app token", f.openAuth)
			}
			f.mu.Unlock()

			h, err := local.History(context.Background(), app.HistoryRequest{Room: "4012345"})
			if err != nil {
				t.Fatal(err)
			}
			var fromSlack []app.HistoryEvent
			for _, e := range h.Events {
				if e.Source == "slack" {
					fromSlack = append(fromSlack, e)
				}
			}
			if c.event == "" {
				if len(fromSlack) != 0 {
					t.Errorf("a snooze recorded events %v", fromSlack)
				}
				st, err := local.Status(context.Background(), app.StatusRequest{Room: "4012345"})
				if err != nil {
					t.Fatal(err)
				}
				if want := pressedAt.Add(SnoozeFor); !st[0].Snoozed.Equal(want) {
					t.Errorf("snoozed until %s, want %s", st[0].Snoozed, want)
				}
				return
			}
			if len(fromSlack) != 1 || fromSlack[0].Event != c.event || !fromSlack[0].At.Equal(pressedAt) {
				t.Errorf("events from slack = %+v, want one %s at %s", fromSlack, c.event, pressedAt)
			}
		})
	}
}

func TestButtonErrorIsShownAndTheNextPressStillWorks(t *testing.T) {
	local := newLocal(t, "en")
	f := newFakeSlack(t,
		pressEnvelope(t, "env-unknown", ActionSent, "9999999"),
		pressEnvelope(t, "env-ok", ActionSent, "4012345"))
	runInteractions(t, f, "en", appButtons{local})

	acks := map[string]bool{receive(t, f.acks, "first ack"): true, receive(t, f.acks, "second ack"): true}
	if !acks["env-unknown"] || !acks["env-ok"] {
		t.Errorf("acks = %v, want both envelopes", acks)
	}
	notes := map[string]bool{}
	for range 2 {
		notes[updateNote(t, receive(t, f.updates, "chat.update"))] = true
	}
	var failed, recorded bool
	for n := range notes {
		failed = failed || (strings.HasPrefix(n, "⚠️ <@U0SELLER> pressed “I sent a message” for room 9999999") && strings.Contains(n, `unknown room "9999999"`))
		recorded = recorded || strings.HasPrefix(n, "✅ Recorded by <@U0SELLER>: message sent")
	}
	if !failed || !recorded {
		t.Errorf("notes = %v, want the unknown room refused and room 4012345 recorded", notes)
	}
}

func TestButtonOutcomeGoesToThePresserWhenTheAlertCannotBeEdited(t *testing.T) {
	local := newLocal(t, "en")
	f := newFakeSlack(t, pressEnvelope(t, "env-1", ActionSent, "4012345"))
	f.refuseUpdate = true
	runInteractions(t, f, "en", appButtons{local})

	receive(t, f.updates, "chat.update")
	form := receive(t, f.ephemerals, "chat.postEphemeral")
	if form.Get("user") != presser || form.Get("channel") != channelID {
		t.Errorf("ephemeral to %s in %s, want %s in %s", form.Get("user"), form.Get("channel"), presser, channelID)
	}
	if !strings.HasPrefix(form.Get("text"), "✅ Recorded by <@U0SELLER>: message sent") {
		t.Errorf("ephemeral text = %q", form.Get("text"))
	}
}

func TestRunStopsWhenSlackRefusesTheAppToken(t *testing.T) {
	f := newFakeSlack(t)
	f.refuseApp = true
	in, err := NewInteractions(InteractOptions{
		Name: "phone", AppToken: appToken, BotToken: token, APIURL: f.URL,
		Log: slog.New(slog.NewTextHandler(t.Output(), nil)), Recorder: appButtons{newLocal(t, "en")},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = in.Run(ctx)
	if err == nil || ctx.Err() != nil {
		t.Fatalf("Run = %v (ctx %v), want Slack's refusal before the timeout", err, ctx.Err())
	}
	if !strings.Contains(err.Error(), "phone") || !strings.Contains(err.Error(), "invalid_auth") {
		t.Errorf("error %q does not name the notifier and the reason", err)
	}
	if strings.Contains(err.Error(), appToken) || strings.Contains(err.Error(), token) {
		t.Errorf("error leaks a token: %v", err)
	}
}

func TestNewInteractionsChecksTheTokens(t *testing.T) {
	rec := appButtons{}
	cases := map[string]struct {
		opts InteractOptions
		want string
	}{
		"no app token":      {InteractOptions{BotToken: token, Recorder: rec}, "app-level token"},
		"bot token as app":  {InteractOptions{AppToken: token, BotToken: token, Recorder: rec}, "xapp-"},
		"no bot token":      {InteractOptions{AppToken: appToken, Recorder: rec}, "bot token"},
		"app token as bot":  {InteractOptions{AppToken: appToken, BotToken: appToken, Recorder: rec}, "xoxb-"},
		"user token as bot": {InteractOptions{AppToken: appToken, BotToken: "xoxp-user-s3cret", Recorder: rec}, "xoxb-"},
		"nothing to record": {InteractOptions{AppToken: appToken, BotToken: token}, "record"},
	}
	for name, c := range cases {
		c.opts.Name = "phone"
		_, err := NewInteractions(c.opts)
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if !strings.Contains(err.Error(), "slack phone") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not name the notifier and %q", name, err, c.want)
		}
		for _, secret := range []string{appToken, token, "xoxp-user-s3cret"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("%s: error leaks a token: %v", name, err)
			}
		}
	}
	if _, err := NewInteractions(InteractOptions{AppToken: appToken, BotToken: token, Recorder: rec}); err != nil {
		t.Errorf("good tokens: %v", err)
	}
}

func TestMentionEscapesOddUserIDs(t *testing.T) {
	if got := mention(slack.User{ID: "U0SELLER"}); got != "<@U0SELLER>" {
		t.Errorf("mention = %q", got)
	}
	if got := mention(slack.User{ID: "U1> <!channel", Name: "<!here>"}); got != "&lt;!here&gt;" {
		t.Errorf("mention of an odd ID = %q, want the escaped name", got)
	}
}

package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/notifier/discord/discordcheck"
)

// TestNotifyTestDiscordAndWebhook sends notify-test through a Discord
// webhook (pointed at a local server with api_url) and a signed generic
// webhook, and reports Discord's refusal of an unknown webhook by name.
func TestNotifyTestDiscordAndWebhook(t *testing.T) {
	const secret = "sign-SECRET"
	var discordPosts, hookPosts atomic.Int32 // handlers run on the servers' goroutines
	discordServer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path != "/api/webhooks/111/GOODSECRET" {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"message": "Unknown Webhook", "code": 10015}`)
			return
		}
		var p struct {
			Embeds          []json.RawMessage `json:"embeds"`
			AllowedMentions struct {
				Parse []string `json:"parse"`
			} `json:"allowed_mentions"`
		}
		if err := json.NewDecoder(r.Body).Decode(&p); err != nil || len(p.Embeds) != 1 || p.AllowedMentions.Parse == nil {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"message": "Invalid Form Body", "code": 50035}`)
			return
		}
		discordPosts.Add(1)
		io.WriteString(w, `{"id": "1"}`)
	}))
	defer discordServer.Close()
	hookServer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(body)
		if !hmac.Equal([]byte("sha256="+hex.EncodeToString(mac.Sum(nil))), []byte(r.Header.Get("X-Roomwatch-Signature"))) ||
			r.Header.Get("X-Roomwatch-Timestamp") == "" {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var p struct {
			Test bool   `json:"test"`
			Kind string `json:"kind"`
		}
		if json.Unmarshal(body, &p) != nil || !p.Test || p.Kind != "check-in" {
			http.Error(w, "unexpected body", http.StatusBadRequest)
			return
		}
		hookPosts.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer hookServer.Close()

	dir := shortTempDir(t)
	cfg := filepath.Join(dir, "roomwatch.yaml")
	body := "notifiers:\n" +
		"  - name: chat\n    type: discord\n    webhook_url: https://discord.com/api/webhooks/111/GOODSECRET\n    api_url: " + discordServer.URL + "/api\n" +
		"  - name: gone\n    type: discord\n    webhook_url: https://discord.com/api/webhooks/222/OLDSECRET\n    api_url: " + discordServer.URL + "/api\n" +
		"  - name: hook\n    type: webhook\n    url: " + hookServer.URL + "/hook?key=KEYSECRET\n    secret: " + secret + "\n"
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	out, code := run(t, "--config", cfg, "check")
	if code != 0 {
		t.Fatalf("check exited %d: %s", code, out)
	}
	out, code = run(t, "--config", cfg, "notify-test")
	if code != 1 || !strings.Contains(out, "chat: ok") || !strings.Contains(out, "hook: ok") ||
		!strings.Contains(out, "gone: FAILED") || !strings.Contains(out, "Unknown Webhook (Discord error 10015)") {
		t.Errorf("notify-test exited %d: %s", code, out)
	}
	if discordPosts.Load() != 1 || hookPosts.Load() != 1 {
		t.Errorf("%d Discord posts, %d webhook posts; want 1 each", discordPosts.Load(), hookPosts.Load())
	}
	if strings.Contains(out, "SECRET") {
		t.Errorf("a secret leaked into the output: %s", out)
	}
}

// TestCatchUpOfFortyRoomsToDiscord starts the daemon with 40 overdue rooms
// of long Japanese titles (one trying to ping everyone) and a Discord that
// refuses what Discord refuses: every alert arrives as an embed of its own,
// in messages within Discord's limits, and the ledger marks each sent.
func TestCatchUpOfFortyRoomsToDiscord(t *testing.T) {
	var mu sync.Mutex
	var accepted [][]byte
	var refused []string
	arrived := make(chan struct{}, 1000)
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		mu.Lock()
		defer mu.Unlock()
		if problems := discordcheck.Check(body); len(problems) > 0 {
			refused = append(refused, strings.Join(problems, "; "))
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"message": "Invalid Form Body", "code": 50035}`)
			return
		}
		accepted = append(accepted, body)
		arrived <- struct{}{}
		io.WriteString(w, `{"id": "1"}`)
	}))
	defer server.Close()

	dir := shortTempDir(t)
	now := time.Now().Truncate(time.Minute)
	var b strings.Builder
	fmt.Fprintf(&b, "timezone: Asia/Tokyo\nlanguage: ja\nstore: roomwatch.db\npolicy:\n  digest_at: \"\"\n")
	fmt.Fprintf(&b, "notifiers:\n  - name: chat\n    type: discord\n    webhook_url: https://discord.com/api/webhooks/111/TOKEN\n    api_url: %s/api\n", server.URL)
	fmt.Fprintf(&b, "control:\n  socket: roomwatch.sock\nrooms:\n")
	for i := range 40 {
		title := fmt.Sprintf("第%d件 ", i) + strings.Repeat("納品物の修正𠮷", 60)
		if i == 0 {
			title = "@everyone <@123> " + title
		}
		quoted, _ := json.Marshal(title)
		// Never wrote: the first message was due 2 hours ago.
		fmt.Fprintf(&b, "  - id: \"%d\"\n    title: %s\n    buyer: 購入者%d\n    url: https://coconala.com/talkrooms/%d\n    opened: %s\n",
			9200+i, quoted, i, 9200+i, ts(now.Add(-50*time.Hour)))
	}
	cfg := filepath.Join(dir, "roomwatch.yaml")
	if err := os.WriteFile(cfg, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	d := startDaemon(t, cfg)
	embeds := func() map[string]int {
		mu.Lock()
		defer mu.Unlock()
		seen := map[string]int{}
		for _, body := range accepted {
			var p struct {
				Embeds []struct {
					URL   string `json:"url"`
					Title string `json:"title"`
				} `json:"embeds"`
			}
			if err := json.Unmarshal(body, &p); err != nil {
				t.Errorf("accepted a payload that is not JSON: %v", err)
			}
			for _, e := range p.Embeds {
				seen[e.URL]++
				if strings.Contains(e.Title, "@everyone") && !strings.Contains(e.Title, `\@everyone`) {
					t.Errorf("a live @everyone in a title: %s", e.Title)
				}
			}
		}
		return seen
	}
	deadline := time.After(20 * time.Second)
	for total := 0; total < 40; {
		select {
		case <-arrived:
		case <-deadline:
			mu.Lock()
			t.Fatalf("%d embeds within 20s, want 40; refused: %v", total, refused)
		}
		total = 0
		for _, n := range embeds() {
			total += n
		}
	}
	time.Sleep(500 * time.Millisecond) // nothing more, nothing twice
	d.stop(t)
	seen := embeds()
	mu.Lock()
	if len(refused) != 0 || len(accepted) < 4 {
		t.Errorf("%d messages accepted, refused: %v", len(accepted), refused)
	}
	mu.Unlock()
	for i := range 40 {
		id := fmt.Sprint(9200 + i)
		if n := seen["https://coconala.com/talkrooms/"+id]; n != 1 {
			t.Errorf("room %s arrived %d times", id, n)
		}
		sent := 0
		for _, a := range history(t, cfg, id).Alerts {
			if a.State == "sent" {
				sent++
			}
		}
		if sent != 1 {
			t.Errorf("the ledger marks %d alerts of room %s sent, want 1", sent, id)
		}
	}
}

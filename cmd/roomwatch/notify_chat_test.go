package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
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

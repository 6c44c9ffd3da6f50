package main

import (
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

// notify-test pushes a marked test card to the seller's LINE, and shows
// LINE's refusal, without the token, when the token is wrong.
func TestNotifyTestLINE(t *testing.T) {
	const user = "U0123456789abcdef0123456789abcdef"
	var pushed atomic.Int32
	var altText atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path != "/v2/bot/message/push" || r.Header.Get("Authorization") != "Bearer good-LINE-token" {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"message":"Authentication failed. Confirm that the access token in the authorization header is valid."}`)
			return
		}
		var req struct {
			To       string `json:"to"`
			Messages []struct {
				Type    string `json:"type"`
				AltText string `json:"altText"`
			} `json:"messages"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.To != user || len(req.Messages) != 1 || r.Header.Get("X-Line-Retry-Key") == "" {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"message":"The request body has 1 error(s)"}`)
			return
		}
		altText.Store(req.Messages[0].AltText)
		pushed.Add(1)
		io.WriteString(w, `{"sentMessages":[{"id":"1","quoteToken":"q"}]}`)
	}))
	defer srv.Close()

	dir := shortTempDir(t)
	if err := os.WriteFile(filepath.Join(dir, "line-token"), []byte("good-LINE-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "roomwatch.yaml")
	body := "language: ja\nnotifiers:\n" +
		"  - name: line\n    type: line\n    channel_access_token_file: line-token\n    to: " + user + "\n    api_url: " + srv.URL + "\n" +
		"  - name: stale\n    type: line\n    channel_access_token: revoked-LINE-token\n    to: " + user + "\n    api_url: " + srv.URL + "\n"
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	out, code := run(t, "--config", cfg, "notify-test", "line")
	alt, _ := altText.Load().(string)
	if code != 0 || !strings.Contains(out, "line: ok") || pushed.Load() != 1 || !strings.HasPrefix(alt, "【テスト】") {
		t.Errorf("notify-test line exited %d (%d pushes, altText %q): %s", code, pushed.Load(), alt, out)
	}
	out, code = run(t, "--config", cfg, "notify-test", "stale")
	if code != 1 || !strings.Contains(out, "stale: FAILED") || !strings.Contains(out, "401 Unauthorized: Authentication failed") {
		t.Errorf("notify-test stale exited %d: %s", code, out)
	}
	if strings.Contains(out, "LINE-token") {
		t.Errorf("a token leaked into the output: %s", out)
	}
}

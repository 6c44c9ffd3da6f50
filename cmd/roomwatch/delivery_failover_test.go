package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A first notifier that answers 503 for ever, or hangs, must neither hold
// the alerts routed to the second nor keep a critical alert from it for
// longer than routes.failover_after.
func TestFailingFirstNotifierNeitherHoldsNorHidesAlerts(t *testing.T) {
	for _, mode := range []string{"503", "hang"} {
		t.Run(mode, func(t *testing.T) {
			var tries atomic.Int32
			phone := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				tries.Add(1)
				if mode == "hang" {
					<-r.Context().Done()
					return
				}
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = io.WriteString(w, "service_unavailable")
			}))
			t.Cleanup(phone.Close)
			backup := newWebhook(t)
			dir := shortTempDir(t)

			critical := firstMessageDueIn("9401", 3*time.Second)
			// A check-in (a warning) falling due at the same moment, routed
			// to the backup only.
			warning := room{id: "9402", buyer: "sato", opened: time.Now().Add(-80 * time.Hour),
				seller: critical.opened.Add(48 * time.Hour).Add(-72 * time.Hour)}
			var b strings.Builder
			fmt.Fprintf(&b, "timezone: Asia/Tokyo\nlanguage: en\nstore: roomwatch.db\npolicy:\n  digest_at: \"\"\n")
			fmt.Fprintf(&b, "notifiers:\n  - name: phone\n    type: slack\n    webhook_url: %s\n    timeout: 30s\n", phone.URL)
			fmt.Fprintf(&b, "  - name: backup\n    type: slack\n    webhook_url: %s\n", backup.URL)
			fmt.Fprintf(&b, "routes:\n  critical: [phone, backup]\n  warning: [backup]\n  info: [backup]\n  failover_after: 2s\n")
			fmt.Fprintf(&b, "control:\n  socket: roomwatch.sock\nrooms:\n%s%s", critical.yaml(), warning.yaml())
			cfg := filepath.Join(dir, "roomwatch.yaml")
			if err := os.WriteFile(cfg, []byte(b.String()), 0o600); err != nil {
				t.Fatal(err)
			}

			d := startDaemon(t, cfg)
			due := critical.opened.Add(48 * time.Hour)
			w := backup.waitFor(t, "for the warning routed to the backup", 10*time.Second, mentions(warning.id))
			if late := w.At.Sub(due); late > 1500*time.Millisecond {
				t.Errorf("the warning reached the backup %s after its time, while the phone failed", late)
			}
			c := backup.waitFor(t, "for the critical alert failed over to the backup", 10*time.Second, mentions(critical.id))
			late := c.At.Sub(due)
			if late < 1500*time.Millisecond || late > 3500*time.Millisecond {
				t.Errorf("the critical alert reached the backup %s after its time, want about failover_after (2s)", late)
			}
			if tries.Load() == 0 {
				t.Error("the phone was never tried")
			}
			if mode == "503" && tries.Load() < 2 {
				t.Errorf("the phone was tried %d times; it keeps its backoff, so more than once in 2s", tries.Load())
			}
			time.Sleep(time.Second)
			if n := backup.count(mentions(critical.id)); n != 1 {
				t.Errorf("the backup got the critical alert %d times", n)
			}
			d.stop(t)
			if mode == "503" && !strings.Contains(d.out.String(), "service_unavailable") {
				t.Error("the log does not carry Slack's reason for the refusals")
			}
			if strings.Contains(d.out.String(), phone.URL) {
				t.Error("the log carries the webhook URL")
			}
			for _, a := range history(t, cfg, critical.id).Alerts {
				if a.State == "sent" && a.Result["backup"] != "ok" {
					t.Errorf("ledger results = %v, want backup=ok", a.Result)
				}
			}
		})
	}
}

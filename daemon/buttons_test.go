package daemon

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

func TestButtonsStartPerNotifierAndABadTokenOnlyLogs(t *testing.T) {
	// A Slack that refuses every app token, so the receiver that does
	// connect stops at once; what it was sent shows the wiring.
	var mu sync.Mutex
	var opened []string
	slack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		opened = append(opened, r.URL.Path+" "+r.Header.Get("Authorization"))
		mu.Unlock()
		io.WriteString(w, `{"ok":false,"error":"invalid_auth"}`)
	}))
	t.Cleanup(slack.Close)

	cfg := writeConfig(t, t.TempDir(), `notifiers:
  - name: phone
    type: slack
    token: xoxb-phone-s3cret
    channel: "#roomwatch"
    app_token: xoxb-pasted-in-the-wrong-place
    api_url: `+slack.URL+`
  - name: tablet
    type: slack
    token: xoxb-tablet-s3cret
    channel: "#roomwatch"
    app_token: xapp-1-tablet-s3cret
    api_url: `+slack.URL+`
  - name: hook
    type: slack
    webhook_url: https://hooks.slack.com/services/T0/B0/s3cret
`)
	clock := clockwork.NewFakeClockAt(at(25, 8, 0))
	logs := &syncBuffer{}
	d, _ := startDaemon(t, cfg, clock, &recordingNotifier{clock: clock}, testLog(t, logs))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	d.startButtons(ctx, &wg)
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the refused receiver did not stop")
	}

	out := logs.String()
	for _, want := range []string{
		`msg="slack buttons disabled; alerts still go out" notifier=phone`,
		"xapp-",
		`msg="slack buttons stopped; alerts still go out" notifier=tablet`,
		"invalid_auth",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "notifier=hook") {
		t.Errorf("a webhook notifier, which has no buttons, was started:\n%s", out)
	}
	for _, secret := range []string{"s3cret", "xoxb-pasted-in-the-wrong-place"} {
		if strings.Contains(out, secret) {
			t.Errorf("log leaks %q:\n%s", secret, out)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(opened) != 1 || opened[0] != "/apps.connections.open Bearer xapp-1-tablet-s3cret" {
		t.Errorf("Slack saw %q, want one apps.connections.open with the tablet's app token", opened)
	}
}

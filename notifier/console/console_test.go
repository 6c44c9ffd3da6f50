package console

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/internal/testalert"
	"github.com/roomwatch/roomwatch/rules"
)

func TestWritesOneBlockPerMessage(t *testing.T) {
	var out bytes.Buffer
	n := New(Options{Writer: &out, Language: "ja", Location: testalert.Now.Location()})
	alerts := []notifier.Alert{
		testalert.Make(rules.CancelRisk, rules.Critical, "4012345", "ブログ記事 5本"),
		testalert.Make(rules.CheckIn, rules.Warning, "4012346", "ロゴ"),
	}
	for range 2 {
		if retry, err := n.Send(context.Background(), notifier.Message{Alerts: alerts}); err != nil || retry {
			t.Fatalf("Send = %v, %v", retry, err)
		}
	}
	text := out.String()
	if got := strings.Count(text, rule); got != 2 {
		t.Errorf("%d blocks, want 2:\n%s", got, text)
	}
	for _, want := range []string{
		"tanakaさんに返信してください（11/25(水) 12:00まで）",
		"■ 購入者に返信する：ブログ記事 5本",
		"■ 定期連絡を送る：ロゴ",
		"（他1件）",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
}

type brokenWriter struct{}

func (brokenWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestFailsOnlyWhenTheWriterFails(t *testing.T) {
	n := New(Options{Name: "stdout", Writer: brokenWriter{}})
	retry, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{testalert.Make(rules.CheckIn, rules.Warning, "1", "t")}})
	if err == nil || retry || !strings.Contains(err.Error(), "broken pipe") {
		t.Fatalf("Send = %v, %v; want a permanent write error", retry, err)
	}
	if n.Name() != "stdout" || New(Options{}).Name() != "console" {
		t.Error("unexpected names")
	}
}

// lockedCheck fails the test if two writes overlap.
type lockedCheck struct {
	mu     sync.Mutex
	inside bool
	t      *testing.T
	buf    bytes.Buffer
}

func (w *lockedCheck) Write(p []byte) (int, error) {
	w.mu.Lock()
	if w.inside {
		w.t.Error("concurrent writes interleave")
	}
	w.inside = true
	w.mu.Unlock()
	n, err := w.buf.Write(p)
	w.mu.Lock()
	w.inside = false
	w.mu.Unlock()
	return n, err
}

func TestConcurrentSendsDoNotInterleave(t *testing.T) {
	w := &lockedCheck{t: t}
	n := New(Options{Writer: w})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			a := testalert.Make(rules.CheckIn, rules.Warning, string(rune('a'+i)), "t")
			if _, err := n.Send(context.Background(), notifier.Message{Alerts: []notifier.Alert{a}}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := strings.Count(w.buf.String(), rule); got != 8 {
		t.Errorf("%d blocks, want 8", got)
	}
}

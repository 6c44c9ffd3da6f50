package main

// End-to-end tests of what reaches the seller: the built daemon against a
// local Slack webhook that enforces Slack's documented limits the way Slack
// does, answering 400 with the text body invalid_blocks.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/notifier/slack/slackcheck"
)

// strictSlack is an incoming webhook that refuses what Slack refuses.
type strictSlack struct {
	*httptest.Server
	mu       sync.Mutex
	accepted []slackPayload
	refused  []string
	arrived  chan struct{}
}

type slackPayload struct {
	Text   string `json:"text"`
	Blocks []struct {
		Type    string `json:"type"`
		BlockID string `json:"block_id"`
		Text    *struct {
			Text string `json:"text"`
		} `json:"text"`
		Elements []struct {
			Text string `json:"text"`
		} `json:"elements"`
	} `json:"blocks"`
	At time.Time `json:"-"`
}

// sections returns the alert sections of the payload.
func (p slackPayload) sections() []string {
	var out []string
	for _, b := range p.Blocks {
		if strings.HasPrefix(b.BlockID, "alert-") && b.Text != nil {
			out = append(out, b.Text.Text)
		}
	}
	return out
}

func newStrictSlack(t *testing.T) *strictSlack {
	s := &strictSlack{arrived: make(chan struct{}, 1000)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := slackcheck.Check(body); err != nil {
			s.mu.Lock()
			s.refused = append(s.refused, err.Error())
			s.mu.Unlock()
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, err.(*slackcheck.Error).Code)
			return
		}
		var p slackPayload
		if err := json.Unmarshal(body, &p); err != nil {
			t.Errorf("accepted a payload that is not JSON: %v", err)
		}
		p.At = time.Now()
		s.mu.Lock()
		s.accepted = append(s.accepted, p)
		s.mu.Unlock()
		s.arrived <- struct{}{}
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *strictSlack) snapshot() ([]slackPayload, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]slackPayload(nil), s.accepted...), append([]string(nil), s.refused...)
}

// waitSections waits until the accepted payloads hold at least n alert
// sections.
func (s *strictSlack) waitSections(t *testing.T, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		accepted, refused := s.snapshot()
		got := 0
		for _, p := range accepted {
			got += len(p.sections())
		}
		if got >= n {
			return
		}
		select {
		case <-s.arrived:
		case <-deadline:
			t.Fatalf("%d alert sections accepted within %s, want %d; refused: %v", got, timeout, n, refused)
		}
	}
}

type historyJSON struct {
	Alerts []struct {
		Kind   string            `json:"kind"`
		Step   string            `json:"step"`
		State  string            `json:"state"`
		Reason string            `json:"reason"`
		Result map[string]string `json:"results"`
	} `json:"alerts"`
}

func history(t *testing.T, cfg, room string) historyJSON {
	t.Helper()
	out, code := run(t, "--config", cfg, "history", room, "--json")
	if code != 0 {
		t.Fatalf("history %s exited %d: %s", room, code, out)
	}
	var h historyJSON
	if err := json.Unmarshal([]byte(out), &h); err != nil {
		t.Fatalf("history --json: %v\n%s", err, out)
	}
	return h
}

func TestCatchUpOfFortyOverdueRoomsShowsEveryAlertWhole(t *testing.T) {
	hook := newStrictSlack(t)
	dir := shortTempDir(t)
	now := time.Now().Truncate(time.Minute)
	type overdue struct {
		id, title, buyer string
		alerts           int // overdue alerts the room has at start
		yaml             string
	}
	var rooms []overdue
	for i := range 40 {
		r := overdue{id: fmt.Sprint(9100 + i), buyer: fmt.Sprintf("buyer%02d", i)}
		switch {
		case i == 0:
			r.title = strings.Repeat("長いタイトル<!channel>&", 29) // with its suffix, near check's limit of 500
		case i%3 == 0:
			r.title = fmt.Sprintf("ロゴ作成 %d 🙂", i)
		default:
			r.title = fmt.Sprintf("order %d", i)
		}
		switch {
		case i < 14: // never wrote: the order is cancelled at opened + 48h
			r.alerts = 1
			r.yaml = fmt.Sprintf("    opened: %s\n", ts(now.Add(-50*time.Hour)))
		case i < 27: // wrote 80h ago: check-in overdue
			r.alerts = 1
			r.yaml = fmt.Sprintf("    opened: %s\n    seller_message: %s\n", ts(now.Add(-81*time.Hour)), ts(now.Add(-80*time.Hour)))
		default: // the buyer wrote last, 99h ago: cancel-risk and check-in overdue
			r.alerts = 2
			r.yaml = fmt.Sprintf("    opened: %s\n    seller_message: %s\n    buyer_message: %s\n",
				ts(now.Add(-101*time.Hour)), ts(now.Add(-100*time.Hour)), ts(now.Add(-99*time.Hour)))
		}
		rooms = append(rooms, r)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "timezone: Asia/Tokyo\nlanguage: en\nstore: roomwatch.db\n")
	fmt.Fprintf(&b, "policy:\n  digest_at: \"\"\n")
	fmt.Fprintf(&b, "notifiers:\n  - name: phone\n    type: slack\n    webhook_url: %s\n", hook.URL)
	fmt.Fprintf(&b, "control:\n  socket: roomwatch.sock\nrooms:\n")
	want := 0
	for _, r := range rooms {
		title, _ := json.Marshal(r.title)
		fmt.Fprintf(&b, "  - id: %q\n    title: %s\n    buyer: %s\n%s", r.id, title, r.buyer, r.yaml)
		want += r.alerts
	}
	cfg := filepath.Join(dir, "roomwatch.yaml")
	if err := os.WriteFile(cfg, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	d := startDaemon(t, cfg)
	hook.waitSections(t, want, 20*time.Second)
	time.Sleep(500 * time.Millisecond) // nothing more, nothing twice
	accepted, refused := hook.snapshot()
	if len(refused) != 0 {
		t.Errorf("Slack refused %d payloads: %v", len(refused), refused)
	}
	if len(accepted) < 2 {
		t.Errorf("%d alerts went out in %d message(s); they cannot fit one", want, len(accepted))
	}
	// The ledger is read with the daemon stopped, straight from the store.
	d.stop(t)

	// Every alert is a section of its own, naming its room and buyer (so
	// not cut off), and nothing is only counted.
	perRoom := map[string]int{}
	total := 0
	for _, p := range accepted {
		if strings.Contains(p.Text+fmt.Sprint(p.Blocks), "more alerts not shown") {
			t.Errorf("a message counts alerts instead of showing them: %s", p.Text)
		}
		for _, s := range p.sections() {
			total++
			for _, r := range rooms {
				if strings.Contains(s, "("+r.id+")") {
					perRoom[r.id]++
					if !strings.Contains(s, r.buyer) {
						t.Errorf("room %s's section lost its buyer line:\n%s", r.id, s)
					}
				}
			}
		}
	}
	if total != want {
		t.Errorf("%d alert sections accepted, want %d (one per overdue alert)", total, want)
	}
	// A message of several alerts leads with their count by severity, and
	// a message cut into parts says which part it is.
	for i, p := range accepted {
		if len(p.sections()) < 2 {
			continue
		}
		var context []string
		for _, b := range p.Blocks {
			for _, e := range b.Elements {
				context = append(context, e.Text)
			}
		}
		summary := strings.Join(context, " ")
		if !regexp.MustCompile(`\d+ (critical|warning|info)`).MatchString(summary) {
			t.Errorf("message %d of %d alerts has no summary: %q", i+1, len(p.sections()), summary)
		}
	}
	for _, r := range rooms {
		if perRoom[r.id] != r.alerts {
			t.Errorf("room %s (%.20s…) shown %d times, want %d", r.id, r.title, perRoom[r.id], r.alerts)
		}
		sent := 0
		for _, a := range history(t, cfg, r.id).Alerts {
			if a.State == "sent" {
				sent++
			}
		}
		if sent != r.alerts {
			t.Errorf("the ledger marks %d alerts of room %s sent, want %d", sent, r.id, r.alerts)
		}
	}
	// The most severe come first: every critical section before any other.
	seenOther := false
	for _, p := range accepted {
		for _, s := range p.sections() {
			critical := strings.HasPrefix(s, ":rotating_light:")
			if critical && seenOther {
				t.Errorf("a critical alert came after a less severe one:\n%.200s", s)
			}
			seenOther = seenOther || !critical
		}
	}
	long := ""
	for _, p := range accepted {
		for _, s := range p.sections() {
			if strings.Contains(s, "(9100)") {
				long = s
			}
		}
	}
	if !strings.Contains(long, "…") || strings.Contains(long, "<!channel>") {
		t.Errorf("the near-500-character title was not shortened and escaped:\n%.300s", long)
	}
}

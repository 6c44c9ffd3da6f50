package line

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
)

// A fake of LINE's push endpoint that answers as LINE does, and checks every
// push against LINE's documented limits before accepting it.

const (
	testToken = "line-channel-token-SECRET/+=="
	testUser  = "U0123456789abcdef0123456789abcdef"
)

// answer is a scripted reply of the fake.
type answer struct {
	status int
	header map[string]string
	body   string
	// accept makes LINE take the push although it answers status (a 500
	// or a timeout after the message went out).
	accept bool
}

type fakeLINE struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	script   []answer
	accepted map[string]bool // retry keys LINE took
	pushes   []recordedPush  // every push LINE took, in order
	requests int
}

type recordedPush struct {
	key      string
	raw      []byte
	messages []map[string]any
}

func newFakeLINE(t *testing.T) *fakeLINE {
	f := &fakeLINE{t: t, accepted: map[string]bool{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeLINE) then(a ...answer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script = append(f.script, a...)
}

func (f *fakeLINE) taken() []recordedPush {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recordedPush(nil), f.pushes...)
}

func lineError(w http.ResponseWriter, status int, message string, details ...[2]string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	body := map[string]any{"message": message}
	if len(details) > 0 {
		var ds []map[string]string
		for _, d := range details {
			ds = append(ds, map[string]string{"message": d[0], "property": d[1]})
		}
		body["details"] = ds
	}
	_ = json.NewEncoder(w).Encode(body)
}

func (f *fakeLINE) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v2/bot/message/push" {
		lineError(w, http.StatusNotFound, "Not found")
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+testToken {
		lineError(w, http.StatusUnauthorized, "Authentication failed. Confirm that the access token in the authorization header is valid.")
		return
	}
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 3<<20))
	if len(raw) > 2<<20 {
		lineError(w, http.StatusRequestEntityTooLarge, "Request entity too large")
		return
	}
	key := r.Header.Get("X-Line-Retry-Key")
	if _, err := uuid.Parse(key); err != nil {
		lineError(w, http.StatusBadRequest, "The retry key is invalid")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	if f.accepted[key] {
		w.Header().Set("X-Line-Accepted-Request-Id", "accepted-before")
		lineError(w, http.StatusConflict, "The retry key is already accepted")
		return
	}
	if problems := checkPush(raw); len(problems) > 0 {
		var ds [][2]string
		for _, p := range problems {
			ds = append(ds, [2]string{p, "messages"})
		}
		lineError(w, http.StatusBadRequest, fmt.Sprintf("The request body has %d error(s)", len(problems)), ds...)
		f.t.Errorf("push breaks LINE's limits: %s", strings.Join(problems, "; "))
		return
	}
	a := answer{status: http.StatusOK, body: `{"sentMessages":[{"id":"1","quoteToken":"q"}]}`}
	if len(f.script) > 0 {
		a, f.script = f.script[0], f.script[1:]
	}
	if a.status == http.StatusOK || a.accept {
		var req struct {
			Messages []map[string]any `json:"messages"`
		}
		_ = json.Unmarshal(raw, &req)
		f.accepted[key] = true
		f.pushes = append(f.pushes, recordedPush{key: key, raw: raw, messages: req.Messages})
	}
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, a.body)
}

// checkPush holds a push request to LINE's documented limits: the
// recipient, at most 5 messages, a Flex Message's altText (400 characters
// here), a carousel's 12 bubbles and 50 KB, a bubble's 30 KB, a text
// message's 5,000 characters, and per button a URI of at most 1,000
// characters and a label of at most 20, with at most 4 buttons a footer.
func checkPush(raw []byte) []string {
	var req struct {
		To       string            `json:"to"`
		Messages []json.RawMessage `json:"messages"`
	}
	if err := json.Unmarshal(raw, &req); err != nil {
		return []string{"The request body could not be parsed as JSON: " + err.Error()}
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if req.To != testUser {
		bad("to %q is not the seller", req.To)
	}
	if n := len(req.Messages); n < 1 || n > maxMessagesPerPush {
		bad("%d messages (1 to 5)", n)
	}
	for i, rawMsg := range req.Messages {
		var m struct {
			Type     string          `json:"type"`
			Text     string          `json:"text"`
			AltText  string          `json:"altText"`
			Contents json.RawMessage `json:"contents"`
		}
		if err := json.Unmarshal(rawMsg, &m); err != nil {
			bad("message %d: %v", i, err)
			continue
		}
		switch m.Type {
		case "text":
			if n := units(m.Text); n < 1 || n > maxText {
				bad("message %d: text of %d characters", i, n)
			}
		case "flex":
			if n := units(m.AltText); n < 1 || n > maxAltText {
				bad("message %d: altText of %d characters", i, n)
			}
			var c struct {
				Type     string            `json:"type"`
				Contents []json.RawMessage `json:"contents"`
			}
			_ = json.Unmarshal(m.Contents, &c)
			bubbles := []json.RawMessage{m.Contents}
			if c.Type == "carousel" {
				if len(c.Contents) < 1 || len(c.Contents) > maxBubbles {
					bad("message %d: carousel of %d bubbles", i, len(c.Contents))
				}
				if n := len(m.Contents); n > maxCarouselBytes {
					bad("message %d: carousel of %d bytes", i, n)
				}
				bubbles = c.Contents
			} else if c.Type != "bubble" {
				bad("message %d: contents of type %q", i, c.Type)
			}
			for j, b := range bubbles {
				problems = append(problems, checkBubble(fmt.Sprintf("message %d bubble %d", i, j), b)...)
			}
		default:
			bad("message %d: type %q", i, m.Type)
		}
	}
	return problems
}

func checkBubble(where string, raw json.RawMessage) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, where+": "+fmt.Sprintf(format, args...)) }
	if len(raw) > maxBubbleBytes {
		bad("%d bytes", len(raw))
	}
	var b struct {
		Type   string         `json:"type"`
		Header map[string]any `json:"header"`
		Body   map[string]any `json:"body"`
		Footer map[string]any `json:"footer"`
	}
	if err := json.Unmarshal(raw, &b); err != nil || b.Type != "bubble" {
		bad("not a bubble: %v", err)
		return problems
	}
	var walk func(c map[string]any)
	walk = func(c map[string]any) {
		switch c["type"] {
		case "box":
			for _, child := range c["contents"].([]any) {
				walk(child.(map[string]any))
			}
		case "text":
			if s, _ := c["text"].(string); strings.TrimSpace(s) == "" {
				bad("empty text")
			}
		case "button":
			action, _ := c["action"].(map[string]any)
			uri, _ := action["uri"].(string)
			label, _ := action["label"].(string)
			if action["type"] != "uri" || uri == "" || units(uri) > maxURI {
				bad("button URI %q", uri)
			}
			if n := units(label); n < 1 || n > maxLabel {
				bad("button label %q of %d characters", label, n)
			}
		default:
			bad("component of type %v", c["type"])
		}
	}
	for _, block := range []map[string]any{b.Header, b.Body, b.Footer} {
		if block != nil {
			walk(block)
		}
	}
	if b.Footer != nil {
		if n := len(b.Footer["contents"].([]any)); n > maxButtons {
			bad("%d buttons", n)
		}
	}
	return problems
}

package notifier_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/control"
	"github.com/roomwatch/roomwatch/control/links"
	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/email"
	"github.com/roomwatch/roomwatch/notifier/internal/smtptest"
	"github.com/roomwatch/roomwatch/notifier/internal/testalert"
	"github.com/roomwatch/roomwatch/notifier/ntfy"
	"github.com/roomwatch/roomwatch/notifier/slack"
	"github.com/roomwatch/roomwatch/rules"
)

// capture is an HTTP endpoint that keeps every request whole, headers
// included, and answers as Slack's webhooks and ntfy do.
type capture struct {
	mu   sync.Mutex
	reqs []string
}

func (c *capture) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	_ = r.Header.Write(&b)
	body, _ := io.ReadAll(r.Body)
	b.Write(body)
	c.mu.Lock()
	c.reqs = append(c.reqs, r.URL.String()+"\n"+b.String())
	c.mu.Unlock()
	_, _ = w.Write([]byte("ok"))
}

func (c *capture) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.reqs
	c.reqs = nil
	return out
}

// mailText is a mail's parts decoded, so a link folded or encoded by
// quoted-printable is found as the phone shows it.
func mailText(t *testing.T, data []byte) string {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for k, v := range msg.Header {
		b.WriteString(k + ": " + strings.Join(v, ",") + "\n")
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(p) // NextPart undoes quoted-printable
		b.Write(body)
	}
	return b.String()
}

// TestNoPayloadCarriesTheAPIToken builds the alert of every kind, in both
// languages, with the action links the daemon puts on it, sends it through
// ntfy, Slack (webhook: the link buttons) and email to local servers, and
// scans every byte they received: the API token is in none, and the links
// are there instead.
func TestNoPayloadCarriesTheAPIToken(t *testing.T) {
	const apiToken = "api-token-4f1c9b27e85d3a60c0ffee5eed1234abcd"
	const publicURL = "https://pi.tailnet.example:8765"
	signer, err := links.NewSigner([]byte(strings.Repeat("k", links.KeySize)))
	if err != nil {
		t.Fatal(err)
	}
	http := &capture{}
	srv := httptest.NewServer(http)
	t.Cleanup(srv.Close)
	smtp := smtptest.Start(t, smtptest.Options{NoTLS: true})

	for _, lang := range []string{"ja", "en"} {
		nt := ntfy.New(config.NtfyConfig{Server: srv.URL, Topic: "alerts", Token: config.NewSecret("ntfy-access-token")}, ntfy.Options{Language: lang})
		sl := slack.New(config.SlackConfig{WebhookURL: config.NewSecret(srv.URL + "/services/T/B/hook")}, slack.Options{Language: lang})
		em := email.New(config.EmailConfig{Host: smtp.Host, Port: smtp.Port, TLS: "none", From: "rw@example.com", To: []string{"me@example.com"}},
			email.Options{Language: lang, Timeout: 5 * time.Second})
		for _, kind := range rules.Kinds {
			a := testalert.Make(kind, rules.Critical, "4012345", "Logo")
			a.Links, err = control.AlertLinks(signer, publicURL, "4012345", kind, lang, a.Now.Add(links.DefaultTTL))
			if err != nil || len(a.Links) == 0 {
				t.Fatalf("%s: links %v, err %v", kind, a.Links, err)
			}
			m := notifier.Message{Alerts: []notifier.Alert{a}}
			for _, n := range []notifier.Notifier{nt, sl, em} {
				if retry, err := n.Send(context.Background(), m); err != nil {
					t.Fatalf("%s %s %s: retry=%v %v", n.Name(), lang, kind, retry, err)
				}
			}
			payloads := map[string][]string{}
			for _, p := range http.take() {
				if strings.HasPrefix(p, "/services/") {
					payloads["slack"] = append(payloads["slack"], p)
				} else {
					payloads["ntfy"] = append(payloads["ntfy"], p)
				}
			}
			mails := smtp.Mails()
			payloads["email"] = []string{mailText(t, mails[len(mails)-1].Data)}
			for name, ps := range payloads {
				if len(ps) != 1 {
					t.Fatalf("%s %s %s: %d payloads, want 1", name, lang, kind, len(ps))
				}
				p := ps[0]
				if strings.Contains(p, apiToken) || strings.Contains(p, "Bearer "+apiToken[:12]) {
					t.Errorf("%s %s %s: the API token is in the payload", name, lang, kind)
				}
				// ntfy shows three buttons; Slack and mail every link.
				shown := a.Links
				if name == "ntfy" {
					shown = shown[:min(3, len(shown))]
				}
				for _, l := range shown {
					if !strings.Contains(p, l.URL) {
						t.Errorf("%s %s %s: link %s missing", name, lang, kind, l.Action)
					}
				}
			}
		}
	}
}

package control

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/control/links"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

const readToken = "read-only-calendar-token-5b1e0c7a9d3f"

var testLinkKey = []byte("link-key-for-tests-0123456789abcdef")

// serveLinks serves the fixture's API with action links and a read-only
// token; it returns the base URL, the signer and the logs.
func serveLinks(t *testing.T, f fixture) (string, *links.Signer, *lockedBuffer) {
	t.Helper()
	signer, err := links.NewSigner(testLinkKey)
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	srv, err := ListenHTTP(HTTPOptions{
		Control: config.Control{HTTP: "127.0.0.1:0", Token: config.NewSecret(testToken), ReadToken: config.NewSecret(readToken)},
		Service: f.local, Links: signer, Marks: f.st,
		Language: func() string { return "en" },
		Location: f.loc, Log: newTestLog(logs), Now: f.clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv.URL(), signer, logs
}

func newTestLog(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func sign(t *testing.T, s *links.Signer, room string, a links.Action, expires time.Time) string {
	t.Helper()
	tok, err := s.Sign(links.Claim{Room: room, Action: a, Expires: expires})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// written is what a refused request must leave alone: every room's events,
// acks and snooze.
func written(t *testing.T, f fixture) string {
	t.Helper()
	var b strings.Builder
	st := f.st
	for _, room := range []string{"4012345", "4012346"} {
		evs, err := st.Events(room)
		if err != nil {
			t.Fatal(err)
		}
		acks, _ := st.Acks(room)
		sn, _ := st.Snooze(room)
		j, _ := json.Marshal([]any{evs, acks, sn})
		b.Write(j)
	}
	return b.String()
}

func page(t *testing.T, method, u string, body io.Reader) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func lastEvent(t *testing.T, f fixture, room string) app.HistoryEvent {
	t.Helper()
	h, err := f.local.History(context.Background(), app.HistoryRequest{Room: room})
	if err != nil || len(h.Events) == 0 {
		t.Fatalf("history: %v", err)
	}
	return h.Events[len(h.Events)-1]
}

func TestLinkRecordsItsActionOnce(t *testing.T) {
	f := newFixture(t)
	base, signer, logs := serveLinks(t, f)
	tok := sign(t, signer, "4012345", links.Sent, f.clock.Now().Add(links.DefaultTTL))
	u := base + links.PathPrefix + tok

	before := written(t, f)
	for range 3 { // mail scanners and link previews fetch it, maybe twice
		code, body := page(t, "GET", u, nil)
		if code != http.StatusOK || !strings.Contains(body, `<form method="post">`) || !strings.Contains(body, "I wrote") {
			t.Fatalf("GET: %d\n%s", code, body)
		}
		if !strings.Contains(body, "4012345") || !strings.Contains(body, "ブログ記事") {
			t.Errorf("the page does not name the room:\n%s", body)
		}
	}
	if written(t, f) != before {
		t.Fatal("GET recorded something")
	}

	code, body := page(t, "POST", u, nil)
	if code != http.StatusOK || !strings.Contains(body, `data-status="ok"`) || !strings.Contains(body, "Recorded") {
		t.Fatalf("POST: %d\n%s", code, body)
	}
	ev := lastEvent(t, f, "4012345")
	if ev.Event != rules.EventSellerMessage || ev.Source != app.SourceLink || !ev.At.Equal(f.clock.Now()) {
		t.Errorf("recorded %+v, want seller_message from link now", ev)
	}
	after := written(t, f)

	code, body = page(t, "POST", u, nil)
	if code != http.StatusOK || !strings.Contains(body, `data-status="already"`) || !strings.Contains(body, "Already recorded") {
		t.Fatalf("second POST: %d\n%s", code, body)
	}
	if code, body := page(t, "GET", u, nil); code != http.StatusOK || strings.Contains(body, "<form") {
		t.Errorf("GET of a used link: %d, still offers the button:\n%s", code, body)
	}
	if written(t, f) != after {
		t.Error("the second press recorded again")
	}
	if strings.Contains(logs.String(), tok) {
		t.Error("a link token reached the log")
	}

	// "Once" holds across a restart: the mark is in the store.
	base2, _, _ := serveLinks(t, f)
	if code, body := page(t, "POST", base2+links.PathPrefix+tok, nil); code != http.StatusOK || !strings.Contains(body, `data-status="already"`) {
		t.Errorf("POST after a restart: %d\n%s", code, body)
	}
	if written(t, f) != after {
		t.Error("a press after a restart recorded again")
	}
}

func TestLinkActionsAndSources(t *testing.T) {
	f := newFixture(t)
	base, signer, _ := serveLinks(t, f)
	exp := f.clock.Now().Add(time.Hour)

	// An ntfy button says where it came from.
	tok := sign(t, signer, "4012345", links.Replied, exp)
	if code, body := page(t, "POST", base+links.PathPrefix+tok, strings.NewReader("source=ntfy")); code != http.StatusOK {
		t.Fatalf("replied: %d\n%s", code, body)
	}
	if ev := lastEvent(t, f, "4012345"); ev.Event != rules.EventBuyerMessage || ev.Source != app.SourceNtfy {
		t.Errorf("recorded %+v, want buyer_message from ntfy", ev)
	}
	// Any other body is a browser's press: source link.
	tok = sign(t, signer, "4012346", links.Sent, exp)
	page(t, "POST", base+links.PathPrefix+tok, strings.NewReader("source=yaml"))
	if ev := lastEvent(t, f, "4012346"); ev.Source != app.SourceLink {
		t.Errorf("source %q, want link", ev.Source)
	}

	tok = sign(t, signer, "4012346", links.Snooze, exp)
	if code, body := page(t, "POST", base+links.PathPrefix+tok, nil); code != http.StatusOK {
		t.Fatalf("snooze: %d\n%s", code, body)
	}
	sn, err := f.st.Snooze("4012346")
	if err != nil || !sn.Until.Equal(f.clock.Now().Add(links.SnoozeFor)) {
		t.Errorf("snooze = %+v, %v; want until now+2h", sn, err)
	}
}

func TestLinkRefusals(t *testing.T) {
	f := newFixture(t)
	base, signer, _ := serveLinks(t, f)
	now := f.clock.Now()
	good := sign(t, signer, "4012345", links.Delivered, now.Add(time.Hour))
	other, _ := links.NewSigner([]byte("another-key-entirely-0123456789abcdef"))
	foreign, _ := other.Sign(links.Claim{Room: "4012345", Action: links.Delivered, Expires: now.Add(time.Hour)})
	// The payload of another room's token with this token's MAC.
	otherRoom := sign(t, signer, "4012346", links.Delivered, now.Add(time.Hour))
	spliced := strings.Split(otherRoom, ".")[0] + "." + strings.Split(good, ".")[1]
	altered := []byte(good)
	altered[3] ^= 1

	cases := map[string]string{
		"altered":          string(altered),
		"expired":          sign(t, signer, "4012345", links.Delivered, now.Add(-time.Second)),
		"other room's mac": spliced,
		"unknown room":     sign(t, signer, "9999999", links.Delivered, now.Add(time.Hour)),
		"another key":      foreign,
		"no mac":           strings.Split(good, ".")[0],
		"garbage":          "not-a-token",
	}
	before := written(t, f)
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			// Each case in a fresh window of the failure limit.
			f.clock.Advance(failureWindow)
			for _, method := range []string{"GET", "POST"} {
				code, body := page(t, method, base+links.PathPrefix+tok, nil)
				if code != http.StatusForbidden || !strings.Contains(body, "not valid") || strings.Contains(body, "<form") {
					t.Errorf("%s: %d, want 403 without a button:\n%s", method, code, body)
				}
			}
		})
	}
	if written(t, f) != before {
		t.Error("a refused link wrote something")
	}
}

func TestLinkCannotReachTheAPI(t *testing.T) {
	f := newFixture(t)
	base, signer, _ := serveLinks(t, f)
	tok := sign(t, signer, "4012345", links.Sent, f.clock.Now().Add(time.Hour))
	event := app.EventRequest{Room: "4012345", Event: rules.EventDelivered}
	cases := []struct {
		name, method, path, auth string
		body                     any
		want                     int
	}{
		{"link as bearer on status", "GET", "/v1/status", "Bearer " + tok, nil, http.StatusUnauthorized},
		{"link as bearer on events", "POST", "/v1/events", "Bearer " + tok, event, http.StatusUnauthorized},
		{"link as bearer on backup", "GET", "/v1/backup", "Bearer " + tok, nil, http.StatusUnauthorized},
		{"link as calendar token", "GET", "/calendar.ics?token=" + tok, "", nil, http.StatusUnauthorized},
		{"API path under the link", "POST", links.PathPrefix + tok + "/v1/events", "", event, http.StatusUnauthorized},
		{"link page with a JSON event", "POST", links.PathPrefix + tok + "?room=4012346", "", event, http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := do(t, tc.method, base+tc.path, tc.auth, tc.body)
			if resp.StatusCode != tc.want {
				t.Errorf("%s %s: %s, want %d", tc.method, tc.path, resp.Status, tc.want)
			}
		})
	}
	// The one POST that reached the page recorded the link's own action
	// for its own room, whatever the body and query said.
	h, _ := f.local.History(context.Background(), app.HistoryRequest{Room: "4012346"})
	for _, e := range h.Events {
		if e.Source == app.SourceLink {
			t.Errorf("the link recorded in room 4012346: %+v", e)
		}
	}
	if ev := lastEvent(t, f, "4012345"); ev.Event != rules.EventSellerMessage || ev.Source != app.SourceLink {
		t.Errorf("last event %+v, want the link's seller_message", ev)
	}
}

func TestReadTokenOnlyReads(t *testing.T) {
	f := newFixture(t)
	base, _, _ := serveLinks(t, f)
	before := written(t, f)
	cases := []struct {
		method, path, auth string
		body               any
		want               int
	}{
		{"GET", "/calendar.ics?token=" + readToken, "", nil, http.StatusOK},
		{"GET", "/v1/status", "Bearer " + readToken, nil, http.StatusOK},
		{"GET", "/v1/plan", "Bearer " + readToken, nil, http.StatusOK},
		{"POST", "/v1/events", "Bearer " + readToken, app.EventRequest{Room: "4012345", Event: rules.EventDelivered}, http.StatusForbidden},
		{"POST", "/v1/snooze", "Bearer " + readToken, map[string]string{"room": "4012345", "for": "2h"}, http.StatusForbidden},
		{"GET", "/v1/backup", "Bearer " + readToken, nil, http.StatusForbidden},
		{"GET", "/v1/history?room=4012345", "Bearer " + readToken, nil, http.StatusForbidden},
		{"POST", "/v1/reload", "Bearer " + readToken, nil, http.StatusForbidden},
	}
	for _, tc := range cases {
		resp := do(t, tc.method, base+tc.path, tc.auth, tc.body)
		if resp.StatusCode != tc.want {
			t.Errorf("%s %s with the read token: %s, want %d", tc.method, tc.path, resp.Status, tc.want)
		}
	}
	if written(t, f) != before {
		t.Error("the read token wrote something")
	}
}

func TestFailedAuthenticationsAreRateLimited(t *testing.T) {
	f := newFixture(t)
	base, _, logs := serveLinks(t, f)
	for i := range maxFailures {
		if resp := do(t, "GET", base+"/v1/status", "Bearer wrong-"+testToken, nil); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %s", i+1, resp.Status)
		}
	}
	resp := do(t, "GET", base+"/v1/status", "Bearer "+testToken, nil)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("after %d failures, the right token got %s (Retry-After %q), want 429", maxFailures, resp.Status, resp.Header.Get("Retry-After"))
	}
	f.clock.Advance(failureWindow)
	if resp := do(t, "GET", base+"/v1/status", "Bearer "+testToken, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("after the window: %s, want 200", resp.Status)
	}
	if strings.Contains(logs.String(), "wrong-") {
		t.Error("a refused token reached the log")
	}
}

func TestAPIRefusesBadRequests(t *testing.T) {
	f := newFixture(t)
	base, _, _ := serveLinks(t, f)
	big := `{"room": "4012345", "event": "delivered", "source": "` + strings.Repeat("x", maxBody) + `"}`
	cases := []struct {
		name, method, path, body string
		want                     int
		says                     string
	}{
		{"two JSON values", "POST", "/v1/events", `{"room":"4012345","event":"delivered"}{"room":"4012346","event":"delivered"}`, 400, "data after the JSON object"},
		{"trailing garbage", "POST", "/v1/events", `{"room":"4012345","event":"delivered"} x`, 400, "data after the JSON object"},
		{"empty body", "POST", "/v1/events", ``, 400, "empty request body"},
		{"bad time", "POST", "/v1/events", `{"room":"4012345","event":"delivered","at":"next friday"}`, 400, `at: bad time "next friday": use "2026-11-20 10:00"`},
		{"time as a number", "POST", "/v1/events", `{"room":"4012345","event":"delivered","at":1764000000}`, 400, "bad request body"},
		{"future time", "POST", "/v1/events", `{"room":"4012345","event":"delivered","at":"2030-01-01 10:00"}`, 400, "in the future"},
		{"unknown field", "POST", "/v1/events", `{"room":"4012345","event":"delivered","when":"now"}`, 400, `unknown field "when"`},
		{"unknown source", "POST", "/v1/events", `{"room":"4012345","event":"delivered","source":"yaml"}`, 400, `unknown source "yaml"`},
		{"unknown event", "POST", "/v1/events", `{"room":"4012345","event":"paid"}`, 400, `unknown event "paid"`},
		{"bad duration", "POST", "/v1/snooze", `{"room":"4012345","for":"2 hours"}`, 400, `for: bad duration "2 hours"`},
		{"duration as a float", "POST", "/v1/snooze", `{"room":"4012345","for":1.5}`, 400, `not a duration`},
		{"duration missing", "POST", "/v1/snooze", `{"room":"4012345"}`, 400, `for: missing`},
		{"duration too long", "POST", "/v1/snooze", `{"room":"4012345","for":"30d"}`, 400, `snooze duration must be between`},
		{"unknown ack field", "POST", "/v1/ack", `{"room":"4012345","all":true}`, 400, `unknown field "all"`},
		{"wrong method on events", "GET", "/v1/events", ``, 405, "/v1/events does not take GET"},
		{"wrong method on status", "POST", "/v1/status", `{}`, 405, "/v1/status does not take POST"},
		{"unknown path", "GET", "/v1/nothing", ``, 404, "no such operation"},
		{"bad until", "GET", "/v1/plan?until=someday", ``, 400, `until: bad time "someday"`},
		{"bad now", "GET", "/v1/status?now=12/01", ``, 400, `now: bad time "12/01"`},
		{"too large", "POST", "/v1/events", big, 413, "larger than"},
	}
	before := written(t, f)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, base+tc.path, strings.NewReader(tc.body))
			req.Header.Set("Authorization", "Bearer "+testToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var eb struct{ Error string }
			if err := json.NewDecoder(resp.Body).Decode(&eb); err != nil {
				t.Fatalf("%d, body not JSON: %v", resp.StatusCode, err)
			}
			if resp.StatusCode != tc.want || !strings.Contains(eb.Error, tc.says) {
				t.Errorf("%d %q, want %d with %q", resp.StatusCode, eb.Error, tc.want, tc.says)
			}
		})
	}
	if written(t, f) != before {
		t.Error("a refused request wrote something")
	}
}

func TestAPIReadsTheCommandLinesForms(t *testing.T) {
	f := newFixture(t)
	base, _, _ := serveLinks(t, f)
	post := func(path, body string) {
		t.Helper()
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("POST %s %s: %s %s", path, body, resp.Status, b)
		}
	}
	post("/v1/events", `{"room":"4012345","event":"buyer_message","at":"2026-11-22 10:30"}`)
	ev := lastEvent(t, f, "4012345")
	if want := f.at(t, "2026-11-22 10:30"); !ev.At.Equal(want) || ev.Source != app.SourceHTTP {
		t.Errorf("event %+v, want at %v from http", ev, want)
	}
	post("/v1/snooze", `{"room":"4012346","for":"1d2h"}`)
	if sn, _ := f.st.Snooze("4012346"); !sn.Until.Equal(f.clock.Now().Add(26 * time.Hour)) {
		t.Errorf("snooze until %v, want now+26h", sn.Until)
	}
	post("/v1/snooze", `{"room":"4012346","for":7200000000000}`) // nanoseconds, as older clients send
	if sn, _ := f.st.Snooze("4012346"); !sn.Until.Equal(f.clock.Now().Add(2 * time.Hour)) {
		t.Errorf("snooze until %v, want now+2h", sn.Until)
	}
	for _, q := range []string{"until=2026-12-01", "until=2026-12-01T10:00:00%2B09:00", "now=2026-11-22%2010:00&until=2026-11-30%2012:00"} {
		resp := do(t, "GET", base+"/v1/plan?"+q, "Bearer "+testToken, nil)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("plan?%s: %s", q, resp.Status)
		}
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key to dir.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "roomwatch test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestRemoteAPINeedsTLSAndServesHTTPS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	token := strings.Repeat("t", config.MinSecretBytes)
	load := func(extra string) (*config.Config, error) {
		path := filepath.Join(dir, "roomwatch.yaml")
		body := "store: roomwatch.db\ncontrol:\n  http: 0.0.0.0:8765\n  token: " + token + "\n" + extra
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return config.Load(path)
	}
	if _, err := load(""); err == nil || !strings.Contains(err.Error(), "roomwatch.yaml:3:9: control.http: 0.0.0.0:8765 is reachable from other machines") {
		t.Errorf("0.0.0.0 without TLS: %v", err)
	}
	cfg, err := load("  tls_cert_file: cert.pem\n  tls_key_file: key.pem\n")
	if err != nil {
		t.Fatalf("0.0.0.0 with TLS: %v", err)
	}
	if cfg.Control.TLSCertFile != certFile || cfg.Control.TLSKeyFile != keyFile {
		t.Errorf("TLS files %q %q, want %q %q", cfg.Control.TLSCertFile, cfg.Control.TLSKeyFile, certFile, keyFile)
	}
	if _, err := load("  insecure_remote: true\n"); err != nil {
		t.Errorf("0.0.0.0 with insecure_remote: %v", err)
	}

	// The listener itself refuses plain HTTP off loopback too.
	f := newFixture(t)
	if srv, err := ListenHTTP(HTTPOptions{Control: config.Control{HTTP: "0.0.0.0:0", Token: config.NewSecret(token)}, Service: f.local, Log: quietLog()}); err == nil {
		srv.Close()
		t.Fatal("ListenHTTP served plain HTTP on 0.0.0.0")
	}

	// Tests listen on loopback only; the TLS files make it HTTPS.
	ctrl := cfg.Control
	ctrl.HTTP = "127.0.0.1:0"
	srv, err := ListenHTTP(HTTPOptions{Control: ctrl, Service: f.local, Location: f.loc, Log: quietLog(), Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if !strings.HasPrefix(srv.URL(), "https://") {
		t.Fatalf("URL %s, want https", srv.URL())
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	req, _ := http.NewRequest("GET", srv.URL()+"/v1/status", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("HTTPS request: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil {
		t.Errorf("HTTPS: %s, TLS %v", resp.Status, resp.TLS != nil)
	}
	plain, err := http.Get("http://" + srv.Addr() + "/v1/status")
	if err == nil {
		plain.Body.Close()
		if plain.StatusCode < 400 {
			t.Errorf("plain HTTP answered %s", plain.Status)
		}
	}
}

func TestEveryLinkActionHasLabels(t *testing.T) {
	for _, kind := range rules.Kinds {
		for _, a := range LinkActions(kind) {
			if !a.Valid() {
				t.Errorf("%s offers invalid action %q", kind, a)
			}
			for _, lang := range []string{"ja", "en"} {
				if message.LinkLabel(string(a), lang) == "" {
					t.Errorf("no %s label for %s", lang, a)
				}
			}
		}
	}
}

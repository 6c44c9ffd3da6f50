package main

// roomwatch ingest, driven as the built binary: a platform mail on standard
// input records its event, with and without a running daemon.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ingestConfig has two rooms where the seller wrote last, in English so
// the lines can be compared; times are relative to now so that the
// cancel-risk steps a buyer's message creates lie ahead.
func ingestConfig(now time.Time) string {
	at := func(d time.Duration) string { return now.Add(d).In(tokyo).Format("2006-01-02 15:04") }
	return fmt.Sprintf(`timezone: Asia/Tokyo
language: en
store: roomwatch.db
control:
  socket: roomwatch.sock
rooms:
  - id: "4200001"
    title: Logo design
    buyer: sato
    opened: %s
    seller_message: %s
  - id: "4200002"
    title: Translation
    buyer: kato
    opened: %s
    seller_message: %s
`, at(-50*time.Hour), at(-30*time.Hour), at(-50*time.Hour), at(-30*time.Hour))
}

var tokyo = time.FixedZone("JST", 9*3600)

// buyerMessageMail is a Coconala-style notice that the buyer wrote in room,
// sent at date: UTF-8, quoted-printable, text and HTML.
func buyerMessageMail(id, room string, date time.Time) []byte {
	return []byte("From: =?UTF-8?B?44Kz44Kz44OK44Op?= <noreply@coconala.com>\r\n" +
		"To: seller@example.com\r\n" +
		"Subject: =?UTF-8?B?44CQ44Kz44Kz44OK44Op44CR44Oh44OD44K744O844K444GM5bGK44GN44G+44GX44Gf?=\r\n" +
		"Date: " + date.Format(time.RFC1123Z) + "\r\n" +
		"Message-ID: <" + id + ">\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/alternative; boundary=\"x\"\r\n\r\n" +
		"--x\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
		"=E8=B3=BC=E5=85=A5=E8=80=85=E3=81=8B=E3=82=89=E3=83=A1=E3=83=83=E3=82=BB=E3=83=BC=E3=82=B8\r\n" +
		"https://coconala.com/talkrooms/" + room + "\r\n" +
		"--x\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
		"<p><a href=\"https://coconala.com/talkrooms/" + room + "\">open</a></p>\r\n" +
		"--x--\r\n")
}

// ingest runs `roomwatch --config cfg ingest args…` with mail on stdin.
func ingest(t *testing.T, cfg string, mail []byte, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"--config", cfg, "ingest"}, args...)...)
	cmd.Dir = filepath.Dir(cfg)
	cmd.Stdin = bytes.NewReader(mail)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), exitCode(err)
}

type planStep struct {
	Room     string    `json:"room"`
	Kind     string    `json:"kind"`
	Deadline time.Time `json:"deadline"`
	Step     string    `json:"step"`
}

func cancelRiskSteps(t *testing.T, cfg, room string) []planStep {
	t.Helper()
	out, code := run(t, "--config", cfg, "plan", "--json")
	if code != 0 {
		t.Fatalf("plan exited %d: %s", code, out)
	}
	var steps []planStep
	if err := json.Unmarshal([]byte(out), &steps); err != nil {
		t.Fatalf("plan --json: %v\n%s", err, out)
	}
	var risk []planStep
	for _, s := range steps {
		if s.Room == room && s.Kind == "cancel-risk" {
			risk = append(risk, s)
		}
	}
	return risk
}

// checkBuyerMessage runs the whole path for one room: no cancel-risk
// before, ingest the buyer's mail, then plan shows the cancel-risk steps
// counted from the seller's last message, and a second ingest of the same
// mail changes nothing.
func checkBuyerMessage(t *testing.T, cfg, room string, now time.Time, wantWhere string) {
	t.Helper()
	if risk := cancelRiskSteps(t, cfg, room); len(risk) != 0 {
		t.Fatalf("cancel-risk before the buyer wrote: %+v", risk)
	}
	sent := now.Add(-2 * time.Hour).Truncate(time.Second)
	mail := buyerMessageMail("msg-"+room+"@mail.coconala.example", room, sent)
	stdout, stderr, code := ingest(t, cfg, mail)
	if code != 0 {
		t.Fatalf("ingest exited %d: %s%s", code, stdout, stderr)
	}
	wantLine := fmt.Sprintf("%s: buyer_message recorded at %s (mail, rule coconala-message)", room, sent.In(tokyo).Format("2006-01-02 15:04"))
	if out := lines(stdout); len(out) != 2 || out[0] != wantLine || !strings.HasPrefix(out[1], wantWhere) {
		t.Errorf("ingest printed:\n%s\nwant %q then a line starting %q", stdout, wantLine, wantWhere)
	}
	risk := cancelRiskSteps(t, cfg, room)
	sellerWrote := now.Add(-30 * time.Hour).In(tokyo).Truncate(time.Minute)
	wantDeadline := sellerWrote.Add(96 * time.Hour)
	var names []string
	for _, s := range risk {
		names = append(names, s.Step)
		if !s.Deadline.Equal(wantDeadline) {
			t.Errorf("cancel-risk deadline %s, want %s (the seller's message + 96h)", s.Deadline, wantDeadline)
		}
	}
	if got := strings.Join(names, ","); !strings.HasPrefix(got, "warn-24h,warn-3h,due,repeat-1") {
		t.Errorf("cancel-risk steps %q, want warn-24h, warn-3h, due and repeats", got)
	}

	stdout, _, code = ingest(t, cfg, mail)
	if code != 0 || !strings.Contains(stdout, "was already recorded; nothing changed") {
		t.Errorf("the same mail again: exit %d\n%s", code, stdout)
	}
	hist, _ := run(t, "--config", cfg, "history", room, "--json")
	if n := strings.Count(hist, `"source": "mail"`); n != 1 {
		t.Errorf("history has %d events from mail, want 1:\n%s", n, hist)
	}
}

func TestIngestBuyerMessageCreatesCancelRiskWithoutADaemon(t *testing.T) {
	now := time.Now()
	cfg := writeFile(t, filepath.Join(shortTempDir(t), "roomwatch.yaml"), ingestConfig(now))
	checkBuyerMessage(t, cfg, "4200001", now, "no daemon running: written straight to the store")
}

func TestIngestBuyerMessageThroughTheRunningDaemon(t *testing.T) {
	now := time.Now()
	cfg := writeFile(t, filepath.Join(shortTempDir(t), "roomwatch.yaml"), ingestConfig(now))
	d := startDaemon(t, cfg)
	checkBuyerMessage(t, cfg, "4200002", now, "taken by the running daemon")
	d.stop(t)
}

func TestIngestDryRunWritesNothing(t *testing.T) {
	now := time.Now()
	cfg := writeFile(t, filepath.Join(shortTempDir(t), "roomwatch.yaml"), ingestConfig(now))
	store := filepath.Join(filepath.Dir(cfg), "roomwatch.db")
	if _, code := run(t, "--config", cfg, "sent", "4200001", "--at", now.Add(-30*time.Hour).In(tokyo).Format("2006-01-02 15:04")); code != 0 {
		t.Fatal("sent failed")
	}
	before := fileSum(t, store)
	sent := now.Add(-time.Hour).Truncate(time.Second)
	stdout, stderr, code := ingest(t, cfg, buyerMessageMail("dry@x", "4200001", sent), "--dry-run")
	if code != 0 {
		t.Fatalf("dry run exited %d: %s%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"rule:     coconala-message (coconala)", "room:     4200001", "event:    buyer_message",
		"at:       " + sent.In(tokyo).Format("2006-01-02 15:04"), "message:  dry@x", "dry run: nothing written",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("dry run lacks %q:\n%s", want, stdout)
		}
	}
	if fileSum(t, store) != before {
		t.Error("--dry-run changed the store")
	}
	if risk := cancelRiskSteps(t, cfg, "4200001"); len(risk) != 0 {
		t.Errorf("--dry-run recorded the message: %+v", risk)
	}
}

func TestIngestRefusesWhatIsNotAMail(t *testing.T) {
	now := time.Now()
	dir := shortTempDir(t)
	cfg := writeFile(t, filepath.Join(dir, "roomwatch.yaml"), ingestConfig(now))
	if _, code := run(t, "--config", cfg, "sent", "4200002", "--at", now.Add(-30*time.Hour).In(tokyo).Format("2006-01-02 15:04")); code != 0 {
		t.Fatal("sent failed")
	}
	store := filepath.Join(dir, "roomwatch.db")
	before := fileSum(t, store)
	for name, in := range map[string]string{
		"empty":      "",
		"plain text": "the buyer wrote in room 4200001\n",
		"no from":    "Subject: hello\r\n\r\nhttps://coconala.com/talkrooms/4200001\r\n",
	} {
		stdout, stderr, code := ingest(t, cfg, []byte(in))
		if code != 2 || stdout != "" || len(lines(stderr)) != 1 || !strings.Contains(stderr, "roomwatch: ingest: standard input is not a mail message") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and one line", name, code, stdout, stderr)
		}
	}
	// A real mail no rule knows is not an error: a forward rule must not bounce it.
	stdout, _, code := ingest(t, cfg, []byte("From: friend@example.com\r\nSubject: lunch?\r\nDate: "+now.Format(time.RFC1123Z)+"\r\n\r\nhi\r\n"))
	if code != 0 || !strings.HasPrefix(stdout, "ignored: no rule matches this mail (from friend@example.com") {
		t.Errorf("an unrelated mail: exit %d: %s", code, stdout)
	}
	if fileSum(t, store) != before {
		t.Error("a refused or ignored mail changed the store")
	}
}

func TestIngestPurchaseCreatesTheRoom(t *testing.T) {
	now := time.Now()
	dir := shortTempDir(t)
	cfg := writeFile(t, filepath.Join(dir, "roomwatch.yaml"), ingestConfig(now))
	order, err := os.ReadFile(filepath.Join("..", "..", "inbox", "mailrule", "testdata", "coconala-order-iso2022jp.eml"))
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := ingest(t, cfg, order)
	if code != 0 || !strings.HasPrefix(stdout, "4100001: new room added in the store, opened 2026-11-21 10:00 (mail, rule coconala-order)") {
		t.Fatalf("ingest exited %d:\n%s%s", code, stdout, stderr)
	}
	out, _ := run(t, "--config", cfg, "status", "4100001", "--json")
	var st []struct {
		Room, Title, Buyer, URL string
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil || len(st) != 1 {
		t.Fatalf("status: %v\n%s", err, out)
	}
	if st[0].Title != "ロゴデザイン 3案" || st[0].Buyer != "yamada_hanako" || st[0].URL != "https://coconala.com/talkrooms/4100001" {
		t.Errorf("room %+v", st[0])
	}
	hist, _ := run(t, "--config", cfg, "history", "4100001")
	if !strings.Contains(hist, "opened") || !strings.Contains(hist, "mail") {
		t.Errorf("history does not say the room came from mail:\n%s", hist)
	}
	// A message for a room nobody knows changes nothing and says so.
	stdout, _, code = ingest(t, cfg, buyerMessageMail("stranger@x", "4999999", now.Add(-time.Hour)))
	if code != 0 || !strings.Contains(stdout, "4999999: not a room roomwatch tracks") {
		t.Errorf("unknown room: exit %d\n%s", code, stdout)
	}
}

func TestIngestPurchaseAddsToTheYAMLWhenAsked(t *testing.T) {
	now := time.Now()
	dir := shortTempDir(t)
	text := strings.Replace(ingestConfig(now), "rooms:\n", "inbox:\n  add_to_yaml: true\n# my rooms\nrooms:\n", 1)
	cfg := writeFile(t, filepath.Join(dir, "roomwatch.yaml"), text)
	order, err := os.ReadFile(filepath.Join("..", "..", "inbox", "mailrule", "testdata", "coconala-order-iso2022jp.eml"))
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := ingest(t, cfg, order)
	if code != 0 || !strings.Contains(stdout, "new room added to "+cfg) {
		t.Fatalf("ingest exited %d:\n%s%s", code, stdout, stderr)
	}
	data, _ := os.ReadFile(cfg)
	for _, want := range []string{"# my rooms", `id: "4100001"`, "ロゴデザイン 3案", "yamada_hanako", "opened: 2026-11-21 10:00"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the YAML lacks %q:\n%s", want, data)
		}
	}
	if _, code := run(t, "--config", cfg, "check"); code != 0 {
		t.Errorf("the edited file does not check")
	}
}

package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const leak = "hunter2-do-not-print"

func TestSecretNeverPrinted(t *testing.T) {
	t.Setenv("RW_TOKEN", leak+"-env")
	c := mustLoad(t, `notifiers:
  - name: phone
    type: slack
    webhook_url: https://hooks.slack.com/services/`+leak+`
    token: ${RW_TOKEN}
    channel: "#rw"
    app_token: `+leak+`-app
  - type: email
    host: smtp.example.com
    username: me
    password: `+leak+`-pw
    from: a@example.com
    to: b@example.com
control:
  http: 127.0.0.1:8765
  token: `+leak+`-control-0123456789
`)
	if !strings.Contains(c.Notifiers[0].Slack.WebhookURL.Value(), leak) || c.Control.Token.Value() != leak+"-control-0123456789" {
		t.Fatal("Value() must return the real secret")
	}
	var outputs []string
	for _, v := range []any{c, *c, c.Notifiers, c.Notifiers[0], c.Control, c.Control.Token} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			outputs = append(outputs, fmt.Sprintf(verb, v))
		}
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("json: %v", err)
		}
		y, err := yaml.Marshal(v)
		if err != nil {
			t.Fatalf("yaml: %v", err)
		}
		outputs = append(outputs, string(j), string(y), fmt.Sprint(v), fmt.Sprintln(v))
	}
	var logs bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&logs, nil), slog.NewJSONHandler(&logs, nil)} {
		log := slog.New(h)
		log.Info("loaded", "config", c, "notifier", c.Notifiers[0], "token", c.Control.Token)
		log.Info("loaded", slog.Any("control", c.Control), slog.Group("g", "mail", c.Notifiers[1]))
	}
	outputs = append(outputs, logs.String())
	for _, out := range outputs {
		if strings.Contains(out, leak) {
			t.Fatalf("secret leaked in output:\n%s", out)
		}
	}
	if !strings.Contains(logs.String(), "<secret>") {
		t.Errorf("logs should show <secret>:\n%s", logs.String())
	}
	want := []string{"notifiers.phone.webhook_url", "notifiers.phone.app_token", "notifiers.email.password", "control.token"}
	if got := c.InlineSecrets(); !reflect.DeepEqual(got, want) {
		t.Errorf("InlineSecrets() = %v, want %v", got, want)
	}
}

func TestSecretNeverInErrors(t *testing.T) {
	dir := t.TempDir()
	hook := filepath.Join(dir, "hook")
	if err := os.WriteFile(hook, []byte("not a url "+leak+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "roomwatch.yaml")
	text := `notifiers:
  - name: a
    type: slack
    webhook_url: ` + leak + `
  - name: b
    type: slack
    webhook_url_file: hook
  - name: c
    type: slack
    token: [` + leak + `]
    channel: x
  - name: d
    type: slack
    webhook_url: https://x.example/` + leak + `
    webhook_url_file: hook
`
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 4 {
		t.Fatalf("want 4 errors, got %v", err)
	}
	if strings.Contains(err.Error(), leak) {
		t.Fatalf("secret leaked in errors:\n%v", err)
	}
	for _, want := range []string{"4:18: webhook_url is not an http(s) URL", "7:23: webhook_url is not an http(s) URL",
		"10:12: token must be a single value, not a list", "15:5: set webhook_url or webhook_url_file, not both"} {
		if !strings.Contains(err.Error(), path+":"+want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}

func TestSecretFiles(t *testing.T) {
	dir := t.TempDir()
	creds := t.TempDir()
	write := func(path, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "secrets", "hook"), "https://hooks.slack.com/services/T/B/beside\n")
	write(filepath.Join(dir, "password"), "beside-the-config\r\n")
	write(filepath.Join(creds, "password"), "from-systemd\n\n")
	write(filepath.Join(creds, "control"), "control-token-from-systemd-credentials")
	abs := filepath.Join(t.TempDir(), "abs-token")
	write(abs, "absolute\n")
	config := `notifiers:
  - type: slack
    webhook_url_file: secrets/hook
  - type: email
    host: h
    username: u
    password_file: password
    from: a@example.com
    to: b@example.com
  - type: ntfy
    topic: t
    token_file: ` + abs + `
control:
  token_file: control
`
	path := filepath.Join(dir, "roomwatch.yaml")
	write(path, config)

	t.Setenv("CREDENTIALS_DIRECTORY", creds)
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Notifiers[0].Slack.WebhookURL.Value(); got != "https://hooks.slack.com/services/T/B/beside" {
		t.Errorf("relative _file: %q", got)
	}
	if got := c.Notifiers[1].Email.Password.Value(); got != "from-systemd" {
		t.Errorf("a bare name should come from $CREDENTIALS_DIRECTORY first: %q", got)
	}
	if got := c.Notifiers[2].Ntfy.Token.Value(); got != "absolute" {
		t.Errorf("absolute _file: %q", got)
	}
	if got := c.Control.Token.Value(); got != "control-token-from-systemd-credentials" {
		t.Errorf("control.token_file: %q", got)
	}
	if got := c.InlineSecrets(); len(got) != 0 {
		t.Errorf("_file secrets reported inline: %v", got)
	}

	t.Setenv("CREDENTIALS_DIRECTORY", "")
	os.Unsetenv("CREDENTIALS_DIRECTORY")
	write(filepath.Join(dir, "control"), "beside-the-config-long-enough-for-a-token\n")
	c, err = Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Notifiers[1].Email.Password.Value(); got != "beside-the-config" {
		t.Errorf("without $CREDENTIALS_DIRECTORY a bare name is beside the config: %q", got)
	}

	write(filepath.Join(dir, "password"), "\n")
	_, err = Load(path)
	if err == nil || !strings.Contains(err.Error(), "7:20: password_file: "+filepath.Join(dir, "password")+" is empty") {
		t.Errorf("empty secret file: %v", err)
	}
}

func TestEnvExpansion(t *testing.T) {
	state := t.TempDir()
	t.Setenv("RW_STATE", state)
	t.Setenv("RW_LANG", "en")
	t.Setenv("RW_EMPTY", "")
	c := mustLoad(t, `store: ${RW_STATE}/roomwatch.db
language: ${RW_LANG}
rooms:
  - id: a
    title: price $$5, literal $${RW_LANG}, empty "${RW_EMPTY}"
    opened: 2026-11-20
`)
	if c.Store != filepath.Join(state, "roomwatch.db") || c.Language != "en" {
		t.Errorf("store %q, language %q", c.Store, c.Language)
	}
	if got := c.Rooms[0].Title; got != `price $$5, literal ${RW_LANG}, empty ""` {
		t.Errorf("title = %q", got)
	}
	if _, err := expand("${1BAD}", os.LookupEnv); err == nil {
		t.Error("a variable name starting with a digit should be rejected")
	}
}

func TestPathsResolveAgainstConfigFolder(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.Mkdir("etc", 0o700); err != nil {
		t.Fatal(err)
	}
	text := "store: data/rw.db\ncontrol:\n  socket: ../run/rw.sock\n"
	if err := os.WriteFile(filepath.Join("etc", "roomwatch.yaml"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(filepath.Join("etc", "roomwatch.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "etc", "roomwatch.yaml"); c.Path != want {
		t.Errorf("Path = %q, want %q", c.Path, want)
	}
	if want := filepath.Join(dir, "etc", "data", "rw.db"); c.Store != want {
		t.Errorf("Store = %q, want %q", c.Store, want)
	}
	if want := filepath.Join(dir, "run", "rw.sock"); c.Control.Socket != want {
		t.Errorf("Socket = %q, want %q", c.Control.Socket, want)
	}

	c = mustLoad(t, "store: /var/lib/roomwatch/./roomwatch.db\n")
	if c.Store != "/var/lib/roomwatch/roomwatch.db" {
		t.Errorf("absolute store = %q", c.Store)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	var errs Errors
	if err == nil || errors.As(err, &errs) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

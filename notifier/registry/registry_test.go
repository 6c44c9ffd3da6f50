package registry

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/config"
)

// everyType is a file with one notifier of each type.
const everyType = `notifiers:
  - type: slack
    token: xoxb-1
    channel: C1
    app_token: xapp-1
  - type: email
    host: smtp.example.com
    from: a@example.com
    to: b@example.com
  - type: console
  - type: ntfy
    topic: roomwatch-alerts
  - type: line
    channel_access_token: t0ken
    to: U0123456789abcdef0123456789abcdef
  - type: discord
    webhook_url: https://discord.com/api/webhooks/1/ab?thread_id=7
  - type: webhook
    url: https://e.example/hook
    headers: {Content-Type: text/plain}
    body_template: 'text={{.Preview}}'
`

func load(t *testing.T, text string) *config.Config {
	t.Helper()
	path := filepath.Join(t.TempDir(), "roomwatch.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestEveryTypeHasAConstructorAndSettings ties the registry to config: a
// constructor for every type config reads, none for a type it does not,
// and each builds from what config made.
func TestEveryTypeHasAConstructorAndSettings(t *testing.T) {
	if got, want := Types(), slices.Sorted(slices.Values(config.NotifierTypes())); !slices.Equal(got, want) {
		t.Fatalf("registry types %v, config types %v", got, want)
	}
	c := load(t, everyType)
	var typesInFile []string
	for _, n := range c.Notifiers {
		typesInFile = append(typesInFile, n.Type)
		if n.Settings() == nil {
			t.Errorf("%s: config made no settings", n.Type)
		}
	}
	if slices.Sort(typesInFile); !slices.Equal(typesInFile, Types()) {
		t.Fatalf("the test file covers %v, not every type %v", typesInFile, Types())
	}
	var out bytes.Buffer
	backends, err := BuildAll(c, &out)
	if err != nil {
		t.Fatal(err)
	}
	if len(backends) != len(c.Notifiers) {
		t.Fatalf("%d backends for %d notifiers", len(backends), len(c.Notifiers))
	}
	for i, b := range backends {
		if b.Name() != c.Notifiers[i].Name {
			t.Errorf("backend %d is %q, want %q", i, b.Name(), c.Notifiers[i].Name)
		}
	}
}

// TestBuildRefusesWhatConfigDidNotMake: a Notifier made by hand without
// its settings, or of a type nobody knows, is an error, not a panic.
func TestBuildRefusesWhatConfigDidNotMake(t *testing.T) {
	env := Env{Location: time.UTC}
	for _, n := range []config.Notifier{
		{Name: "phone", Type: "slack"},
		{Name: "phone", Type: "slack", Email: &config.EmailConfig{}},
		{Name: "pager", Type: "pager"},
	} {
		if _, err := Build(n, env); err == nil || !strings.Contains(err.Error(), "notifier "+n.Name) {
			t.Errorf("Build(%+v) = %v", n, err)
		}
	}
	// A Discord URL that never went through config fails with the reason.
	_, err := Build(config.Notifier{Name: "chat", Type: "discord", Discord: &config.DiscordConfig{WebhookURL: config.NewSecret("https://hooks.slack.com/x")}}, env)
	if err == nil || !strings.Contains(err.Error(), "not a Discord webhook URL") {
		t.Errorf("Build with a Slack URL as Discord's = %v", err)
	}
}

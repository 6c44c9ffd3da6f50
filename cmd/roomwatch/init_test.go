package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runInit runs the binary with stdin as the typed answers and with neither
// $ROOMWATCH_CONFIG nor $XDG_CONFIG_HOME from the caller.
func runInit(t *testing.T, stdin string, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ROOMWATCH_CONFIG=") && !strings.HasPrefix(kv, "XDG_CONFIG_HOME=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	cmd.Dir = t.TempDir()
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), exitCode(err)
}

func readText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode().Perm()
}

func TestInitWithFlagsWritesACheckedConfigAndA0600Secret(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "sub", "roomwatch.yaml")
	const hook = "https://hooks.slack.com/services/T000/B000/secretsecret"
	out, code := runInit(t, "", nil, "--config", cfg, "init", "--defaults",
		"--language", "en", "--timezone", "Europe/Berlin", "--platform", "fiverr",
		"--notifier", "slack", "--slack-webhook", hook)
	if code != 0 {
		t.Fatalf("init exited %d:\n%s", code, out)
	}
	text := readText(t, cfg)
	for _, want := range []string{"timezone: Europe/Berlin", "language: en", "platform: fiverr", "type: slack", "webhook_url_file: slack-webhook", "routes: {critical: [phone], warning: [phone], info: [phone]}"} {
		if !strings.Contains(text, want) {
			t.Errorf("config lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "secretsecret") || strings.Contains(out, "secretsecret") {
		t.Errorf("the webhook URL leaked into the config or the output:\n%s\n%s", text, out)
	}
	secret := filepath.Join(dir, "sub", "slack-webhook")
	if got := readText(t, secret); strings.TrimSpace(got) != hook {
		t.Errorf("slack-webhook holds %q", got)
	}
	if m := mode(t, secret); m != 0o600 {
		t.Errorf("slack-webhook has mode %o, want 600", m)
	}
	// It ends as check does, then says what to run next.
	for _, want := range []string{cfg + ": ok", "Next: roomwatch --config " + cfg + " notify-test", "add ROOM"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if out, code := run(t, "--config", cfg, "check"); code != 0 {
		t.Errorf("check of the written config exited %d:\n%s", code, out)
	}
}

func TestInitEveryNotifierChecks(t *testing.T) {
	for name, args := range map[string][]string{
		"console": {"--notifier", "console"},
		"email": {"--notifier", "email", "--email-host", "smtp.example.com", "--email-username", "me@example.com",
			"--email-password", "pa55word", "--email-to", "me@example.com"},
		"ntfy":          {"--notifier", "ntfy", "--ntfy-topic", "roomwatch_x7Yq2", "--ntfy-token", "tk_abc"},
		"ntfy-no-token": {"--notifier", "ntfy", "--ntfy-topic", "roomwatch_x7Yq2"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := filepath.Join(t.TempDir(), "config.yaml")
			out, code := runInit(t, "", nil, append([]string{"--config", cfg, "init", "--defaults"}, args...)...)
			if code != 0 {
				t.Fatalf("init exited %d:\n%s", code, out)
			}
			if out, code := run(t, "--config", cfg, "check"); code != 0 {
				t.Fatalf("check exited %d:\n%s\n%s", code, out, readText(t, cfg))
			}
			text := readText(t, cfg)
			for _, secret := range []string{"pa55word", "tk_abc"} {
				if strings.Contains(text, secret) {
					t.Errorf("secret %q inline in the config", secret)
				}
			}
			for _, f := range []string{"smtp-password", "ntfy-token"} {
				if p := filepath.Join(filepath.Dir(cfg), f); fileExists(p) && mode(t, p) != 0o600 {
					t.Errorf("%s has mode %o", f, mode(t, p))
				}
			}
		})
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// A scripted session: Enter keeps a default, a bad answer is asked again.
func TestInitAsksWhatNoFlagSays(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	answers := strings.Join([]string{
		"fr",               // language: refused…
		"en",               // …asked again
		"",                 // time zone: Asia/Tokyo
		"",                 // platform: coconala
		"email",            // notifier
		"smtp.example.com", // host
		"",                 // port 587
		"",                 // starttls
		"me@example.com",   // user
		"hunter2",          // password
		"me@example.com",   // to
		"",                 // from: the same
	}, "\n") + "\n"
	out, code := runInit(t, answers, nil, "--config", cfg, "init")
	if code != 0 {
		t.Fatalf("init exited %d:\n%s", code, out)
	}
	if !strings.Contains(out, `"fr" is not one of ja, en`) {
		t.Errorf("the refused answer was not explained:\n%s", out)
	}
	text := readText(t, cfg)
	for _, want := range []string{"language: en", "timezone: Asia/Tokyo", "platform: coconala", "host: smtp.example.com", "port: 587", "tls: starttls", "password_file: smtp-password", "from: me@example.com", "to: [me@example.com]"} {
		if !strings.Contains(text, want) {
			t.Errorf("config lacks %q:\n%s", want, text)
		}
	}
	if got := strings.TrimSpace(readText(t, filepath.Join(filepath.Dir(cfg), "smtp-password"))); got != "hunter2" {
		t.Errorf("smtp-password holds %q", got)
	}
	if strings.Contains(text, "hunter2") {
		t.Error("the password is inline in the config")
	}
}

// Input that runs out before a needed answer is an error, and nothing is written.
func TestInitOutOfAnswersWritesNothing(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	out, code := runInit(t, "en\n\n\nslack\n", nil, "--config", cfg, "init")
	if code != 2 || !strings.Contains(out, "--slack-webhook answers it") {
		t.Fatalf("init exited %d:\n%s", code, out)
	}
	if fileExists(cfg) || fileExists(filepath.Join(filepath.Dir(cfg), "slack-webhook")) {
		t.Error("files written after a refused session")
	}
}

func TestInitRefusesToOverwrite(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("# mine\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, code := runInit(t, "", nil, "--config", cfg, "init", "--defaults")
	if code != 2 || !strings.Contains(out, "never overwrites") {
		t.Errorf("init over an existing config exited %d:\n%s", code, out)
	}
	if readText(t, cfg) != "# mine\n" {
		t.Error("the existing config was changed")
	}

	// An existing secret file stops init before it writes anything.
	cfg2 := filepath.Join(dir, "other.yaml")
	secret := filepath.Join(dir, "slack-webhook")
	if err := os.WriteFile(secret, []byte("https://hooks.slack.com/services/old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, code = runInit(t, "", nil, "--config", cfg2, "init", "--defaults", "--notifier", "slack", "--slack-webhook", "https://hooks.slack.com/services/new")
	if code != 2 || !strings.Contains(out, "never overwrites a secret") {
		t.Errorf("init over an existing secret exited %d:\n%s", code, out)
	}
	if fileExists(cfg2) || !strings.Contains(readText(t, secret), "old") {
		t.Error("init wrote something although a secret was in the way")
	}
}

// The package's empty credential placeholders are filled, not refused.
func TestInitFillsAnEmptySecretPlaceholder(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "slack-webhook")
	if err := os.WriteFile(secret, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	const hook = "https://hooks.slack.com/services/T1/B1/xyz"
	out, code := runInit(t, "", nil, "--config", filepath.Join(dir, "config.yaml"), "init", "--defaults", "--notifier", "slack", "--slack-webhook", hook)
	if code != 0 {
		t.Fatalf("init exited %d:\n%s", code, out)
	}
	if got := strings.TrimSpace(readText(t, secret)); got != hook || mode(t, secret) != 0o600 {
		t.Errorf("slack-webhook holds %q with mode %o", got, mode(t, secret))
	}
}

func TestInitRefusesBadFlags(t *testing.T) {
	for name, args := range map[string][]string{
		"language":  {"--language", "fr"},
		"timezone":  {"--timezone", "Mars/Olympus"},
		"platform":  {"--platform", "ebay"},
		"notifier":  {"--notifier", "pager"},
		"webhook":   {"--notifier", "slack", "--slack-webhook", "not a url"},
		"ntfytopic": {"--notifier", "ntfy", "--ntfy-topic", "a b"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := filepath.Join(t.TempDir(), "config.yaml")
			out, code := runInit(t, "", nil, append([]string{"--config", cfg, "init", "--defaults"}, args...)...)
			if code != 2 || strings.Count(strings.TrimSpace(out), "\n") != 0 {
				t.Errorf("exit %d, want 2 with one line:\n%s", code, out)
			}
			if fileExists(cfg) {
				t.Error("config written")
			}
		})
	}
}

// Without --config the file goes where the search order finds it.
func TestInitWritesWhereTheConfigIsLookedFor(t *testing.T) {
	t.Run("ROOMWATCH_CONFIG", func(t *testing.T) {
		cfg := filepath.Join(t.TempDir(), "env.yaml")
		out, code := runInit(t, "", []string{"ROOMWATCH_CONFIG=" + cfg}, "init", "--defaults")
		if code != 0 || !fileExists(cfg) {
			t.Fatalf("exit %d, no %s:\n%s", code, cfg, out)
		}
		if !strings.Contains(out, "Next: roomwatch notify-test") {
			t.Errorf("the next command should need no --config here:\n%s", out)
		}
	})
	t.Run("XDG_CONFIG_HOME", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("as root, init writes the system service's /etc/roomwatch/config.yaml")
		}
		xdg := t.TempDir()
		out, code := runInit(t, "", []string{"XDG_CONFIG_HOME=" + xdg}, "init", "--defaults")
		if want := filepath.Join(xdg, "roomwatch", "config.yaml"); code != 0 || !fileExists(want) {
			t.Fatalf("exit %d, no %s:\n%s", code, want, out)
		}
	})
}

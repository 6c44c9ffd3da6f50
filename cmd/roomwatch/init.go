package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/rules"
)

// The system service's places (systemd/roomwatch.service, packaging/): its
// config, and the state and runtime directories systemd makes for it.
const (
	systemConfigDir = "/etc/roomwatch"
	serviceStore    = "/var/lib/roomwatch/roomwatch.db"
	serviceSocket   = "/run/roomwatch/roomwatch.sock"
)

// initAnswers are the questions `roomwatch init` asks, one flag each.
type initAnswers struct {
	language, timezone, platform, notifier string

	slackWebhook string

	emailHost, emailTLS, emailUser, emailPassword, emailFrom, emailTo string
	emailPort                                                         int

	ntfyServer, ntfyTopic, ntfyToken string
}

var initNotifierTypes = []string{"slack", "email", "ntfy", "console"}

// secretFile is a secret init writes beside the config, mode 0600.
type secretFile struct{ name, value string }

func (a *app) initCommand() *cobra.Command {
	var ans initAnswers
	var defaults bool
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a starter configuration: language, timezone, platform and one notifier",
		Long: `init writes a starter configuration and checks it. It asks for what its
flags do not give (press Enter for the default in brackets); --defaults asks
nothing. Secrets (the Slack webhook URL, the SMTP password, the ntfy token)
go into files of mode 0600 beside the configuration, named by *_file keys;
a flag's value shows in the process list, so leave secret flags out and type
them when asked if others use this machine.

The file goes to --config, else $ROOMWATCH_CONFIG, else (as root)
/etc/roomwatch/config.yaml for the system service, else
~/.config/roomwatch/config.yaml. An existing file is never overwritten.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := a.initPath()
			if err != nil {
				return err
			}
			q := &questioner{in: bufio.NewReader(cmd.InOrStdin()), out: a.stdout, ask: !defaults, flags: cmd}
			if err := q.fill(&ans); err != nil {
				return err
			}
			return a.writeStarter(path, ans)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&defaults, "defaults", false, "ask nothing: take the default of every question no flag answers")
	f.StringVar(&ans.language, "language", "ja", "language of the alerts: ja or en")
	f.StringVar(&ans.timezone, "timezone", "Asia/Tokyo", "IANA time zone of the times you write")
	f.StringVar(&ans.platform, "platform", "coconala", "platform of your rooms: "+strings.Join(platformNames(), ", "))
	f.StringVar(&ans.notifier, "notifier", "console", "where alerts go: "+strings.Join(initNotifierTypes, ", "))
	f.StringVar(&ans.slackWebhook, "slack-webhook", "", "Slack incoming-webhook URL (written to slack-webhook, mode 0600)")
	f.StringVar(&ans.emailHost, "email-host", "", "SMTP server")
	f.IntVar(&ans.emailPort, "email-port", 587, "SMTP port")
	f.StringVar(&ans.emailTLS, "email-tls", "starttls", "starttls, tls or none")
	f.StringVar(&ans.emailUser, "email-username", "", "SMTP user name")
	f.StringVar(&ans.emailPassword, "email-password", "", "SMTP password (written to smtp-password, mode 0600)")
	f.StringVar(&ans.emailFrom, "email-from", "", "sender address")
	f.StringVar(&ans.emailTo, "email-to", "", "your address, where alerts go")
	f.StringVar(&ans.ntfyServer, "ntfy-server", "https://ntfy.sh", "ntfy server")
	f.StringVar(&ans.ntfyTopic, "ntfy-topic", "", "ntfy topic your phone subscribes to (hard to guess on a public server)")
	f.StringVar(&ans.ntfyToken, "ntfy-token", "", "ntfy access token, if the server wants one (written to ntfy-token, mode 0600)")
	return cmd
}

func platformNames() []string {
	names := make([]string, 0, len(rules.Profiles))
	for name := range rules.Profiles {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// initPath is where the new file goes: the first place the search order
// (DESIGN §4) would read it from that suits who runs init.
func (a *app) initPath() (string, error) {
	path := a.configFlag
	if path == "" {
		path = os.Getenv("ROOMWATCH_CONFIG")
	}
	if path == "" {
		if os.Geteuid() == 0 {
			path = filepath.Join(systemConfigDir, "config.yaml")
		} else if dir := os.Getenv("XDG_CONFIG_HOME"); filepath.IsAbs(dir) {
			path = filepath.Join(dir, "roomwatch", "config.yaml")
		} else {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", fmt.Errorf("init: no home folder to write ~/.config/roomwatch/config.yaml in (%w); pass --config", err)
			}
			path = filepath.Join(home, ".config", "roomwatch", "config.yaml")
		}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("init: %w", err)
	}
	if _, err := os.Lstat(abs); err == nil {
		return "", inputError("%s exists; init never overwrites a configuration: edit it, or move it aside and run init again", abs)
	}
	return abs, nil
}

// questioner asks for every answer whose flag was not given.
type questioner struct {
	in    *bufio.Reader
	out   io.Writer
	ask   bool
	flags *cobra.Command
}

// answer sets *v from the flag, or asks (Enter keeps the default), until
// valid accepts it. A refused flag is an error; a refused typed answer is
// asked again.
func (q *questioner) answer(v *string, flag, prompt string, valid func(string) error) error {
	if q.flags.Flags().Changed(flag) || !q.ask {
		if err := valid(*v); err != nil {
			return inputError("--%s: %v", flag, err)
		}
		return nil
	}
	for {
		if *v != "" {
			fmt.Fprintf(q.out, "%s [%s]: ", prompt, *v)
		} else {
			fmt.Fprintf(q.out, "%s: ", prompt)
		}
		line, err := q.in.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("init: reading the answer: %w", err)
		}
		if typed := strings.TrimSpace(line); typed != "" {
			*v = typed
		}
		problem := valid(*v)
		if problem == nil {
			return nil
		}
		if errors.Is(err, io.EOF) {
			fmt.Fprintln(q.out)
			return inputError("%s: %v (no more input; --%s answers it)", prompt, problem, flag)
		}
		fmt.Fprintf(q.out, "  %v\n", problem)
	}
}

func (q *questioner) fill(a *initAnswers) error {
	steps := []struct {
		v      *string
		flag   string
		prompt string
		valid  func(string) error
	}{
		{&a.language, "language", "Language of the alerts (ja, en)", oneOf("ja", "en")},
		{&a.timezone, "timezone", "Time zone", func(s string) error {
			if s == "" || s == "Local" {
				return errors.New("name a zone such as Asia/Tokyo")
			}
			_, err := time.LoadLocation(s)
			return err
		}},
		{&a.platform, "platform", "Platform (" + strings.Join(platformNames(), ", ") + ")", oneOf(platformNames()...)},
		{&a.notifier, "notifier", "Where should alerts go (" + strings.Join(initNotifierTypes, ", ") + ")", oneOf(initNotifierTypes...)},
	}
	for _, s := range steps {
		if err := q.answer(s.v, s.flag, s.prompt, s.valid); err != nil {
			return err
		}
	}
	switch a.notifier {
	case "slack":
		return q.answer(&a.slackWebhook, "slack-webhook", "Slack incoming-webhook URL (https://hooks.slack.com/services/…)", httpURL)
	case "email":
		port := strconv.Itoa(a.emailPort)
		for _, s := range []struct {
			v            *string
			flag, prompt string
			valid        func(string) error
		}{
			{&a.emailHost, "email-host", "SMTP server", nonEmpty},
			{&port, "email-port", "SMTP port", func(s string) error {
				n, err := strconv.Atoi(s)
				if err != nil || n < 1 || n > 65535 {
					return errors.New("a port is a number from 1 to 65535")
				}
				return nil
			}},
			{&a.emailTLS, "email-tls", "TLS (starttls, tls, none)", oneOf("starttls", "tls", "none")},
			{&a.emailUser, "email-username", "SMTP user name (empty: none)", anything},
			{&a.emailPassword, "email-password", "SMTP password (empty: none)", anything},
			{&a.emailTo, "email-to", "Your address (alerts go there)", emailAddress},
		} {
			if err := q.answer(s.v, s.flag, s.prompt, s.valid); err != nil {
				return err
			}
		}
		a.emailPort, _ = strconv.Atoi(port)
		if a.emailFrom == "" {
			a.emailFrom = a.emailTo
		}
		return q.answer(&a.emailFrom, "email-from", "Sender address", emailAddress)
	case "ntfy":
		if err := q.answer(&a.ntfyServer, "ntfy-server", "ntfy server", httpURL); err != nil {
			return err
		}
		if err := q.answer(&a.ntfyTopic, "ntfy-topic", "ntfy topic (letters, digits, - and _; hard to guess)", ntfyTopic); err != nil {
			return err
		}
		return q.answer(&a.ntfyToken, "ntfy-token", "ntfy access token (empty: none)", anything)
	}
	return nil
}

func oneOf(choices ...string) func(string) error {
	return func(s string) error {
		if !slices.Contains(choices, s) {
			return fmt.Errorf("%q is not one of %s", s, strings.Join(choices, ", "))
		}
		return nil
	}
}

func anything(string) error { return nil }

func nonEmpty(s string) error {
	if s == "" {
		return errors.New("needed")
	}
	return nil
}

func httpURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("not an http(s) URL") // never echo it: it may be the secret
	}
	return nil
}

func emailAddress(s string) error {
	if at := strings.IndexByte(s, '@'); at <= 0 || at == len(s)-1 || strings.ContainsAny(s, " \r\n<>,") {
		return fmt.Errorf("%q is not an address such as me@example.com", s)
	}
	return nil
}

func ntfyTopic(s string) error {
	if s == "" || len(s) > 64 || strings.IndexFunc(s, func(r rune) bool {
		return !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) >= 0 {
		return fmt.Errorf("%q: use 1 to 64 letters, digits, - or _", s)
	}
	return nil
}

// yamlScalar quotes s as YAML would need it.
func yamlScalar(s string) string {
	out, err := yaml.Marshal(s)
	if err != nil {
		return strconv.Quote(s)
	}
	return strings.TrimSuffix(string(out), "\n")
}

// starter renders the configuration and the secrets it names.
func starter(path string, a initAnswers) (string, []secretFile) {
	forService := filepath.Dir(path) == systemConfigDir
	store, socket := "roomwatch.db", "roomwatch.sock"
	if forService {
		store, socket = serviceStore, serviceSocket
	}
	var b strings.Builder
	fmt.Fprintf(&b, `# roomwatch configuration, written by roomwatch init on %s.
# Every key, with comments: config.example.yaml (README); check an edit with
# roomwatch check. Relative paths resolve against this file's folder.

timezone: %s
language: %s                  # ja | en: language of the alert messages
store: %s
platform: %s

policy:
  check_in_every: 72h              # write at least every 3 days, even if the buyer is silent
  warn_before: [24h, 3h]           # early warnings before critical deadlines and due dates
  quiet_hours: "23:00-08:00"       # info/warning alerts wait until morning; critical ones never wait
  digest_at: "08:30"               # daily summary of the next 24 hours

notifiers:
`, time.Now().Format("2006-01-02"), yamlScalar(a.timezone), a.language, yamlScalar(store), a.platform)
	var secrets []secretFile
	name := a.notifier
	switch a.notifier {
	case "slack":
		name = "phone"
		b.WriteString("  - name: phone\n    type: slack\n    webhook_url_file: slack-webhook   # the URL, mode 0600\n")
		secrets = append(secrets, secretFile{"slack-webhook", a.slackWebhook})
	case "email":
		name = "mail"
		fmt.Fprintf(&b, "  - name: mail\n    type: email\n    host: %s\n    port: %d\n    tls: %s\n",
			yamlScalar(a.emailHost), a.emailPort, a.emailTLS)
		if a.emailUser != "" {
			fmt.Fprintf(&b, "    username: %s\n", yamlScalar(a.emailUser))
		}
		if a.emailPassword != "" {
			b.WriteString("    password_file: smtp-password    # mode 0600\n")
			secrets = append(secrets, secretFile{"smtp-password", a.emailPassword})
		}
		fmt.Fprintf(&b, "    from: %s\n    to: [%s]\n", yamlScalar(a.emailFrom), yamlScalar(a.emailTo))
	case "ntfy":
		name = "phone"
		fmt.Fprintf(&b, "  - name: phone\n    type: ntfy\n    server: %s\n    topic: %s\n", yamlScalar(a.ntfyServer), a.ntfyTopic)
		if a.ntfyToken != "" {
			b.WriteString("    token_file: ntfy-token          # mode 0600\n")
			secrets = append(secrets, secretFile{"ntfy-token", a.ntfyToken})
		}
	case "console":
		b.WriteString("  - name: console\n    type: console                  # standard output (the journal under systemd)\n")
	}
	fmt.Fprintf(&b, `
routes: {critical: [%[1]s], warning: [%[1]s], info: [%[1]s]}

control:
  socket: %[2]s   # for roomwatch sent ROOM etc. while the daemon runs (mode 0600)

# One entry per talk room; add them with: roomwatch add ROOM --title … --buyer …
rooms: []
`, name, yamlScalar(socket))
	return b.String(), secrets
}

// writeStarter writes the config and its secrets, refusing to replace any
// file, checks the result like `roomwatch check`, and says what to do next.
// A failure removes what it wrote.
func (a *app) writeStarter(path string, ans initAnswers) error {
	text, secrets := starter(path, ans)
	dir := filepath.Dir(path)
	for _, s := range secrets {
		p := filepath.Join(dir, s.name)
		info, err := os.Lstat(p)
		if err != nil {
			continue
		}
		if !info.Mode().IsRegular() || info.Size() > 0 {
			return inputError("%s exists; init never overwrites a secret: move it aside and run init again", p)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	var written, placeholders []string
	undo := func() {
		for _, p := range written {
			os.Remove(p)
		}
		for _, p := range placeholders {
			_ = writeNew(p, "", 0o600)
		}
	}
	for _, s := range secrets {
		p := filepath.Join(dir, s.name)
		// The package leaves empty files in /etc/roomwatch, since its unit
		// loads them as credentials and would not start without them:
		// filling one loses nothing (checked above).
		if info, err := os.Lstat(p); err == nil && info.Mode().IsRegular() && info.Size() == 0 {
			if err := os.Remove(p); err != nil {
				undo()
				return fmt.Errorf("init: %w", err)
			}
			placeholders = append(placeholders, p)
		}
		if err := writeNew(p, s.value+"\n", 0o600); err != nil {
			undo()
			return err
		}
		written = append(written, p)
	}
	// No secret inside: readable like any config, so the CLI works for
	// every user who may read the store's answers.
	if err := writeNew(path, text, 0o644); err != nil {
		undo()
		return err
	}
	written = append(written, path)
	cfg, err := config.LoadWith(path, config.Options{Now: time.Now(), MaxRooms: config.DefaultMaxRooms})
	if err != nil {
		undo()
		return fmt.Errorf("init: the written configuration does not check, so it was removed again: %w", err)
	}
	for _, p := range written {
		fmt.Fprintf(a.stdout, "wrote %s\n", p)
	}
	fmt.Fprintf(a.stdout, "%s: ok, %s\n", cfg.Path, cfg.Summary())
	flag := ""
	if a.configFlag != "" {
		flag = " --config " + path
	}
	fmt.Fprintf(a.stdout, "\nNext: roomwatch%s notify-test   (a test alert through %s)\n", flag, ans.notifier)
	fmt.Fprintf(a.stdout, "then: roomwatch%s add ROOM --title TITLE --buyer BUYER --opened \"2006-01-02 15:04\"\n", flag)
	switch {
	case filepath.Dir(path) == systemConfigDir:
		fmt.Fprintln(a.stdout, "and:  systemctl enable --now roomwatch")
	default:
		fmt.Fprintln(a.stdout, "and:  roomwatch run   (or the user service: systemctl --user enable --now roomwatch-user)")
	}
	return nil
}

// writeNew creates path with exactly mode perm; it fails if path exists.
func writeNew(path, text string, perm fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("init: %w", err)
	}
	if err := f.Chmod(perm); err != nil { // past the umask
		f.Close()
		os.Remove(path)
		return fmt.Errorf("init: %w", err)
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("init: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return fmt.Errorf("init: %w", err)
	}
	return nil
}

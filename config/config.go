// Package config loads roomwatch's YAML file (DESIGN §3): it finds the file,
// checks every key against the schema, reports all mistakes at once with
// file:line:col, resolves secrets from files, ${ENV} and systemd credentials,
// and hands back a Config whose durations, times and paths are ready to use.
package config

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
	_ "time/tzdata" // the default timezone must load on hosts without zoneinfo (minimal images, some Pi setups)

	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

// Config is one validated config file.
type Config struct {
	Path      string         // absolute path of the file; empty for Default
	Timezone  *time.Location // times without an offset are read here
	Language  string         // "ja" or "en": language of alert messages
	Store     string         // absolute path of the bbolt file
	Platform  string         // profile of rooms that name none
	Profiles  map[string]rules.Profile
	Policy    rules.Policy
	DigestAt  time.Duration // offset from local midnight; DigestOff (-1) when off
	Notifiers []Notifier
	// Routes lists notifier names per severity. A severity the file leaves
	// out goes to every notifier, so a partial routes section cannot silence
	// critical alerts by accident; an explicit [] silences it on purpose.
	Routes map[rules.Severity][]string
	// FailoverAfter (routes.failover_after) is how long a critical alert
	// waits on a failing notifier before the next of its route gets it too;
	// zero means the default, one minute.
	FailoverAfter time.Duration
	Control       Control
	Inbox         Inbox          // the platforms' notification mail (inbox.go)
	Rooms         []rules.Room   // in file order
	RoomPos       map[string]Pos // room ID → position of its entry, for messages
	// Terms is the `terms:` section: the seller's own lines, lines turned
	// off or on, and the platform field's size.
	Terms message.TermsOptions
	// Messages are the seller's ready-to-send templates, language → kind
	// → text/template text (`messages:`), already checked.
	Messages map[string]map[rules.Kind]string
	// Replies writes the ready-to-send texts from the defaults, Messages
	// and the terms block; Default and every parsed file set it.
	Replies *message.Replies
	// Buyers are the seller's private notes per buyer (`buyers:`).
	Buyers []Buyer
	// Warnings are problems that do not refuse the file (an unlikely room
	// timeline): check prints them, the daemon logs them.
	Warnings Errors
	// Retention (store.retention) is how long the history of a closed or
	// cancelled room is kept before it is pruned to a summary; zero keeps
	// everything.
	Retention time.Duration

	options       Options
	inlineSecrets []string
}

// Pos is a place in the config file.
type Pos struct{ Line, Column int }

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Column) }

// Control is how commands and the HTTP API reach a running daemon.
type Control struct {
	Socket string // absolute path of the unix socket
	HTTP   string // listen address of the HTTP API; empty means off
	Token  Secret // bearer token the HTTP API requires: every operation
	// ReadToken, optional, may only read: the calendar feed and GET
	// /v1/status and /v1/plan; it is what a calendar app subscribes with.
	ReadToken Secret
	// PublicURL is where the phone reaches the HTTP API (through a VPN or
	// a TLS reverse proxy), without a trailing slash; alerts carry signed
	// action links under it. Empty: no links.
	PublicURL string
	// LinkKey signs action links; zero means the key kept in the store.
	LinkKey Secret
	// LinkTTL is how long an action link works after its alert was sent.
	LinkTTL time.Duration
	// TLSCertFile and TLSKeyFile make the HTTP API serve HTTPS.
	TLSCertFile string
	TLSKeyFile  string
	// InsecureRemote allows plain HTTP on a non-loopback address.
	InsecureRemote bool
}

// TLS reports whether the HTTP API serves HTTPS.
func (c Control) TLS() bool { return c.TLSCertFile != "" && c.TLSKeyFile != "" }

const (
	defaultTimezone = "Asia/Tokyo"
	defaultLanguage = "ja"
	defaultStore    = "roomwatch.db"
	defaultSocket   = "roomwatch.sock"
	defaultPlatform = "coconala"
	defaultDigestAt = 8*time.Hour + 30*time.Minute
	defaultTimeout  = 10 * time.Second
)

// DigestOff is Config.DigestAt when the daily digest is switched off.
const DigestOff time.Duration = -1

// Severities lists the severities routes may name, most urgent first.
var severities = []rules.Severity{rules.Critical, rules.Warning, rules.Info}

// Default is the configuration used without a file: alerts on the console,
// the store in the working directory, no rooms.
func Default() *Config {
	dir, err := os.Getwd()
	if err != nil {
		dir = "."
	}
	c := defaults(dir)
	c.Routes = routeAll(c.Notifiers)
	(&parser{}).compileReplies(c)
	return c
}

// defaults is the configuration an empty file in dir yields, before routes
// (which follow the notifiers).
func defaults(dir string) *Config {
	tz, err := time.LoadLocation(defaultTimezone)
	if err != nil {
		// Unreachable with time/tzdata embedded; UTC keeps the loader total.
		tz = time.UTC
	}
	profiles := make(map[string]rules.Profile, len(rules.Profiles))
	for name, profile := range rules.Profiles {
		profiles[name] = profile
	}
	policy := rules.DefaultPolicy()
	policy.Location = tz
	return &Config{
		Timezone:  tz,
		Language:  defaultLanguage,
		Store:     filepath.Join(dir, defaultStore),
		Retention: DefaultRetention,
		Platform:  defaultPlatform,
		Profiles:  profiles,
		Policy:    policy,
		DigestAt:  defaultDigestAt,
		Notifiers: []Notifier{consoleNotifier()},
		Control:   Control{Socket: filepath.Join(dir, defaultSocket), LinkTTL: DefaultLinkTTL},
		RoomPos:   map[string]Pos{},
	}
}

func consoleNotifier() Notifier {
	return Notifier{Name: "console", Type: "console", Timeout: defaultTimeout, Console: &ConsoleConfig{}}
}

func routeAll(notifiers []Notifier) map[rules.Severity][]string {
	routes := make(map[rules.Severity][]string, len(severities))
	for _, s := range severities {
		routes[s] = notifierNames(notifiers)
	}
	return routes
}

func notifierNames(notifiers []Notifier) []string {
	names := make([]string, len(notifiers))
	for i, n := range notifiers {
		names[i] = n.Name
	}
	return names
}

// Load reads the file at path and parses it; see Parse.
func Load(path string) (*Config, error) {
	return LoadWith(path, Options{})
}

// LoadWith reads the file at path and parses it; see ParseWith.
func LoadWith(path string, opt Options) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return ParseWith(path, data, opt)
}

// Options returns the options the configuration was loaded with, so a
// reload checks the edited file against the same limits.
func (c *Config) Options() Options { return c.options }

// Summary is a one-line description for logs and the systemd status.
func (c *Config) Summary() string {
	return fmt.Sprintf("%s, %s, timezone %s",
		count(len(c.Rooms), "room"), count(len(c.Notifiers), "notifier"), c.Timezone)
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// InlineSecrets lists the keys (e.g. "notifiers.phone.webhook_url") whose
// secret is written in the file itself rather than in a _file or ${ENV}, so
// the daemon can warn when the file is readable by others.
func (c *Config) InlineSecrets() []string {
	return append([]string(nil), c.inlineSecrets...)
}

// NotifierByName returns the notifier called name.
func (c *Config) NotifierByName(name string) (Notifier, bool) {
	for _, n := range c.Notifiers {
		if n.Name == name {
			return n, true
		}
	}
	return Notifier{}, false
}

// Profile returns the profile of a room: its own platform or the default.
func (c *Config) Profile(room rules.Room) rules.Profile {
	name := room.Platform
	if name == "" {
		name = c.Platform
	}
	return c.Profiles[name]
}

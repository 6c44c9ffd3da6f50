package config

import (
	"fmt"
	"time"
)

// Notifier is one alert destination: the keys every type has, and the
// settings of its type in the one pointer that matches Type (the others are
// nil). Parse fills and checks them once; a backend built from them trusts
// them (notifier/registry turns a Notifier into its backend).
type Notifier struct {
	Name    string
	Type    string        // slack | email | console | ntfy | line | discord | webhook
	Timeout time.Duration // per send

	Slack   *SlackConfig
	Email   *EmailConfig
	Ntfy    *NtfyConfig
	Line    *LineConfig
	Discord *DiscordConfig
	Webhook *WebhookConfig
	Console *ConsoleConfig
}

// Settings returns the typed settings of n's type: a *SlackConfig for a
// slack notifier, and so on; nil when that pointer is not set, which only a
// Notifier not made by Parse or Default can be.
func (n Notifier) Settings() any {
	t, ok := lookupNotifierType(n.Type)
	if !ok {
		return nil
	}
	return t.settings(&n)
}

// SlackConfig posts through an incoming webhook (WebhookURL), or through
// the Web API with a bot token and a channel; AppToken adds the buttons
// (Socket Mode), and implies Token. When both ways are written, the Web API
// posts (the buttons edit what the bot posted) and check warns that the
// webhook is unused.
type SlackConfig struct {
	WebhookURL Secret
	Token      Secret // bot token (xoxb-), with Channel
	Channel    string
	AppToken   Secret // app-level token (xapp-) for Socket Mode
	// APIURL is the Web API base, ending in "/"; empty means Slack's own.
	APIURL string
}

// EmailConfig sends mail by SMTP. Port is always set (the TLS mode's
// default when the file leaves it out); Username is set when Password is.
type EmailConfig struct {
	Host     string
	Port     int
	TLS      string // starttls | tls | none
	Username string
	Password Secret
	From     string
	To       []string // at least one, each a checked address
}

// NtfyConfig publishes to a topic of an ntfy server.
type NtfyConfig struct {
	// Server is an http(s) base URL without credentials, query, fragment
	// or trailing slash; https://ntfy.sh by default.
	Server string
	Topic  string // up to 64 letters, digits, '-' or '_'
	Token  Secret // access token, optional
	// ActionsURL is an alias of control.public_url kept for old files
	// (Parse copies it there); without a trailing slash.
	ActionsURL string
}

// LineConfig pushes to the seller's own LINE account through the
// Messaging API.
type LineConfig struct {
	ChannelAccessToken Secret // one line, no spaces
	To                 string // the seller's user ID: "U" and 32 hex digits
	// APIURL is the API base without a trailing slash; empty means LINE's own.
	APIURL string
}

// DiscordConfig posts to a Discord channel webhook.
type DiscordConfig struct {
	// WebhookURL is a checked Discord webhook URL (ParseDiscordWebhookURL).
	WebhookURL Secret
	// APIURL replaces Discord's API base, keeping the webhook's ID and
	// token (a test server, a proxy); without a trailing slash; empty means
	// Discord's own.
	APIURL string
}

// WebhookConfig POSTs each alert as JSON to any URL.
type WebhookConfig struct {
	URL    Secret // an http(s) URL
	Secret Secret // signs every body when set
	// Headers are sent with every POST; their values are secrets too, as
	// they often carry a token. Names are checked, one spelling each.
	Headers map[string]Secret
	// BodyTemplate, when set, replaces the default body; it has been tried
	// on sample alerts (notifier/webhook/body.Compile).
	BodyTemplate string
}

// HeaderValues returns the headers with their values, for the one place
// that sends them.
func (w WebhookConfig) HeaderValues() map[string]string {
	values := make(map[string]string, len(w.Headers))
	for name, value := range w.Headers {
		values[name] = value.Value()
	}
	return values
}

// ConsoleConfig writes alerts to standard output; it has no keys of its own.
type ConsoleConfig struct{}

// The settings print as their fields with %+v whatever the verb. fmt
// prints a pointer under a verb it does not fit (%s, %d, %x) by walking the
// struct with every Format and String method switched off, which would
// show a Secret's text; a Format of their own keeps fmt off that path.
func (c SlackConfig) Format(f fmt.State, _ rune) {
	type plain SlackConfig
	fmt.Fprintf(f, "%+v", plain(c))
}
func (c EmailConfig) Format(f fmt.State, _ rune) {
	type plain EmailConfig
	fmt.Fprintf(f, "%+v", plain(c))
}
func (c NtfyConfig) Format(f fmt.State, _ rune) {
	type plain NtfyConfig
	fmt.Fprintf(f, "%+v", plain(c))
}
func (c LineConfig) Format(f fmt.State, _ rune) {
	type plain LineConfig
	fmt.Fprintf(f, "%+v", plain(c))
}
func (c DiscordConfig) Format(f fmt.State, _ rune) {
	type plain DiscordConfig
	fmt.Fprintf(f, "%+v", plain(c))
}
func (c WebhookConfig) Format(f fmt.State, _ rune) {
	type plain WebhookConfig
	fmt.Fprintf(f, "%+v", plain(c))
}
func (c ConsoleConfig) Format(f fmt.State, _ rune) { fmt.Fprint(f, "{}") }

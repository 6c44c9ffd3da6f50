package config

import (
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// The checks of notifier values that need more than a glance. They live
// here, once: Parse runs them with the value's place in the file, and the
// backends trust what Parse accepted. None echoes the value, which is
// often a credential.

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// checkNtfyServer checks what isHTTPURL leaves to an ntfy base URL: no
// credentials (the token is the way to log in), no query or fragment, as
// publications are posted to the server's root.
func checkNtfyServer(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return errors.New("not a valid URL")
	case u.User != nil:
		return errors.New("credentials do not belong in the URL; use token")
	case u.RawQuery != "" || u.Fragment != "":
		return errors.New("the URL must not have a query or fragment")
	}
	return nil
}

// checkWebhookURL checks that raw is an absolute http(s) URL. A query is
// allowed (Google Chat puts its key there).
func checkWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return errors.New("a URL is required")
	case err != nil:
		return errors.New("not a valid URL")
	case (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return errors.New("not an http(s) URL")
	}
	return nil
}

// DiscordWebhook is what a Discord webhook URL names: the webhook's ID, its
// token (the secret part) and, for a forum or thread, the thread to post in.
type DiscordWebhook struct {
	ID, Token, ThreadID string
}

// discordWebhookHosts are the hosts Discord hands out webhook URLs on.
var discordWebhookHosts = []string{"discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com"}

// discordWebhookPath is the path of a webhook URL, with or without an API
// version.
var discordWebhookPath = regexp.MustCompile(`^/api(?:/v[0-9]+)?/webhooks/([0-9]+)/([A-Za-z0-9_-]+)/?$`)

// ParseDiscordWebhookURL checks that raw is a Discord webhook URL
// (https://discord.com/api/webhooks/ID/TOKEN, optionally ?thread_id=N) and
// returns its parts: Parse checks a webhook_url with it, and the Discord
// backend takes the parts of the URL Parse accepted.
func ParseDiscordWebhookURL(raw string) (DiscordWebhook, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return DiscordWebhook{}, errors.New("not a valid URL")
	}
	switch {
	case u.Scheme != "https":
		return DiscordWebhook{}, errors.New("a Discord webhook URL starts with https://")
	case !slices.Contains(discordWebhookHosts, strings.ToLower(u.Host)):
		return DiscordWebhook{}, errors.New("not a Discord webhook URL: the host should be discord.com")
	case u.User != nil || u.Fragment != "":
		return DiscordWebhook{}, errors.New("a Discord webhook URL has no user name or #fragment")
	}
	parts := discordWebhookPath.FindStringSubmatch(u.EscapedPath())
	if parts == nil {
		return DiscordWebhook{}, errors.New("not a Discord webhook URL: the path should be /api/webhooks/ID/TOKEN (copy it from Integrations → Webhooks)")
	}
	w := DiscordWebhook{ID: parts[1], Token: parts[2]}
	for key, values := range u.Query() {
		if key != "thread_id" || len(values) != 1 || !isDigits(values[0]) {
			return DiscordWebhook{}, errors.New("a Discord webhook URL may only carry ?thread_id=NUMBER")
		}
		w.ThreadID = values[0]
	}
	return w, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// checkDiscordAPIURL checks an api_url override: an absolute http(s) URL
// without credentials, query or fragment.
func checkDiscordAPIURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return errors.New("not a valid URL")
	case (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return errors.New("not an http(s) URL")
	case u.User != nil:
		return errors.New("credentials do not belong in api_url")
	case u.RawQuery != "" || u.Fragment != "":
		return errors.New("api_url must not have a query or fragment")
	}
	return nil
}

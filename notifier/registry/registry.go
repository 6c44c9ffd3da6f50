// Package registry turns the notifiers of a configuration into their
// backends: one constructor per notifier type, in one table. config has
// checked every setting, so a constructor only hands the type's settings
// and the common ones (name, timeout, language, time zone) to its backend.
//
// Adding a notifier type is its settings struct, reader and row in config,
// its backend package, and one line here.
package registry

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/console"
	"github.com/roomwatch/roomwatch/notifier/discord"
	"github.com/roomwatch/roomwatch/notifier/email"
	"github.com/roomwatch/roomwatch/notifier/line"
	"github.com/roomwatch/roomwatch/notifier/ntfy"
	"github.com/roomwatch/roomwatch/notifier/slack"
	"github.com/roomwatch/roomwatch/notifier/webhook"
)

// Env is what a backend needs besides its own entry: the configuration's
// language and time zone, and where the console writes.
type Env struct {
	Language string
	Location *time.Location
	Stdout   io.Writer
}

// constructor builds the backend of n, whose settings config has checked
// and Build has found set.
type constructor func(n config.Notifier, env Env) (notifier.Notifier, error)

var constructors = map[string]constructor{
	"console": func(n config.Notifier, e Env) (notifier.Notifier, error) {
		return console.New(console.Options{Name: n.Name, Writer: e.Stdout, Language: e.Language, Location: e.Location}), nil
	},
	"slack": func(n config.Notifier, e Env) (notifier.Notifier, error) {
		return slack.New(*n.Slack, slack.Options{Name: n.Name, Timeout: n.Timeout, Language: e.Language, Location: e.Location}), nil
	},
	"email": func(n config.Notifier, e Env) (notifier.Notifier, error) {
		return email.New(*n.Email, email.Options{Name: n.Name, Timeout: n.Timeout, Language: e.Language, Location: e.Location}), nil
	},
	"ntfy": func(n config.Notifier, e Env) (notifier.Notifier, error) {
		return ntfy.New(*n.Ntfy, ntfy.Options{Name: n.Name, Timeout: n.Timeout, Language: e.Language, Location: e.Location}), nil
	},
	"line": func(n config.Notifier, e Env) (notifier.Notifier, error) {
		return line.New(*n.Line, line.Options{Name: n.Name, Timeout: n.Timeout, Language: e.Language, Location: e.Location}), nil
	},
	"discord": func(n config.Notifier, e Env) (notifier.Notifier, error) {
		return discord.New(*n.Discord, discord.Options{Name: n.Name, Timeout: n.Timeout, Language: e.Language, Location: e.Location})
	},
	"webhook": func(n config.Notifier, e Env) (notifier.Notifier, error) {
		return webhook.New(*n.Webhook, webhook.Options{Name: n.Name, Timeout: n.Timeout, Language: e.Language, Location: e.Location})
	},
}

// Types lists the notifier types the registry can build, sorted.
func Types() []string {
	return slices.Sorted(maps.Keys(constructors))
}

// Build makes the backend of one notifier.
func Build(n config.Notifier, env Env) (notifier.Notifier, error) {
	build, ok := constructors[n.Type]
	if !ok {
		return nil, fmt.Errorf("notifier %s: unknown type %q", n.Name, n.Type)
	}
	if n.Settings() == nil {
		// Only a Notifier made by hand, not by config, lacks them.
		return nil, fmt.Errorf("notifier %s: no %s settings", n.Name, n.Type)
	}
	backend, err := build(n, env)
	if err != nil {
		return nil, fmt.Errorf("notifier %s: %w", n.Name, err)
	}
	return backend, nil
}

// BuildAll makes the backends of every notifier of cfg, in file order; the
// console writes to stdout.
func BuildAll(cfg *config.Config, stdout io.Writer) ([]notifier.Notifier, error) {
	env := Env{Language: cfg.Language, Location: cfg.Timezone, Stdout: stdout}
	out := make([]notifier.Notifier, 0, len(cfg.Notifiers))
	for _, n := range cfg.Notifiers {
		backend, err := Build(n, env)
		if err != nil {
			return nil, err
		}
		out = append(out, backend)
	}
	return out, nil
}

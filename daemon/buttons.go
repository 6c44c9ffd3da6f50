package daemon

import (
	"context"
	"sync"

	"github.com/roomwatch/roomwatch/notifier/slack"
)

// startButtons runs the Socket Mode receiver of every Slack notifier that
// has an app token, recording presses through the daemon's own service. A
// notifier whose tokens are wrong loses its buttons, not the daemon: its
// alerts still go out. Tokens are read at start; a reload that changes them
// takes effect at the next restart.
func (d *Daemon) startButtons(ctx context.Context, wg *sync.WaitGroup) {
	cfg := d.engine.Config()
	for _, n := range cfg.Notifiers {
		if n.Slack == nil || n.Slack.AppToken.IsZero() {
			continue
		}
		buttons, err := slack.NewInteractions(slack.InteractOptions{
			Name: n.Name, AppToken: n.Slack.AppToken.Value(), BotToken: n.Slack.Token.Value(), APIURL: n.Slack.APIURL,
			Language: cfg.Language, Location: cfg.Timezone, Log: d.log, Recorder: d.local,
		})
		if err != nil {
			d.log.Error("slack buttons disabled; alerts still go out", "notifier", n.Name, "err", err)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := buttons.Run(ctx); err != nil {
				d.log.Error("slack buttons stopped; alerts still go out", "notifier", n.Name, "err", err)
			}
		}()
	}
}

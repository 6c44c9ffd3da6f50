package daemon

import (
	"context"
	"sync"
	"time"

	"github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/notifier/slack"
	"github.com/roomwatch/roomwatch/rules"
)

// startButtons runs the Socket Mode receiver of every Slack notifier that
// has an app token, recording presses through the daemon's own application.
// A notifier whose tokens are wrong loses its buttons, not the daemon: its
// alerts still go out. Tokens are read at start; a reload that changes them
// takes effect at the next restart.
func (d *Daemon) startButtons(ctx context.Context, wg *sync.WaitGroup) {
	cfg := d.app.Config()
	for _, n := range cfg.Notifiers {
		if n.Slack == nil || n.Slack.AppToken.IsZero() {
			continue
		}
		buttons, err := slack.NewInteractions(slack.InteractOptions{
			Name: n.Name, AppToken: n.Slack.AppToken.Value(), BotToken: n.Slack.Token.Value(), APIURL: n.Slack.APIURL,
			Language: cfg.Language, Location: cfg.Timezone, Log: d.log, Recorder: slackButtons{d.app},
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

// slackButtons is the application as the Slack buttons see it: the
// backend declares what it needs (slack.Recorder) in its own plain types,
// and this adapter is the only code that knows both sides.
type slackButtons struct{ svc app.Service }

func (b slackButtons) Record(ctx context.Context, room string, event rules.EventKind) (slack.Pressed, error) {
	st, err := b.svc.Record(ctx, app.EventRequest{Room: room, Event: event, Source: app.SourceSlack})
	return pressedOf(st, st.Events[event]), refusalOf(err)
}

func (b slackButtons) Snooze(ctx context.Context, room string, d time.Duration) (slack.Pressed, error) {
	st, err := b.svc.Snooze(ctx, app.SnoozeRequest{Room: room, For: d})
	return pressedOf(st, time.Time{}), refusalOf(err)
}

func pressedOf(st app.RoomStatus, at time.Time) slack.Pressed {
	p := slack.Pressed{At: at, SnoozedUntil: st.Snoozed}
	if st.Next != nil {
		p.Next = &slack.NextAlert{Kind: st.Next.Kind, Deadline: st.Next.Deadline, TimeLeft: st.Next.TimeLeft}
	}
	return p
}

// refusalOf marks the caller's mistakes (app.InputError) as refusals the
// presser reads; other errors stay roomwatch's own.
func refusalOf(err error) error {
	if err != nil && app.IsInputError(err) {
		return &slack.Refusal{Reason: err.Error()}
	}
	return err
}

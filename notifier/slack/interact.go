package slack

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

// SnoozeFor is how long the "Snooze 2h" button holds a room's alerts.
const SnoozeFor = 2 * time.Hour

// Recorder is what the buttons need of roomwatch: record an event in a
// room now (source slack), or hold its alerts for a while. The daemon
// adapts its application to it; a backend knows nothing of either.
type Recorder interface {
	Record(ctx context.Context, room string, event rules.EventKind) (Pressed, error)
	Snooze(ctx context.Context, room string, d time.Duration) (Pressed, error)
}

// Pressed is the room after a press, as far as the line under the buttons
// tells it.
type Pressed struct {
	// At is when the recorded event took place (zero for a snooze).
	At time.Time
	// SnoozedUntil is the end of the room's snooze, if one holds it.
	SnoozedUntil time.Time
	// Next is the room's most urgent alert; nil when none is left.
	Next *NextAlert
}

// NextAlert is the alert a press leaves the room with.
type NextAlert struct {
	Kind     rules.Kind
	Deadline time.Time
	TimeLeft string // worded in the configured language
}

// Refusal is the error a Recorder returns for a press roomwatch refuses
// (an unknown room, nothing to snooze): its reason is the presser's to read,
// where any other error only says roomwatch could not save the press.
type Refusal struct{ Reason string }

func (r *Refusal) Error() string { return r.Reason }

// InteractOptions configures the buttons of one Slack notifier.
type InteractOptions struct {
	Name     string // the notifier's name, for errors and logs; default "slack"
	AppToken string // app-level token (xapp-…) that opens the Socket Mode connection; secret
	BotToken string // bot token (xoxb-…) that updates the message a button was pressed on; secret
	APIURL   string // Web API base URL; empty means Slack's own
	Language string
	Location *time.Location
	Log      *slog.Logger
	Recorder Recorder
	// HTTPClient carries the Web API calls; nil means one with DefaultTimeout.
	HTTPClient *http.Client
}

// Interactions receives button presses over Socket Mode: no public URL is
// needed, so a home server behind NAT gets working buttons.
type Interactions struct {
	opts    InteractOptions
	api     *slack.Client
	log     *slog.Logger
	secrets []string
}

// NewInteractions checks the tokens and builds the receiver. The token
// types are checked up front because Slack answers a bot token given as the
// app token with an error the client keeps retrying, never a clear one.
func NewInteractions(opts InteractOptions) (*Interactions, error) {
	if opts.Name == "" {
		opts.Name = "slack"
	}
	switch {
	case opts.AppToken == "":
		return nil, fmt.Errorf("slack %s: buttons need an app-level token (app_token, xapp-…)", opts.Name)
	case !strings.HasPrefix(opts.AppToken, "xapp-"):
		return nil, fmt.Errorf("slack %s: app_token must be an app-level token starting with xapp- "+
			"(Basic Information → App-Level Tokens, scope connections:write)", opts.Name)
	case opts.BotToken == "":
		return nil, fmt.Errorf("slack %s: buttons need the bot token (token, xoxb-…) to update the message", opts.Name)
	case !strings.HasPrefix(opts.BotToken, "xoxb-"):
		return nil, fmt.Errorf("slack %s: token must be a bot token starting with xoxb- for the buttons", opts.Name)
	case opts.Recorder == nil:
		return nil, fmt.Errorf("slack %s: buttons need somewhere to record events", opts.Name)
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: DefaultTimeout}
	}
	return &Interactions{
		opts:    opts,
		api:     webAPI(opts.BotToken, opts.APIURL, client, slack.OptionAppLevelToken(opts.AppToken)),
		log:     opts.Log.With("notifier", opts.Name),
		secrets: []string{opts.AppToken, opts.BotToken},
	}, nil
}

// Run holds the Socket Mode connection, reconnecting when Slack asks or the
// network drops, and acts on every button press. It returns nil when ctx
// ends, after the presses in hand are done, and an error when Slack refuses
// the app token.
func (i *Interactions) Run(ctx context.Context) error {
	client := socketmode.New(i.api,
		socketmode.OptionLog(slog.NewLogLogger(i.log.Handler(), slog.LevelDebug)))
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	ended := make(chan error, 1)
	go func() { ended <- client.RunContext(runCtx) }()

	var presses sync.WaitGroup
	defer presses.Wait()
	for {
		select {
		case err := <-ended:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("slack %s: socket mode: %w", i.opts.Name, notifier.Redact(err, i.secrets...))
		case ev := <-client.Events:
			i.event(runCtx, client, ev, &presses)
		}
	}
}

// event acknowledges every envelope at once (Slack retries one not acked
// within 3 s) and hands button presses to their own goroutine, so a slow
// chat.update never delays the next acknowledgement.
func (i *Interactions) event(ctx context.Context, client *socketmode.Client, ev socketmode.Event, presses *sync.WaitGroup) {
	if ev.Request != nil && ev.Request.EnvelopeID != "" {
		if err := client.AckCtx(ctx, ev.Request.EnvelopeID, nil); err != nil {
			i.log.Warn("slack: acknowledging an interaction", "err", i.redact(err))
		}
	}
	switch ev.Type {
	case socketmode.EventTypeConnecting:
		i.log.Debug("slack buttons: connecting")
	case socketmode.EventTypeConnected:
		i.log.Info("slack buttons connected")
	case socketmode.EventTypeInvalidAuth:
		i.log.Error("slack buttons: Slack refused the app token")
	case socketmode.EventTypeConnectionError, socketmode.EventTypeIncomingError,
		socketmode.EventTypeErrorBadMessage, socketmode.EventTypeErrorWriteFailed:
		if ctx.Err() != nil {
			return // the connection closing under a shutdown is no news
		}
		i.log.Warn("slack buttons: "+string(ev.Type), "err", i.redact(eventError(ev.Data)))
	case socketmode.EventTypeInteractive:
		cb, ok := ev.Data.(slack.InteractionCallback)
		if !ok || cb.Type != slack.InteractionTypeBlockActions {
			return
		}
		presses.Add(1)
		go func() {
			defer presses.Done()
			i.blockActions(ctx, cb)
		}()
	}
}

func eventError(data any) error {
	switch d := data.(type) {
	case *slack.ConnectionErrorEvent:
		return d.ErrorObj
	case *slack.IncomingEventError:
		return d.ErrorObj
	case *socketmode.ErrorBadMessage:
		return d.Cause
	case *socketmode.ErrorWriteFailed:
		return d.Cause
	}
	return fmt.Errorf("%v", data)
}

func (i *Interactions) redact(err error) error { return notifier.Redact(err, i.secrets...) }

// blockActions records each press of one of our buttons and shows the
// outcome on the message it was pressed on.
func (i *Interactions) blockActions(ctx context.Context, cb slack.InteractionCallback) {
	lang := message.Language(i.opts.Language)
	for _, a := range cb.ActionCallback.BlockActions {
		if a == nil {
			continue
		}
		line, ok := i.press(ctx, a, cb.User, lang)
		if !ok {
			continue
		}
		i.show(ctx, cb, a.BlockID, line)
	}
}

// press runs the button's operation and words the outcome; ok is false for
// an action that is not one of ours.
func (i *Interactions) press(ctx context.Context, a *slack.BlockAction, user slack.User, lang string) (line string, ok bool) {
	room := a.Value
	var st Pressed
	var err error
	switch a.ActionID {
	case ActionSent:
		st, err = i.opts.Recorder.Record(ctx, room, rules.EventSellerMessage)
	case ActionDelivered:
		st, err = i.opts.Recorder.Record(ctx, room, rules.EventDelivered)
	case ActionSnooze:
		st, err = i.opts.Recorder.Snooze(ctx, room, SnoozeFor)
	default:
		return "", false
	}
	w := &message.For(lang).Slack
	who := mention(user)
	if err != nil {
		shown := w.Internal
		if refusal := (*Refusal)(nil); errors.As(err, &refusal) {
			shown = refusal.Reason
			i.log.Warn("slack button refused", "room", room, "action", a.ActionID, "user", user.ID, "err", err)
		} else {
			i.log.Error("slack button failed", "room", room, "action", a.ActionID, "user", user.ID, "err", err)
		}
		return fmt.Sprintf(w.Failed, who, buttonLabel(a.ActionID, lang), Escape(room), Escape(shown)), true
	}
	i.log.Info("slack button", "room", room, "action", a.ActionID, "user", user.ID)
	switch a.ActionID {
	case ActionSent:
		line = fmt.Sprintf(w.Recorded, who, w.SentEvent, i.stamp(st.At, lang))
	case ActionDelivered:
		line = fmt.Sprintf(w.Recorded, who, w.DeliveredEvent, i.stamp(st.At, lang))
	case ActionSnooze:
		line = fmt.Sprintf(w.Snoozed, who, i.stamp(st.SnoozedUntil, lang))
	}
	if st.Next == nil {
		return line + w.NothingNext, true
	}
	return line + fmt.Sprintf(w.Next, st.Next.Kind, i.stamp(st.Next.Deadline, lang), st.Next.TimeLeft), true
}

// show puts the outcome under the buttons that were pressed, keeping the
// alert itself. A second press replaces the line rather than stacking them.
// When the message cannot be edited (too old, ephemeral), only the presser
// sees the line.
func (i *Interactions) show(ctx context.Context, cb slack.InteractionCallback, actionsID, line string) {
	channel := cmp.Or(cb.Container.ChannelID, cb.Channel.ID)
	ts := cmp.Or(cb.Container.MessageTs, cb.Message.Timestamp)
	if channel != "" && ts != "" && !cb.Container.IsEphemeral {
		blocks := annotate(cb.Message.Blocks.BlockSet, actionsID, line)
		err := webCall(ctx, func(ctx context.Context) error {
			_, _, _, err := i.api.UpdateMessageContext(ctx, channel, ts,
				slack.MsgOptionText(cb.Message.Text, false), slack.MsgOptionBlocks(blocks...))
			return err
		})
		if err == nil {
			return
		}
		if ctx.Err() != nil {
			i.log.Info("slack: stopping before the alert showed the button press; the press is recorded")
			return
		}
		i.log.Warn("slack: updating the alert after a button press; telling the presser only", "err", i.redact(err))
	}
	if channel == "" || cb.User.ID == "" {
		return
	}
	err := webCall(ctx, func(ctx context.Context) error {
		_, err := i.api.PostEphemeralContext(ctx, channel, cb.User.ID, slack.MsgOptionText(line, false))
		return err
	})
	if err != nil && ctx.Err() == nil {
		i.log.Error("slack: showing the outcome of a button press", "err", i.redact(err))
	}
}

// webCall gives one Web API call its own DefaultTimeout.
func webCall(ctx context.Context, call func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, DefaultTimeout)
	defer cancel()
	return call(ctx)
}

// annotate returns blocks with a context line right after the actions block
// actionsID (at the end when it is gone), replacing that block's earlier line.
func annotate(blocks []slack.Block, actionsID, line string) []slack.Block {
	note := slack.NewContextBlock("done-"+actionsID,
		slack.NewTextBlockObject(slack.MarkdownType, line, false, false))
	out := make([]slack.Block, 0, len(blocks)+1)
	placed := false
	for _, b := range blocks {
		if b.ID() == note.BlockID {
			continue
		}
		out = append(out, b)
		if !placed && actionsID != "" && b.ID() == actionsID {
			out = append(out, note)
			placed = true
		}
	}
	if !placed {
		out = append(out, note)
	}
	return out
}

// slackUserID matches a user ID, which is safe to put in a <@…> mention.
var slackUserID = regexp.MustCompile(`^[A-Z0-9]+$`)

// mention names the presser: a mention Slack renders as their display
// name, or the escaped user name when the ID looks odd.
func mention(u slack.User) string {
	if slackUserID.MatchString(u.ID) {
		return "<@" + u.ID + ">"
	}
	return Escape(cmp.Or(u.Name, "?"))
}

func buttonLabel(actionID, lang string) string {
	w := &message.For(lang).Slack
	switch actionID {
	case ActionSent:
		return w.SentButton
	case ActionDelivered:
		return w.DeliveredButton
	}
	return w.SnoozeButton
}

// stamp is "Wed 11/25 14:03" or "11/25(水) 14:03" in the configured zone.
func (i *Interactions) stamp(t time.Time, lang string) string {
	return message.Stamp(t, time.Time{}, lang, i.opts.Location)
}

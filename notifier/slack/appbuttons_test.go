package slack

import (
	"context"
	"time"

	"github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/rules"
)

// appButtons is the daemon's adapter (daemon/buttons.go) again, for the
// tests only: the backend itself never imports the application, but its
// tests press buttons against a real one.
type appButtons struct{ svc app.Service }

func (b appButtons) Record(ctx context.Context, room string, event rules.EventKind) (Pressed, error) {
	st, err := b.svc.Record(ctx, app.EventRequest{Room: room, Event: event, Source: app.SourceSlack})
	return pressedOf(st, st.Events[event]), refusalOf(err)
}

func (b appButtons) Snooze(ctx context.Context, room string, d time.Duration) (Pressed, error) {
	st, err := b.svc.Snooze(ctx, app.SnoozeRequest{Room: room, For: d})
	return pressedOf(st, time.Time{}), refusalOf(err)
}

func pressedOf(st app.RoomStatus, at time.Time) Pressed {
	p := Pressed{At: at, SnoozedUntil: st.Snoozed}
	if st.Next != nil {
		p.Next = &NextAlert{Kind: st.Next.Kind, Deadline: st.Next.Deadline, TimeLeft: st.Next.TimeLeft}
	}
	return p
}

func refusalOf(err error) error {
	if err != nil && app.IsInputError(err) {
		return &Refusal{Reason: err.Error()}
	}
	return err
}

package app

import (
	"context"
	"time"

	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

// BuyerRequest asks for a buyer's record (Platform "" means the default).
type BuyerRequest struct {
	Buyer    string    `json:"buyer"`
	Platform string    `json:"platform,omitempty"`
	Now      time.Time `json:"now,omitzero"`
}

// BuyerRecordView is a buyer's record with this seller as shown to a
// person or a script; durations are written like the config's ("132h").
type BuyerRecordView struct {
	Buyer     string   `json:"buyer"`
	Platform  string   `json:"platform"`
	Rooms     []string `json:"rooms"`
	Cancelled int      `json:"cancelled"`
	Approved  int      `json:"approved"`
	// ApprovalMedian and ApprovalWorst: delivery to approval.
	ApprovalMedian string `json:"approval_median,omitempty"`
	ApprovalWorst  string `json:"approval_worst,omitempty"`
	// LongestSilence is the longest the buyer stayed silent after a delivery.
	LongestSilence string `json:"longest_silence,omitempty"`
	PushBacks      int    `json:"push_backs"`
	// Note and Decline are the seller's own (`buyers:`).
	Note    string `json:"note,omitempty"`
	Decline bool   `json:"decline,omitempty"`
	// Summary is the record in one line, in the configured language.
	Summary string `json:"summary"`
}

func (e *App) recordView(rec rules.BuyerRecord) *BuyerRecordView {
	cfg := e.Config()
	v := &BuyerRecordView{
		Buyer: rec.Buyer, Platform: rec.Platform, Rooms: rec.Rooms,
		Cancelled: rec.Cancelled, Approved: rec.Approved, PushBacks: rec.PushBacks,
		Summary: message.RecordLine(rec, cfg.Language),
	}
	if v.Rooms == nil {
		v.Rooms = []string{}
	}
	if rec.Approved > 0 {
		v.ApprovalMedian = rules.FormatDuration(rec.ApprovalMedian.Round(time.Minute))
		v.ApprovalWorst = rules.FormatDuration(rec.ApprovalWorst.Round(time.Minute))
	}
	if rec.LongestSilence > 0 {
		v.LongestSilence = rules.FormatDuration(rec.LongestSilence.Round(time.Minute))
	}
	if note, ok := cfg.BuyerOf(rules.Room{Buyer: rec.Buyer, Platform: rec.Platform}); ok {
		v.Note, v.Decline = note.Note, note.Decline
	}
	return v
}

// Buyer is a buyer's record over every room of theirs the store knows.
func (e *App) Buyer(ctx context.Context, req BuyerRequest) (BuyerRecordView, error) {
	if req.Buyer == "" {
		return BuyerRecordView{}, inputErrorf("no buyer given")
	}
	cfg := e.Config()
	if req.Platform != "" {
		if _, ok := cfg.Profiles[req.Platform]; !ok {
			return BuyerRecordView{}, inputErrorf("unknown platform %q", req.Platform)
		}
	}
	now := req.Now
	if now.IsZero() {
		now = e.Now()
	}
	rec, err := e.BuyerRecord(req.Buyer, req.Platform, now)
	if err != nil {
		return BuyerRecordView{}, err
	}
	if !rec.Seen() {
		if _, noted := cfg.BuyerOf(rules.Room{Buyer: rec.Buyer, Platform: rec.Platform}); !noted {
			return BuyerRecordView{}, inputErrorf("no room of buyer %q on %s is known", req.Buyer, rec.Platform)
		}
	}
	return *e.recordView(rec), nil
}

// priorRecord is the record of r's buyer over earlier rooms, nil for a
// buyer not seen before. rooms, when not nil, are the buyer's rooms already
// read (Status reads every room once).
func (e *App) priorRecordView(r rules.Room, rooms []rules.Room, now time.Time) (*BuyerRecordView, error) {
	if r.Buyer == "" {
		return nil, nil
	}
	var rec rules.BuyerRecord
	if rooms != nil {
		rec = e.BuyerScope().PriorRecord(r, rooms, now)
	} else {
		var err error
		if rec, err = e.PriorRecord(r, now); err != nil {
			return nil, err
		}
	}
	if !rec.Seen() {
		return nil, nil
	}
	return e.recordView(rec), nil
}

// replyOf is the ready-to-send text of a live alert as of now.
func (e *App) replyOf(r rules.Room, a rules.Alert, now time.Time) string {
	cfg := e.Config()
	step := rules.Step{Alert: a, Name: rules.StepDue, Severity: a.Severity, At: a.Deadline, SendAt: a.Deadline}
	return cfg.Replies.Reply(message.Alert{Step: step, Room: r, Now: now}, cfg.Language, cfg.Timezone)
}

package message

import "github.com/roomwatch/roomwatch/rules"

// Words is every word roomwatch shows a seller, in one language: the
// alerts, the daily digest, Slack's buttons and replies, the command line's
// tables, the web app, the link pages, the terms block and the calendar.
// There is one value per language (en, ja), written as a keyed literal;
// TestEveryWordIsThere walks each one and fails on an empty string, so a
// missing word is a failing test, never a silent "". A field tagged
// `words:"optional"` may be empty; its comment says what empty means.
type Words struct {
	// Lang is the language's code, as Language returns it.
	Lang string

	// Kinds holds each alert kind's words, with an entry for every kind
	// in rules.Kinds (TestEveryKindHasItsWords): a new kind needs its
	// rule in rules and its words here, nothing else.
	Kinds map[rules.Kind]KindWords
	// Fallback words a kind this catalogue does not know (a newer rules
	// package), so an alert is never dropped for lack of words. Its
	// Action is the kind's name.
	Fallback wording

	// Frame holds the words around the per-kind text of an alert.
	Frame frame
	// Severity names each severity.
	Severity SeverityWords
	// Time holds the words of spans and instants.
	Time TimeWords
	// States names a room's state in a table.
	States StateWords
	// Steps names a step in a table.
	Steps StepWords
	// Record holds the words of the buyer's record.
	Record recordWords
	// Reply holds the words around a ready-to-send text.
	Reply ReplyWords
	// Terms holds the sentences of the seller's terms block.
	Terms termsWords

	// Links labels the signed action links, on buttons and beside links.
	Links LinkWords
	// LinkPage holds the words of the page an action link opens.
	LinkPage LinkPageWords
	// Web holds the words of the web app.
	Web WebWords
	// Events names the events a room page records, as its buttons say;
	// it has an entry for every kind in rules.EventKinds.
	Events map[rules.EventKind]string

	// Digest holds the words of the daily digest.
	Digest DigestWords
	// CLI holds the headers and labels of the command line's output.
	CLI CLIWords
	// Slack holds the words of Slack's alert buttons and of the replies
	// to a button press.
	Slack SlackWords
	// HeadlineSep joins a severity and the time left in a LINE card's
	// coloured header.
	HeadlineSep string
	// RoomPage labels the link to a room's page in the web app.
	RoomPage string
}

// KindWords are one alert kind's words in one language.
type KindWords struct {
	// Label names the kind in a table: the kind itself in English, the
	// words a seller reads and the contract strings of `plan --json`
	// alike; a short noun in Japanese.
	Label string
	// Alert is the alert's text.
	Alert wording
	// Variant replaces Alert in the kind's second situation: rate-buyer
	// once the buyer has rated (the article's advice is to wait for
	// that, so the message changes its tone), extra-payment before
	// delivery (collect the おひねり first). Empty for the other kinds.
	Variant wording `words:"optional"`
	// Reply is the ready-to-send text, a text/template over ReplyFields;
	// empty when the kind's action is not to write to the buyer. A kind
	// has one in every language or in none.
	Reply string `words:"optional"`
}

// SeverityWords name the severities.
type SeverityWords struct {
	Critical, Warning, Info severityWords
}

// of looks a severity's words up; a severity this package does not know
// is info, as rules.Severity.Rank ranks it.
func (s *SeverityWords) of(sev rules.Severity) severityWords {
	switch sev {
	case rules.Critical:
		return s.Critical
	case rules.Warning:
		return s.Warning
	}
	return s.Info
}

// TimeWords are the words of spans of time and of instants.
type TimeWords struct {
	// Weekdays are the days' short names, Sunday first.
	Weekdays [7]string
	// Now is a span under a minute; Left, Overdue and Ago hold the span
	// (%s): ahead, past a limit, past a moment.
	Now, Left, Overdue, Ago string
	// Days, Hours and Minutes are a span's units; UnitSep joins the parts
	// ("1d 3h"; empty in Japanese: "1日3時間").
	Days, Hours, Minutes string
	UnitSep              string `words:"optional"`
	// Paren puts the time left (%s) after an instant.
	Paren string
}

// StateWords name a room's states in a table.
type StateWords struct {
	Open, Delivered, Closed, Cancelled string
	// ClosedAutomatically is a room the platform closed by itself
	// (automatic approval of a delivery).
	ClosedAutomatically string
}

// of looks a state's name up; an unknown state shows as it is.
func (s *StateWords) of(state rules.State) string {
	switch state {
	case rules.StateOpen:
		return s.Open
	case rules.StateDelivered:
		return s.Delivered
	case rules.StateClosed:
		return s.Closed
	case rules.StateCancelled:
		return s.Cancelled
	}
	return string(state)
}

// StepWords name a step in a table. Empty, as in English, the table shows
// the step's own name (warn-24h, due, repeat-1), the words a seller also
// meets in `plan --json`.
type StepWords struct {
	Due string `words:"optional"`
	// Warn holds the lead time (%s: "24時間").
	Warn string `words:"optional"`
	// Repeat holds the repeat's number (%d).
	Repeat string `words:"optional"`
}

// ReplyWords are the words around a ready-to-send text.
type ReplyWords struct {
	// Label introduces the text in every backend.
	Label string
	// Buyer addresses the buyer by name (%s): "tanaka 様"; NoName when
	// the room has no buyer's name.
	Buyer, NoName string
}

// LinkWords label the actions of signed links (control/links).
type LinkWords struct {
	Sent, Replied, Delivered, Snooze, Ack string
}

// of looks an action's label up; "" for an unknown action.
func (l *LinkWords) of(action string) string {
	switch action {
	case "sent":
		return l.Sent
	case "replied":
		return l.Replied
	case "delivered":
		return l.Delivered
	case "snooze":
		return l.Snooze
	case "ack":
		return l.Ack
	}
	return ""
}

// DigestWords are the words of the daily digest.
type DigestWords struct {
	Title    string // %s: the date
	Upcoming string // heads the next 24 hours' deadlines
	AtRisk   string // heads the rooms at risk
	// Line is one deadline: when, time left, kind, title, room, action.
	Line string
	More string // %d: how many more
}

// CLIWords are the headers and labels of the command line's output.
type CLIWords struct {
	// Table headers of plan and status.
	At, Severity, Room, Title, Alert, Step, Deadline string
	Buyer, State, Left, ToDo                         string
	// Nothing is plan without steps; NoRoom is status without rooms.
	Nothing, NoRoom string
	// Held follows a step held by quiet hours (%s: its own time).
	Held string
	// NextIs is a room's most urgent alert after an event (kind,
	// deadline, time left); NoNext says there is none.
	NextIs, NoNext string
	// History: its two sections, "(none)" and a late alert's mark.
	Events, Alerts, None, Late string
	// Where an event went: to the running daemon (pid, store; the config
	// it runs on when not this one), or straight to the store.
	WhereDaemon, WherePID, WhereConfig, WhereSocket, WhereStore string
	// The buyer command: the rooms, the seller's note, a declined buyer.
	BuyerRooms, BuyerNote, BuyerDecline string
	// Pruned is history's one line for a room whose history was pruned
	// after store.retention (pruned at, opened, state, ended, events,
	// alerts, of them sent).
	Pruned string
}

// SlackWords are the words of Slack's alert buttons and of the reply to a
// press.
type SlackWords struct {
	// The buttons' labels.
	SentButton, DeliveredButton, SnoozeButton string
	Recorded                                  string // who, what, when
	Snoozed                                   string // who, until
	Next                                      string // kind, deadline, time left
	NothingNext                               string
	Failed                                    string // who, button, room, why
	// Internal is why, when the error is roomwatch's rather than the
	// request's.
	Internal string
	// What a press recorded.
	SentEvent, DeliveredEvent string
}

// For returns the words of lang; any language other than Japanese is
// English, as Language maps it.
func For(lang string) *Words {
	if Language(lang) == Japanese {
		return &ja
	}
	return &en
}

package message

import (
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// WebWords are the words of the web app (control/web): its menus, pages,
// buttons and the reasons a form is refused. Fields ending in "f" hold one
// %s (or %d) for fmt.
type WebWords struct {
	Lang string // the page's lang attribute

	// Navigation and frame.
	Rooms, NewRoom, Calendar, SignOut string
	ReadAtf                           string // when the data was read: %s is a time
	NeedsAction, All                  string // the list's filters
	NothingToDo                       string // a room without a live alert
	NoRooms, NoRoomsNeedAction        string
	Back                              string

	// Sign-in.
	SignInTitle, TokenLabel, SignIn, SignInHint string
	BadToken                                    string
	LinkQuestion, LinkRefused                   string
	SignedOut                                   string

	// The room page.
	State, Buyer, Deadline, TimeLeft, Steps string
	Facts, Alerts, History, Events, Sent    string
	NoAlerts, NoHistory                     string
	OpenTalkRoom                            string
	Record, AtLabel, AtHint                 string
	SnoozeFor, Snooze, Ack                  string
	Snoozedf                                string // %s: until when
	Recordedf                               string // %s: what was recorded
	Ackedf                                  string // %d: how many alerts
	Addedf                                  string // %s: the room
	Source                                  string
	Plan                                    string
	NoPlan                                  string

	// The new-order form.
	IDLabel, IDHint, Title, Platform, PlatformDefault   string
	Opened, OpenedHint, Due, DueHint, Via, ViaPurchase  string
	ViaQuote, Extra, ExtraNone, ExtraPending, ExtraPaid string
	URL, Add                                            string
	BadTimef                                            string // %s: the reason
	FutureTime                                          string
	BadChoice                                           string
	NoRoomID                                            string

	// The calendar page.
	CalendarIntro, NoReadToken, CopyHint string

	// Errors.
	Forbidden, NotFound, Failed, TooMany string
}

// Web returns the words of the web app in lang.
func Web(lang string) WebWords {
	return For(lang).Web
}

// WebEventLabel names an event on a button of the web app; an unknown
// event shows as it is.
func WebEventLabel(e rules.EventKind, lang string) string {
	if l, ok := For(lang).Events[e]; ok {
		return l
	}
	return string(e)
}

// Span writes a length of time as the web app shows it: "2h", "1d", "2時間".
func Span(d time.Duration, lang string) string { return span(d, Language(lang)) }

// RoomPageLabel names the link to a room's page in the web app, on its
// line of an alert.
func RoomPageLabel(lang string) string {
	return For(lang).RoomPage
}

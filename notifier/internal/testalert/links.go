package testalert

import "github.com/roomwatch/roomwatch/notifier/message"

// LinkBase is the public address the links of WithLinks live under.
const LinkBase = "https://pi.example.net:8765"

// LinkActions are the actions WithLinks gives, in order.
var LinkActions = []string{"sent", "delivered", "snooze", "ack"}

// WithLinks returns a with one action link per LinkActions, labelled in
// lang, each URL naming its room and action so a test can tell them apart.
func WithLinks(a message.Alert, lang string) message.Alert {
	a.Links = nil
	for _, action := range LinkActions {
		a.Links = append(a.Links, message.ActionLink{
			Action: action,
			Label:  message.LinkLabel(action, lang),
			URL:    LinkURL(a.Step.Room, action),
		})
	}
	return a
}

// LinkURL is the URL WithLinks gives room's action.
func LinkURL(room, action string) string {
	return LinkBase + "/a/signed-" + room + "-" + action
}

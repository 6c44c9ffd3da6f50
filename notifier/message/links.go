package message

// The words of signed action links: the label of each action on a button
// or beside a link, and the confirmation page the link opens. The action
// names are control/links' (ActionLink.Action).

// LinkLabel is the label of an action link in lang; "" for an unknown action.
func LinkLabel(action, lang string) string {
	return For(lang).Links.of(action)
}

// LinkPageWords are the words of the page an action link opens. Question,
// Done and Already hold {action} and {room}.
type LinkPageWords struct {
	Title    string // the page's title
	Question string // what pressing the button will record
	Note     string // why a button and not the link itself
	Done     string // the action was recorded now
	Already  string // the link had been used: nothing changed
	Refused  string // altered, expired or unknown: nothing recorded
	Failed   string // roomwatch could not record it: try again
	OpenRoom string // link to the talk room
}

// LinkPage returns the words of the link page in lang.
func LinkPage(lang string) LinkPageWords {
	return For(lang).LinkPage
}

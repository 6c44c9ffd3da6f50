package message

import "github.com/roomwatch/roomwatch/rules"

// wording is one kind's text in one language. Placeholders in braces are
// filled per alert: {buyer} (with an honorific in Japanese), {buyer_name},
// {room}, {title}, {action}, {deadline}, {related}, {seller_message},
// {buyer_message}, {others}.
//
// Fields tagged optional are empty where the kind has no such case; the
// fallback's Action is the kind's name, set when it is used.
type wording struct {
	Action string `words:"optional"`
	// Preview names what to do, for whom, by when, and the room.
	Preview string
	// Overdue replaces Preview once the deadline has passed (catch-up and
	// repeat steps); empty when the kind has no "too late".
	Overdue string `words:"optional"`
	// NoRelated replaces Preview when the alert carries no related instant.
	NoRelated     string `words:"optional"`
	DeadlineLabel string
	RelatedLabel  string `words:"optional"`
	Why           string
	// Subject is the mail subject: what to do, for whom, by when, and the
	// room's {title}. Its {deadline} and {related} are short stamps without
	// the weekday, and the subject builder shortens {title} to fit.
	Subject string
	// SubjectOverdue and SubjectNoRelated replace Subject as Overdue and
	// NoRelated replace Preview.
	SubjectOverdue   string `words:"optional"`
	SubjectNoRelated string `words:"optional"`
}

func wordingFor(a Alert, lang string) wording {
	kind, ok := For(lang).Kinds[a.Step.Kind]
	if !ok {
		w := For(lang).Fallback
		w.Action = string(a.Step.Kind)
		return withRelated(w, a)
	}
	w := kind.Alert
	switch a.Step.Kind {
	case rules.RateBuyer:
		if !a.Room.BuyerRated.IsZero() {
			w = kind.Variant
		}
	case rules.ExtraPayment:
		if rules.ExtraPaymentBeforeDelivery(a.Step.Alert) {
			w = kind.Variant
		}
	}
	return withRelated(w, a)
}

// withRelated switches w to its NoRelated texts when the alert carries no
// related instant.
func withRelated(w wording, a Alert) wording {
	if w.NoRelated != "" && a.Step.Related.IsZero() {
		w.Preview = w.NoRelated
		w.Subject = w.SubjectNoRelated
	}
	return w
}

// frame holds the words around the per-kind text.
type frame struct {
	title, roomLine, buyerLine, othersLine string
	urlLabel, sep, someBuyer               string
	// honorific follows a buyer's name: empty in English ("tanaka", not
	// "tanaka-san").
	honorific              string `words:"optional"`
	untitled, more         string
	latePrefix, lateNotice string
	testPrefix, testNotice string
	warnNote, repeatNote   string
	// subjectMore counts the other alerts at the end of a mail subject.
	subjectMore string
	// summarySep joins the counts of Summary; noAlerts is its text for none.
	summarySep, noAlerts string
	// partOf numbers the messages a split cut a larger one into, after the
	// whole message's summary: "message 1 of 3".
	partOf string
	// openRoom labels the link to the talk room; mailFooter closes a mail.
	openRoom, mailFooter string
}

// severityWords are a severity's words in one language.
type severityWords struct {
	// label names the severity ("critical", "緊急").
	label string
	// subjectPrefix opens a mail subject: how soon to act.
	subjectPrefix string
	// count is the Summary entry, with %d for the number of alerts.
	count string
}

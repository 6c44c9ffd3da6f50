package message

// Words of the LINE notifier's Flex Messages.

// Headline is the coloured top line of an alert card: how serious, and how
// long is left ("critical · 3h left", "緊急・残り3時間"; "overdue by 2h",
// "2時間超過" once a limit has passed).
func Headline(a Alert, lang string) string {
	lang = Language(lang)
	head := SeverityLabel(a.Step.Severity, lang)
	if a.Now.IsZero() || a.Step.Deadline.IsZero() {
		return head
	}
	return head + For(lang).HeadlineSep + TimeTo(a.Step.Alert, a.Now, lang)
}

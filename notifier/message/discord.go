package message

import "github.com/roomwatch/roomwatch/rules"

// ChatFooter is the small print under an alert in a chat embed (Discord):
// the severity, the kind and which send this is, "緊急 · 初回メッセージ ·
// 3時間前" or "critical · first-message · warn-3h", so the colour bar has
// words beside it.
func ChatFooter(a Alert, lang string) string {
	lang = Language(lang)
	return SeverityLabel(a.Step.Severity, lang) + " · " + KindLabel(a.Step.Kind, lang) + " · " + StepLabel(a.Step.Name, lang)
}

// roomwatchName is what a notice's footer shows; it is a name, the same in
// every language.
const roomwatchName = "roomwatch"

// NoticeFooter is the small print under a notice about roomwatch itself.
func NoticeFooter(sev rules.Severity, lang string) string {
	return SeverityLabel(sev, lang) + " · " + roomwatchName
}

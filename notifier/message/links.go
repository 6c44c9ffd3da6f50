package message

// The words of signed action links: the label of each action on a button
// or beside a link, and the confirmation page the link opens. The action
// names are control/links' (ActionLink.Action).

var linkLabels = map[string]map[string]string{
	English: {
		"sent":      "I wrote",
		"replied":   "Buyer wrote",
		"delivered": "Delivered",
		"snooze":    "Snooze 2h",
		"ack":       "Got it",
	},
	Japanese: {
		"sent":      "メッセージを送った",
		"replied":   "購入者から連絡あり",
		"delivered": "正式な納品をした",
		"snooze":    "2時間スヌーズ",
		"ack":       "確認した",
	},
}

// LinkLabel is the label of an action link in lang; "" for an unknown action.
func LinkLabel(action, lang string) string {
	return linkLabels[Language(lang)][action]
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

var linkPages = map[string]LinkPageWords{
	English: {
		Title:    "roomwatch",
		Question: "Record “{action}” for room {room}?",
		Note:     "Nothing is recorded until you press the button.",
		Done:     "Recorded: “{action}” for room {room}.",
		Already:  "Already recorded: “{action}” for room {room} was recorded with this link before. Nothing changed.",
		Refused:  "This link is not valid: it was changed, has expired or belongs to no room roomwatch knows. Nothing was recorded.",
		Failed:   "roomwatch could not record this. Nothing changed; try again in a moment.",
		OpenRoom: "Open the talk room",
	},
	Japanese: {
		Title:    "roomwatch",
		Question: "ルーム {room} に「{action}」を記録しますか？",
		Note:     "ボタンを押すまで何も記録されません。",
		Done:     "ルーム {room} に「{action}」を記録しました。",
		Already:  "記録済みです。ルーム {room} の「{action}」はこのリンクで記録されています。変更はありません。",
		Refused:  "このリンクは使えません（改変されたか、期限切れか、roomwatch が知らないルームのものです）。何も記録していません。",
		Failed:   "記録できませんでした。変更はありません。少し待ってからもう一度お試しください。",
		OpenRoom: "トークルームを開く",
	},
}

// LinkPage returns the words of the link page in lang.
func LinkPage(lang string) LinkPageWords {
	return linkPages[Language(lang)]
}

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

var webWords = map[string]WebWords{
	English: {
		Lang:  English,
		Rooms: "Rooms", NewRoom: "New order", Calendar: "Calendar", SignOut: "Sign out",
		ReadAtf:     "Read at %s; refreshes every minute",
		NeedsAction: "Needs action", All: "All",
		NothingToDo: "Nothing to do",
		NoRooms:     "No rooms yet. Add your first order.", NoRoomsNeedAction: "No room needs you right now.",
		Back: "All rooms",

		SignInTitle: "Sign in", TokenLabel: "API token (control.token)", SignIn: "Sign in",
		SignInHint:   "Or run roomwatch web-link on the server and open the link it prints (valid 10 minutes).",
		BadToken:     "That token is not right. Nothing was opened.",
		LinkQuestion: "Sign in to roomwatch on this device?",
		LinkRefused:  "This sign-in link is not valid: it was changed, has expired or was already used. Run roomwatch web-link again.",
		SignedOut:    "Signed out.",

		State: "State", Buyer: "Buyer", Deadline: "Deadline", TimeLeft: "Time left", Steps: "Alerts sent at",
		Facts: "Facts", Alerts: "What is coming", History: "History", Events: "Events", Sent: "Alerts sent",
		NoAlerts: "No live alert: nothing to do in this room.", NoHistory: "Nothing yet.",
		OpenTalkRoom: "Open the talk room",
		Record:       "Record what happened",
		AtLabel:      "When (leave empty for now)",
		AtHint:       "A time today such as 09:30, or a date and time.",
		SnoozeFor:    "Hold alerts for", Snooze: "Snooze", Ack: "Got it: stop the repeats",
		Snoozedf:  "Alerts held until %s (deadline breaches still go out).",
		Recordedf: "Recorded: %s.",
		Ackedf:    "Acknowledged %d alert(s): no more warnings or repeats until their next deadline.",
		Addedf:    "Added room %s to the configuration. Here is its plan.",
		Source:    "from",
		Plan:      "Plan",
		NoPlan:    "No alert ahead.",

		IDLabel: "Room ID or talk-room URL", IDHint: "e.g. 4012345 or https://coconala.com/talkrooms/4012345",
		Title: "Title", Platform: "Platform", PlatformDefault: "default (%s)",
		Opened: "Opened", OpenedHint: "Leave empty for now.",
		Due: "Delivery due (納品予定日)", DueHint: "A date (the end of that day) or a date and time.",
		Via: "Order came as", ViaPurchase: "Purchase", ViaQuote: "Quote (見積り)",
		Extra: "Extra payment (おひねり)", ExtraNone: "None", ExtraPending: "Pending", ExtraPaid: "Paid",
		URL: "Talk-room URL", Add: "Add the order",
		BadTimef:   "Not a time: %s",
		FutureTime: "That time is in the future.",
		BadChoice:  "Choose one of the listed values.",
		NoRoomID:   "Give the room's ID or its talk-room URL.",

		CalendarIntro: "Subscribe to this address in your phone's calendar to see every coming deadline beside your appointments.",
		NoReadToken:   "Set control.read_token in the configuration to get a calendar address: it may only read the deadlines, so it is safe to give to a calendar app.",
		CopyHint:      "Scan the code with your phone's camera, or copy the address.",

		Forbidden: "Sign in first, or the form was too old: reload the page and try again. Nothing was recorded.",
		NotFound:  "There is no such room.",
		Failed:    "roomwatch could not do this. Nothing changed; try again in a moment.",
		TooMany:   "Too many wrong tries: wait a minute.",
	},
	Japanese: {
		Lang:  Japanese,
		Rooms: "ルーム一覧", NewRoom: "新しい注文", Calendar: "カレンダー", SignOut: "ログアウト",
		ReadAtf:     "%s 時点（1分ごとに更新）",
		NeedsAction: "対応が必要", All: "すべて",
		NothingToDo: "対応不要",
		NoRooms:     "まだルームがありません。最初の注文を追加してください。", NoRoomsNeedAction: "いま対応が必要なルームはありません。",
		Back: "ルーム一覧へ",

		SignInTitle: "ログイン", TokenLabel: "API トークン（control.token）", SignIn: "ログイン",
		SignInHint:   "またはサーバーで roomwatch web-link を実行し、表示されたリンク（10分間有効）を開いてください。",
		BadToken:     "トークンが違います。ログインしていません。",
		LinkQuestion: "この端末で roomwatch にログインしますか？",
		LinkRefused:  "このログインリンクは使えません（改変されたか、期限切れか、使用済みです）。roomwatch web-link をもう一度実行してください。",
		SignedOut:    "ログアウトしました。",

		State: "状態", Buyer: "購入者", Deadline: "期限", TimeLeft: "残り", Steps: "通知のタイミング",
		Facts: "記録", Alerts: "これからの期限", History: "履歴", Events: "出来事", Sent: "送った通知",
		NoAlerts: "期限はありません。このルームで必要な対応はありません。", NoHistory: "まだありません。",
		OpenTalkRoom: "トークルームを開く",
		Record:       "出来事を記録",
		AtLabel:      "日時（空欄なら今）",
		AtHint:       "今日の時刻（例 09:30）、または日付と時刻。",
		SnoozeFor:    "通知を止める時間", Snooze: "スヌーズ", Ack: "確認した（再通知を止める）",
		Snoozedf:  "%s まで通知を止めます（期限切れの通知は届きます）。",
		Recordedf: "記録しました：%s",
		Ackedf:    "%d 件の通知を確認済みにしました。次の期限まで事前通知と再通知は止まります。",
		Addedf:    "ルーム %s を設定ファイルに追加しました。通知の予定は次のとおりです。",
		Source:    "記録元",
		Plan:      "通知の予定",
		NoPlan:    "予定された通知はありません。",

		IDLabel: "ルーム ID またはトークルームの URL", IDHint: "例：4012345 または https://coconala.com/talkrooms/4012345",
		Title: "タイトル", Platform: "サービス", PlatformDefault: "既定（%s）",
		Opened: "開始日時", OpenedHint: "空欄なら今。",
		Due: "お届け予定日（納品予定日）", DueHint: "日付（その日の終わり）、または日付と時刻。",
		Via: "購入の経路", ViaPurchase: "通常購入", ViaQuote: "見積り",
		Extra: "おひねり", ExtraNone: "なし", ExtraPending: "未払い", ExtraPaid: "支払い済み",
		URL: "トークルームの URL", Add: "注文を追加",
		BadTimef:   "日時として読めません：%s",
		FutureTime: "未来の日時は指定できません。",
		BadChoice:  "一覧の中から選んでください。",
		NoRoomID:   "ルーム ID またはトークルームの URL を入力してください。",

		CalendarIntro: "このアドレスをスマートフォンのカレンダーに登録すると、すべての期限が予定と並んで表示されます。",
		NoReadToken:   "カレンダー用のアドレスを作るには、設定に control.read_token を追加してください。期限を読むことしかできないので、カレンダーアプリに渡しても安全です。",
		CopyHint:      "スマートフォンのカメラで読み取るか、アドレスをコピーしてください。",

		Forbidden: "ログインしていないか、フォームが古くなっています。ページを読み込み直してからもう一度お試しください。何も記録していません。",
		NotFound:  "そのルームはありません。",
		Failed:    "処理できませんでした。変更はありません。少し待ってからもう一度お試しください。",
		TooMany:   "間違いが続いたため、1分ほど待ってください。",
	},
}

// Web returns the words of the web app in lang.
func Web(lang string) WebWords {
	return webWords[Language(lang)]
}

// webEventLabels name the events a room page records, as its buttons say.
var webEventLabels = map[string]map[rules.EventKind]string{
	English: {
		rules.EventSellerMessage: "I wrote",
		rules.EventBuyerMessage:  "The buyer wrote",
		rules.EventDelivered:     "Delivered",
		rules.EventPushedBack:    "Pushed back",
		rules.EventClosed:        "Closed",
		rules.EventCancelled:     "Cancelled",
		rules.EventCancelRequest: "Cancel requested",
		rules.EventBuyerRated:    "The buyer rated me",
		rules.EventSellerRated:   "I rated the buyer",
		rules.EventOpened:        "Opened",
	},
	Japanese: {
		rules.EventSellerMessage: "メッセージを送った",
		rules.EventBuyerMessage:  "購入者から連絡あり",
		rules.EventDelivered:     "正式な納品をした",
		rules.EventPushedBack:    "差し戻された",
		rules.EventClosed:        "クローズした",
		rules.EventCancelled:     "キャンセルになった",
		rules.EventCancelRequest: "キャンセル申請あり",
		rules.EventBuyerRated:    "購入者に評価された",
		rules.EventSellerRated:   "購入者を評価した",
		rules.EventOpened:        "開始",
	},
}

// WebEventLabel names an event on a button of the web app; an unknown
// event shows as it is.
func WebEventLabel(e rules.EventKind, lang string) string {
	if l, ok := webEventLabels[Language(lang)][e]; ok {
		return l
	}
	return string(e)
}

// Span writes a length of time as the web app shows it: "2h", "1d", "2時間".
func Span(d time.Duration, lang string) string { return span(d, Language(lang)) }

// RoomPageLabel names the link to a room's page in the web app, on its
// line of an alert.
func RoomPageLabel(lang string) string {
	if Language(lang) == Japanese {
		return "roomwatch で開く"
	}
	return "Open in roomwatch"
}

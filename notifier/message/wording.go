package message

import "github.com/roomwatch/roomwatch/rules"

// wording is one kind's text in one language. Placeholders in braces are
// filled per alert: {buyer} (with an honorific in Japanese), {buyer_name},
// {room}, {title}, {action}, {deadline}, {related}, {seller_message},
// {buyer_message}, {others}.
type wording struct {
	Action string
	// Preview names what to do, for whom, by when, and the room.
	Preview string
	// Overdue replaces Preview once the deadline has passed (catch-up and
	// repeat steps); empty when the kind has no "too late".
	Overdue string
	// NoRelated replaces Preview when the alert carries no related instant.
	NoRelated     string
	DeadlineLabel string
	RelatedLabel  string
	Why           string
	// Subject is the mail subject: what to do, for whom, by when, and the
	// room's {title}. Its {deadline} and {related} are short stamps without
	// the weekday, and the subject builder shortens {title} to fit.
	Subject string
	// SubjectOverdue and SubjectNoRelated replace Subject as Overdue and
	// NoRelated replace Preview.
	SubjectOverdue   string
	SubjectNoRelated string
}

// rateBuyerTheirTurn is the rate-buyer wording once the buyer has rated: the
// article's advice is to wait for that, so the message changes its tone.
const rateBuyerTheirTurn rules.Kind = "rate-buyer/their-turn"

// extraPaymentBeforeDelivery is the extra-payment wording while the work is
// not yet delivered: collect the おひねり first (rules.ExtraPaymentBeforeDelivery).
// Its action is the same as after delivery, so status reads alike.
const extraPaymentBeforeDelivery rules.Kind = "extra-payment/before-delivery"

var catalog = map[string]map[rules.Kind]wording{
	English: {
		rules.FirstMessage: {
			Action:         "Send your first message",
			Preview:        "Send your first message to {buyer} by {deadline} — room {room}",
			Overdue:        "No first message to {buyer} by {deadline} — check room {room}",
			DeadlineLabel:  "First message due",
			Why:            "You have not written in this room yet. At the deadline the platform cancels the order itself, rates you ★1 and pauses your services.",
			Subject:        "Send your first message to {buyer} — {title} (by {deadline})",
			SubjectOverdue: "First message to {buyer} missed — {title} (due {deadline})",
		},
		rules.CheckIn: {
			Action:         "Send a check-in",
			Preview:        "Send a check-in to {buyer} by {deadline} — room {room}",
			Overdue:        "Check-in to {buyer} overdue since {deadline} — room {room}",
			DeadlineLabel:  "Check in by",
			Why:            "Your last message was {seller_message}. Keep writing at your regular interval, even while the buyer is silent.",
			Subject:        "Check in with {buyer} — {title} (by {deadline})",
			SubjectOverdue: "Check in with {buyer} now — {title} (due {deadline})",
		},
		rules.CancelRisk: {
			Action:         "Reply to the buyer",
			Preview:        "Reply to {buyer} by {deadline} or they may cancel — room {room}",
			Overdue:        "Reply to {buyer} now: they may cancel since {deadline} — room {room}",
			DeadlineLabel:  "Reply by",
			Why:            "The buyer wrote last ({buyer_message}); your last message was {seller_message}. After the deadline the buyer may request cancellation, and you then have 24h to answer.",
			Subject:        "Reply to {buyer} — {title} (by {deadline})",
			SubjectOverdue: "Reply to {buyer} now — {title} (may cancel since {deadline})",
		},
		rules.CancelRequest: {
			Action:         "Answer the cancellation request",
			Preview:        "Answer {buyer}'s cancellation request by {deadline} or the order is cancelled — room {room}",
			Overdue:        "{buyer}'s cancellation request went unanswered past {deadline} — check room {room}",
			DeadlineLabel:  "Answer by",
			Why:            "The buyer asked to cancel. Agree, or send the request back with a message in the room, before the deadline; otherwise the order is cancelled, and after a delivery the work stays with the buyer unpaid.",
			Subject:        "Answer {buyer}'s cancellation request — {title} (by {deadline})",
			SubjectOverdue: "{buyer}'s cancellation request unanswered — {title} (due {deadline})",
		},
		rules.DeliveryDue: {
			Action:         "Deliver the work",
			Preview:        "Deliver to {buyer} by {deadline} — room {room}",
			Overdue:        "Delivery to {buyer} overdue since {deadline} — room {room}",
			DeadlineLabel:  "Delivery due",
			Why:            "This is the delivery date you agreed on. Make the formal delivery in the talk room, or tell the buyer when it will arrive.",
			Subject:        "Deliver to {buyer} — {title} (by {deadline})",
			SubjectOverdue: "Delivery to {buyer} overdue — {title} (due {deadline})",
		},
		rules.MayCancel: {
			Action:        "Consider cancelling",
			Preview:       "From {deadline} you may cancel {buyer}'s order as unreachable — room {room}",
			DeadlineLabel: "Cancel possible from",
			Why:           "You wrote last and the buyer has gone silent. Before delivery, an unreachable buyer is a valid reason to cancel.",
			Subject:       "You may cancel {buyer}'s order — {title} (from {deadline})",
		},
		rules.EligibleToClose: {
			Action:        "Close the deal",
			Preview:       "You may close {buyer}'s order from {deadline} as your terms state — room {room}",
			DeadlineLabel: "Close possible from",
			RelatedLabel:  "Automatic approval",
			Why:           "You delivered and the waiting period in your terms is over. Ask the buyer to approve, or close as your terms state.",
			Subject:       "You may close {buyer}'s order — {title} (from {deadline})",
		},
		rules.ExtraPayment: {
			Action:        "Collect the extra payment",
			Preview:       "Collect the extra payment (おひねり) from {buyer}: delivered {deadline} while unpaid — room {room}",
			DeadlineLabel: "Delivered",
			Why:           "You made the delivery while the extra payment is still pending. An extra payment left unpaid after delivery is hard to recover; ask for it now.",
			Subject:       "Collect {buyer}'s extra payment — {title} (delivered {deadline})",
		},
		extraPaymentBeforeDelivery: {
			Action:        "Collect the extra payment",
			Preview:       "Ask {buyer} for the agreed extra payment (おひねり) before you deliver — room {room}",
			DeadlineLabel: "Reminder",
			RelatedLabel:  "Collect by",
			Why:           "An extra payment was agreed in this room and is still unpaid. Ask for it before the formal delivery: once the work is delivered, an unpaid extra is hard to recover.",
			Subject:       "Get {buyer}'s extra payment first — {title} (by {related})",
		},
		rules.SendTerms: {
			Action:        "Send your terms",
			Preview:       "Send your terms to {buyer}: quote order opened {deadline} — room {room}",
			DeadlineLabel: "Opened",
			Why:           "Orders placed from a quote do not carry your listing's notes to buyers (購入にあたってのお願い). Post your terms in the talk room yourself.",
			Subject:       "Send your terms to {buyer} — {title} (opened {deadline})",
		},
		rules.BuyerOpenRooms: {
			Action:        "Settle the earlier room first",
			Preview:       "{buyer} has other open rooms ({others}): settle those first — room {room}",
			DeadlineLabel: "Opened",
			Why:           "Several open rooms with one buyer pile up work you cannot close. Ask them to approve the earlier room before you start on this one.",
			Subject:       "Settle {buyer}'s earlier rooms first — {title}",
		},
		rules.DeclinedBuyer: {
			Action:        "Decline the order",
			Preview:       "{buyer} opened a new room, and you decided not to take their orders — room {room}",
			DeadlineLabel: "Opened",
			Why:           "You marked this buyer decline: true in your configuration. Decline or cancel now, before any work and while it costs nothing.",
			Subject:       "New order from {buyer}, whom you decline — {title}",
		},
		rules.RateBuyer: {
			Action:        "Rate the buyer",
			Preview:       "Rate {buyer} before {related} — room {room}",
			DeadlineLabel: "Reminder",
			RelatedLabel:  "Rating window ends",
			Why:           "The buyer has not rated you yet. Rating first invites a retaliatory review; if you wait for theirs, still rate before the window ends.",
			Subject:       "Rate {buyer} — {title} (by {related})",
		},
		rateBuyerTheirTurn: {
			Action:        "Rate the buyer",
			Preview:       "{buyer} rated you: your turn to rate them — room {room}",
			DeadlineLabel: "Buyer rated you",
			RelatedLabel:  "Rating window ends",
			Why:           "The buyer has rated you, so rating them now carries no risk of a retaliatory review.",
			Subject:       "{buyer} rated you: rate them — {title} (by {related})",
		},
		rules.RoomExpiry: {
			Action:           "Wrap up before the room closes",
			Preview:          "Room {room} with {buyer} closes {related}: wrap it up before then",
			NoRelated:        "Room {room} with {buyer} closes soon: wrap it up before then",
			DeadlineLabel:    "Reminder",
			RelatedLabel:     "Room closes",
			Why:              "The platform closes talk rooms after a fixed period. Finish delivery and approval, and save what you need, before then.",
			Subject:          "Wrap up with {buyer} — {title} (room closes {related})",
			SubjectNoRelated: "Wrap up with {buyer} — {title} (room closes soon)",
		},
		rules.ExportFiles: {
			Action:           "Save the room's files",
			Preview:          "Save your files from {buyer}'s cancelled room before {related} — room {room}",
			NoRelated:        "Save your files from {buyer}'s cancelled room — room {room}",
			DeadlineLabel:    "Cancelled",
			RelatedLabel:     "Content hidden",
			Why:              "The order was cancelled. Download the files and messages you need before the room's content is hidden.",
			Subject:          "Save the files of {buyer}'s cancelled room — {title} (by {related})",
			SubjectNoRelated: "Save the files of {buyer}'s cancelled room — {title}",
		},
	},
	Japanese: {
		rules.FirstMessage: {
			Action:         "最初のメッセージを送る",
			Preview:        "{buyer}に最初のメッセージを送ってください（{deadline}まで）— トークルーム {room}",
			Overdue:        "{buyer}への最初のメッセージが{deadline}までに送られていません — トークルーム {room} を確認",
			DeadlineLabel:  "初回メッセージ期限",
			Why:            "このトークルームではまだメッセージを送っていません。期限を過ぎると取引は自動でキャンセルされ、★1の評価がつき、出品中のサービスが停止されます。",
			Subject:        "{buyer}に最初のメッセージ — {title}（期限 {deadline}）",
			SubjectOverdue: "{buyer}への最初のメッセージ未送信 — {title}（期限 {deadline} 超過）",
		},
		rules.CheckIn: {
			Action:         "定期連絡を送る",
			Preview:        "{buyer}に定期連絡を送ってください（{deadline}まで）— トークルーム {room}",
			Overdue:        "{buyer}への定期連絡が{deadline}から途切れています — トークルーム {room}",
			DeadlineLabel:  "連絡期限",
			Why:            "前回のメッセージは{seller_message}です。購入者から返信がなくても、決まった間隔で連絡を入れておきましょう。",
			Subject:        "{buyer}に定期連絡 — {title}（期限 {deadline}）",
			SubjectOverdue: "{buyer}への定期連絡が遅れています — {title}（期限 {deadline} 超過）",
		},
		rules.CancelRisk: {
			Action:         "購入者に返信する",
			Preview:        "{buyer}に返信してください（{deadline}まで）。過ぎるとキャンセル申請が可能になります — トークルーム {room}",
			Overdue:        "{buyer}にすぐ返信を。{deadline}からキャンセル申請が可能になっています — トークルーム {room}",
			DeadlineLabel:  "返信期限",
			Why:            "最後のメッセージは購入者から（{buyer_message}）で、あなたの最後のメッセージは{seller_message}です。期限を過ぎると購入者がキャンセルを申請でき、その後24時間以内の対応が必要になります。",
			Subject:        "{buyer}に返信 — {title}（期限 {deadline}）",
			SubjectOverdue: "{buyer}に至急返信 — {title}（{deadline}からキャンセル申請可能）",
		},
		rules.CancelRequest: {
			Action:         "キャンセルリクエストに対応する",
			Preview:        "{buyer}からのキャンセルリクエストに{deadline}までに対応してください。過ぎると取引はキャンセルされます — トークルーム {room}",
			Overdue:        "{buyer}からのキャンセルリクエストが{deadline}の期限を過ぎました — トークルーム {room} を確認してください",
			DeadlineLabel:  "対応期限",
			Why:            "購入者がキャンセルを申し出ました。期限までに同意するか、トークルームで理由を伝えて差し戻してください。対応しないと取引はキャンセルされ、納品後であれば成果物は代金なしで購入者の手元に残ります。",
			Subject:        "{buyer}のキャンセルリクエストに対応 — {title}（期限 {deadline}）",
			SubjectOverdue: "{buyer}のキャンセルリクエストが未対応 — {title}（期限 {deadline} 超過）",
		},
		rules.DeliveryDue: {
			Action:         "納品する",
			Preview:        "{buyer}への納品期限は{deadline}です — トークルーム {room}",
			Overdue:        "{buyer}への納品が{deadline}の期限を過ぎています — トークルーム {room}",
			DeadlineLabel:  "納品予定日",
			Why:            "約束した納品予定日です。トークルームから正式な納品を行うか、遅れる場合は購入者に見通しを伝えてください。",
			Subject:        "{buyer}に納品 — {title}（期限 {deadline}）",
			SubjectOverdue: "{buyer}への納品が遅れています — {title}（期限 {deadline} 超過）",
		},
		rules.MayCancel: {
			Action:        "キャンセルを検討する",
			Preview:       "{buyer}と連絡が取れない場合、{deadline}からキャンセルできます — トークルーム {room}",
			DeadlineLabel: "キャンセル可能になる日時",
			Why:           "最後に連絡したのはあなたで、購入者からの返信が途絶えています。納品前であれば「購入者と連絡が取れない」ことを理由にキャンセルできます。",
			Subject:       "{buyer}の取引をキャンセル可能 — {title}（{deadline}から）",
		},
		rules.EligibleToClose: {
			Action:        "クローズを進める",
			Preview:       "{buyer}との取引は{deadline}から重要事項どおりクローズできます — トークルーム {room}",
			DeadlineLabel: "クローズ可能になる日時",
			RelatedLabel:  "自動承認",
			Why:           "納品後、重要事項に書いた待機期間が過ぎました。購入者に承認をお願いするか、記載どおりクローズを進めてください。",
			Subject:       "{buyer}との取引をクローズ可能 — {title}（{deadline}から）",
		},
		rules.ExtraPayment: {
			Action:        "おひねりの支払いを確認する",
			Preview:       "{buyer}のおひねりが未払いのまま納品しています（{deadline}）— トークルーム {room}",
			DeadlineLabel: "納品日時",
			Why:           "おひねりが支払われないまま正式な納品をしています。納品後の追加料金は回収が難しいので、早めに支払いをお願いしましょう。",
			Subject:       "{buyer}のおひねりが未払い — {title}（{deadline}納品）",
		},
		extraPaymentBeforeDelivery: {
			Action:        "おひねりの支払いを確認する",
			Preview:       "{buyer}に、納品の前に追加料金（おひねり）のお支払いをお願いしましょう — トークルーム {room}",
			DeadlineLabel: "通知日時",
			RelatedLabel:  "受け取りの目安",
			Why:           "このトークルームで追加料金（おひねり）の話がまとまっていますが、まだ支払われていません。正式な納品の後では回収が難しくなるので、納品の前にお願いしておきましょう。",
			Subject:       "納品前に{buyer}のおひねりを確認 — {title}（{related}まで）",
		},
		rules.SendTerms: {
			Action:        "重要事項を送る",
			Preview:       "{buyer}に重要事項を送ってください（見積もりからの購入、{deadline}開始）— トークルーム {room}",
			DeadlineLabel: "取引開始",
			Why:           "見積もり・カスタマイズ相談からの購入には「購入にあたってのお願い」が自動で送られません。取引条件はトークルームで自分から伝えてください。",
			Subject:       "{buyer}に重要事項を送る — {title}（{deadline}開始）",
		},
		rules.BuyerOpenRooms: {
			Action:        "先のトークルームを片付ける",
			Preview:       "{buyer}には進行中のトークルームが他にもあります（{others}）。先にクローズを — トークルーム {room}",
			DeadlineLabel: "取引開始",
			Why:           "同じ購入者とのトークルームが重なると、クローズできない取引が増えていきます。新しい作業の前に、先のトークルームの承認をお願いしましょう。",
			Subject:       "{buyer}の先のトークルームを片付ける — {title}",
		},
		rules.DeclinedBuyer: {
			Action:        "注文をお断りする",
			Preview:       "お取引しないと決めた{buyer}から新しい注文が入りました — トークルーム {room}",
			DeadlineLabel: "取引開始",
			Why:           "設定でこの購入者を decline: true にしています。作業を始める前の今なら、お断りしても損はありません。",
			Subject:       "お取引しないと決めた{buyer}からの注文 — {title}",
		},
		rules.RateBuyer: {
			Action:        "購入者を評価する",
			Preview:       "{buyer}の評価は{related}までに — トークルーム {room}",
			DeadlineLabel: "リマインド",
			RelatedLabel:  "評価期限",
			Why:           "購入者からの評価はまだです。先に評価すると報復の評価を招くことがあります。相手を待つ場合も、期限内には評価しましょう。",
			Subject:       "{buyer}を評価 — {title}（期限 {related}）",
		},
		rateBuyerTheirTurn: {
			Action:        "購入者を評価する",
			Preview:       "{buyer}から評価が届きました。今度はあなたが評価する番です — トークルーム {room}",
			DeadlineLabel: "購入者からの評価",
			RelatedLabel:  "評価期限",
			Why:           "購入者の評価が済んでいるので、今なら報復の評価を心配せずに評価できます。",
			Subject:       "{buyer}から評価が届きました、評価を — {title}（期限 {related}）",
		},
		rules.RoomExpiry: {
			Action:           "トークルーム終了前に取引を終える",
			Preview:          "トークルーム {room}（{buyer}）は{related}に終了します。それまでに取引を終えてください",
			NoRelated:        "トークルーム {room}（{buyer}）はまもなく終了します。それまでに取引を終えてください",
			DeadlineLabel:    "通知日時",
			RelatedLabel:     "トークルーム終了",
			Why:              "トークルームは一定期間が過ぎると自動で終了します。納品・承認・必要なファイルの保存を済ませておきましょう。",
			Subject:          "{buyer}との取引を終える — {title}（{related}にトークルーム終了）",
			SubjectNoRelated: "{buyer}との取引を終える — {title}（まもなくトークルーム終了）",
		},
		rules.ExportFiles: {
			Action:           "ファイルを保存する",
			Preview:          "キャンセルされた{buyer}のトークルームのファイルを{related}までに保存してください — トークルーム {room}",
			NoRelated:        "キャンセルされた{buyer}のトークルームのファイルを保存してください — トークルーム {room}",
			DeadlineLabel:    "キャンセル日時",
			RelatedLabel:     "内容が非表示になる日時",
			Why:              "取引はキャンセルされました。トークルームの内容が非表示になる前に、必要なファイルとやり取りを保存してください。",
			Subject:          "{buyer}のキャンセル済みトークルームのファイルを保存 — {title}（{related}まで）",
			SubjectNoRelated: "{buyer}のキャンセル済みトークルームのファイルを保存 — {title}",
		},
	},
}

// fallback words a kind the catalog does not know (a newer rules package), so
// an alert is never dropped for lack of a template.
var fallback = map[string]wording{
	English: {
		Preview:       "{action} for {buyer} by {deadline} — room {room}",
		DeadlineLabel: "Deadline",
		Why:           "Check the talk room.",
		Subject:       "{action} for {buyer} — {title} (by {deadline})",
	},
	Japanese: {
		Preview:       "{buyer}：{action}（{deadline}）— トークルーム {room}",
		DeadlineLabel: "期限",
		Why:           "トークルームを確認してください。",
		Subject:       "{buyer}：{action} — {title}（期限 {deadline}）",
	},
}

func wordingFor(a Alert, lang string) wording {
	kind := a.Step.Kind
	if kind == rules.RateBuyer && !a.Room.BuyerRated.IsZero() {
		kind = rateBuyerTheirTurn
	}
	if kind == rules.ExtraPayment && rules.ExtraPaymentBeforeDelivery(a.Step.Alert) {
		kind = extraPaymentBeforeDelivery
	}
	w, ok := catalog[lang][kind]
	if !ok {
		w = fallback[lang]
		w.Action = string(a.Step.Kind)
	}
	if w.NoRelated != "" && a.Step.Related.IsZero() {
		w.Preview = w.NoRelated
		w.Subject = w.SubjectNoRelated
	}
	return w
}

// frame holds the words around the per-kind text.
type frame struct {
	title, roomLine, buyerLine, othersLine string
	urlLabel, sep, someBuyer, honorific    string
	untitled, more                         string
	latePrefix, lateNotice                 string
	testPrefix, testNotice                 string
	warnNote, repeatNote                   string
	// subjectMore counts the other alerts at the end of a mail subject.
	subjectMore string
	// summarySep joins the counts of Summary; noAlerts is its text for none.
	summarySep, noAlerts string
	// partOf numbers the messages a split cut a larger one into, after the
	// whole message's summary: "message 1 of 3".
	partOf string
	// openRoom labels the link to the talk room; mailFooter closes a mail.
	openRoom, mailFooter string
	severity             map[rules.Severity]severityWords
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

var labels = map[string]frame{
	English: {
		title:       "{action} — {title}",
		roomLine:    "Room: {title} ({room})",
		buyerLine:   "Buyer: {buyer_name}",
		othersLine:  "Other open rooms of {buyer}: {others}",
		urlLabel:    "Talk room",
		sep:         ": ",
		someBuyer:   "the buyer",
		untitled:    "room {room}",
		more:        " (+%d more)",
		latePrefix:  "[late] ",
		lateNotice:  "Sent late: this came due while roomwatch was not running.",
		testPrefix:  "[TEST] ",
		testNotice:  "This is a test message from roomwatch; nothing to do.",
		warnNote:    "Early warning: %s before the deadline.",
		repeatNote:  "Reminder %d: still not resolved.",
		subjectMore: " and %d more",
		summarySep:  ", ",
		noAlerts:    "no alerts",
		partOf:      " — message %d of %d",
		openRoom:    "Open the talk room",
		mailFooter:  "Sent by roomwatch. Times are in %s.",
		severity: map[rules.Severity]severityWords{
			rules.Critical: {label: "critical", subjectPrefix: "[Urgent] ", count: "%d critical"},
			rules.Warning:  {label: "warning", subjectPrefix: "[Action needed] ", count: "%d warning"},
			rules.Info:     {label: "info", subjectPrefix: "[Info] ", count: "%d info"},
		},
	},
	Japanese: {
		title:       "{action}：{title}",
		roomLine:    "トークルーム：{title}（{room}）",
		buyerLine:   "購入者：{buyer_name}",
		othersLine:  "{buyer}の進行中の他のトークルーム：{others}",
		urlLabel:    "URL",
		sep:         "：",
		someBuyer:   "購入者",
		honorific:   "さん",
		untitled:    "トークルーム {room}",
		more:        "（他%d件）",
		latePrefix:  "【遅延】",
		lateNotice:  "roomwatch の停止中に期限を迎えたため、遅れて送信しています。",
		testPrefix:  "【テスト】",
		testNotice:  "roomwatch からのテスト送信です。対応は不要です。",
		warnNote:    "事前通知：期限の%s前です。",
		repeatNote:  "再通知（%d回目）：まだ対応が記録されていません。",
		subjectMore: " ほか%d件",
		summarySep:  "、",
		noAlerts:    "通知はありません",
		partOf:      "（%d/%d通目）",
		openRoom:    "トークルームを開く",
		mailFooter:  "roomwatch からの自動送信です。時刻は %s で表示しています。",
		severity: map[rules.Severity]severityWords{
			rules.Critical: {label: "緊急", subjectPrefix: "【至急】", count: "緊急%d件"},
			rules.Warning:  {label: "注意", subjectPrefix: "【要対応】", count: "注意%d件"},
			rules.Info:     {label: "お知らせ", subjectPrefix: "【お知らせ】", count: "お知らせ%d件"},
		},
	},
}

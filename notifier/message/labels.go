package message

import (
	"strconv"
	"strings"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// The short labels of the terminal tables (`status`, `plan`). In English a
// table shows the contract strings themselves (check-in, delivered, warn-24h),
// the words a seller also meets in `plan --json` and the config; in Japanese
// it shows these words. JSON output always keeps the contract strings.

var kindLabelsJa = map[rules.Kind]string{
	rules.FirstMessage:    "初回メッセージ",
	rules.CheckIn:         "定期連絡",
	rules.CancelRisk:      "キャンセルの危険",
	rules.CancelRequest:   "キャンセル申請",
	rules.DeliveryDue:     "納品予定日",
	rules.MayCancel:       "キャンセル可能",
	rules.EligibleToClose: "クローズ可能",
	rules.ExtraPayment:    "おひねり未払い",
	rules.SendTerms:       "重要事項の送付",
	rules.BuyerOpenRooms:  "同じ購入者",
	rules.DeclinedBuyer:   "お断りする購入者",
	rules.RateBuyer:       "購入者の評価",
	rules.RoomExpiry:      "ルーム期限",
	rules.ExportFiles:     "ファイル保存",
}

var stateLabelsJa = map[rules.State]string{
	rules.StateOpen:      "進行中",
	rules.StateDelivered: "納品済み",
	rules.StateClosed:    "完了",
	rules.StateCancelled: "キャンセル済み",
}

// KindLabel names an alert kind in a table: the kind itself in English, a
// short noun in Japanese. An unknown kind shows as it is.
func KindLabel(kind rules.Kind, lang string) string {
	if Language(lang) == Japanese {
		if l, ok := kindLabelsJa[kind]; ok {
			return l
		}
	}
	return string(kind)
}

// StateLabel names a room's state in a table, like KindLabel.
func StateLabel(state rules.State, lang string) string {
	if Language(lang) == Japanese {
		if l, ok := stateLabelsJa[state]; ok {
			return l
		}
	}
	return string(state)
}

// ClosedAutomaticallyLabel names a room the platform closed by itself
// (automatic approval of a delivery), for the state column.
func ClosedAutomaticallyLabel(lang string) string {
	if Language(lang) == Japanese {
		return "完了（自動承認）"
	}
	return "closed (auto-approved)"
}

// StepLabel names a step in a table: "warn-24h", "due", "repeat-1" in
// English; "24時間前", "期限", "再通知1" in Japanese. A name it cannot read
// shows as it is.
func StepLabel(name, lang string) string {
	if Language(lang) != Japanese {
		return name
	}
	if name == rules.StepDue {
		return "期限"
	}
	if rest, ok := strings.CutPrefix(name, "warn-"); ok {
		if d, err := time.ParseDuration(rest); err == nil && d > 0 {
			return offset(d, Japanese) + "前"
		}
	}
	if rest, ok := strings.CutPrefix(name, "repeat-"); ok {
		if n, err := strconv.Atoi(rest); err == nil && n > 0 {
			return "再通知" + strconv.Itoa(n)
		}
	}
	return name
}

// TimeTo says how far the alert's deadline lies from now, in lang: "2d 3h
// left"; once passed, "overdue by 6d" when the deadline is a limit
// (rules.Kind.IsLimit) and "3d ago" when it was the moment something became
// due, which is not late.
func TimeTo(a rules.Alert, now time.Time, lang string) string {
	lang = Language(lang)
	d := a.Deadline.Sub(now)
	if d > -time.Minute || a.Kind.IsLimit() {
		return relative(d, lang)
	}
	if lang == Japanese {
		return span(-d, lang) + "前"
	}
	return span(-d, lang) + " ago"
}

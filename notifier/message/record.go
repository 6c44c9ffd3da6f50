package message

import (
	"fmt"
	"strings"

	"github.com/roomwatch/roomwatch/rules"
)

// recordWords are the words of the buyer's record.
var recordWords = map[string]struct {
	label, rooms, cancelled, approval, worst, silence, pushBacks, none, note, sep string
}{
	English: {
		label: "Buyer's record with you", rooms: "%d rooms so far", cancelled: "%d cancelled",
		approval: "delivery to approval: median %s", worst: "worst %s",
		silence: "longest silence after a delivery %s", pushBacks: "%d pushed back",
		none: "no approval yet", note: "Your note", sep: ", ",
	},
	Japanese: {
		label: "この購入者とのこれまで", rooms: "これまでのトークルーム%d件", cancelled: "キャンセル%d件",
		approval: "納品から承認まで 中央値%s", worst: "最長%s",
		silence: "納品後の最長の無言%s", pushBacks: "差し戻し%d件",
		none: "承認はまだありません", note: "あなたのメモ", sep: "、",
	},
}

// RecordLine is the buyer's record in one line: rooms so far, cancelled,
// time from delivery to approval (median and worst), the longest silence
// after a delivery and the push-backs.
func RecordLine(rec rules.BuyerRecord, lang string) string {
	lang = Language(lang)
	w := recordWords[lang]
	parts := []string{fmt.Sprintf(w.rooms, len(rec.Rooms)), fmt.Sprintf(w.cancelled, rec.Cancelled)}
	if rec.Approved > 0 {
		parts = append(parts, fmt.Sprintf(w.approval, span(rec.ApprovalMedian, lang))+
			map[string]string{English: " (", Japanese: "（"}[lang]+fmt.Sprintf(w.worst, span(rec.ApprovalWorst, lang))+
			map[string]string{English: ")", Japanese: "）"}[lang])
	} else {
		parts = append(parts, w.none)
	}
	if rec.LongestSilence > 0 {
		parts = append(parts, fmt.Sprintf(w.silence, span(rec.LongestSilence, lang)))
	}
	parts = append(parts, fmt.Sprintf(w.pushBacks, rec.PushBacks))
	return w.label + labels[lang].sep + strings.Join(parts, w.sep)
}

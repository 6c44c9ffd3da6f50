package message

import (
	"fmt"
	"strings"

	"github.com/roomwatch/roomwatch/rules"
)

// recordWords are the words of the buyer's record (Words.Record).
type recordWords struct {
	label, rooms, cancelled, approval, worst, silence, pushBacks, none, note, sep string
}

// RecordLine is the buyer's record in one line: rooms so far, cancelled,
// time from delivery to approval (median and worst), the longest silence
// after a delivery and the push-backs.
func RecordLine(rec rules.BuyerRecord, lang string) string {
	lang = Language(lang)
	w := For(lang).Record
	parts := []string{fmt.Sprintf(w.rooms, len(rec.Rooms)), fmt.Sprintf(w.cancelled, rec.Cancelled)}
	if rec.Approved > 0 {
		parts = append(parts, fmt.Sprintf(w.approval, span(rec.ApprovalMedian, lang))+
			fmt.Sprintf(For(lang).Time.Paren, fmt.Sprintf(w.worst, span(rec.ApprovalWorst, lang))))
	} else {
		parts = append(parts, w.none)
	}
	if rec.LongestSilence > 0 {
		parts = append(parts, fmt.Sprintf(w.silence, span(rec.LongestSilence, lang)))
	}
	parts = append(parts, fmt.Sprintf(w.pushBacks, rec.PushBacks))
	return w.label + For(lang).Frame.sep + strings.Join(parts, w.sep)
}

package rules

import "time"

const (
	hour = time.Hour
	day  = 24 * time.Hour
)

// Profiles holds the built-in platform clocks (DESIGN §1). Every figure is
// data a config may override; a zero means the platform has no such rule.
var Profiles = map[string]Profile{
	// Coconala (ココナラ) help centre, "トークルームのキャンセルについて" and
	// "取引の流れ": first message within 48 h or the order is cancelled
	// automatically; the buyer may ask to cancel once the seller has been
	// silent 4 days after the buyer wrote; "buyer unreachable" cancel 4 days
	// after the buyer's last message; approval is automatic 3 days after a
	// formal delivery; ratings are possible for 90 days counted from delivery
	// (Coconala announcement, 2016); rooms close after 120 days; content of a
	// cancelled room is hidden after 3 days.
	"coconala": {
		Name:                     "coconala",
		FirstMessage:             48 * hour,
		SellerSilenceCancel:      96 * hour,
		BuyerUnreachableCancel:   96 * hour,
		AutoApproval:             72 * hour,
		RatingWindow:             90 * day,
		RoomLimit:                120 * day,
		ContentHiddenAfterCancel: 72 * hour,
		// Sellers' write-ups of Coconala's キャンセルリクエスト: unless the
		// seller agrees or sends the request back (差し戻し) within 24 h,
		// the order is cancelled.
		CancelRequestAnswer: 24 * hour,
	},
	// Fiverr help centre, "Order completion" and "Reviews": a delivered order
	// auto-completes after 3 days; reviews are open 14 days after completion
	// (30 days in some categories; override rating_window for those).
	"fiverr": {
		Name:            "fiverr",
		AutoApproval:    72 * hour,
		RatingWindow:    14 * day,
		RatingFromClose: true,
	},
	// Upwork help centre, "Fixed-price milestone approval" and "Feedback":
	// a submitted milestone is released automatically after 14 days; feedback
	// is open 14 days after the contract ends.
	"upwork": {
		Name:            "upwork",
		AutoApproval:    14 * day,
		RatingWindow:    14 * day,
		RatingFromClose: true,
	},
	// CrowdWorks (クラウドワークス) help, "評価について": no automatic approval
	// (the client is expected to review within about a week); ratings within
	// one month of completion.
	"crowdworks": {
		Name:            "crowdworks",
		RatingWindow:    30 * day,
		RatingFromClose: true,
	},
	// Lancers (ランサーズ) help, "取引期限": a deal expires one year after it
	// started, extended by activity in the room. No automatic approval or
	// rating window was found in its public help.
	"lancers": {
		Name:                  "lancers",
		RoomLimit:             365 * day,
		RoomLimitFromActivity: true,
	},
}

// DefaultPolicy is the seller policy of the article's 重要事項, with
// roomwatch's alerting defaults.
func DefaultPolicy() Policy {
	return Policy{
		CheckInEvery:            72 * hour,
		CancelAfterBuyerSilence: 72 * hour,
		CloseAfterBuyerSilence:  72 * hour,
		CloseAfterDelivery:      168 * hour,
		WarnBefore:              []time.Duration{24 * hour, 3 * hour},
		RepeatEvery:             2 * hour,
		RepeatFor:               24 * hour,
		Location:                time.UTC,
	}
}

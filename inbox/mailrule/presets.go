package mailrule

import (
	"sort"

	"github.com/roomwatch/roomwatch/rules"
)

// TalkRoomPattern is, per platform, where its mails name the room: the
// address of the talk room (order page), whose first group is the room ID.
// A rule without its own room pattern uses its platform's.
var TalkRoomPattern = map[string]string{
	// Coconala's talk rooms live at /talkrooms/<number>; the mails link
	// there (the address the issue and the seller's own rooms use).
	"coconala": `https?://coconala\.com/talkrooms/([0-9]+)`,
	// Fiverr order pages: /orders/<order number>, the number starting "FO".
	"fiverr": `https?://(?:www\.)?fiverr\.com/(?:users/[^/\s]+/manage_)?orders/([A-Za-z0-9]+)`,
	// Upwork contracts: /contracts/<number> (also under /ab/ and /nx/wm/).
	"upwork": `https?://(?:www\.)?upwork\.com/(?:[a-z]+/)*contracts?/([0-9]+)`,
	// CrowdWorks contracts: /contracts/<number>.
	"crowdworks": `https?://crowdworks\.jp/contracts/([0-9]+)`,
	// Lancers work rooms: /workroom/<number>.
	"lancers": `https?://(?:www\.)?lancers\.jp/workroom/([0-9]+)`,
}

// Platforms lists the platforms with a talk-room pattern, sorted.
func Platforms() []string {
	out := make([]string, 0, len(TalkRoomPattern))
	for p := range TalkRoomPattern {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Presets are the built-in rules, tried in this order (a cancellation
// request before a cancellation, since both subjects say キャンセル).
// Every preset is Unconfirmed: written from the platforms' help pages and
// sellers' descriptions of the mails, not checked against a real mail.
// `roomwatch ingest --dry-run < saved.eml` shows what a saved mail matches;
// inbox.rules replaces a preset by its name.
var Presets = []Spec{
	// Coconala sends every notice from its own domain and names the talk
	// room's address in the body; the subjects below are the wording its
	// help centre gives for each notice.
	{Name: "coconala-order", Platform: "coconala", From: []string{"coconala.com"}, Event: rules.EventOpened,
		Subject: `購入されました|ご購入(がありました|いただきました)|新しい(取引|注文)`,
		Title:   `(?m)^\s*(?:サービス名|サービス|商品名)\s*[:：]\s*(.+)$`,
		Buyer:   `(?m)^\s*(?:購入者|購入者名)\s*[:：]\s*(.+?)\s*(?:さん|様)?\s*$`, Unconfirmed: true},
	{Name: "coconala-cancel-request", Platform: "coconala", From: []string{"coconala.com"}, Event: rules.EventCancelRequest,
		Subject: `キャンセル\s*(リクエスト|申請)`, Unconfirmed: true},
	{Name: "coconala-cancelled", Platform: "coconala", From: []string{"coconala.com"}, Event: rules.EventCancelled,
		Subject: `キャンセル(されました|が成立|となりました|が承認)|取引(が)?中止`, Unconfirmed: true},
	{Name: "coconala-pushed-back", Platform: "coconala", From: []string{"coconala.com"}, Event: rules.EventPushedBack,
		Subject: `修正(依頼|の依頼)|納品.*差し戻`, Unconfirmed: true},
	{Name: "coconala-closed", Platform: "coconala", From: []string{"coconala.com"}, Event: rules.EventClosed,
		Subject: `承認されました|取引(が)?(完了|クローズ)|納品.*承認`, Unconfirmed: true},
	{Name: "coconala-rated", Platform: "coconala", From: []string{"coconala.com"}, Event: rules.EventBuyerRated,
		Subject: `評価(が届きました|されました|がつきました)`, Unconfirmed: true},
	{Name: "coconala-message", Platform: "coconala", From: []string{"coconala.com"}, Event: rules.EventBuyerMessage,
		Subject: `メッセージが届きました|新着メッセージ|トークルーム.*メッセージ`, Unconfirmed: true},

	// Fiverr: notices come from fiverr.com (noreply@e.fiverr.com and
	// similar); English subjects as its help pages quote them.
	{Name: "fiverr-order", Platform: "fiverr", From: []string{"fiverr.com"}, Event: rules.EventOpened,
		Subject: `(?i)(you('ve| have) (received|got) (a )?new order|new order)`, Unconfirmed: true},
	{Name: "fiverr-cancel-request", Platform: "fiverr", From: []string{"fiverr.com"}, Event: rules.EventCancelRequest,
		Subject: `(?i)(requested|request) to cancel|cancellation request`, Unconfirmed: true},
	{Name: "fiverr-cancelled", Platform: "fiverr", From: []string{"fiverr.com"}, Event: rules.EventCancelled,
		Subject: `(?i)order (was |has been )?cancell?ed`, Unconfirmed: true},
	{Name: "fiverr-revision", Platform: "fiverr", From: []string{"fiverr.com"}, Event: rules.EventPushedBack,
		Subject: `(?i)revision`, Unconfirmed: true},
	{Name: "fiverr-completed", Platform: "fiverr", From: []string{"fiverr.com"}, Event: rules.EventClosed,
		Subject: `(?i)order (is |was |has been )?(marked as )?complete`, Unconfirmed: true},
	{Name: "fiverr-review", Platform: "fiverr", From: []string{"fiverr.com"}, Event: rules.EventBuyerRated,
		Subject: `(?i)left (you )?a review|new review`, Unconfirmed: true},
	{Name: "fiverr-message", Platform: "fiverr", From: []string{"fiverr.com"}, Event: rules.EventBuyerMessage,
		Subject: `(?i)new message|sent you a message`, Unconfirmed: true},

	// Upwork: notices from upwork.com; a contract stands for the room.
	{Name: "upwork-contract", Platform: "upwork", From: []string{"upwork.com"}, Event: rules.EventOpened,
		Subject: `(?i)contract (has )?(started|begun)|offer (was |has been )?accepted`, Unconfirmed: true},
	{Name: "upwork-ended", Platform: "upwork", From: []string{"upwork.com"}, Event: rules.EventClosed,
		Subject: `(?i)contract (has )?ended|payment (was |has been )?released|milestone approved`, Unconfirmed: true},
	{Name: "upwork-feedback", Platform: "upwork", From: []string{"upwork.com"}, Event: rules.EventBuyerRated,
		Subject: `(?i)feedback`, Unconfirmed: true},
	{Name: "upwork-message", Platform: "upwork", From: []string{"upwork.com"}, Event: rules.EventBuyerMessage,
		Subject: `(?i)new message|unread message`, Unconfirmed: true},

	// CrowdWorks: notices from crowdworks.jp, Japanese subjects.
	{Name: "crowdworks-contract", Platform: "crowdworks", From: []string{"crowdworks.jp"}, Event: rules.EventOpened,
		Subject: `契約(が)?(成立|締結)`, Unconfirmed: true},
	{Name: "crowdworks-cancelled", Platform: "crowdworks", From: []string{"crowdworks.jp"}, Event: rules.EventCancelled,
		Subject: `契約(が)?(終了|キャンセル)|キャンセルされました`, Unconfirmed: true},
	{Name: "crowdworks-approved", Platform: "crowdworks", From: []string{"crowdworks.jp"}, Event: rules.EventClosed,
		Subject: `検収(が)?(完了|されました)`, Unconfirmed: true},
	{Name: "crowdworks-rated", Platform: "crowdworks", From: []string{"crowdworks.jp"}, Event: rules.EventBuyerRated,
		Subject: `評価(が届きました|されました)`, Unconfirmed: true},
	{Name: "crowdworks-message", Platform: "crowdworks", From: []string{"crowdworks.jp"}, Event: rules.EventBuyerMessage,
		Subject: `メッセージ(が届きました|を受信)`, Unconfirmed: true},

	// Lancers: notices from lancers.jp, Japanese subjects.
	{Name: "lancers-contract", Platform: "lancers", From: []string{"lancers.jp"}, Event: rules.EventOpened,
		Subject: `(発注|契約)(が)?(確定|成立)|購入されました`, Unconfirmed: true},
	{Name: "lancers-cancelled", Platform: "lancers", From: []string{"lancers.jp"}, Event: rules.EventCancelled,
		Subject: `(取引|契約)(が)?(中止|キャンセル)`, Unconfirmed: true},
	{Name: "lancers-approved", Platform: "lancers", From: []string{"lancers.jp"}, Event: rules.EventClosed,
		Subject: `検収(が)?(完了|されました)|納品(が)?承認`, Unconfirmed: true},
	{Name: "lancers-rated", Platform: "lancers", From: []string{"lancers.jp"}, Event: rules.EventBuyerRated,
		Subject: `評価(が届きました|されました)`, Unconfirmed: true},
	{Name: "lancers-message", Platform: "lancers", From: []string{"lancers.jp"}, Event: rules.EventBuyerMessage,
		Subject: `メッセージ(が届きました|を受信)`, Unconfirmed: true},
}

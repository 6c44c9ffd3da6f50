package main

import "github.com/roomwatch/roomwatch/rules"

// eventCommands maps each event command to the event it records.
var eventCommands = []struct {
	Command string
	Event   rules.EventKind
	Short   string
}{
	{"sent", rules.EventSellerMessage, "record that you sent a message in the room"},
	{"replied", rules.EventBuyerMessage, "record that the buyer wrote in the room"},
	{"delivered", rules.EventDelivered, "record a formal delivery (正式な納品)"},
	{"pushed-back", rules.EventPushedBack, "record that the buyer rejected the delivery"},
	{"closed", rules.EventClosed, "record that the room was approved and closed"},
	{"cancelled", rules.EventCancelled, "record that the order was cancelled"},
	{"cancel-requested", rules.EventCancelRequest, "record that the buyer sent a cancellation request (キャンセルリクエスト)"},
	{"buyer-rated", rules.EventBuyerRated, "record that the buyer rated you"},
	{"rated", rules.EventSellerRated, "record that you rated the buyer"},
}

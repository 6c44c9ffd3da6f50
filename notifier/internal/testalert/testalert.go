// Package testalert builds the alerts the notifier tests send.
package testalert

import (
	"time"

	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

// Now is the fixed instant the tests render at.
var Now = time.Date(2026, 11, 25, 9, 0, 0, 0, time.FixedZone("JST", 9*60*60))

// Make returns an alert for room id with the given title, due three hours
// after Now, whose step went out at Now.
func Make(kind rules.Kind, sev rules.Severity, id, title string) message.Alert {
	deadline := Now.Add(3 * time.Hour)
	return message.Alert{
		Now: Now,
		Room: rules.Room{
			ID:            id,
			Title:         title,
			Buyer:         "tanaka",
			URL:           "https://coconala.com/talkrooms/" + id,
			Opened:        Now.Add(-96 * time.Hour),
			SellerMessage: Now.Add(-93 * time.Hour),
			BuyerMessage:  Now.Add(-90 * time.Hour),
		},
		Step: rules.Step{
			Alert: rules.Alert{
				Room:     id,
				Kind:     kind,
				Severity: sev,
				Deadline: deadline,
			},
			Name:     "warn-3h",
			Severity: sev,
			At:       Now,
			SendAt:   Now,
		},
	}
}

package app

import (
	"testing"

	"github.com/roomwatch/roomwatch/config"
)

// TestDecliningABuyerReevaluatesRooms: declining a buyer changes what every
// room's rules read, so it changes the fingerprint; a note does not.
func TestDecliningABuyerReevaluatesRooms(t *testing.T) {
	base := config.Default()
	noted := config.Default()
	noted.Buyers = []config.Buyer{{Name: "yamada", Note: "slow"}}
	declined := config.Default()
	declined.Buyers = []config.Buyer{{Name: "yamada", Decline: true}}
	if PolicyFingerprint(base) != PolicyFingerprint(noted) {
		t.Error("a note changed the fingerprint")
	}
	if PolicyFingerprint(base) == PolicyFingerprint(declined) {
		t.Error("declining a buyer left the fingerprint as it was")
	}
}

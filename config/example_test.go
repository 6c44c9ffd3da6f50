package config

import (
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

func TestExampleConfigValidates(t *testing.T) {
	c, err := Load("../config.example.yaml")
	if err != nil {
		t.Fatalf("config.example.yaml: %v", err)
	}
	if len(c.Rooms) != 6 {
		t.Fatalf("rooms = %d, want 6", len(c.Rooms))
	}
	if got := c.Summary(); got != "6 rooms, 1 notifier, timezone Asia/Tokyo" {
		t.Errorf("Summary() = %q", got)
	}
	if secrets := c.InlineSecrets(); len(secrets) != 0 {
		t.Errorf("the example must not teach inline secrets: %v", secrets)
	}
	tokyo := c.Timezone
	byID := map[string]rules.Room{}
	for _, r := range c.Rooms {
		byID[r.ID] = r
	}
	quote := byID["4100021"]
	if quote.Via != rules.ViaQuote || !quote.SellerMessage.IsZero() {
		t.Errorf("room 4100021 should be a quote purchase with no seller message: %+v", quote)
	}
	if want := time.Date(2026, 11, 21, 23, 59, 0, 0, tokyo); !byID["4099733"].Due.Equal(want) {
		t.Errorf("date-only due = %v, want %v", byID["4099733"].Due, want)
	}
	if byID["4099512"].ExtraPayment != rules.ExtraPending || byID["4099512"].Delivered.IsZero() {
		t.Errorf("room 4099512 should be delivered with おひねり pending: %+v", byID["4099512"])
	}
	if byID["4099870"].Buyer != byID["4100002"].Buyer {
		t.Error("rooms 4099870 and 4100002 should share a buyer")
	}
	if r := byID["4099870"]; !r.BuyerMessage.After(r.SellerMessage) {
		t.Error("room 4099870 should have the buyer writing last")
	}
	if r := byID["4098001"]; r.Closed.IsZero() || r.BuyerRated.IsZero() || !r.SellerRated.IsZero() {
		t.Errorf("room 4098001 should be closed and rated by the buyer only: %+v", r)
	}
	for _, s := range severities {
		if got := c.Routes[s]; len(got) != 1 || got[0] != "console" {
			t.Errorf("routes[%s] = %v, want [console]", s, got)
		}
	}
	if !c.Policy.QuietHours.Enabled() || c.DigestAt != 8*time.Hour+30*time.Minute {
		t.Errorf("policy = %+v, digest %v", c.Policy, c.DigestAt)
	}
}

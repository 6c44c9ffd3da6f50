package rules

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// BenchmarkPlan plans one room with as many live alerts as a room can hold
// at once, with every hold in play: the work done for each room at start.
func BenchmarkPlan(b *testing.B) {
	r := baseRoom()
	r.SellerMessage = jst(2026, 11, 20, 11, 0)
	r.BuyerMessage = jst(2026, 11, 21, 12, 0)
	r.Due = jst(2026, 11, 27, 23, 59)
	r.Via = ViaQuote
	env := envFor("coconala")
	env.SameBuyer = []string{"4012300"}
	env.Policy.QuietHours = QuietHours{Start: 23 * time.Hour, End: 8 * time.Hour}
	env.Acks = []Ack{{Kind: CancelRisk, Deadline: jst(2026, 11, 24, 11, 0), At: jst(2026, 11, 24, 20, 0)}}
	env.Snooze = Snooze{From: jst(2026, 11, 23, 9, 0), Until: jst(2026, 11, 23, 12, 0)}
	if n := len(Alerts(r, env)); n != 6 {
		b.Fatalf("%d alerts, want 6", n)
	}
	b.ReportAllocs()
	for b.Loop() {
		Plan(r, env)
	}
}

// BenchmarkSameBuyer groups a marketplace of 100k rooms by buyer.
func BenchmarkSameBuyer(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	rooms := make([]Room, 100_000)
	for i := range rooms {
		rooms[i] = Room{
			ID:     fmt.Sprintf("%07d", i),
			Buyer:  fmt.Sprintf("buyer%d", rng.IntN(30_000)),
			Opened: opened.Add(time.Duration(rng.IntN(90*24)) * time.Hour),
		}
		if i%10 == 0 {
			rooms[i].Closed = rooms[i].Opened.Add(day)
		}
	}
	scope := BuyerScope{DefaultPlatform: "coconala", Profiles: Profiles}
	b.ReportAllocs()
	for b.Loop() {
		SameBuyer(rooms, scope)
	}
}

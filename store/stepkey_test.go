package store

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// stepLedgerKey builds from a step's fields what ledgerKey builds from its
// key string, for every kind of step the rules make and for the odd ones
// that take the string's way.
func TestStepLedgerKeyIsLedgerKey(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	rooms := []string{"4100021", "r", "room|with|bars", "ルーム", "a\x00b", ""}
	names := []string{rules.StepDue, "warn-24h", "warn-3h", "repeat-1", "repeat-48", "made|up", ""}
	kinds := append(rules.Kinds[:], "unknown-kind", "bad|kind")
	deadlines := []time.Time{
		time.Date(2026, 11, 22, 10, 0, 0, 0, time.FixedZone("JST", 9*3600)),
		time.Date(2026, 11, 22, 10, 0, 0, 500, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		{},
	}
	for range 5000 {
		d := deadlines[rng.IntN(len(deadlines))]
		if rng.IntN(2) == 0 {
			d = time.Unix(rng.Int64N(4_000_000_000), 0).In(time.FixedZone("", 3600*(rng.IntN(25)-12)))
		}
		s := rules.Step{
			Alert: rules.Alert{Room: rooms[rng.IntN(len(rooms))], Kind: kinds[rng.IntN(len(kinds))], Deadline: d},
			Name:  names[rng.IntN(len(names))],
		}
		want := ledgerKey(s.Key())
		if got := stepLedgerKey(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("step %q: stepLedgerKey = %x, ledgerKey(Key) = %x", s.Key(), got, want)
		}
	}
}

func BenchmarkStepLedgerKey(b *testing.B) {
	s := step("4100021", time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC), rules.StepDue)
	var buf [64]byte
	b.Run("fields", func(b *testing.B) {
		for b.Loop() {
			stepLedgerKey(buf[:0], s)
		}
	})
	b.Run("key string", func(b *testing.B) {
		for b.Loop() {
			appendLedgerKey(buf[:0], s.Key())
		}
	})
}

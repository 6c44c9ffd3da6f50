package main

import (
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"strconv"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/store"
)

const day = 24 * time.Hour

// importSource names the generated rooms' source: a marketplace's rooms come
// from its API, not from the YAML.
const importSource = "marketplace"

// generated is a store file ready for the daemon, and the rooms the load
// generator may use.
type generated struct {
	took    time.Duration
	bytes   int64
	marked  int      // past steps written to the ledger
	pulses  []string // open, undelivered rooms with no buyer message and nothing owed
	regular []string // other running rooms
}

var titles = []string{
	"ブログ記事 5本", "ロゴデザイン", "LP制作", "翻訳 英→日 3000字", "YouTube動画編集",
	"似顔絵アイコン", "WordPress修正", "名刺デザイン", "ナレーション収録", "Excel VBA 作成",
}

// timeline makes room i of a marketplace at now: opened some time in the
// last 120 days (Coconala closes rooms after that), its seller's first
// message within a day, delivery some days later, approval or closing up to
// three days after that, a few cancellations, and the last messages of both
// sides spread over the last four days, so that check-ins and the other
// clocks fall due all the time.
func timeline(rng *rand.Rand, i int, now time.Time, buyers int) rules.Room {
	id := strconv.Itoa(10_000_000 + i)
	within := func(d time.Duration) time.Duration { return time.Duration(rng.Int64N(int64(d))) }
	r := rules.Room{
		ID: id, Title: titles[rng.IntN(len(titles))], URL: "https://coconala.com/talkrooms/" + id,
		Buyer: "buyer-" + strconv.Itoa(rng.IntN(buyers)), Via: rules.ViaPurchase, ExtraPayment: rules.ExtraNone,
	}
	age := within(120 * day)
	r.Opened = now.Add(-age).Truncate(time.Second)
	if rng.IntN(5) == 0 {
		r.Via = rules.ViaQuote
	}
	if rng.IntN(30) == 0 {
		r.ExtraPayment = rules.ExtraPending
	}
	if rng.IntN(10) < 6 {
		r.Due = r.Opened.Add(3*day + within(11*day))
	}
	first := r.Opened.Add(within(day))
	if first.After(now) || (age < 2*day && rng.IntN(4) == 0) {
		return r // no first message yet
	}
	end := now
	delivered := r.Opened.Add(2*day + within(12*day))
	switch {
	case rng.IntN(25) == 0:
		r.Cancelled = r.Opened.Add(within(age))
		end = r.Cancelled
	case delivered.Before(now):
		r.Delivered = delivered
		if closed := delivered.Add(within(3 * day)); closed.Before(now) {
			r.Closed, end = closed, closed
			if rated := closed.Add(within(2 * day)); rated.Before(now) && rng.IntN(10) < 7 {
				r.BuyerRated = rated
				if seller := rated.Add(time.Hour); rng.IntN(10) < 6 && seller.Before(now) {
					r.SellerRated = seller
				}
			}
		}
	}
	r.SellerMessage = later(first, end.Add(-within(4*day)))
	if rng.IntN(2) == 0 {
		r.BuyerMessage = later(r.Opened.Add(time.Hour), end.Add(-within(4*day)))
	}
	return r
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// generate writes n rooms into a new store at path, as a marketplace import,
// then writes every step already due into the ledger, as a store roomwatch
// has watched for months holds them; without that a first start would send
// a catch-up alert for every past deadline of every room. It leaves the due
// index and the policy fingerprint to the daemon's first start, which the
// benchmark measures.
func generate(path string, cfg *config.Config, n int, now time.Time, seed uint64) (generated, error) {
	started := time.Now()
	var g generated
	st, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		return g, err
	}
	defer st.Close()

	rng := rand.New(rand.NewPCG(seed, uint64(n)))
	const chunk = 10000
	rooms := make([]rules.Room, 0, chunk)
	for i := range n {
		r := timeline(rng, i, now, max(1, n*3/4))
		switch state := rules.StateOf(r); {
		case state == rules.StateOpen && !r.SellerMessage.IsZero() && r.BuyerMessage.IsZero() && r.ExtraPayment == rules.ExtraNone:
			g.pulses = append(g.pulses, r.ID)
		case state == rules.StateOpen || state == rules.StateDelivered:
			g.regular = append(g.regular, r.ID)
		}
		rooms = append(rooms, r)
		if len(rooms) == chunk || i == n-1 {
			if _, err := st.ImportRooms(rooms, importSource, now); err != nil {
				return g, err
			}
			rooms = rooms[:0]
		}
	}

	eng := app.New(app.Options{Config: cfg, Store: st, Clock: clockwork.NewFakeClockAt(now), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	var past []rules.Step
	flush := func() error {
		if err := st.Skip(past, now); err != nil {
			return err
		}
		g.marked += len(past)
		past = past[:0]
		return nil
	}
	err = st.ForEachRoom(func(r rules.Room) error {
		steps, err := eng.Steps(r)
		if err != nil {
			return err
		}
		for _, s := range steps {
			if !s.SendAt.After(now) {
				past = append(past, s)
			}
		}
		if len(past) >= chunk {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return g, fmt.Errorf("marking past steps: %w", err)
	}
	if err := st.Close(); err != nil {
		return g, err
	}
	info, err := os.Stat(path)
	if err != nil {
		return g, err
	}
	g.bytes, g.took = info.Size(), time.Since(started)
	return g, nil
}

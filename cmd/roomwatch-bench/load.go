package main

import (
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"

	"github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/control"
	"github.com/roomwatch/roomwatch/rules"
)

// webhook is a local Slack incoming-webhook endpoint; it counts what
// arrives and answers as Slack does.
type webhook struct {
	*httptest.Server
	posts atomic.Int64
}

func newWebhook() *webhook {
	w := &webhook{}
	w.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.posts.Add(1)
		_, _ = rw.Write([]byte("ok"))
	}))
	return w
}

// pulseLead is how far ahead a pulse sets its step: far enough that the
// step goes through a timer, near enough that the run sees it.
const pulseLead = 3 * time.Second

// pulseSilence is the benchmark's policy close_after_buyer_silence: a
// delivered room whose buyer stays silent this long is eligible to close.
// It is shorter than Coconala's automatic approval (72 h), which closes the
// room and so ends its alerts: a pulse's step falls due while the room is
// still delivered.
const pulseSilence = 48 * time.Hour

// pulseEvery makes one event in this many a pulse.
const pulseEvery = 5

// loadResult is what the load generator saw.
type loadResult struct {
	rtt     []time.Duration
	errors  int
	pulses  int // pulse events recorded
	elapsed time.Duration
}

// runLoad records events at rate per second for d over the control socket,
// each on its own goroutine so a slow answer does not slow the rate (an
// open loop, as sellers and Slack buttons are). Four events in five are a
// seller's or buyer's message now, on a running room. The fifth is a
// pulse: a formal delivery recorded pulseSilence late, less pulseLead, on a
// room with no buyer message, whose eligible-to-close step (pulseSilence of
// buyer silence after delivery) thus falls due pulseLead later and goes through a
// timer like any step; its lateness is measured. The pulse rooms are used in
// turn, again and again: a later delivery moves the deadline, which is a new
// alert, so pulses go on for as long as the load lasts (a 10-minute load at
// 100 events/s needs 12,000 pulses; 10,000 rooms hold some 270 pulse rooms).
func runLoad(ctx context.Context, client *control.Client, g generated, rate int, d time.Duration, seed uint64) loadResult {
	rng := rand.New(rand.NewPCG(seed, 7))
	var mu sync.Mutex
	var res loadResult
	var wg sync.WaitGroup
	interval := time.Second / time.Duration(rate)
	started := time.Now()
	nextPulse := 0
	for i := 0; time.Since(started) < d; i++ {
		if wait := time.Until(started.Add(time.Duration(i) * interval)); wait > 0 {
			time.Sleep(wait)
		}
		req := app.EventRequest{Source: "bench"}
		switch {
		case i%pulseEvery == 0 && len(g.pulses) > 0:
			req.Room, req.Event = g.pulses[nextPulse], rules.EventDelivered
			req.At = time.Now().Add(-pulseSilence + pulseLead)
			nextPulse = (nextPulse + 1) % len(g.pulses)
			res.pulses++
		case len(g.regular) > 0:
			req.Room = g.regular[rng.IntN(len(g.regular))]
			req.Event = rules.EventSellerMessage
			if rng.IntN(10) < 4 {
				req.Event = rules.EventBuyerMessage
			}
		default:
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.Now()
			_, err := client.Record(ctx, req)
			took := time.Since(t)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.errors++
				return
			}
			res.rtt = append(res.rtt, took)
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(started)
	return res
}

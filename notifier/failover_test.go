package notifier_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/internal/testalert"
	"github.com/roomwatch/roomwatch/rules"
)

// flaky answers 503 (retry) until it recovers, or hangs until its try is
// cut off; it records every call and signals each on calls.
type flaky struct {
	name  string
	calls chan notifier.Message

	mu        sync.Mutex
	down      bool
	hang      bool
	delivered []notifier.Message
}

func newFlaky(name string, down bool) *flaky {
	return &flaky{name: name, down: down, calls: make(chan notifier.Message, 100)}
}

func (f *flaky) Name() string { return f.name }

func (f *flaky) Send(ctx context.Context, m notifier.Message) (bool, error) {
	f.calls <- m
	f.mu.Lock()
	down, hang := f.down, f.hang
	f.mu.Unlock()
	if hang {
		<-ctx.Done()
		return true, ctx.Err()
	}
	if down {
		return true, errors.New("503 Service Unavailable")
	}
	f.mu.Lock()
	f.delivered = append(f.delivered, m)
	f.mu.Unlock()
	return false, nil
}

func (f *flaky) set(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
}

func (f *flaky) deliveredCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.delivered)
}

func waitCall(t *testing.T, f *flaky) notifier.Message {
	t.Helper()
	select {
	case m := <-f.calls:
		return m
	case <-time.After(5 * time.Second):
		t.Fatalf("%s was not called", f.name)
		return notifier.Message{}
	}
}

func waitResult(t *testing.T, results chan []notifier.Result) []notifier.Result {
	t.Helper()
	select {
	case r := <-results:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("no result")
		return nil
	}
}

func blockUntil(t *testing.T, clock *clockwork.FakeClock, waiters int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := clock.BlockUntilContext(ctx, waiters); err != nil {
		t.Fatalf("waiting for %d timers: %v", waiters, err)
	}
}

func TestCriticalStepFailsOverWithinAMinuteWhileTheFirstKeepsRetrying(t *testing.T) {
	clock := clockwork.NewFakeClock()
	phone, mail := newFlaky("phone", true), newFlaky("mail", false)
	retrier := notifier.Retrier{Base: time.Second, Max: time.Minute, Deadline: 5 * time.Minute,
		FailoverAfter: time.Minute, Clock: clock, Jitter: noJitter}
	r := notifier.NewRouter([]notifier.Notifier{phone, mail},
		map[rules.Severity][]string{rules.Critical: {"phone", "mail"}}, retrier, nil)
	results := make(chan []notifier.Result, 10)
	start := clock.Now()

	r.Deliver(context.Background(), criticalAlert(), false, func(res []notifier.Result) { results <- res })

	waitCall(t, phone)
	// The phone's backoff and the failover clock.
	blockUntil(t, clock, 2)
	clock.Advance(59 * time.Second)
	waitCall(t, phone) // the backoff still applies: it retried
	blockUntil(t, clock, 2)
	if got := len(mail.calls); got != 0 {
		t.Fatalf("mail got the step after 59s; failover is due at 60s")
	}
	clock.Advance(time.Second)
	res := waitResult(t, results)[0]
	if !res.Delivered || res.Notifier != "mail" {
		t.Fatalf("result = %+v, want delivered by mail", res)
	}
	if took := clock.Since(start); took > time.Minute {
		t.Errorf("failover took %s, want at most 1m", took)
	}
	if res.Errors["phone"] == "" {
		t.Errorf("the phone's failure is not in the result: %+v", res)
	}

	// The phone recovers: it must not send the step a second time. A later
	// message through the phone only proves its queue moved past it.
	phone.set(false)
	clock.Advance(time.Hour)
	later := testalert.Make(rules.CheckIn, rules.Warning, "4099999", "later")
	r.Deliver(context.Background(), []notifier.Alert{later}, false, func(res []notifier.Result) { results <- res })
	if res := waitResult(t, results)[0]; res.Notifier != "phone" {
		t.Fatalf("later result = %+v", res)
	}
	if got := phone.deliveredCount(); got != 1 {
		t.Errorf("the recovered phone delivered %d messages, want 1 (only the later one)", got)
	}
	for _, m := range phone.delivered {
		if m.Alerts[0].Step.Room != "4099999" {
			t.Errorf("the phone delivered the failed-over step after recovering")
		}
	}
}

func TestWarningWaitsForTheRetryBudgetNotTheFailoverClock(t *testing.T) {
	clock := clockwork.NewFakeClock()
	phone, mail := newFlaky("phone", true), newFlaky("mail", false)
	retrier := notifier.Retrier{Base: time.Second, Max: time.Minute, Deadline: 5 * time.Minute,
		FailoverAfter: time.Minute, Clock: clock, Jitter: noJitter}
	r := notifier.NewRouter([]notifier.Notifier{phone, mail},
		map[rules.Severity][]string{rules.Warning: {"phone", "mail"}}, retrier, nil)
	results := make(chan []notifier.Result, 10)
	r.Deliver(context.Background(), []notifier.Alert{testalert.Make(rules.CheckIn, rules.Warning, "w1", "t")}, false,
		func(res []notifier.Result) { results <- res })
	waitCall(t, phone)
	blockUntil(t, clock, 1) // backoff only: no failover clock for a warning
	clock.Advance(61 * time.Second)
	waitCall(t, phone)
	blockUntil(t, clock, 1)
	if len(mail.calls) != 0 {
		t.Fatal("a warning failed over on the critical clock")
	}
}

func TestHangingNotifierDoesNotDelayAnotherRoute(t *testing.T) {
	phone, mail := newFlaky("phone", false), newFlaky("mail", false)
	phone.hang = true
	r := notifier.NewRouter([]notifier.Notifier{phone, mail}, map[rules.Severity][]string{
		rules.Critical: {"phone", "mail"},
		rules.Warning:  {"mail"},
	}, notifier.Retrier{Jitter: noJitter}, nil)
	results := make(chan []notifier.Result, 10)
	alerts := []notifier.Alert{
		testalert.Make(rules.CancelRisk, rules.Critical, "c1", "t"),
		testalert.Make(rules.CheckIn, rules.Warning, "w1", "t"),
	}
	start := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.Deliver(ctx, alerts, false, func(res []notifier.Result) { results <- res })
	waitCall(t, phone) // the critical step hangs on the phone …
	res := waitResult(t, results)[0]
	if res.Key != alerts[1].Step.Key() || res.Notifier != "mail" {
		t.Fatalf("first result = %+v, want the warning by mail", res)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("the warning routed to mail took %s while the phone hung", took)
	}
	// Shutting down cuts the hanging try off and reports it undelivered,
	// without failing over.
	cancel()
	res = waitResult(t, results)[0]
	if res.Delivered {
		t.Errorf("the hanging step = %+v after shutdown", res)
	}
}

func TestHangingNotifierFailsOverOnTheCriticalClock(t *testing.T) {
	clock := clockwork.NewFakeClock()
	phone, mail := newFlaky("phone", false), newFlaky("mail", false)
	phone.hang = true
	retrier := notifier.Retrier{Base: time.Second, Deadline: 5 * time.Minute, FailoverAfter: time.Minute, Clock: clock, Jitter: noJitter}
	r := notifier.NewRouter([]notifier.Notifier{phone, mail},
		map[rules.Severity][]string{rules.Critical: {"phone", "mail"}}, retrier, nil)
	results := make(chan []notifier.Result, 10)
	r.Deliver(context.Background(), criticalAlert(), false, func(res []notifier.Result) { results <- res })
	waitCall(t, phone)
	blockUntil(t, clock, 1) // the failover clock, started with the hanging try
	clock.Advance(time.Minute)
	if res := waitResult(t, results)[0]; res.Notifier != "mail" {
		t.Fatalf("result = %+v", res)
	}
}

func TestSplitterPartsAreMessagesOfTheirOwn(t *testing.T) {
	phone := &splitting{flaky: newFlaky("phone", false), per: 2}
	r := notifier.NewRouter([]notifier.Notifier{phone}, nil, notifier.Retrier{Jitter: noJitter}, nil)
	var alerts []notifier.Alert
	for _, id := range []string{"i1", "c1", "w1", "c2", "w2"} {
		sev := map[byte]rules.Severity{'i': rules.Info, 'c': rules.Critical, 'w': rules.Warning}[id[0]]
		alerts = append(alerts, testalert.Make(rules.CheckIn, sev, id, "t"))
	}
	results := r.Dispatch(context.Background(), alerts, true)
	for i, res := range results {
		if !res.Delivered || res.Key != alerts[i].Step.Key() {
			t.Errorf("result %d = %+v", i, res)
		}
	}
	var got [][]string
	for n := 1; len(phone.calls) > 0; n++ {
		m := <-phone.calls
		got = append(got, keys(m.Alerts))
		// Each part knows its place and the whole it came from.
		if m.Part != n || m.Parts != 3 || len(m.Whole) != len(alerts) {
			t.Errorf("message %d is part %d of %d, of a whole of %d alerts; want part %d of 3 of %d",
				n, m.Part, m.Parts, len(m.Whole), n, len(alerts))
		}
	}
	// Every severity is its own route group here (no routes: all share one),
	// so one group of five, split most severe first.
	want := [][]string{{"c1", "c2"}, {"w1", "w2"}, {"i1"}}
	if len(got) != len(want) {
		t.Fatalf("messages = %v, want %v", got, want)
	}
	for i := range want {
		if len(got[i]) != len(want[i]) || got[i][0] != want[i][0] || got[i][len(got[i])-1] != want[i][len(want[i])-1] {
			t.Errorf("message %d = %v, want %v", i, got[i], want[i])
		}
	}
}

// splitting is a notifier that can show per alerts in one message.
type splitting struct {
	*flaky
	per int
}

func (s *splitting) Split(m notifier.Message) []notifier.Message {
	var parts []notifier.Message
	for i := 0; i < len(m.Alerts); i += s.per {
		p := m
		p.Alerts = m.Alerts[i:min(i+s.per, len(m.Alerts))]
		parts = append(parts, p)
	}
	return parts
}

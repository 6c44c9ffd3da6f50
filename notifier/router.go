package notifier

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

// Result is the fate of one alert in a Dispatch.
type Result struct {
	Key       string // the step's ledger key, rules.Step.Key()
	Delivered bool
	Notifier  string // who delivered it; empty when nobody did
	Attempts  int    // attempts over the whole route
	// Errors maps each notifier that failed to its error text. Backends
	// redact their secrets, so the text is safe to store and log.
	Errors map[string]string
}

// Router sends alerts along routes: per severity, a preference list of
// notifiers. Each notifier delivers on its own lane, so a slow or failing
// one never holds another; a message that fails on one moves on to the next
// of its route (a critical one after Retrier.FailoverAfter, while the
// failing notifier keeps retrying), and the first delivery wins.
type Router struct {
	notifiers map[string]Notifier
	order     []string
	routes    map[rules.Severity][]string
	retrier   Retrier
	log       *slog.Logger

	mu    sync.Mutex
	lanes map[string]*lane
}

// NewRouter builds a router. routes maps a severity to notifier names in order
// of preference; a severity without a route uses every notifier, in the order
// given, as its preference list. A nil logger discards.
func NewRouter(notifiers []Notifier, routes map[rules.Severity][]string, retrier Retrier, log *slog.Logger) *Router {
	r := &Router{
		notifiers: make(map[string]Notifier, len(notifiers)),
		routes:    routes,
		retrier:   retrier.withDefaults(),
		log:       log,
		lanes:     make(map[string]*lane, len(notifiers)),
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	for _, n := range notifiers {
		r.notifiers[n.Name()] = n
		r.order = append(r.order, n.Name())
	}
	return r
}

// Notifier returns the notifier called name, for `notify-test NAME`.
func (r *Router) Notifier(name string) (Notifier, bool) {
	n, ok := r.notifiers[name]
	return n, ok
}

// Names lists the notifiers in config order.
func (r *Router) Names() []string { return slices.Clone(r.order) }

// route is the preference list for a severity.
func (r *Router) route(sev rules.Severity) []string {
	if names, ok := r.routes[sev]; ok && len(names) > 0 {
		return names
	}
	return r.order
}

type group struct {
	route  []string
	alerts []Alert
	index  []int // positions of the alerts in Dispatch's input
}

// Dispatch sends alerts that fell due together and waits for every one of
// them to be delivered or given up. See Deliver.
func (r *Router) Dispatch(ctx context.Context, alerts []Alert, late bool) []Result {
	results := make([]Result, len(alerts))
	positions := make(map[string][]int, len(alerts))
	for i, a := range alerts {
		positions[a.Step.Key()] = append(positions[a.Step.Key()], i)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	wg.Add(len(alerts))
	r.Deliver(ctx, alerts, late, func(batch []Result) {
		mu.Lock()
		defer mu.Unlock()
		for _, res := range batch {
			p := positions[res.Key]
			results[p[0]], positions[res.Key] = res, p[1:]
			wg.Done()
		}
	})
	wg.Wait()
	return results
}

// Deliver hands alerts that fell due together to their notifiers and
// returns at once. Alerts sharing a route become one message per notifier,
// the most urgent first, split where the notifiers of the route cannot show
// them in one (Splitter): each part is a message of its own, with its own
// retries and failover, so each alert's result is exact. report is called,
// from another goroutine, once per part with the results of its alerts.
// When ctx ends, what is not delivered is reported undelivered at once and
// never failed over: the outbox keeps it for the next start.
func (r *Router) Deliver(ctx context.Context, alerts []Alert, late bool, report func([]Result)) {
	for _, g := range r.group(alerts) {
		for _, part := range r.split(g.route, Message{Alerts: g.alerts, Late: late}) {
			part := part
			r.start(ctx, g.route, part, func(o outcome) {
				if o.delivered {
					r.logSent(part.Alerts, o.by, o.attempts, late)
				} else {
					for _, a := range part.Alerts {
						r.log.Error("alert not delivered",
							"room", a.Step.Room, "kind", string(a.Step.Kind), "step", a.Step.Name,
							"route", strings.Join(g.route, ","), "attempts", o.attempts)
					}
				}
				results := make([]Result, len(part.Alerts))
				for i, a := range part.Alerts {
					results[i] = Result{
						Key: a.Step.Key(), Delivered: o.delivered, Notifier: o.by,
						Attempts: o.attempts, Errors: o.errorTexts(),
					}
				}
				report(results)
			})
		}
	}
}

// split cuts m into the parts every Splitter of the route can show, so the
// message fits whichever notifier ends up delivering it. A part that fits
// one splitter is cut further by the next only when it must be.
func (r *Router) split(route []string, m Message) []Message {
	parts := []Message{m}
	for _, name := range route {
		s, ok := r.notifiers[name].(Splitter)
		if !ok {
			continue
		}
		var next []Message
		for _, p := range parts {
			next = append(next, s.Split(p)...)
		}
		parts = next
	}
	if len(parts) > 1 {
		for i := range parts {
			parts[i].Part, parts[i].Parts, parts[i].Whole = i+1, len(parts), m.Alerts
		}
	}
	return parts
}

func (r *Router) group(alerts []Alert) []*group {
	var groups []*group
	byRoute := map[string]*group{}
	for i, a := range alerts {
		route := r.route(a.Step.Severity)
		key := strings.Join(route, "\x00")
		g, ok := byRoute[key]
		if !ok {
			g = &group{route: route}
			byRoute[key] = g
			groups = append(groups, g)
		}
		g.alerts = append(g.alerts, a)
		g.index = append(g.index, i)
	}
	for _, g := range groups {
		sortGroup(g)
	}
	// The group holding the most urgent alert goes out first.
	slices.SortStableFunc(groups, func(a, b *group) int {
		return b.alerts[0].Step.Severity.Rank() - a.alerts[0].Step.Severity.Rank()
	})
	return groups
}

// sortGroup puts the most urgent alert first (it decides the preview) and
// keeps each alert's input position beside it.
func sortGroup(g *group) {
	order := make([]int, len(g.alerts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int {
		return message.Urgency(g.alerts[x], g.alerts[y])
	})
	alerts := make([]Alert, len(order))
	index := make([]int, len(order))
	for i, o := range order {
		alerts[i] = g.alerts[o]
		index[i] = g.index[o]
	}
	g.alerts, g.index = alerts, index
}

// Notice sends a message about roomwatch itself (a rejected configuration)
// along the route of its severity, and waits for the outcome.
func (r *Router) Notice(ctx context.Context, sev rules.Severity, title string, lines []string) error {
	m := Message{Notice: &message.Notice{Severity: sev, Title: title, Lines: lines}}
	done := make(chan outcome, 1)
	r.start(ctx, r.route(sev), m, func(o outcome) { done <- o })
	o := <-done
	if !o.delivered {
		return fmt.Errorf("notifier: notice not delivered: %v", o.errorTexts())
	}
	r.log.Info("notice sent", "notifier", o.by, "severity", string(sev), "title", title)
	return nil
}

// logSent writes one line per alert: which notifier carried it, after how many
// attempts, and how long after its send time it went out.
func (r *Router) logSent(alerts []Alert, name string, attempts int, late bool) {
	now := r.retrier.Clock.Now()
	for _, a := range alerts {
		r.log.Info("alert sent",
			"room", a.Step.Room,
			"kind", string(a.Step.Kind),
			"step", a.Step.Name,
			"notifier", name,
			"attempts", attempts,
			"latency", now.Sub(a.Step.SendAt).Round(time.Millisecond),
			"late", late)
	}
}

// lane is one notifier's own queue and worker: it sends one message at a
// time, in the order they came (the most urgent first), and its backoff and
// Retry-After hold only its own queue. The worker runs while the queue holds
// something and ends when it is empty.
type lane struct {
	r *Router
	n Notifier

	mu      sync.Mutex
	queue   []*ticket
	running bool
	streak  int // failed attempts in a row: the backoff step
}

// ticket is a message's place in one lane.
type ticket struct {
	job   *job
	hop   int           // the lane's position in the job's route
	spent time.Duration // time spent in this lane: its sends and waits
	tries int
}

func (r *Router) lane(name string) *lane {
	r.mu.Lock()
	defer r.mu.Unlock()
	l, ok := r.lanes[name]
	if !ok {
		l = &lane{r: r, n: r.notifiers[name]}
		r.lanes[name] = l
	}
	return l
}

func (l *lane) enqueue(t *ticket) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.queue = append(l.queue, t)
	if !l.running {
		l.running = true
		go l.run()
	}
}

// head returns the first ticket whose message is still wanted, dropping the
// ones delivered by another notifier meanwhile; nil ends the worker.
func (l *lane) head() *ticket {
	l.mu.Lock()
	defer l.mu.Unlock()
	for len(l.queue) > 0 && l.queue[0].job.finished() {
		l.queue = l.queue[1:]
	}
	if len(l.queue) == 0 {
		l.running = false
		return nil
	}
	return l.queue[0]
}

func (l *lane) remove(t *ticket) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.queue = slices.DeleteFunc(l.queue, func(q *ticket) bool { return q == t })
}

// waiting returns the tickets still queued, and charges each the time d the
// lane just spent: a message waiting behind a failing send waits as long
// as the send does, so every message of a dead notifier gives up together
// instead of one retry budget after another.
func (l *lane) charge(d time.Duration) []*ticket {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, t := range l.queue {
		t.spent += d
	}
	return slices.Clone(l.queue)
}

func (l *lane) run() {
	rt := l.r.retrier
	name := l.n.Name()
	for {
		t := l.head()
		if t == nil {
			return
		}
		j := t.job
		if err := j.parent.Err(); err != nil {
			l.remove(t)
			j.stopped(name, t.tries, err)
			continue
		}
		// A message that joined the lane during a wait was charged all of
		// it; it still gets a try.
		attemptCtx, cancel := context.WithTimeout(j.ctx, max(rt.Deadline-t.spent, rt.Base))
		// A critical message's failover clock starts with its first try:
		// a notifier that hangs gets no more time than one that refuses.
		j.armFailover(t.hop, name)
		start := time.Now()
		t.tries++
		retry, err := l.n.Send(attemptCtx, j.msg)
		took := time.Since(start)
		cancel()
		queued := l.charge(took)
		switch {
		case err == nil:
			l.mu.Lock()
			l.streak = 0
			l.mu.Unlock()
			l.remove(t)
			j.delivered(name, t.tries)
			continue
		case j.finished():
			l.remove(t) // delivered elsewhere while this try was cut off
			j.count(t.tries)
			continue
		case j.parent.Err() != nil:
			l.remove(t)
			j.stopped(name, t.tries, fmt.Errorf("%s: %w (stopped: %w)", name, err, j.parent.Err()))
			continue
		case !retry:
			l.remove(t)
			l.r.log.Warn("notifier failed", "notifier", name, "attempts", t.tries, "err", err)
			j.failed(name, t.tries, fmt.Errorf("%s: permanent failure: %w", name, err))
			continue
		}
		l.mu.Lock()
		l.streak++
		wait := rt.wait(l.streak, err)
		l.mu.Unlock()
		l.r.log.Warn("notifier attempt failed; retrying", "notifier", name, "attempt", t.tries,
			"wait", wait, "err", err)
		// Every message in this lane now waits on a failing notifier: a
		// critical one starts its failover clock.
		for _, q := range queued {
			q.job.troubled(q.hop, name, err)
		}
		for _, q := range queued {
			if q.spent+wait < rt.Deadline {
				continue
			}
			l.remove(q)
			var gaveUp error
			if q == t {
				gaveUp = fmt.Errorf("%s: gave up after %d attempts in %s: %w",
					name, q.tries, q.spent.Round(time.Millisecond), err)
			} else {
				gaveUp = fmt.Errorf("%s: gave up after %s behind failing sends: %w",
					name, q.spent.Round(time.Millisecond), err)
			}
			l.r.log.Warn("notifier failed", "notifier", name, "attempts", q.tries, "err", gaveUp)
			q.job.failed(name, q.tries, gaveUp)
		}
		if l.head() == nil {
			return
		}
		// The wait holds this notifier only. It ends early only when the
		// delivery is called off (shutdown), never because another notifier
		// delivered: Retry-After is the server's, whoever else delivered.
		sleepErr := rt.Sleep(j.parent, wait)
		l.charge(wait)
		if sleepErr != nil && j.parent.Err() == nil {
			l.r.log.Warn("notifier backoff cut short", "notifier", name, "err", sleepErr)
		}
	}
}

// outcome is how one message's delivery ended.
type outcome struct {
	delivered bool
	by        string
	attempts  int
	errs      map[string]error
}

func (o outcome) errorTexts() map[string]string {
	if len(o.errs) == 0 {
		return nil
	}
	texts := make(map[string]string, len(o.errs))
	for name, err := range o.errs {
		texts[name] = err.Error()
	}
	return texts
}

// job is one message on its way along a route. It is in the lane of each
// notifier that got it so far; the first to deliver finishes it, and the
// others drop it.
type job struct {
	r      *Router
	parent context.Context // the caller's: its end calls the delivery off
	ctx    context.Context // ends also when the job finishes, cutting other tries off
	cancel context.CancelFunc
	msg    Message
	route  []string
	urgent bool // holds a critical alert: fails over on time, not on give-up
	done   func(outcome)

	// over is set, under mu, when the job finishes; lanes read it without
	// mu (they hold their own lock, which j.mu may be waiting for).
	over atomic.Bool

	mu       sync.Mutex
	started  int // hops handed to a lane so far
	active   int // lanes holding it
	attempts int
	errs     map[string]error
	timerHop int // the hop whose failover clock runs; -1 when none
	failover clockwork.Timer
}

// start sends m along route; done is called once with the outcome.
func (r *Router) start(ctx context.Context, route []string, m Message, done func(outcome)) {
	j := &job{r: r, parent: ctx, msg: m, route: route, done: done, timerHop: -1}
	j.ctx, j.cancel = context.WithCancel(ctx)
	for _, a := range m.Alerts {
		if a.Step.Severity == rules.Critical {
			j.urgent = true
		}
	}
	if m.Notice != nil && m.Notice.Severity == rules.Critical {
		j.urgent = true
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.next()
}

func (j *job) finished() bool { return j.over.Load() }

// next hands the message to the next notifier of its route, or ends the job
// undelivered when none is left and no lane holds it. j.mu is held.
func (j *job) next() {
	for !j.over.Load() {
		if j.parent.Err() != nil || j.started >= len(j.route) {
			// Shutting down: the outbox keeps the alert for the next
			// start, so failing over now would only send it twice.
			if j.active == 0 {
				j.finish(outcome{})
			}
			return
		}
		name := j.route[j.started]
		hop := j.started
		j.started++
		if _, ok := j.r.notifiers[name]; !ok {
			j.addError(name, fmt.Errorf("no such notifier"))
			continue
		}
		j.active++
		j.r.lane(name).enqueue(&ticket{job: j, hop: hop})
		return
	}
}

// finish ends the job once. j.mu is held.
func (j *job) finish(o outcome) {
	if j.over.Swap(true) {
		return
	}
	j.cancel()
	if j.failover != nil {
		j.failover.Stop()
	}
	o.attempts = j.attempts
	o.errs = j.errs
	go j.done(o)
}

func (j *job) addError(name string, err error) {
	if j.errs == nil {
		j.errs = map[string]error{}
	}
	j.errs[name] = err
}

func (j *job) count(tries int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.attempts += tries
}

func (j *job) delivered(name string, tries int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.attempts += tries
	j.active--
	j.finish(outcome{delivered: true, by: name})
}

// failed records that one notifier gave up; the route moves on.
func (j *job) failed(name string, tries int, err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.attempts += tries
	j.active--
	j.addError(name, err)
	j.next()
}

// stopped records a lane leaving the job because the delivery was called off.
func (j *job) stopped(name string, tries int, err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.attempts += tries
	j.active--
	j.addError(name, err)
	if j.active == 0 {
		j.finish(outcome{})
	}
}

// troubled tells the job that the notifier at hop just failed a try (its
// own or one ahead of it in the lane).
func (j *job) troubled(hop int, name string, err error) {
	j.mu.Lock()
	j.addError(name, err)
	j.mu.Unlock()
	j.armFailover(hop, name)
}

// armFailover starts a critical message's failover clock on the notifier
// at hop, once: unless that notifier delivers within FailoverAfter, the next
// of the route gets the message too.
func (j *job) armFailover(hop int, name string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if !j.urgent || j.over.Load() || hop != j.started-1 || j.timerHop >= hop || j.started >= len(j.route) {
		return
	}
	j.timerHop = hop
	if j.failover != nil {
		j.failover.Stop()
	}
	j.failover = j.r.retrier.Clock.AfterFunc(j.r.retrier.FailoverAfter, func() {
		j.mu.Lock()
		defer j.mu.Unlock()
		if j.over.Load() || j.started != hop+1 {
			return // delivered, or the route moved on already
		}
		j.r.log.Warn("failing over a critical message while the notifier keeps retrying",
			"notifier", name, "next", j.route[hop+1], "after", j.r.retrier.FailoverAfter)
		j.next()
	})
}

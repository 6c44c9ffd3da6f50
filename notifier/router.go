package notifier

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

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
// notifiers, each tried in turn until one delivers.
type Router struct {
	notifiers map[string]Notifier
	order     []string
	routes    map[rules.Severity][]string
	retrier   Retrier
	log       *slog.Logger
}

// NewRouter builds a router. routes maps a severity to notifier names in order
// of preference; a severity without a route uses every notifier, in the order
// given, as its preference list. A nil logger discards.
func NewRouter(notifiers []Notifier, routes map[rules.Severity][]string, retrier Retrier, log *slog.Logger) *Router {
	r := &Router{
		notifiers: make(map[string]Notifier, len(notifiers)),
		routes:    routes,
		retrier:   retrier,
		log:       log,
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

// Dispatch sends alerts that fell due together. Alerts sharing a route become
// one message per notifier, the most urgent first; each group walks its route
// until a notifier delivers. Results come back in the order of alerts.
func (r *Router) Dispatch(ctx context.Context, alerts []Alert, late bool) []Result {
	results := make([]Result, len(alerts))
	for _, g := range r.group(alerts) {
		delivered, by, attempts, errs := r.walk(ctx, g, late)
		for i, pos := range g.index {
			results[pos] = Result{
				Key:       g.alerts[i].Step.Key(),
				Delivered: delivered,
				Notifier:  by,
				Attempts:  attempts,
				Errors:    maps.Clone(errs),
			}
		}
	}
	return results
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

// walk sends one group's message along its route until a notifier delivers.
func (r *Router) walk(ctx context.Context, g *group, late bool) (delivered bool, by string, attempts int, errs map[string]string) {
	delivered, by, attempts, errs = r.along(ctx, g.route, Message{Alerts: g.alerts, Late: late})
	if delivered {
		r.logSent(g.alerts, by, attempts, late)
		return
	}
	for _, a := range g.alerts {
		r.log.Error("alert not delivered",
			"room", a.Step.Room, "kind", string(a.Step.Kind), "step", a.Step.Name,
			"route", strings.Join(g.route, ","), "attempts", attempts)
	}
	return
}

// along tries each notifier of a route in turn until one delivers m.
func (r *Router) along(ctx context.Context, route []string, m Message) (delivered bool, by string, attempts int, errs map[string]string) {
	for _, name := range route {
		if ctx.Err() != nil {
			// Shutting down: the outbox keeps the alert for the next start,
			// so failing over now would only send it twice.
			break
		}
		n, ok := r.notifiers[name]
		if !ok {
			errs = addError(errs, name, "no such notifier")
			continue
		}
		tries, err := r.retrier.Send(ctx, n, m)
		attempts += tries
		if err == nil {
			return true, name, attempts, errs
		}
		errs = addError(errs, name, err.Error())
		r.log.Warn("notifier failed", "notifier", name, "attempts", tries, "err", err)
	}
	return false, "", attempts, errs
}

// Notice sends a message about roomwatch itself (a rejected configuration)
// along the route of its severity.
func (r *Router) Notice(ctx context.Context, sev rules.Severity, title string, lines []string) error {
	m := Message{Notice: &message.Notice{Severity: sev, Title: title, Lines: lines}}
	delivered, by, _, errs := r.along(ctx, r.route(sev), m)
	if !delivered {
		return fmt.Errorf("notifier: notice not delivered: %v", errs)
	}
	r.log.Info("notice sent", "notifier", by, "severity", string(sev), "title", title)
	return nil
}

func addError(errs map[string]string, name, text string) map[string]string {
	if errs == nil {
		errs = map[string]string{}
	}
	errs[name] = text
	return errs
}

// logSent writes one line per alert: which notifier carried it, after how many
// attempts, and how long after its send time it went out.
func (r *Router) logSent(alerts []Alert, name string, attempts int, late bool) {
	now := time.Now()
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

package notifier_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/console"
	"github.com/roomwatch/roomwatch/notifier/internal/testalert"
	"github.com/roomwatch/roomwatch/rules"
)

func ok(name string) *scripted { return &scripted{name: name} }

func failing(name string, retry bool, err error) *scripted {
	return &scripted{name: name, replies: []reply{{retry, err}}}
}

func fastRetrier() (notifier.Retrier, *sleeps) {
	rec := &sleeps{}
	return notifier.Retrier{Base: time.Second, Max: 8 * time.Second, Deadline: time.Minute, Sleep: rec.Sleep, Jitter: noJitter}, rec
}

func keys(alerts []notifier.Alert) []string {
	var out []string
	for _, a := range alerts {
		out = append(out, a.Step.Room)
	}
	return out
}

func TestDispatchGroupsByRouteAndLeadsWithTheMostUrgent(t *testing.T) {
	phone, mail, con := ok("phone"), ok("mail"), ok("console")
	routes := map[rules.Severity][]string{
		rules.Critical: {"phone", "mail"},
		rules.Warning:  {"phone"},
	}
	retrier, _ := fastRetrier()
	r := notifier.NewRouter([]notifier.Notifier{phone, mail, con}, routes, retrier, nil)
	alerts := []notifier.Alert{
		testalert.Make(rules.CheckIn, rules.Warning, "w1", "t"),
		testalert.Make(rules.RateBuyer, rules.Info, "i1", "t"),
		testalert.Make(rules.CancelRisk, rules.Critical, "c1", "t"),
		testalert.Make(rules.FirstMessage, rules.Critical, "c2", "t"),
		testalert.Make(rules.SendTerms, rules.Warning, "w2", "t"),
	}
	// An earlier deadline leads within a severity.
	alerts[3].Step.Deadline = alerts[3].Step.Deadline.Add(-time.Hour)

	results := r.Dispatch(context.Background(), alerts, false)

	got := phone.messages()
	if len(got) != 3 {
		t.Fatalf("phone got %d messages, want one per route group (critical, warning, info)", len(got))
	}
	want := [][]string{{"c2", "c1"}, {"w1", "w2"}, {"i1"}}
	for i, m := range got {
		if strings.Join(keys(m.Alerts), ",") != strings.Join(want[i], ",") {
			t.Errorf("message %d carries %v, want %v", i, keys(m.Alerts), want[i])
		}
	}
	if len(mail.messages())+len(con.messages()) != 0 {
		t.Error("fallback notifiers were used although phone delivered")
	}
	for i, res := range results {
		if res.Key != alerts[i].Step.Key() {
			t.Errorf("result %d is for %s, want %s: results must keep input order", i, res.Key, alerts[i].Step.Key())
		}
		if !res.Delivered || res.Notifier != "phone" || res.Attempts != 1 || len(res.Errors) != 0 {
			t.Errorf("result %d = %+v", i, res)
		}
	}
}

func TestDispatchFailsOverAlongTheRoute(t *testing.T) {
	phone := failing("phone", false, errors.New("invalid_token"))
	mail := ok("mail")
	retrier, rec := fastRetrier()
	r := notifier.NewRouter([]notifier.Notifier{phone, mail}, map[rules.Severity][]string{rules.Critical: {"phone", "mail"}}, retrier, nil)
	res := r.Dispatch(context.Background(), []notifier.Alert{testalert.Make(rules.CancelRisk, rules.Critical, "c1", "t")}, false)[0]
	if !res.Delivered || res.Notifier != "mail" || res.Attempts != 2 {
		t.Fatalf("result = %+v", res)
	}
	if !strings.Contains(res.Errors["phone"], "invalid_token") {
		t.Errorf("errors = %v", res.Errors)
	}
	if len(rec.all()) != 0 {
		t.Errorf("a permanent failure was retried: waits %v", rec.all())
	}
}

func TestDispatchWithoutRouteUsesEveryNotifierInOrder(t *testing.T) {
	first := failing("first", false, errors.New("gone"))
	second := ok("second")
	third := ok("third")
	retrier, _ := fastRetrier()
	r := notifier.NewRouter([]notifier.Notifier{first, second, third}, nil, retrier, nil)
	res := r.Dispatch(context.Background(), []notifier.Alert{testalert.Make(rules.RateBuyer, rules.Info, "i1", "t")}, false)[0]
	if res.Notifier != "second" || len(third.messages()) != 0 {
		t.Fatalf("result = %+v, third got %d", res, len(third.messages()))
	}
}

func TestDispatchReportsUndelivered(t *testing.T) {
	phone := failing("phone", false, errors.New("channel_not_found"))
	retrier, _ := fastRetrier()
	r := notifier.NewRouter([]notifier.Notifier{phone}, map[rules.Severity][]string{rules.Warning: {"phone", "ghost"}}, retrier, nil)
	res := r.Dispatch(context.Background(), []notifier.Alert{testalert.Make(rules.CheckIn, rules.Warning, "w1", "t")}, false)[0]
	if res.Delivered || res.Notifier != "" {
		t.Fatalf("result = %+v", res)
	}
	if res.Errors["ghost"] == "" || !strings.Contains(res.Errors["phone"], "channel_not_found") {
		t.Errorf("errors = %v", res.Errors)
	}
}

func TestDispatchDoesNotFailOverWhenShuttingDown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	phone := failing("phone", true, errTemporary)
	mail := ok("mail")
	retrier := notifier.Retrier{Base: time.Second, Deadline: time.Minute, Jitter: noJitter,
		Sleep: func(ctx context.Context, _ time.Duration) error { cancel(); return ctx.Err() }}
	r := notifier.NewRouter([]notifier.Notifier{phone, mail}, map[rules.Severity][]string{rules.Critical: {"phone", "mail"}}, retrier, nil)
	res := r.Dispatch(ctx, []notifier.Alert{testalert.Make(rules.CancelRisk, rules.Critical, "c1", "t")}, false)[0]
	if res.Delivered || len(mail.messages()) != 0 {
		t.Fatalf("result = %+v; mail got %d (the outbox resends after restart)", res, len(mail.messages()))
	}
}

func TestDispatchMarksLateMessages(t *testing.T) {
	phone := ok("phone")
	retrier, _ := fastRetrier()
	r := notifier.NewRouter([]notifier.Notifier{phone}, nil, retrier, nil)
	r.Dispatch(context.Background(), []notifier.Alert{testalert.Make(rules.CheckIn, rules.Warning, "w1", "t")}, true)
	if m := phone.messages(); len(m) != 1 || !m[0].Late {
		t.Fatalf("messages = %+v", m)
	}
}

func TestDispatchLogsOneLinePerAlert(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	phone := failing("phone", true, errTemporary)
	phone.replies = append(phone.replies, reply{false, nil})
	retrier, _ := fastRetrier()
	r := notifier.NewRouter([]notifier.Notifier{phone}, nil, retrier, log)
	alerts := []notifier.Alert{
		testalert.Make(rules.CancelRisk, rules.Critical, "c1", "t"),
		testalert.Make(rules.CheckIn, rules.Critical, "c2", "t"),
	}
	r.Dispatch(context.Background(), alerts, false)
	var sent []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(buf.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec["msg"] == "alert sent" {
			sent = append(sent, rec)
		}
	}
	if len(sent) != 2 {
		t.Fatalf("%d 'alert sent' lines, want one per alert:\n%s", len(sent), buf.String())
	}
	for _, rec := range sent {
		for _, key := range []string{"room", "kind", "step", "notifier", "attempts", "latency"} {
			if _, ok := rec[key]; !ok {
				t.Errorf("log line lacks %q: %v", key, rec)
			}
		}
		if rec["notifier"] != "phone" || rec["attempts"] != float64(2) || rec["step"] != "warn-3h" {
			t.Errorf("log line = %v", rec)
		}
	}
}

func TestTestSendsAMarkedMessage(t *testing.T) {
	var out bytes.Buffer
	con := console.New(console.Options{Writer: &out})
	if err := notifier.Test(context.Background(), con, testalert.Now); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	if !strings.Contains(text, "[TEST]") || !strings.Contains(text, "test message") {
		t.Errorf("test output is not marked as a test:\n%s", text)
	}
	failed := notifier.Test(context.Background(), failing("phone", false, errors.New("invalid_auth")), testalert.Now)
	if failed == nil || !strings.Contains(failed.Error(), "phone") || !strings.Contains(failed.Error(), "invalid_auth") {
		t.Errorf("Test error = %v", failed)
	}
}

func TestRouterLooksUpNotifiers(t *testing.T) {
	retrier, _ := fastRetrier()
	r := notifier.NewRouter([]notifier.Notifier{ok("phone"), ok("mail")}, nil, retrier, nil)
	if n, found := r.Notifier("mail"); !found || n.Name() != "mail" {
		t.Error("Notifier(mail) not found")
	}
	if _, found := r.Notifier("ghost"); found {
		t.Error("Notifier(ghost) found")
	}
	if got := strings.Join(r.Names(), ","); got != "phone,mail" {
		t.Errorf("Names = %s", got)
	}
}

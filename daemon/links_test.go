package daemon

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/roomwatch/roomwatch/control/links"
	"github.com/roomwatch/roomwatch/rules"
)

const linkRooms = `  http: 127.0.0.1:0
  token: 0123456789abcdef0123456789abcdef
  public_url: https://pi.example.net:8765/
rooms:
  - id: "4012345"
    title: Logo
    opened: 2026-11-24 10:00
`

func TestAlertsCarryTheirLinks(t *testing.T) {
	cfg := writeConfig(t, t.TempDir(), linkRooms)
	clock := clockwork.NewFakeClockAt(at(24, 10, 0))
	rec := &recordingNotifier{clock: clock}
	d, _ := startDaemon(t, cfg, clock, rec, nil)
	signer, err := d.linkSigner(cfg.Control)
	if err != nil {
		t.Fatal(err)
	}
	d.links = signer

	for _, kind := range rules.Kinds {
		now := clock.Now()
		ls := d.alertLinks(rules.Step{Alert: rules.Alert{Room: "4012345", Kind: kind}}, now)
		var actions []string
		for _, l := range ls {
			actions = append(actions, l.Action)
			tok, ok := strings.CutPrefix(l.URL, "https://pi.example.net:8765/a/")
			if !ok || l.Label == "" {
				t.Errorf("%s: link %+v", kind, l)
				continue
			}
			c, err := signer.Verify(tok, now)
			if err != nil || c.Room != "4012345" || string(c.Action) != l.Action || !c.Expires.Equal(now.Add(links.DefaultTTL)) {
				t.Errorf("%s: token says %+v, %v", kind, c, err)
			}
		}
		if !slices.Contains(actions, "snooze") {
			t.Errorf("%s: actions %v lack the snooze", kind, actions)
		}
		if (kind == rules.FirstMessage || kind == rules.SendTerms) && slices.Contains(actions, "delivered") {
			t.Errorf("%s offers delivered: %v", kind, actions)
		}
	}

	// The dispatcher puts them on what it hands the notifiers.
	runUntil(t, d, clock, clock.Now().Add(30*time.Hour))
	got := rec.alerts()
	if len(got) == 0 {
		t.Fatal("nothing was sent")
	}
	for _, s := range got {
		for _, a := range s.msg.Alerts {
			if len(a.Links) == 0 {
				t.Errorf("%s alert went out without links", a.Step.Kind)
			}
		}
	}

	// Without a public address, no links.
	cfg.Control.PublicURL = ""
	d.app.SetConfig(cfg)
	if ls := d.alertLinks(rules.Step{Alert: rules.Alert{Room: "4012345", Kind: rules.CheckIn}}, clock.Now()); ls != nil {
		t.Errorf("links without public_url: %v", ls)
	}
}

func TestWatchdogChecksTheLoops(t *testing.T) {
	cfg := writeConfig(t, t.TempDir(), "")
	clock := clockwork.NewFakeClockAt(at(24, 10, 0))
	d, _ := startDaemon(t, cfg, clock, &recordingNotifier{clock: clock}, nil)

	if err := d.healthy(); err == nil || !strings.Contains(err.Error(), "dispatcher has not run yet") {
		t.Errorf("before the dispatcher ran: %v", err)
	}
	d.health.dispatchedAt(clock.Now())
	if err := d.healthy(); err != nil {
		t.Fatalf("freshly started: %v", err)
	}
	clock.Advance(2*d.opt.SweepEvery + healthSlack + time.Second)
	d.health.dispatchedAt(clock.Now())
	if err := d.healthy(); err == nil || !strings.Contains(err.Error(), "sweep last ran") {
		t.Errorf("sweep stuck: %v", err)
	}
	d.sweep(t.Context(), clock.Now(), clock.Now().Add(d.opt.Horizon))
	if err := d.healthy(); err != nil {
		t.Errorf("after a sweep: %v", err)
	}
	clock.Advance(2*retryEvery + gatherWindow + healthSlack + time.Second)
	d.sweep(t.Context(), clock.Now(), clock.Now().Add(d.opt.Horizon))
	if err := d.healthy(); err == nil || !strings.Contains(err.Error(), "dispatcher last ran") {
		t.Errorf("dispatcher stuck: %v", err)
	}
}

package daemon

import (
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

func TestAlertsLinkToTheRoomPage(t *testing.T) {
	cfg := writeConfig(t, t.TempDir(), linkRooms)
	clock := clockwork.NewFakeClockAt(at(24, 10, 0))
	rec := &recordingNotifier{clock: clock}
	d, _ := startDaemon(t, cfg, clock, rec, nil)
	signer, err := d.linkSigner(cfg.Control)
	if err != nil {
		t.Fatal(err)
	}
	d.links = signer
	runUntil(t, d, clock, clock.Now().Add(30*time.Hour))
	got := rec.alerts()
	if len(got) == 0 {
		t.Fatal("nothing was sent")
	}
	for _, s := range got {
		for _, a := range s.msg.Alerts {
			if a.RoomPage != "https://pi.example.net:8765/rooms/4012345" {
				t.Errorf("%s alert links to %q", a.Step.Kind, a.RoomPage)
			}
		}
	}
	cfg.Control.PublicURL = ""
	d.app.SetConfig(cfg)
	if p := d.roomPage("4012345"); p != "" {
		t.Errorf("a room page without public_url: %q", p)
	}
}

package ntfy

import (
	"strings"
	"testing"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/internal/testalert"
	"github.com/roomwatch/roomwatch/rules"
)

func TestClickOpensTheRoomPage(t *testing.T) {
	srv := newServer(t)
	n := newNotifier(t, config.NtfyConfig{Server: srv.URL}, Options{Language: "ja"})
	alert := testalert.Make(rules.CheckIn, rules.Warning, "4012345", "ロゴ")
	alert.RoomPage = "https://pi.example.ts.net/rooms/4012345"
	send(t, n, notifier.Message{Alerts: []notifier.Alert{alert}})
	p := srv.only(t).payload(t)
	if p["click"] != alert.RoomPage {
		t.Errorf("click = %v, want the room's page", p["click"])
	}
	if msg, _ := p["message"].(string); !strings.Contains(msg, "roomwatch で開く："+alert.RoomPage) {
		t.Errorf("the body does not name the room's page:\n%s", msg)
	}
}

package daemon

import (
	"fmt"
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/control"
	"github.com/roomwatch/roomwatch/control/links"
	"github.com/roomwatch/roomwatch/control/web"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

// linkSigner makes the signer of action links: with control.link_key when
// configured, else with the key kept in the store (made on first use).
func (d *Daemon) linkSigner(ctrl config.Control) (*links.Signer, error) {
	key := []byte(ctrl.LinkKey.Value())
	if ctrl.LinkKey.IsZero() {
		var err error
		if key, err = d.store.LinkKey(); err != nil {
			return nil, fmt.Errorf("action links: %w", err)
		}
	}
	return links.NewSigner(key)
}

// alertLinks are the signed action links of one alert, worded in the
// configured language, under control.public_url; none when no public
// address is configured or the HTTP API serves no links.
func (d *Daemon) alertLinks(step rules.Step, now time.Time) []message.ActionLink {
	cfg := d.app.Config()
	base := cfg.Control.PublicURL
	if base == "" || d.links == nil || step.Room == "" {
		return nil
	}
	ttl := cfg.Control.LinkTTL
	if ttl <= 0 {
		ttl = links.DefaultTTL
	}
	out, err := control.AlertLinks(d.links, base, step.Room, step.Kind, cfg.Language, now.Add(ttl))
	if err != nil {
		// A room ID too long for a link: the alert goes out without.
		d.log.Warn("no action links for this alert", "room", step.Room, "err", err)
		return nil
	}
	return out
}

// roomPage is the room's page in the web app under control.public_url;
// empty when no public address is configured or the HTTP API is off.
func (d *Daemon) roomPage(room string) string {
	base := d.app.Config().Control.PublicURL
	if base == "" || d.links == nil || room == "" {
		return ""
	}
	return web.RoomURL(base, room)
}

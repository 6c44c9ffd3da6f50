package config

import (
	"fmt"
	"sort"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/roomwatch/roomwatch/rules"
)

// DefaultRetention is how long the history of a room that was closed or
// cancelled is kept (store.retention). It is twice the longest window the
// platforms leave open after a room ends — Coconala's 90-day rating window,
// counted from the delivery, so it closes at most 90 days after the room
// closed (Fiverr's, Upwork's and CrowdWorks's rating windows are 14 to 30
// days from the close; a cancelled Coconala room's files are hidden after 3
// days) — so no alert of an ended room is still to come, and half a year of
// past orders stays at hand for a dispute or the tax return.
const DefaultRetention = 180 * 24 * time.Hour

// minRetention is the floor of store.retention even for profiles with no
// window at all: a month of history is what a seller looks back on.
const minRetention = 30 * 24 * time.Hour

var storeKeys = []string{"path", "retention"}

// store reads the store key: a path, or a mapping of path and retention.
// The retention is checked against the profiles, so it runs after them.
func (p *parser) store(top fields, c *Config) {
	e, ok := top.get("store")
	if !ok {
		return
	}
	if resolve(e.val).Kind == yaml.ScalarNode {
		if s, ok := p.text(e); ok && s != "" {
			c.Store = p.path(s)
		}
		return
	}
	f, ok := p.mapping(e.val, "store", storeKeys)
	if !ok {
		return
	}
	if pe, ok := f.get("path"); ok {
		if s, ok := p.text(pe); ok && s != "" {
			c.Store = p.path(s)
		}
	}
	if re, ok := f.get("retention"); ok {
		floor, why := retentionFloor(c.Profiles)
		rule := durationRule{floor: floor, noneOK: true, why: why}
		if d, ok := p.duration(re, rule); ok {
			c.Retention = d
		}
	}
}

// retentionFloor is the shortest retention that outlasts every window the
// profiles leave open after a room ends: the rating window (rate-buyer is
// sent a week before it closes) and the time a cancelled room's files stay
// visible (export-files). Pruning a room inside one would drop the ledger
// entries that keep its last alert from going out twice.
func retentionFloor(profiles map[string]rules.Profile) (time.Duration, string) {
	floor, why := minRetention, "a month of history at the least"
	names := make([]string, 0, len(profiles))
	for name := range profiles {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		prof := profiles[name]
		for _, w := range []struct {
			key string
			d   time.Duration
		}{{"rating_window", prof.RatingWindow}, {"content_hidden_after_cancel", prof.ContentHiddenAfterCancel}} {
			if w.d >= floor {
				floor = w.d
				why = fmt.Sprintf("the longest window after a room ends: %s %s", name, w.key)
			}
		}
	}
	return floor, why
}

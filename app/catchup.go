package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"runtime/debug"
	"slices"
	"time"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/rules"
)

// policyMetaKey holds the PolicyFingerprint every room's schedule in the
// store was computed with.
const policyMetaKey = "policy"

// CatchUp syncs the configuration's rooms and evaluates every room whose
// facts changed; when the policy changed, every room (a changed policy
// moves every deadline). Starting, it also evaluates every room whose next
// step is already due, before any timer runs, so every catch-up step is in
// the outbox before the first send and goes out grouped. The work follows
// what changed: a restart or a reload of an unchanged store reads no room
// it does not evaluate. The caller then gives timers from the due index.
func (e *App) CatchUp(ctx context.Context, starting bool) error {
	changed, err := e.Sync(ctx)
	if err != nil {
		return err
	}
	fp := PolicyFingerprint(e.Config())
	old, err := e.store.Meta(policyMetaKey)
	if err != nil {
		return err
	}
	// A store that has none recorded (new, or migrated from an older schema
	// without a due index) counts as changed, so every room gets evaluated
	// once.
	if old != fp {
		n, err := e.EvaluateAll(ctx)
		if err != nil {
			return err
		}
		// Recorded only now: a start cut short re-evaluates every room.
		if err := e.store.SetMeta(policyMetaKey, fp); err != nil {
			return err
		}
		e.log.Info("rooms evaluated", "rooms", n, "all", true)
		// Evaluating every room of a marketplace is a burst of garbage
		// the daemon will not need again; give it back to the system
		// now rather than carry it in RSS until the runtime's scavenger
		// gets to it.
		debug.FreeOSMemory()
	} else {
		if err := e.EvaluateRooms(ctx, changed); err != nil {
			return err
		}
		if len(changed) > 0 || starting {
			e.log.Info("rooms evaluated", "changed", len(changed), "all", false)
		}
	}
	if starting {
		return e.evaluateDue(ctx, e.clock.Now())
	}
	return nil
}

// ForgetPolicy makes the next CatchUp evaluate every room: a reload that
// failed half-way may have evaluated some rooms under a policy that is not
// put in force.
func (e *App) ForgetPolicy() error {
	return e.store.SetMeta(policyMetaKey, "")
}

// evaluateDue evaluates, here and now, every room whose next step is due.
func (e *App) evaluateDue(ctx context.Context, now time.Time) error {
	var due []string
	err := e.store.DueBefore(now, func(room string, at time.Time) bool {
		due = append(due, room)
		return true
	})
	if err != nil {
		return err
	}
	return e.EvaluateRooms(ctx, due)
}

// PolicyFingerprint summarises the inputs every room's rules share (policy,
// profiles, default platform, zone, declined buyers), so a change of policy
// or profile re-evaluates every room and nothing else does.
func PolicyFingerprint(cfg *config.Config) string {
	type profile struct {
		Name string
		P    rules.Profile
	}
	var profiles []profile
	for name, p := range cfg.Profiles {
		profiles = append(profiles, profile{name, p})
	}
	slices.SortFunc(profiles, func(a, b profile) int {
		if a.Name < b.Name {
			return -1
		}
		if a.Name > b.Name {
			return 1
		}
		return 0
	})
	policy := cfg.Policy
	zone := ""
	if policy.Location != nil {
		zone = policy.Location.String()
	}
	policy.Location = nil
	// A declined buyer raises declined-buyer on their rooms, so declining
	// one is a change of every room's rules too. Left out when empty, so
	// the fingerprint of a file without declines is what it always was.
	var declined []string
	for _, b := range cfg.Buyers {
		if b.Decline {
			declined = append(declined, b.Platform+"/"+b.Name)
		}
	}
	slices.Sort(declined)
	b, _ := json.Marshal(struct {
		Policy   rules.Policy
		Zone     string
		Platform string
		Profiles []profile
		Declined []string `json:",omitempty"`
	}{policy, zone, cfg.Platform, profiles, declined})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

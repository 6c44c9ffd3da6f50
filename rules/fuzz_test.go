package rules

import (
	"encoding/binary"
	"slices"
	"testing"
	"time"
)

// fuzzBytes reads fuzz input as numbers; past the end it reads zeros, so
// every input makes a room.
type fuzzBytes struct{ b []byte }

func (f *fuzzBytes) uint(n int) int {
	if n <= 0 {
		return 0
	}
	var v uint16
	if len(f.b) >= 2 {
		v = binary.LittleEndian.Uint16(f.b)
		f.b = f.b[2:]
	} else if len(f.b) == 1 {
		v = uint16(f.b[0])
		f.b = nil
	}
	return int(v) % n
}

// instant is zero one time in four, else a minute within ±45 days of base.
func (f *fuzzBytes) instant(base time.Time) time.Time {
	if f.uint(4) == 0 {
		return time.Time{}
	}
	return base.Add(time.Duration(f.uint(2*45*24*60)-45*24*60) * time.Minute)
}

func (f *fuzzBytes) duration(max time.Duration) time.Duration {
	return time.Duration(f.uint(int(max/time.Minute)+1)) * time.Minute
}

var fuzzZones = func() []*time.Location {
	var out []*time.Location
	// Lord Howe moves its clock by 30 minutes; the others by an hour.
	for _, name := range []string{"Asia/Tokyo", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "UTC"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			panic(err)
		}
		out = append(out, loc)
	}
	return out
}()

var fuzzProfiles = []string{"coconala", "fiverr", "upwork", "crowdworks", "lancers"}

// fuzzCase builds a room and its environment from fuzz input: a policy
// within what config accepts (at most 48 repeats), any profile, a DST
// zone, quiet hours, acks and a snooze.
func fuzzCase(data []byte) (Room, Env) {
	f := &fuzzBytes{data}
	loc := fuzzZones[f.uint(len(fuzzZones))]
	// Around a DST change of the chosen zone half of the time.
	base := time.Date(2026, time.Month(1+f.uint(12)), 1+f.uint(28), f.uint(24), 0, 0, 0, loc)
	r := Room{ID: "r", Buyer: "b", Opened: f.instant(base), Seen: f.instant(base)}
	for _, k := range EventKinds[1:] {
		r.SetEvent(k, f.instant(base))
	}
	r.Due = f.instant(base)
	r.Via = []Via{ViaPurchase, ViaQuote}[f.uint(2)]
	r.ExtraPayment = []ExtraPaymentState{ExtraNone, ExtraPending, ExtraPaid}[f.uint(3)]

	prof := Profiles[fuzzProfiles[f.uint(len(fuzzProfiles))]]
	if f.uint(3) == 0 {
		prof.AutoApproval = f.duration(400 * time.Hour)
	}
	pol := Policy{
		CheckInEvery:            f.duration(200 * time.Hour),
		CancelAfterBuyerSilence: f.duration(200 * time.Hour),
		CloseAfterBuyerSilence:  f.duration(200 * time.Hour),
		CloseAfterDelivery:      f.duration(400 * time.Hour),
		RepeatEvery:             f.duration(12 * time.Hour),
		RepeatFor:               f.duration(48 * time.Hour),
		QuietHours:              QuietHours{Start: f.duration(24*time.Hour - time.Minute), End: f.duration(24*time.Hour - time.Minute)},
		Location:                loc,
	}
	if pol.RepeatEvery > 0 && pol.RepeatFor/pol.RepeatEvery > 48 {
		pol.RepeatFor = 48 * pol.RepeatEvery
	}
	for range f.uint(4) {
		pol.WarnBefore = append(pol.WarnBefore, f.duration(96*time.Hour))
	}
	env := Env{Profile: prof, Policy: pol}
	if f.uint(2) == 0 {
		env.SameBuyer = []string{"earlier"}
	}
	for range f.uint(3) {
		env.Acks = append(env.Acks, Ack{Kind: Kinds[f.uint(len(Kinds))], Deadline: f.instant(base), At: f.instant(base)})
	}
	if from := f.instant(base); !from.IsZero() {
		env.Snooze = Snooze{From: from, Until: from.Add(f.duration(48 * time.Hour))}
	}
	return r, env
}

// FuzzPlan feeds random policies and rooms to Plan and checks what must
// hold for any of them: a bounded number of steps, Plan's order, no step
// sent before its own At unless its alert was overdue when it became
// known, no warn step before the alert was known, unique ledger keys, and
// nothing sent once the room closed automatically.
func FuzzPlan(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("roomwatch"))
	f.Add([]byte{1, 0, 2, 0, 10, 0, 8, 0, 1, 0, 200, 1, 3, 0, 7, 7, 7, 7, 0xff, 0xff, 5, 0, 5, 0, 9, 9})
	// Each zone around its spring-forward and fall-back days.
	for zone := range fuzzZones {
		for _, month := range []byte{2, 9, 3, 10} {
			f.Add([]byte{byte(zone), 0, month, 0, 7, 0, 1, 0, 1, 0, 0, 0, 3, 0, 2, 0, 1, 1, 44, 1, 0, 2, 33, 3, 21, 4})
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, env := fuzzCase(data)
		alerts := Alerts(r, env)
		steps := Plan(r, env)
		pol := env.Policy
		perAlert := 1 + len(pol.WarnBefore) + repeatCount(pol)
		if max := len(alerts) * perAlert; len(steps) > max {
			t.Fatalf("%d steps for %d alerts, at most %d", len(steps), len(alerts), max)
		}
		if len(alerts) > len(Kinds)+1 || perAlert > 1+4+48 {
			t.Fatalf("%d alerts, %d steps per alert: unbounded", len(alerts), perAlert)
		}
		if !slices.IsSortedFunc(steps, func(x, y Step) int { return compareSteps(&x, &y) }) {
			t.Fatalf("not in Plan's order: %v", describeSteps(steps))
		}
		keys := make(map[string]bool, len(steps))
		for _, s := range steps {
			if s.SendAt.Before(s.At) && !s.Deadline.Before(s.Known) {
				t.Errorf("%s sent at %s, before its At %s", s.Key(), s.SendAt, s.At)
			}
			if s.Name != StepDue && !isRepeat(s.Name) && s.At.Before(s.Known) {
				t.Errorf("%s: a warn step before the deadline was known (%s)", s.Key(), s.Known)
			}
			if s.Name != StepDue && !isRepeat(s.Name) && !s.SendAt.Before(s.Deadline) {
				t.Errorf("%s: a warn step sent at %s, not before its deadline", s.Key(), s.SendAt)
			}
			if !s.ends.IsZero() && !s.SendAt.Before(s.ends) {
				t.Errorf("%s sent at %s, after the room closed automatically at %s", s.Key(), s.SendAt, s.ends)
			}
			if keys[s.Key()] {
				t.Errorf("two steps with the key %s", s.Key())
			}
			keys[s.Key()] = true
		}
	})
}

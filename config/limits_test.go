package config

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// checkNow is the moment the timeline tests check files at.
var checkNow = time.Date(2026, 12, 6, 12, 0, 0, 0, time.FixedZone("JST", 9*3600))

// parseErrors parses text with opt and returns every problem as
// "line:col: message", warnings included.
func parseErrors(t *testing.T, text string, opt Options) []string {
	t.Helper()
	_, err := ParseWith("roomwatch.yaml", []byte(text), opt)
	if err == nil {
		t.Fatalf("ParseWith succeeded, want errors; config:\n%s", text)
	}
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("ParseWith error %T %v, want Errors", err, err)
	}
	var out []string
	for _, e := range errs {
		out = append(out, strings.TrimPrefix(e.Error(), "roomwatch.yaml:"))
	}
	return out
}

func TestRefusedValues(t *testing.T) {
	longID := strings.Repeat("7", MaxRoomIDBytes+1)
	longTitle := strings.Repeat("記", MaxTextChars+1)
	tests := []struct {
		name, config string
		want         string // the only problem, "line:col: message"
	}{
		{"49 repeats per alert", "policy:\n  repeat_every: 30m\n  repeat_for: 24h30m\n",
			"3:15: repeat_for 24h30m / repeat_every 30m makes 49 repeats per alert; at most 48: lengthen repeat_every or shorten repeat_for"},
		{"repeats from repeat_every alone", "policy:\n  repeat_every: 15m\n",
			"2:17: repeat_for 1d / repeat_every 15m makes 96 repeats per alert; at most 48: lengthen repeat_every or shorten repeat_for"},
		{"repeat_every below a minute", "policy:\n  repeat_every: 30s\n  repeat_for: 0\n",
			"2:17: repeat_every: 30s is too short: use at least 1m, or none to switch it off"},
		{"close_after_delivery below a minute", "policy:\n  close_after_delivery: 59s\n",
			"2:25: close_after_delivery: 59s is too short: use at least 1m, or none to switch it off"},
		{"warn_before item below a minute", "policy:\n  warn_before: [24h, 10s]\n",
			"2:22: warn_before: 10s is too short: use at least 1m, or none to switch it off"},
		{"warn_before none inside a list", "policy:\n  warn_before: [24h, none]\n",
			"2:22: warn_before: none is not a warning; for no warnings write warn_before: none"},
		{"too many warnings", "policy:\n  warn_before: [11h, 10h, 9h, 8h, 7h, 6h, 5h, 4h, 3h, 2h, 1h]\n",
			"2:16: warn_before has 11 warnings; at most 10"},
		{"profile duration below a minute", "profiles:\n  coconala:\n    first_message: 1s\n",
			"3:20: first_message: 1s is too short: use at least 1m, or none to switch it off"},
		{"room_limit of 7 days", "profiles:\n  lancers:\n    room_limit: 7d\n",
			"3:17: room_limit: 7d is too short: use longer than 7d (room-expiry warns 7 days before the room closes), or none to switch it off"},
		{"room_limit under 7 days", "profiles:\n  coconala:\n    room_limit: 72h\n",
			"3:17: room_limit: 72h is too short: use longer than 7d (room-expiry warns 7 days before the room closes), or none to switch it off"},
		{"notifier timeout none", "notifiers:\n  - name: c\n    type: console\n    timeout: none\n",
			"4:14: timeout cannot be none: use a duration of at least 1s"},
		{"notifier timeout below a second", "notifiers:\n  - name: c\n    type: console\n    timeout: 500ms\n",
			"4:14: timeout: 500ms is too short: use at least 1s"},
		{"notifier timeout with a bad unit says no none", "notifiers:\n  - name: c\n    type: console\n    timeout: 10 s\n",
			`4:14: timeout: bad duration "10 s": use Go units (90m, 72h, 1h30m) or days (90d, 1d12h)`},
		{"room ID over 128 bytes", "rooms:\n  - id: " + longID + "\n    opened: 2026-11-20 10:00\n",
			"2:9: room ID is 129 bytes long; at most 128"},
		{"title over 500 characters", "rooms:\n  - id: a\n    title: " + longTitle + "\n    opened: 2026-11-20 10:00\n",
			"3:12: title is 501 characters long; at most 500"},
		{"buyer over 500 characters", "rooms:\n  - id: a\n    buyer: " + strings.Repeat("b", 501) + "\n    opened: 2026-11-20 10:00\n",
			"3:12: buyer is 501 characters long; at most 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseErrors(t, tt.config, Options{})
			if len(got) != 1 || got[0] != tt.want {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), tt.want)
			}
		})
	}
}

func TestValuesAtTheLimitsAreAccepted(t *testing.T) {
	text := fmt.Sprintf(`policy:
  repeat_every: 30m
  repeat_for: 24h
  warn_before: [10h, 9h, 8h, 7h, 6h, 5h, 4h, 3h, 2h, 1m]
  check_in_every: 1m
profiles:
  coconala: {room_limit: 169h, first_message: 1m}
notifiers:
  - {name: c, type: console, timeout: 1s}
rooms:
  - id: %s
    title: %s
    buyer: %s
    opened: 2026-11-20 10:00
`, strings.Repeat("7", MaxRoomIDBytes), strings.Repeat("記", MaxTextChars), strings.Repeat("b", MaxTextChars))
	c, err := ParseWith("roomwatch.yaml", []byte(text), Options{Now: checkNow})
	if err != nil {
		t.Fatalf("a file at every limit was refused:\n%v", err)
	}
	if c.Policy.RepeatFor/c.Policy.RepeatEvery != MaxRepeats || len(c.Policy.WarnBefore) != MaxWarnings {
		t.Errorf("policy = %+v", c.Policy)
	}
	if got := c.Profiles["coconala"].RoomLimit; got != 169*time.Hour {
		t.Errorf("room_limit = %s", got)
	}
}

// none switches a policy habit off the same way it switches a profile rule
// off, and rules.Plan then produces none of that alert.
func TestNoneSwitchesPolicyRulesOff(t *testing.T) {
	c := mustLoad(t, `policy:
  check_in_every: none
  cancel_after_buyer_silence: None
  close_after_buyer_silence: none
  close_after_delivery: 0s
  repeat_every: none
  warn_before: none
profiles:
  coconala: {room_limit: none}
`)
	p := c.Policy
	if p.CheckInEvery != 0 || p.CancelAfterBuyerSilence != 0 || p.CloseAfterBuyerSilence != 0 ||
		p.CloseAfterDelivery != 0 || p.RepeatEvery != 0 || len(p.WarnBefore) != 0 || p.WarnBefore == nil {
		t.Fatalf("policy = %+v, want every habit off", p)
	}
	if c.Profiles["coconala"].RoomLimit != 0 {
		t.Errorf("room_limit none = %s", c.Profiles["coconala"].RoomLimit)
	}
	opened := time.Date(2026, 11, 20, 10, 0, 0, 0, c.Timezone)
	r := rules.Room{ID: "1", Opened: opened, SellerMessage: opened.Add(time.Hour), BuyerMessage: opened.Add(2 * time.Hour),
		Delivered: opened.Add(3 * time.Hour), Platform: "coconala", Via: rules.ViaPurchase, ExtraPayment: rules.ExtraNone}
	for _, a := range rules.Alerts(r, rules.Env{Profile: c.Profiles["coconala"], Policy: p}) {
		switch a.Kind {
		case rules.CheckIn, rules.EligibleToClose, rules.RoomExpiry:
			t.Errorf("%s alert with its rule switched off", a.Kind)
		}
	}
	for _, s := range rules.Plan(rules.Room{ID: "2", Opened: opened, Platform: "coconala"}, rules.Env{Profile: c.Profiles["coconala"], Policy: p}) {
		if s.Name != rules.StepDue {
			t.Errorf("step %s %s with warn_before and repeats off", s.Kind, s.Name)
		}
	}
}

// The same floors apply to the profiles and to the policy: the message says
// none wherever none works, and only there.
func TestNoneIsOfferedOnlyWhereItWorks(t *testing.T) {
	for _, text := range []string{
		"policy:\n  check_in_every: soon\n",
		"policy:\n  repeat_for: soon\n",
		"profiles:\n  coconala:\n    auto_approval: soon\n",
	} {
		got := parseErrors(t, text, Options{})
		if len(got) != 1 || !strings.HasSuffix(got[0], "or none to switch it off") {
			t.Errorf("%q: %v, want the forms with none", text, got)
		}
	}
	got := parseErrors(t, "notifiers:\n  - {name: c, type: console, timeout: soon}\n", Options{})
	if len(got) != 1 || strings.Contains(got[0], "none") {
		t.Errorf("timeout: %v, want the forms without none", got)
	}
	if _, err := ParseDuration("none"); err == nil || strings.Contains(err.Error(), "none to") {
		t.Errorf("ParseDuration(none) = %v, want an error that does not offer none", err)
	}
}

func TestMaxRooms(t *testing.T) {
	var b strings.Builder
	b.WriteString("rooms:\n")
	for i := range 4 {
		fmt.Fprintf(&b, "  - {id: r%d, opened: 2026-11-20 10:00}\n", i)
	}
	text := b.String()
	got := parseErrors(t, text, Options{MaxRooms: 3})
	want := []string{"5:5: 4 rooms in the file; at most 3 (--max-rooms): raise the limit, or import a marketplace's rooms into the store instead of listing them here"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	c, err := ParseWith("roomwatch.yaml", []byte(text), Options{MaxRooms: 4})
	if err != nil || len(c.Rooms) != 4 {
		t.Fatalf("4 rooms with --max-rooms 4: %v", err)
	}
	if c.Options().MaxRooms != 4 {
		t.Errorf("Options() = %+v, want the MaxRooms the file was loaded with", c.Options())
	}
	if (Options{}).maxRooms() != DefaultMaxRooms {
		t.Errorf("default max rooms = %d", (Options{}).maxRooms())
	}
}

func TestImpossibleTimelines(t *testing.T) {
	room := func(lines ...string) string {
		return "rooms:\n  - id: a\n    opened: 2026-11-20 10:00\n    " + strings.Join(lines, "\n    ") + "\n"
	}
	tests := []struct {
		name, config string
		want         []string
	}{
		{"delivered before opened", room("delivered: 2026-11-19 10:00"),
			[]string{"4:16: delivered 2026-11-19 10:00 is before opened 2026-11-20 10:00: nothing happens in a talk room before it opens (messages before the purchase do not count)"}},
		{"a message before opened", room("seller_message: 2025-11-21 10:00"),
			[]string{"4:21: seller_message 2025-11-21 10:00 is before opened 2026-11-20 10:00: nothing happens in a talk room before it opens (messages before the purchase do not count)"}},
		{"due before opened", room("due: 2025-11-30"),
			[]string{"4:10: due 2025-11-30 23:59 is before opened 2026-11-20 10:00: the due date is set when the order is placed"}},
		{"closed before delivered", room("delivered: 2026-11-25 10:00", "closed: 2026-11-24 10:00"),
			[]string{"5:13: closed 2026-11-24 10:00 is before delivered 2026-11-25 10:00: a room closes after the delivery"}},
		{"closed and cancelled", room("delivered: 2026-11-25 10:00", "closed: 2026-11-26 10:00", "cancelled: 2026-11-27 10:00"),
			[]string{"6:16: the room is both closed (line 5) and cancelled: keep the one that happened"}},
		{"a year typo", room("seller_message: 2027-11-23 10:00"),
			[]string{"4:21: seller_message 2027-11-23 10:00 is in the future (now 2026-12-06 12:00): a typo in the year, month or day? Events are what already happened"}},
		{"opened in the future", "rooms:\n  - id: a\n    opened: 2026-12-07 10:00\n",
			[]string{"3:13: opened 2026-12-07 10:00 is in the future (now 2026-12-06 12:00): a typo in the year, month or day? Events are what already happened"}},
		{"errors and a warning together", room("pushed_back: 2026-11-26 10:00", "closed: 2026-11-27 10:00", "cancelled: 2026-11-28 10:00"),
			[]string{
				"4:18: warning: pushed_back without delivered: a push-back answers a delivery; add delivered, the time you delivered",
				"6:16: the room is both closed (line 5) and cancelled: keep the one that happened",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseErrors(t, tt.config, Options{Now: checkNow})
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestTimelineToleranceAndWarnings(t *testing.T) {
	// Within the tolerance, a due date in the future and a push-back
	// without a delivery: accepted, with one warning.
	text := `rooms:
  - id: a
    opened: 2026-11-20 10:00
    seller_message: 2026-12-06 12:59
    pushed_back: 2026-11-26 10:00
    due: 2027-01-31
`
	c, err := ParseWith("roomwatch.yaml", []byte(text), Options{Now: checkNow})
	if err != nil {
		t.Fatalf("refused: %v", err)
	}
	want := []string{"roomwatch.yaml:5:18: warning: pushed_back without delivered: a push-back answers a delivery; add delivered, the time you delivered"}
	var got []string
	for _, w := range c.Warnings {
		got = append(got, w.Error())
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("warnings = %q, want %q", got, want)
	}
	// One minute past the tolerance is refused.
	late := strings.Replace(text, "12:59", "13:01", 1)
	if _, err := ParseWith("roomwatch.yaml", []byte(late), Options{Now: checkNow}); err == nil || !strings.Contains(err.Error(), "is in the future") {
		t.Errorf("an event 61 minutes ahead: %v, want refused", err)
	}
	// Without a clock the future is not checked (Parse of a fixed file).
	if _, err := Parse("roomwatch.yaml", []byte(late)); err != nil {
		t.Errorf("Parse without a clock: %v", err)
	}
}

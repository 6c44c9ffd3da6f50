package store

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/roomwatch/roomwatch/rules"
)

// The schema 3 fixture: testdata/schema3.db was written by the schema 3 code
// (buildFixture, run with -write-fixture before the layout changed) and
// testdata/schema3.json holds what that code read back from it (dumpStore).
// A later schema must read the same from the migrated file.
var writeFixture = flag.Bool("write-fixture", false, "write testdata/schema3.db and .json with this build (only ever with schema 3)")

const (
	fixtureDB   = "testdata/schema3.db"
	fixtureJSON = "testdata/schema3.json"
)

// fixtureNow is the moment the fixture's history ends.
var fixtureNow = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// buildFixture fills a store the way months of use would: YAML rooms (one
// edited, one removed), two imports (one room re-imported with a changed
// fact, one taken over by the YAML), events from several sources, ledger
// entries in every state with the outbox, acks, snoozes, the due index,
// same-buyer rooms and daemon meta keys.
func buildFixture(t *testing.T, s *Store) {
	t0 := fixtureNow.Add(-30 * 24 * time.Hour)
	h := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	yaml := []rules.Room{
		{ID: "4100001", Title: "ロゴ制作", Buyer: "sakura", Opened: h(0), SellerMessage: h(2), Due: h(24 * 7)},
		{ID: "4100002", Title: "Blog posts", Buyer: "sakura", Opened: h(5), Via: rules.ViaQuote, URL: "https://coconala.com/talkrooms/4100002"},
		{ID: "4100003", Title: "Gone soon", Buyer: "ken", Opened: h(1), ExtraPayment: rules.ExtraPending},
		{ID: "room|with|bars", Title: "bars", Opened: h(3), Platform: "coconala"},
	}
	_, err := s.SyncRooms(yaml, h(6))
	must(err)
	// The YAML changes a fact and drops a room.
	yaml[0].SellerMessage = h(3)
	_, err = s.SyncRooms(yaml[:2], h(8))
	must(err)
	yaml = append(yaml[:2], yaml[3])
	_, err = s.SyncRooms(yaml, h(9))
	must(err)

	imported := []rules.Room{
		{ID: "8800001", Title: "翻訳", Buyer: "taro", Opened: h(10), SellerMessage: h(11), BuyerMessage: h(12), Due: h(100)},
		{ID: "8800002", Title: "動画編集", Buyer: "taro", Opened: h(11), SellerMessage: h(13), Delivered: h(40)},
		{ID: "8800003", Title: "Closed one", Buyer: "mika", Opened: h(2), SellerMessage: h(3), Delivered: h(30), Closed: h(50), BuyerRated: h(60)},
		{ID: "8800004", Title: "Cancelled", Buyer: "mika", Opened: h(4), Cancelled: h(20)},
		{ID: "4100002", Title: "imported twin of a YAML room"},
	}
	_, err = s.ImportRooms(imported, "marketplace", h(60))
	must(err)
	imported[1].Delivered = h(41) // re-import with a corrected delivery
	_, err = s.ImportRooms(imported[:4], "marketplace", h(70))
	must(err)
	_, err = s.ImportRooms([]rules.Room{{ID: "7700001", Title: "other shop", Buyer: "taro", Opened: h(15)}}, "shop2", h(71))
	must(err)
	// The YAML takes over an imported room.
	yaml = append(yaml, rules.Room{ID: "8800004", Title: "Cancelled (YAML)", Buyer: "mika", Opened: h(4), Cancelled: h(21)})
	_, err = s.SyncRooms(yaml, h(72))
	must(err)

	events := []Event{
		{Room: "4100001", Kind: rules.EventSellerMessage, At: h(80), Source: "cli", RecordedAt: h(80)},
		{Room: "4100001", Kind: rules.EventBuyerMessage, At: h(81), Source: "slack", RecordedAt: h(82)},
		{Room: "4100001", Kind: rules.EventSellerMessage, At: h(79), Source: "http", RecordedAt: h(83)}, // older than the latest
		{Room: "8800001", Kind: rules.EventDelivered, At: h(90), Source: "mail", RecordedAt: h(90).Add(1500 * time.Millisecond)},
		{Room: "8800002", Kind: rules.EventClosed, At: h(95), Source: "web", RecordedAt: h(95)},
		{Room: "room|with|bars", Kind: rules.EventSellerMessage, At: h(96).Add(123456789), Source: "cli", RecordedAt: h(96)},
		{Room: "7700001", Kind: rules.EventCancelRequest, At: h(97), Source: "cli", RecordedAt: h(97)},
	}
	for _, e := range events {
		must(s.RecordEvent(e))
	}

	mk := func(room string, kind rules.Kind, deadline time.Time, name string, sev rules.Severity) rules.Step {
		return rules.Step{
			Alert: rules.Alert{Room: room, Kind: kind, Severity: sev, Deadline: deadline, Known: deadline.Add(-72 * time.Hour)},
			Name:  name, Severity: sev, At: deadline.Add(-3 * time.Hour), SendAt: deadline.Add(-3 * time.Hour),
		}
	}
	sent := mk("4100001", rules.CheckIn, h(100), "warn-3h", rules.Warning)
	failed := mk("4100001", rules.CheckIn, h(100), rules.StepDue, rules.Critical)
	obsolete := mk("8800001", rules.DeliveryDue, h(100).Add(250*time.Millisecond), "warn-24h", rules.Warning)
	attempted := mk("room|with|bars", rules.FirstMessage, h(48), "warn-1h", rules.Critical)
	queued := mk("8800002", rules.EligibleToClose, h(120), rules.StepDue, rules.Info)
	queued.Related = h(40)
	queued.SendAt = h(118)
	others := mk("4100002", rules.BuyerOpenRooms, h(5), rules.StepDue, rules.Info)
	others.Others = []string{"4100001"}
	_, err = s.Queue([]rules.Step{sent, failed, obsolete}, false, h(97))
	must(err)
	_, err = s.Queue([]rules.Step{attempted, queued, others}, true, h(98))
	must(err)
	must(s.Skip([]rules.Step{mk("4100001", rules.CheckIn, h(50), "warn-3h", rules.Warning), mk("8800003", rules.RateBuyer, h(70), rules.StepDue, rules.Info)}, h(99)))
	must(s.MarkSent(sent.Key(), map[string]string{"slack": "ok", "mail": "ok"}, h(99)))
	must(s.MarkFailed(failed.Key(), map[string]string{"slack": "401 invalid token"}, h(100)))
	must(s.MarkObsolete(obsolete.Key(), "the deadline moved to 2026-11-01T00:00:00+09:00", h(100)))
	must(s.MarkAttempt(attempted.Key(), map[string]string{"ntfy": "timeout"}, h(101)))

	must(s.AddAck("4100001", rules.Ack{Kind: rules.CheckIn, Deadline: h(100), At: h(99)}))
	must(s.AddAck("4100001", rules.Ack{Kind: rules.DeliveryDue, Deadline: h(168), At: h(99).Add(time.Minute)}))
	must(s.AddAck("8800001", rules.Ack{Kind: rules.DeliveryDue, Deadline: h(100), At: h(98)}))
	must(s.SetSnooze("8800002", rules.Snooze{From: h(98), Until: h(110)}))

	must(s.SetNextBatch(map[string]time.Time{"4100001": h(110), "8800001": h(112), "8800002": h(118), "room|with|bars": h(48)}))
	must(s.SetNext("7700001", h(200)))
	must(s.SetNext("8800001", h(113)))
	must(s.SetMeta("digest_date", "2026-11-23"))
	must(s.SetMeta("policy_fingerprint", "abc123"))
}

// fixtureDump is everything a store answers about its rooms, through the
// public API only, so that any schema's code can produce it.
type fixtureDump struct {
	Tracked   int                          `json:"tracked"`
	Rooms     map[string]fixtureRoom       `json:"rooms"`
	Outbox    []string                     `json:"outbox"`
	Due       []fixtureDue                 `json:"due"`
	Meta      map[string]string            `json:"meta"`
	SameBuyer map[string][]string          `json:"same_buyer"`
	Done      map[string]bool              `json:"done"`
	Extra     map[string]map[string]string `json:"extra,omitempty"`
}

type fixtureRoom struct {
	Info    RoomInfo     `json:"info"`
	Events  []Event      `json:"events"`
	Ledger  []Entry      `json:"ledger"`
	Acks    []rules.Ack  `json:"acks"`
	Snooze  rules.Snooze `json:"snooze"`
	Next    time.Time    `json:"next"`
	HasNext bool         `json:"has_next"`
}

type fixtureDue struct {
	Room string    `json:"room"`
	At   time.Time `json:"at"`
}

func dumpStore(t *testing.T, s *Store) fixtureDump {
	t.Helper()
	d := fixtureDump{Rooms: map[string]fixtureRoom{}, Meta: map[string]string{}, SameBuyer: map[string][]string{}, Done: map[string]bool{}}
	var err error
	if d.Tracked, err = s.CountRooms(); err != nil {
		t.Fatal(err)
	}
	scope := rules.BuyerScope{DefaultPlatform: "coconala", Profiles: rules.Profiles}
	err = s.ForEachKnownRoom(func(r rules.Room) error {
		info, _, err := s.RoomInfo(r.ID)
		if err != nil {
			return err
		}
		fr := fixtureRoom{Info: info}
		if fr.Events, err = s.Events(r.ID); err != nil {
			return err
		}
		sortEvents(fr.Events)
		if fr.Ledger, err = s.Ledger(r.ID); err != nil {
			return err
		}
		for _, e := range fr.Ledger {
			done, err := s.Done(e.Key)
			if err != nil {
				return err
			}
			d.Done[e.Key] = done
		}
		if fr.Acks, err = s.Acks(r.ID); err != nil {
			return err
		}
		if fr.Snooze, err = s.Snooze(r.ID); err != nil {
			return err
		}
		if fr.Next, fr.HasNext, err = s.Next(r.ID); err != nil {
			return err
		}
		if info.Tracked {
			same, err := s.SameBuyer(r, scope)
			if err != nil {
				return err
			}
			d.SameBuyer[r.ID] = same
		}
		d.Rooms[r.ID] = fr
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range out {
		d.Outbox = append(d.Outbox, e.Key)
	}
	err = s.DueBefore(time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), func(room string, at time.Time) bool {
		d.Due = append(d.Due, fixtureDue{room, at})
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"digest_date", "policy_fingerprint"} {
		if d.Meta[k], err = s.Meta(k); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// sortEvents orders a room's events by when roomwatch learned them; events
// learned at the same moment (the facts of one sync) have no order of
// their own, so they go by kind, source and time.
func sortEvents(events []Event) {
	slices.SortStableFunc(events, func(a, b Event) int {
		if c := a.RecordedAt.Compare(b.RecordedAt); c != 0 {
			return c
		}
		if c := slices.Index(rules.EventKinds, a.Kind) - slices.Index(rules.EventKinds, b.Kind); c != 0 {
			return c
		}
		if c := strings.Compare(a.Source, b.Source); c != 0 {
			return c
		}
		return a.At.Compare(b.At)
	})
}

func TestWriteFixture(t *testing.T) {
	if !*writeFixture {
		t.Skip("only with -write-fixture")
	}
	if schemaVersion != 3 {
		t.Fatalf("the fixture is of schema 3; this build writes %d", schemaVersion)
	}
	path := filepath.Join("testdata", "schema3.db")
	_ = os.Remove(path)
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	buildFixture(t, s)
	d := dumpStore(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fixtureJSON, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFixtureDump(t *testing.T) fixtureDump {
	t.Helper()
	b, err := os.ReadFile(fixtureJSON)
	if err != nil {
		t.Fatal(err)
	}
	var d fixtureDump
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestMigrateSchema3Fixture opens the schema 3 fixture with this build and
// expects to read exactly what the schema 3 code read from it.
func TestMigrateSchema3Fixture(t *testing.T) {
	path := copyFixture3(t)
	s := openAt(t, path)
	if v, _ := s.Meta("schema_version"); v != strconv.Itoa(schemaVersion) {
		t.Fatalf("schema version after migration = %q", v)
	}
	d := dumpStore(t, s)
	compareDumps(t, d, readFixtureDump(t))

	// The base facts live in the room records: the log holds only what
	// was recorded after them and the facts that changed.
	shown := 0
	for _, r := range d.Rooms {
		shown += len(r.Events)
	}
	var logged int
	if err := s.db.View(func(tx *bolt.Tx) error {
		logged = tx.Bucket(bucketEvents).Stats().KeyN
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if logged != 14 || shown != 29 {
		t.Errorf("%d entries logged for %d shown, want 14 for 29", logged, shown)
	}

	// Opening it again migrates nothing and reads the same.
	s = reopen(t, s)
	compareDumps(t, dumpStore(t, s), readFixtureDump(t))
}

// compareDumps compares two readings as JSON, room by room, so that a
// difference names its room.
func compareDumps(t *testing.T, got, want fixtureDump) {
	t.Helper()
	for id, w := range want.Rooms {
		g, ok := got.Rooms[id]
		if !ok {
			t.Errorf("room %q is missing", id)
			continue
		}
		if gj, wj := mustJSON(t, g), mustJSON(t, w); gj != wj {
			t.Errorf("room %q:\n got %s\nwant %s", id, gj, wj)
		}
	}
	got.Rooms, want.Rooms = nil, nil
	if gj, wj := mustJSON(t, got), mustJSON(t, want); gj != wj {
		t.Errorf("store:\n got %s\nwant %s", gj, wj)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// copyFixture3 copies the committed schema 3 fixture, which the migration
// must never change.
func copyFixture3(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(fixtureDB)
	if err != nil {
		t.Fatal(err)
	}
	path := tempPath(t)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

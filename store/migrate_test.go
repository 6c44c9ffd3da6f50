package store

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/roomwatch/roomwatch/rules"
)

// v1Fixture is what testdata/v1.db holds: two rooms (one removed from the
// YAML), their event logs, a sent step and a step still in the outbox.
// Room 4012345's buyer_message is in its merged facts but not in its log,
// as version 1 did not log every YAML fact.
type v1Fixture struct {
	rooms  map[string]v1Room
	events map[string][]v1Event // in log order
	ledger []v1LedgerEntry      // queued in this order; unsent ones stay in the outbox
}

func theV1Fixture() v1Fixture {
	return v1Fixture{
		rooms: map[string]v1Room{
			"4012345": {
				Title: "ブログ記事 5本", Buyer: "tanaka", URL: "https://coconala.com/talkrooms/4012345",
				Platform: "coconala", Via: "quote", ExtraPayment: "pending", Due: "2026-11-27T23:59:00+09:00",
				Facts: map[string]string{
					"opened":         "2026-11-20T10:00:00+09:00",
					"seller_message": "2026-11-22T08:00:00+09:00",
					"buyer_message":  "2026-11-21T12:00:00+09:00",
				},
				Seen: "2026-11-20T10:05:00+09:00", Tracked: true,
			},
			"4012346": {
				Title: "ロゴ制作", Buyer: "suzuki",
				Facts: map[string]string{
					"opened":         "2026-11-01T10:00:00+09:00",
					"seller_message": "2026-11-01T11:00:00+09:00",
					"delivered":      "2026-11-05T10:00:00+09:00",
				},
				Seen: "2026-11-01T10:05:00+09:00", Tracked: false,
			},
		},
		events: map[string][]v1Event{
			"4012345": {
				{Kind: "opened", At: "2026-11-20T10:00:00+09:00", Source: "yaml", RecordedAt: "2026-11-20T10:05:00+09:00"},
				{Kind: "seller_message", At: "2026-11-21T09:00:00+09:00", Source: "yaml", RecordedAt: "2026-11-21T09:05:00+09:00"},
				{Kind: "seller_message", At: "2026-11-22T08:00:00+09:00", Source: "cli", RecordedAt: "2026-11-22T08:01:00+09:00"},
			},
			"4012346": {
				{Kind: "opened", At: "2026-11-01T10:00:00+09:00", Source: "yaml", RecordedAt: "2026-11-01T10:05:00+09:00"},
				{Kind: "seller_message", At: "2026-11-01T11:00:00+09:00", Source: "yaml", RecordedAt: "2026-11-01T11:05:00+09:00"},
				{Kind: "delivered", At: "2026-11-05T10:00:00+09:00", Source: "slack", RecordedAt: "2026-11-05T10:00:30+09:00"},
			},
		},
		ledger: []v1LedgerEntry{
			{
				Step: v1Step{
					Room: "4012345", Kind: "first-message", AlertSeverity: "critical", Deadline: "2026-11-22T10:00:00+09:00",
					Known: "2026-11-20T10:05:00+09:00", Name: "warn-24h", Severity: "critical",
					At: "2026-11-21T10:00:00+09:00", SendAt: "2026-11-21T10:00:00+09:00",
				},
				State: "sent", Attempts: 1, Results: map[string]string{"phone": "ok"},
				QueuedAt: "2026-11-21T10:00:00+09:00", SentAt: "2026-11-21T10:00:01+09:00",
			},
			{
				Step: v1Step{
					Room: "4012345", Kind: "check-in", AlertSeverity: "warning", Deadline: "2026-11-25T08:00:00+09:00",
					Known: "2026-11-22T08:01:00+09:00", Name: "due", Severity: "warning",
					At: "2026-11-25T08:00:00+09:00", SendAt: "2026-11-25T08:00:00+09:00",
				},
				State: "queued", Late: true, QueuedAt: "2026-11-25T09:30:00+09:00",
			},
		},
	}
}

// v1Key is the ledger key both versions use (rules.Step.Key()).
func (e v1LedgerEntry) key(t testing.TB) string {
	deadline, err := time.Parse(time.RFC3339, e.Step.Deadline)
	if err != nil {
		t.Fatal(err)
	}
	return rules.Step{Alert: rules.Alert{Room: e.Step.Room, Kind: rules.Kind(e.Step.Kind), Deadline: deadline}, Name: e.Step.Name}.Key()
}

// writeV1 writes f in the version 1 layout, the way roomwatch 1 did.
func writeV1(t testing.TB, path string, f v1Fixture) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		buckets := map[string]*bolt.Bucket{}
		for _, name := range []string{"meta", "rooms", "events", "ledger", "outbox"} {
			b, err := tx.CreateBucket([]byte(name))
			if err != nil {
				return err
			}
			buckets[name] = b
		}
		if err := buckets["meta"].Put(metaSchemaKey, []byte("1")); err != nil {
			return err
		}
		for id, r := range f.rooms {
			if err := writeJSON(buckets["rooms"], []byte(id), r); err != nil {
				return err
			}
			for _, e := range f.events[id] {
				seq, _ := buckets["events"].NextSequence()
				if err := writeJSON(buckets["events"], append(eventPrefix(id), seqKey(seq)...), e); err != nil {
					return err
				}
			}
		}
		for _, e := range f.ledger {
			key := []byte(e.key(t))
			seq, _ := buckets["outbox"].NextSequence()
			if e.State == StateQueued {
				if err := buckets["outbox"].Put(seqKey(seq), key); err != nil {
					return err
				}
			}
			if err := writeJSON(buckets["ledger"], key, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestWriteV1Fixture regenerates testdata/v1.db:
//
//	ROOMWATCH_WRITE_V1_FIXTURE=1 go test ./store -run TestWriteV1Fixture
//
// The fixture stands for files written by earlier releases, so regenerate
// it only if theV1Fixture itself was wrong.
func TestWriteV1Fixture(t *testing.T) {
	if os.Getenv("ROOMWATCH_WRITE_V1_FIXTURE") != "1" {
		t.Skip("set ROOMWATCH_WRITE_V1_FIXTURE=1 to regenerate testdata/v1.db")
	}
	path := filepath.Join("testdata", "v1.db")
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	writeV1(t, path, theV1Fixture())
}

// copyFixture copies the committed fixture so the migration never touches it.
func copyFixture(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "v1.db"))
	if err != nil {
		t.Fatal(err)
	}
	path := tempPath(t)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMigrateV1Fixture(t *testing.T) {
	path := copyFixture(t)
	s := openAt(t, path)
	if v, _ := s.Meta("schema_version"); v != strconv.Itoa(schemaVersion) {
		t.Fatalf("schema version after migration = %q", v)
	}

	room := mustRoom(t, s, "4012345")
	checkTime(t, "opened", room.Opened, jst(t, "2026-11-20 10:00"))
	checkTime(t, "seller message (cli event)", room.SellerMessage, jst(t, "2026-11-22 08:00"))
	checkTime(t, "buyer message (unlogged yaml fact)", room.BuyerMessage, jst(t, "2026-11-21 12:00"))
	checkTime(t, "due", room.Due, jst(t, "2026-11-27 23:59"))
	checkTime(t, "seen", room.Seen, jst(t, "2026-11-20 10:05"))
	if room.Title != "ブログ記事 5本" || room.Via != rules.ViaQuote || room.ExtraPayment != rules.ExtraPending {
		t.Errorf("room = %+v", room)
	}
	info, _, err := s.RoomInfo("4012345")
	if err != nil {
		t.Fatal(err)
	}
	if info.Sources[rules.EventSellerMessage] != "cli" || info.Sources[rules.EventBuyerMessage] != SourceYAML {
		t.Errorf("sources = %v", info.Sources)
	}

	gone, ok, err := s.RoomInfo("4012346")
	if err != nil || !ok || gone.Tracked {
		t.Fatalf("removed room: %+v ok=%v err=%v", gone, ok, err)
	}
	checkTime(t, "delivered (slack event)", gone.Room.Delivered, jst(t, "2026-11-05 10:00"))
	if gone.Sources[rules.EventDelivered] != "slack" {
		t.Errorf("removed room sources = %v", gone.Sources)
	}

	// The history shows every base fact from the room record, the buyer
	// message version 1 never logged among them.
	events, err := s.Events("4012345")
	if err != nil || len(events) != 4 {
		t.Fatalf("events = %+v (err %v)", events, err)
	}
	if e := events[1]; e.Kind != rules.EventBuyerMessage || e.Source != SourceYAML {
		t.Errorf("second event = %+v, want the YAML's buyer message", e)
	}
	checkTime(t, "cli event", events[3].At, jst(t, "2026-11-22 08:00"))
	checkTime(t, "cli event recorded", events[3].RecordedAt, jst(t, "2026-11-22 08:01"))

	// The YAML as version 1 last synced it: the split into YAML facts and
	// recorded events is exact, so nothing counts as changed.
	yaml := rules.Room{
		ID: "4012345", Title: "ブログ記事 5本", Buyer: "tanaka", URL: "https://coconala.com/talkrooms/4012345",
		Platform: "coconala", Via: rules.ViaQuote, ExtraPayment: rules.ExtraPending,
		Opened: jst(t, "2026-11-20 10:00"), SellerMessage: jst(t, "2026-11-21 09:00"),
		BuyerMessage: jst(t, "2026-11-21 12:00"), Due: jst(t, "2026-11-27 23:59"),
	}
	checkCount(t, s, 1)
	checkIDs(t, "changed on the first sync after migration", mustSync(t, s, []rules.Room{yaml}, jst(t, "2026-11-26 09:00")))

	fx := theV1Fixture()
	sentKey, queuedKey := fx.ledger[0].key(t), fx.ledger[1].key(t)
	ledger, err := s.Ledger("4012345")
	if err != nil || len(ledger) != 2 {
		t.Fatalf("ledger = %+v (err %v)", ledger, err)
	}
	sent := ledger[0]
	if sent.Key != sentKey || sent.State != StateSent || sent.Attempts != 1 || sent.Results["phone"] != "ok" {
		t.Errorf("sent entry = %+v", sent)
	}
	checkTime(t, "sent at", sent.SentAt, jst(t, "2026-11-21 10:00").Add(1e9))
	if sent.Step.Key() != sentKey {
		t.Errorf("migrated step key %s, want %s", sent.Step.Key(), sentKey)
	}
	checkIDs(t, "outbox", outboxKeys(t, s), queuedKey)
	if out, _ := s.Outbox(); !out[0].Late {
		t.Error("late flag lost")
	}

	// New steps queue behind the migrated one, and the migrated one can be sent.
	newStep := step("4012345", jst(t, "2026-11-28 08:00"), rules.StepDue)
	if _, err := s.Queue([]rules.Step{newStep}, false, jst(t, "2026-11-26 09:00")); err != nil {
		t.Fatal(err)
	}
	checkIDs(t, "outbox order", outboxKeys(t, s), queuedKey, newStep.Key())
	if err := s.MarkSent(queuedKey, map[string]string{"phone": "ok"}, jst(t, "2026-11-26 09:00")); err != nil {
		t.Fatal(err)
	}
	checkIDs(t, "outbox after send", outboxKeys(t, s), newStep.Key())
	checkOutboxMatchesLedger(t, s)

	// Buckets version 1 lacked now work.
	if err := s.AddAck("4012345", rules.Ack{Kind: rules.CheckIn, Deadline: jst(t, "2026-11-25 08:00"), At: jst(t, "2026-11-25 09:00")}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetNext("4012345", jst(t, "2026-11-28 08:00")); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s)
	if acks, _ := s.Acks("4012345"); len(acks) != 1 {
		t.Errorf("acks after reopen = %v", acks)
	}
}

func TestMigrationFailureLeavesFileUnchanged(t *testing.T) {
	path := tempPath(t)
	fx := theV1Fixture()
	broken := fx.rooms["4012345"]
	broken.Due = "next friday"
	fx.rooms["4012345"] = broken
	writeV1(t, path, fx)
	refuse(t, path, Options{}, nil, "upgrade", "schema version 1 to 2", "due")
}

func TestReadOnlyOpenOfV1AsksForUpgrade(t *testing.T) {
	path := copyFixture(t)
	refuse(t, path, Options{ReadOnly: true}, ErrOlderSchema, "schema version 1", "read-write once")
}

// TestFixtureIsVersion1 guards the committed file: the version 1 layout,
// times as strings, and an outbox sequence that new outbox keys must follow.
func TestFixtureIsVersion1(t *testing.T) {
	db, err := bolt.Open(filepath.Join("testdata", "v1.db"), 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		if v := string(tx.Bucket(bucketMeta).Get(metaSchemaKey)); v != "1" {
			t.Errorf("fixture schema version %q", v)
		}
		if tx.Bucket(bucketDue) != nil || tx.Bucket(bucketAcks) != nil {
			t.Error("fixture has version 2 buckets")
		}
		var r v1Room
		if err := json.Unmarshal(tx.Bucket(bucketRooms).Get([]byte("4012345")), &r); err != nil || !strings.HasPrefix(r.Due, "2026-11-27T23:59") {
			t.Errorf("fixture room: %+v (%v)", r, err)
		}
		if seq := tx.Bucket(bucketOutbox).Sequence(); seq != 2 {
			t.Errorf("fixture outbox sequence %d, want 2", seq)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

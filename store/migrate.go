package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/roomwatch/roomwatch/rules"
)

// migrations[v] upgrades a store from schema version v to v+1, inside the
// transaction that also records the new version: a failed migration leaves
// the file as it was. These small steps end at version 3; the step to
// version 4 rewrites every record and runs in batches (migrateV3).
var migrations = map[int]func(*bolt.Tx) error{
	1: migrateV1,
	2: migrateV2,
}

// lastTxSchema is the version the one-transaction steps reach.
const lastTxSchema = 3

func migrate(tx *bolt.Tx, from int) error {
	for v := from; v < lastTxSchema; v++ {
		step, ok := migrations[v]
		if !ok {
			return fmt.Errorf("no migration from schema version %d", v)
		}
		if err := step(tx); err != nil {
			return fmt.Errorf("schema version %d to %d: %w", v, v+1, err)
		}
		if err := writeSchemaVersion(tx, v+1); err != nil {
			return err
		}
	}
	return nil
}

// Schema version 1: buckets meta, rooms, events, ledger and outbox, with the
// same keys as version 2 but every time an RFC 3339 string ("" for unset).
// A room held one merged value per fact, with no record of its source.

type v1Room struct {
	Title        string            `json:"title"`
	Buyer        string            `json:"buyer"`
	URL          string            `json:"url"`
	Platform     string            `json:"platform"`
	Via          string            `json:"via"`
	ExtraPayment string            `json:"extra_payment"`
	Due          string            `json:"due"`
	Facts        map[string]string `json:"facts"` // event kind → time
	Seen         string            `json:"seen"`
	Tracked      bool              `json:"tracked"`
}

type v1Event struct {
	Kind       string `json:"kind"`
	At         string `json:"at"`
	Source     string `json:"source"`
	RecordedAt string `json:"recorded_at"`
}

type v1Step struct {
	Room          string   `json:"room"`
	Kind          string   `json:"kind"`
	AlertSeverity string   `json:"alert_severity"`
	Deadline      string   `json:"deadline"`
	Known         string   `json:"known"`
	Related       string   `json:"related"`
	Others        []string `json:"others"`
	Name          string   `json:"name"`
	Severity      string   `json:"severity"`
	At            string   `json:"at"`
	SendAt        string   `json:"send_at"`
}

type v1LedgerEntry struct {
	Step     v1Step            `json:"step"`
	State    string            `json:"state"`
	Attempts int               `json:"attempts"`
	Late     bool              `json:"late"`
	Results  map[string]string `json:"results"`
	QueuedAt string            `json:"queued_at"`
	SentAt   string            `json:"sent_at"`
}

// v1Time parses a version 1 time; the first error sticks, so a record's
// fields can be converted in a row and checked once.
type v1Time struct{ err error }

func (p *v1Time) nanos(field, s string) int64 {
	if s == "" || p.err != nil {
		return 0
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		p.err = fmt.Errorf("%s: %w", field, err)
		return 0
	}
	return nanos(t)
}

// migrateV1 converts times to Unix nanoseconds, rewrites each room as a
// binary roomRecord whose merged facts are split into the YAML's values and
// the latest recorded event of each kind (from the event log), counts the
// tracked rooms, records each queued step's outbox key in its ledger entry,
// and creates the buckets version 1 lacked. The due index starts empty: the
// daemon fills it with SetNextBatch at start.
func migrateV1(tx *bolt.Tx) error {
	for _, name := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	events := tx.Bucket(bucketEvents)
	err := rewriteEach(events, func(k, v []byte) ([]byte, error) {
		var old v1Event
		if err := json.Unmarshal(v, &old); err != nil {
			return nil, fmt.Errorf("event %x: %w", k, err)
		}
		var p v1Time
		rec := eventRecord{Kind: rules.EventKind(old.Kind), At: p.nanos("at", old.At), Source: old.Source, RecordedAt: p.nanos("recorded_at", old.RecordedAt)}
		if p.err != nil {
			return nil, fmt.Errorf("event %x: %w", k, p.err)
		}
		return json.Marshal(rec)
	})
	if err != nil {
		return err
	}

	err = rewriteEach(tx.Bucket(bucketRooms), func(k, v []byte) ([]byte, error) {
		var old v1Room
		if err := json.Unmarshal(v, &old); err != nil {
			return nil, fmt.Errorf("room %q: %w", k, err)
		}
		rec, err := splitV1Room(events, string(k), old)
		if err != nil {
			return nil, fmt.Errorf("room %q: %w", k, err)
		}
		return rec.encode(string(k)), nil
	})
	if err != nil {
		return err
	}

	if err := adjustTrackedCount(tx, 0); err != nil {
		return err
	}

	outboxOf := make(map[string]uint64)
	err = tx.Bucket(bucketOutbox).ForEach(func(k, v []byte) error {
		if len(k) != 8 {
			return fmt.Errorf("outbox key %x is not a sequence number", k)
		}
		outboxOf[string(v)] = binary.BigEndian.Uint64(k)
		return nil
	})
	if err != nil {
		return err
	}
	return rewriteEach(tx.Bucket(bucketLedger), func(k, v []byte) ([]byte, error) {
		var old v1LedgerEntry
		if err := json.Unmarshal(v, &old); err != nil {
			return nil, fmt.Errorf("ledger entry %q: %w", k, err)
		}
		var p v1Time
		st := old.Step
		rec := ledgerRecord{
			Step: stepRecord{
				Room: st.Room, Kind: rules.Kind(st.Kind), AlertSeverity: rules.Severity(st.AlertSeverity),
				Deadline: p.nanos("deadline", st.Deadline), Known: p.nanos("known", st.Known),
				Related: p.nanos("related", st.Related), Others: st.Others, Name: st.Name,
				Severity: rules.Severity(st.Severity), At: p.nanos("at", st.At), SendAt: p.nanos("send_at", st.SendAt),
			},
			State: old.State, Attempts: old.Attempts, Late: old.Late, Results: old.Results,
			QueuedAt: p.nanos("queued_at", old.QueuedAt), SentAt: p.nanos("sent_at", old.SentAt),
			Outbox: outboxOf[string(k)],
		}
		if p.err != nil {
			return nil, fmt.Errorf("ledger entry %q: %w", k, p.err)
		}
		return json.Marshal(rec)
	})
}

// splitV1Room recovers what version 2 keeps apart. The YAML's value of a
// kind is its last "yaml" event in the log; the recorded value is the latest
// event from any other source; a merged fact the log does not explain came
// from the YAML (version 1 did not log every YAML fact).
func splitV1Room(events *bolt.Bucket, room string, old v1Room) (roomRecord, error) {
	var p v1Time
	rec := roomRecord{tracked: old.Tracked, seen: p.nanos("seen", old.Seen)}
	yamlAt := map[rules.EventKind]int64{}
	prefix := eventPrefix(room)
	c := events.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var e eventRecord
		if err := json.Unmarshal(v, &e); err != nil {
			return rec, fmt.Errorf("event %x: %w", k, err)
		}
		if e.Source == SourceYAML {
			yamlAt[e.Kind] = e.At
		} else {
			rec.record(recordedFact{kind: e.Kind, at: e.At, source: e.Source})
		}
	}
	for kind, s := range old.Facts {
		k, at := rules.EventKind(kind), p.nanos(kind, s)
		if _, logged := yamlAt[k]; !logged && at != 0 && !rec.hasRecorded(k, at) {
			yamlAt[k] = at
		}
	}
	yaml := rules.Room{
		Title: old.Title, Buyer: old.Buyer, URL: old.URL, Platform: old.Platform,
		Via: rules.Via(old.Via), ExtraPayment: rules.ExtraPaymentState(old.ExtraPayment), Due: instant(p.nanos("due", old.Due)),
	}
	for k, at := range yamlAt {
		yaml.SetEvent(k, instant(at))
	}
	rec.facts = factsOf(&yaml)
	return rec, p.err
}

// migrateV2 adds the indexes of version 3 (index.go): every tracked room of
// version 2 came from the YAML, and its record already holds what the
// same-buyer index needs.
func migrateV2(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketYAML, bucketBuyers} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	return buildIndexes(tx)
}

// rewriteEach replaces every value of b with fn's result. bbolt forbids
// writing to a bucket while a cursor walks it, so keys are read in chunks
// and written between chunks.
func rewriteEach(b *bolt.Bucket, fn func(k, v []byte) ([]byte, error)) error {
	type kv struct{ k, v []byte }
	var from []byte
	for {
		var chunk []kv
		c := b.Cursor()
		k, v := c.First()
		if from != nil {
			k, v = c.Seek(from)
		}
		for ; k != nil && len(chunk) < scanChunk; k, v = c.Next() {
			chunk = append(chunk, kv{bytes.Clone(k), bytes.Clone(v)})
		}
		for _, e := range chunk {
			nv, err := fn(e.k, e.v)
			if err != nil {
				return err
			}
			if err := b.Put(e.k, nv); err != nil {
				return err
			}
		}
		if k == nil {
			return nil
		}
		from = afterKey(chunk[len(chunk)-1].k)
	}
}

package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// schemaVersion is the layout this build writes. Version 1 (see migrate.go)
// stored times as RFC 3339 strings and rooms as JSON with one merged value
// per fact and no source, and had no acks, snoozes or due index. Version 2
// had no index of YAML rooms or of rooms by buyer, so every start read
// every room. Version 3 stored events and ledger entries as JSON, keyed the
// ledger by the step key string and logged every base fact as an event
// too (migrate4.go). Version 4 had no index of every room by buyer, so the
// buyer's record read every room (migrate5.go).
const schemaVersion = 5

// Buckets of schema version 5. Keys sort the way they are scanned.
var (
	bucketMeta     = []byte("meta")       // schema_version and daemon state
	bucketRooms    = []byte("rooms")      // room ID → binary roomRecord (record.go)
	bucketEvents   = []byte("events")     // room ID + 0x00 + short sequence → binary eventRecord (event.go)
	bucketLedger   = []byte("ledger")     // compact step key → binary ledgerRecord (ledgercodec.go)
	bucketOutbox   = []byte("outbox")     // big-endian sequence → compact step key
	bucketAcks     = []byte("acks")       // room ID → JSON []ackRecord
	bucketSnoozes  = []byte("snoozes")    // room ID → JSON snoozeRecord
	bucketDue      = []byte("due")        // sortable time + room ID → empty
	bucketDueRooms = []byte("due_rooms")  // room ID → sortable time, to find a room's old due key
	bucketYAML     = []byte("yaml_rooms") // room ID → empty: the tracked rooms whose facts the YAML gives
	bucketBuyers   = []byte("buyers")     // buyer prefix + sortable opened + room ID → sibling facts, running rooms only (index.go)
	// buyer prefix + room ID → empty, every room with a buyer (index.go); schema 5
	bucketBuyerRooms = []byte("buyer_rooms")
)

var allBuckets = [][]byte{
	bucketMeta, bucketRooms, bucketEvents, bucketLedger,
	bucketOutbox, bucketAcks, bucketSnoozes, bucketDue, bucketDueRooms,
	bucketYAML, bucketBuyers, bucketBuyerRooms,
}

// How full bbolt packs the pages it splits, set per bucket (FillPercent
// lives on a transaction's bucket handle, not in the file) to how its keys
// arrive. bbolt's default, 0.5, suits keys that arrive in random order
// (events, a room's ledger entries, the due index): a split page keeps room
// for the keys that will land in it.
const (
	// appendFill: keys only ever added after the last one (the outbox's
	// sequence numbers, the mail log by time); a split page never receives
	// another key, so it is packed full.
	appendFill = 1.0
	// importFill: keys written in bulk in key order (an import's rooms, a
	// first start's ledger entries and due_rooms entries); the rest of each
	// page is room for later single writes.
	importFill = 0.9
	// bulkWrite is how many keys in key order one transaction must write to
	// a bucket to count as bulk.
	bulkWrite = 256
)

// Meta keys the store keeps itself; SetMeta refuses them.
var (
	metaSchemaKey  = []byte("schema_version")
	metaTrackedKey = []byte("tracked_rooms") // count of tracked rooms, for CountRooms
)

func reservedMetaKey(key string) bool {
	return key == string(metaSchemaKey) || key == string(metaTrackedKey) || linkMetaKey(key)
}

func createSchema(tx *bolt.Tx) error {
	for _, name := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	if err := adjustTrackedCount(tx, 0); err != nil {
		return err
	}
	return writeSchemaVersion(tx, schemaVersion)
}

func writeSchemaVersion(tx *bolt.Tx, v int) error {
	return tx.Bucket(bucketMeta).Put(metaSchemaKey, []byte(strconv.Itoa(v)))
}

// readSchemaVersion returns 0 for a file with no bucket at all (new, or
// created by a bbolt open that stopped before the schema was written).
func readSchemaVersion(tx *bolt.Tx) (int, error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		var names []string
		_ = tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			names = append(names, strconv.Quote(string(name)))
			return nil
		})
		if len(names) == 0 {
			return 0, nil
		}
		return 0, fmt.Errorf("no meta bucket (buckets found: %v)", names)
	}
	raw := meta.Get(metaSchemaKey)
	v, err := strconv.Atoi(string(raw))
	if err != nil || v < 1 {
		return 0, fmt.Errorf("bad schema version %q", raw)
	}
	return v, nil
}

// Times are stored as Unix nanoseconds; 0 is the zero time (unset fact).
// Decoded times are in UTC: they are instants, and the caller applies the
// configured zone when it shows them.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func instant(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// sortableTime encodes t so that byte order is time order, before 1970 too.
func sortableTime(t time.Time) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(t.UnixNano())^(1<<63))
	return b[:]
}

func timeFromSortable(b []byte) time.Time {
	return time.Unix(0, int64(binary.BigEndian.Uint64(b)^(1<<63))).UTC()
}

func seqKey(seq uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seq)
	return b[:]
}

// eventPrefix is the key prefix of a room's log entries. Room IDs never hold
// a NUL byte, so "a\x00…" cannot be confused with "ab\x00…".
func eventPrefix(room string) []byte {
	return append([]byte(room), 0)
}

func checkRoomID(id string) error {
	if id == "" {
		return errors.New("empty room ID")
	}
	for i := 0; i < len(id); i++ {
		if id[i] == 0 {
			return fmt.Errorf("room ID %q holds a NUL byte", id)
		}
	}
	return nil
}

// afterKey is the smallest key greater than k: chunked scans resume there.
func afterKey(k []byte) []byte {
	return append(append([]byte(nil), k...), 0)
}

// scanChunk is how many records a streaming scan reads per read transaction,
// so callbacks run outside any transaction and may write to the store.
const scanChunk = 1024

package store

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// sampleEvent, sampleLedger and sampleRoom are records as the daemon
// writes them, the fuzzers' seeds and the benchmarks' input.
func sampleEvent() eventRecord {
	at := time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)
	return eventRecord{Kind: rules.EventSellerMessage, At: nanos(at), Source: "slack", RecordedAt: nanos(at.Add(1500 * time.Millisecond))}
}

func sampleLedger() (string, ledgerRecord) {
	deadline := time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC)
	st := step("10000042", deadline, "warn-3h")
	st.At, st.SendAt = deadline.Add(-3*time.Hour), deadline.Add(-3*time.Hour)
	rec := ledgerRecord{
		Step: recordStep(st), State: StateSent, Attempts: 1, Results: map[string]string{"slack": "ok", "mail": "ok"},
		QueuedAt: nanos(st.SendAt.Add(20 * time.Millisecond)), SentAt: nanos(st.SendAt.Add(300 * time.Millisecond)),
		AttemptedAt: nanos(st.SendAt.Add(300 * time.Millisecond)),
	}
	return st.Key(), rec
}

func sampleRoom() (string, roomRecord) {
	opened := time.Date(2026, 11, 20, 1, 40, 0, 0, time.UTC)
	r := rules.Room{
		ID: "10000042", Title: "ロゴデザイン", Buyer: "buyer-4242", URL: "https://coconala.com/talkrooms/10000042",
		Via: rules.ViaPurchase, ExtraPayment: rules.ExtraNone, Opened: opened, SellerMessage: opened.Add(3 * time.Hour),
		BuyerMessage: opened.Add(26 * time.Hour), Due: opened.Add(7 * 24 * time.Hour),
	}
	rec := roomRecord{tracked: true, facts: factsOf(&r), source: "marketplace", seen: nanos(opened.Add(time.Minute))}
	rec.record(recordedFact{kind: rules.EventDelivered, at: nanos(opened.Add(50 * time.Hour)), source: "cli"})
	return r.ID, rec
}

func TestRecordsRoundTrip(t *testing.T) {
	e := sampleEvent()
	if back, err := decodeEvent(e.encode()); err != nil || back != e {
		t.Errorf("event: %+v, %v; want %+v", back, err, e)
	}
	key, l := sampleLedger()
	k := ledgerKey(key)
	if back, err := decodeLedger(k, l.encode(k)); err != nil || !reflect.DeepEqual(back, l) {
		t.Errorf("ledger: %+v, %v; want %+v", back, err, l)
	}
	if got, err := ledgerKeyString(k); err != nil || got != key {
		t.Errorf("ledger key %q reads back as %q, %v", key, got, err)
	}
	if len(k) > 20 {
		t.Errorf("ledger key of %q takes %d bytes", key, len(k))
	}
	id, r := sampleRoom()
	if back, err := decodeRecord(r.encode(id), id); err != nil || !reflect.DeepEqual(back, r) {
		t.Errorf("room: %+v, %v; want %+v", back, err, r)
	}
}

// TestOddLedgerKeysAreKeptRaw: a key that does not read back the same in
// the compact form is stored as it is, and still found.
func TestOddLedgerKeysAreKeptRaw(t *testing.T) {
	for _, key := range []string{
		"r|check-in|2026-11-24T01:00:00+09:00|due", // not UTC
		"r|check-in|2026-11-24T01:00:00Z|warn|odd", // a bar in the name
		"r|new-kind|2026-11-24T01:00:00Z|due",      // a kind the list lacks: compact, by name
		"no bars at all",
	} {
		k := ledgerKey(key)
		if got, err := ledgerKeyString(k); err != nil || got != key {
			t.Errorf("%q reads back as %q, %v", key, got, err)
		}
	}
}

func TestInstantEdges(t *testing.T) {
	for _, n := range []int64{0, 1, -1, 1e9, -1e9, 1<<63 - 1, -1 << 63, 1764000000123456789} {
		for _, base := range []int64{0, 1, -1 << 63, 1<<63 - 1, 1764000000000000000} {
			r := reader{b: appendInstant(nil, n, base)}
			if got := r.instant(base); got != n || r.end() != nil {
				t.Errorf("instant %d from %d reads back as %d (%v)", n, base, got, r.err)
			}
		}
	}
	for _, seq := range []uint64{0, 1, 255, 256, 1<<56 - 1, 1 << 63, 1<<64 - 1} {
		got, rest, err := readSeq(appendSeq(nil, seq))
		if err != nil || got != seq || len(rest) != 0 {
			t.Errorf("sequence %d reads back as %d (%v)", seq, got, err)
		}
		if seq > 0 && bytes.Compare(appendSeq(nil, seq-1), appendSeq(nil, seq)) >= 0 {
			t.Errorf("sequence %d does not sort after %d", seq, seq-1)
		}
	}
}

func FuzzDecodeEvent(f *testing.F) {
	f.Add(sampleEvent().encode())
	f.Add([]byte{eventFormat, 0, 3, 'n', 'e', 'w', 1, 1, 0, 0})
	f.Fuzz(func(t *testing.T, v []byte) {
		e, err := decodeEvent(v)
		if err != nil {
			return
		}
		back, err := decodeEvent(e.encode())
		if err != nil || back != e {
			t.Fatalf("%+v re-encoded reads back as %+v, %v", e, back, err)
		}
	})
}

func FuzzDecodeLedger(f *testing.F) {
	key, rec := sampleLedger()
	k := ledgerKey(key)
	f.Add(k, rec.encode(k))
	raw := ledgerKey("odd|key")
	f.Add(raw, rec.encode(raw))
	f.Fuzz(func(t *testing.T, k, v []byte) {
		rec, err := decodeLedger(k, v)
		if err != nil {
			return
		}
		back, err := decodeLedger(k, rec.encode(k))
		if err != nil || !reflect.DeepEqual(back, rec) {
			t.Fatalf("%+v re-encoded reads back as %+v, %v", rec, back, err)
		}
	})
}

func FuzzDecodeRoom(f *testing.F) {
	id, rec := sampleRoom()
	f.Add(id, rec.encode(id))
	yaml := roomRecord{facts: baseFacts{title: "t", url: "https://example.com/x"}}
	f.Add("x", yaml.encode("x"))
	f.Fuzz(func(t *testing.T, id string, v []byte) {
		rec, err := decodeRecord(v, id)
		if err != nil {
			return
		}
		enc := rec.encode(id)
		back, err := decodeRecord(enc, id)
		if err != nil || !reflect.DeepEqual(back, rec) {
			t.Fatalf("%+v re-encoded reads back as %+v, %v", rec, back, err)
		}
		if _, facts, _, _ := splitRecord(enc); !bytes.Equal(facts, rec.facts.appendTo(nil, id)) {
			t.Fatal("the facts compared by SyncRooms differ from the record's")
		}
	})
}

func BenchmarkEncodeEvent(b *testing.B) {
	e := sampleEvent()
	b.ReportAllocs()
	for b.Loop() {
		_ = e.encode()
	}
	b.ReportMetric(float64(len(e.encode())), "bytes")
}

func BenchmarkDecodeEvent(b *testing.B) {
	v := sampleEvent().encode()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeEvent(v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeLedger(b *testing.B) {
	key, rec := sampleLedger()
	b.ReportAllocs()
	for b.Loop() {
		k := ledgerKey(key)
		_ = rec.encode(k)
	}
	k := ledgerKey(key)
	b.ReportMetric(float64(len(k)+len(rec.encode(k))), "bytes")
}

func BenchmarkDecodeLedger(b *testing.B) {
	key, rec := sampleLedger()
	k := ledgerKey(key)
	v := rec.encode(k)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeLedger(k, v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeRoom(b *testing.B) {
	id, rec := sampleRoom()
	b.ReportAllocs()
	for b.Loop() {
		_ = rec.encode(id)
	}
	b.ReportMetric(float64(len(rec.encode(id))), "bytes")
}

func BenchmarkDecodeRoom(b *testing.B) {
	id, rec := sampleRoom()
	v := rec.encode(id)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeRecord(v, id); err != nil {
			b.Fatal(err)
		}
	}
}

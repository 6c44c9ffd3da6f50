package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/roomwatch/roomwatch/rules"
)

// roomRecord is one room as stored: its base facts, as the YAML or an import
// states them, kept apart from what roomwatch learned otherwise, so an edit
// of the source never erases a recorded event.
//
// It is stored in a compact binary form rather than JSON because a first
// start reads every room (a million in the performance target), and because
// SyncRooms and ImportRooms compare the base facts as bytes without decoding
// them:
//
//	status byte ('T' tracked, 'U' untracked)
//	uvarint length, then the base facts:
//	  title, buyer, url, platform, via, extra_payment  (uvarint length + bytes each)
//	  due                                              (varint Unix ns, 0 = unset)
//	  uvarint count, then per event: kind (string), at (varint)
//	seen (varint)
//	uvarint count, then per recorded event: kind (string), at (varint), source (string)
//	source of the base facts (string), left out when it is the YAML
//
// The trailing source came with schema version 3; a record without it holds
// YAML facts, so version 2 records are read as they are.
type roomRecord struct {
	tracked  bool
	facts    baseFacts
	source   string // where the base facts came from: SourceYAML or an import's name
	seen     int64
	recorded []recordedFact // the latest event of each kind from a source other than the base facts
}

type baseFacts struct {
	title, buyer, url, platform string
	via                         rules.Via
	extraPayment                rules.ExtraPaymentState
	due                         int64
	events                      []eventTime // in rules.EventKinds order
}

type eventTime struct {
	kind rules.EventKind
	at   int64
}

type recordedFact struct {
	kind   rules.EventKind
	at     int64
	source string
}

const (
	statusTracked   = 'T'
	statusUntracked = 'U'
)

func factsOf(r *rules.Room) baseFacts {
	f := baseFacts{
		title: r.Title, buyer: r.Buyer, url: r.URL, platform: r.Platform,
		via: r.Via, extraPayment: r.ExtraPayment, due: nanos(r.Due),
	}
	for _, k := range rules.EventKinds {
		if t := r.Event(k); !t.IsZero() {
			f.events = append(f.events, eventTime{kind: k, at: nanos(t)})
		}
	}
	return f
}

func (f baseFacts) event(k rules.EventKind) int64 {
	for _, e := range f.events {
		if e.kind == k {
			return e.at
		}
	}
	return 0
}

func (f baseFacts) appendTo(b []byte) []byte {
	for _, s := range []string{f.title, f.buyer, f.url, f.platform, string(f.via), string(f.extraPayment)} {
		b = appendString(b, s)
	}
	b = binary.AppendVarint(b, f.due)
	b = binary.AppendUvarint(b, uint64(len(f.events)))
	for _, e := range f.events {
		b = appendString(b, string(e.kind))
		b = binary.AppendVarint(b, e.at)
	}
	return b
}

func (rec *roomRecord) encode() []byte {
	facts := rec.facts.appendTo(nil)
	b := make([]byte, 0, 1+binary.MaxVarintLen64*3+len(facts)+32*len(rec.recorded))
	b = append(b, statusOf(rec.tracked))
	b = binary.AppendUvarint(b, uint64(len(facts)))
	b = append(b, facts...)
	b = binary.AppendVarint(b, rec.seen)
	b = binary.AppendUvarint(b, uint64(len(rec.recorded)))
	for _, r := range rec.recorded {
		b = appendString(b, string(r.kind))
		b = binary.AppendVarint(b, r.at)
		b = appendString(b, r.source)
	}
	if src := rec.factsSource(); src != SourceYAML {
		b = appendString(b, src)
	}
	return b
}

func statusOf(tracked bool) byte {
	if tracked {
		return statusTracked
	}
	return statusUntracked
}

// splitRecord cuts a stored record into its status, its encoded base facts
// (compared as bytes by SyncRooms and ImportRooms) and the encoded state
// after them.
func splitRecord(v []byte) (status byte, facts, state []byte, err error) {
	if len(v) == 0 {
		return 0, nil, nil, errors.New("empty room record")
	}
	r := reader{b: v[1:]}
	facts = r.bytes()
	return v[0], facts, r.b, r.err
}

func decodeRecord(v []byte) (roomRecord, error) {
	status, facts, state, err := splitRecord(v)
	if err != nil {
		return roomRecord{}, fmt.Errorf("decode room record: %w", err)
	}
	rec := roomRecord{tracked: status == statusTracked}
	f := reader{b: facts}
	rec.facts = baseFacts{
		title: f.string(), buyer: f.string(), url: f.string(), platform: f.string(),
		via: rules.Via(f.string()), extraPayment: rules.ExtraPaymentState(f.string()), due: f.varint(),
	}
	if n := f.count(); n > 0 {
		rec.facts.events = make([]eventTime, n)
		for i := range rec.facts.events {
			rec.facts.events[i] = eventTime{kind: rules.EventKind(f.string()), at: f.varint()}
		}
	}
	st := reader{b: state}
	rec.seen = st.varint()
	if n := st.count(); n > 0 {
		rec.recorded = make([]recordedFact, n)
		for i := range rec.recorded {
			rec.recorded[i] = recordedFact{kind: rules.EventKind(st.string()), at: st.varint(), source: st.string()}
		}
	}
	if len(st.b) > 0 {
		rec.source = st.string()
	}
	if err := errors.Join(f.err, st.err); err != nil {
		return roomRecord{}, fmt.Errorf("decode room record: %w", err)
	}
	return rec, nil
}

// merge builds the room the rules see: the base facts, then each recorded
// event; the later instant of each kind wins, so a YAML edit to an earlier
// time never erases a recorded event and a later YAML value beats an older
// one. sources, when not nil, receives the source of each winning value.
func (rec *roomRecord) merge(id string, sources map[rules.EventKind]string) rules.Room {
	f := &rec.facts
	r := rules.Room{
		ID: id, Title: f.title, Buyer: f.buyer, URL: f.url, Platform: f.platform,
		Via: f.via, ExtraPayment: f.extraPayment, Due: instant(f.due), Seen: instant(rec.seen),
	}
	for _, e := range f.events {
		r.SetEvent(e.kind, instant(e.at))
		if sources != nil {
			sources[e.kind] = rec.factsSource()
		}
	}
	for _, e := range rec.recorded {
		if e.at > nanos(r.Event(e.kind)) {
			r.SetEvent(e.kind, instant(e.at))
			if sources != nil {
				sources[e.kind] = e.source
			}
		}
	}
	return r
}

// factsSource names where the base facts came from; a record that names
// none holds the YAML's.
func (rec *roomRecord) factsSource() string {
	if rec.source == "" {
		return SourceYAML
	}
	return rec.source
}

// record keeps e if it is the latest of its kind; it reports whether it did.
func (rec *roomRecord) record(e recordedFact) bool {
	for i, have := range rec.recorded {
		if have.kind == e.kind {
			if e.at <= have.at {
				return false
			}
			rec.recorded[i] = e
			return true
		}
	}
	rec.recorded = append(rec.recorded, e)
	return true
}

// hasRecorded reports whether the latest recorded event of kind k is at.
func (rec *roomRecord) hasRecorded(k rules.EventKind, at int64) bool {
	for _, e := range rec.recorded {
		if e.kind == k {
			return e.at == at
		}
	}
	return false
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// reader decodes the binary record; the first error sticks and later reads
// return zero values, so a record is decoded in a row and checked once.
type reader struct {
	b   []byte
	err error
}

var errShortRecord = errors.New("record ends early")

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errShortRecord
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errShortRecord
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = errShortRecord
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) string() string { return string(r.bytes()) }

// count reads a list length, refusing one the rest of the record cannot hold.
func (r *reader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.err = errShortRecord
		return 0
	}
	return int(n)
}

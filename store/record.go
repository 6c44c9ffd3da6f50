package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/roomwatch/roomwatch/rules"
)

// roomRecord is one room as stored: its base facts, as the YAML or an import
// states them, kept apart from what roomwatch learned otherwise, so an edit
// of the source never erases a recorded event. The base facts live here
// only: the event log holds what was recorded after them (Events derives
// the base facts' entries from this record).
//
// It is stored in a compact binary form (codec.go) because a first start
// reads every room (a million in the performance target), and because
// SyncRooms and ImportRooms compare the base facts as bytes without
// decoding them:
//
//	format byte (roomFormat)
//	status byte ('T' tracked, 'U' untracked)
//	uvarint length, then the base facts:
//	  title, buyer (strings), url (appendURL), platform (string),
//	  via, extra_payment (names)
//	  uvarint count, then per event: kind (name), at (instant from the previous event's, the first from 0)
//	  due (instant from the first event's)
//	seen (instant from the first event's)
//	uvarint count, then per recorded event: kind (name), at (instant from the first event's), source (name)
//	source of the base facts (name)
//
// Schema version 3 had no format byte, 'T' or 'U' first, strings for names
// and Unix nanoseconds for times (decodeRecordV3, migrate.go).
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

// roomFormat is the format byte of a room record; it cannot be 'T' or 'U',
// the first byte of a schema version 3 record.
const roomFormat = 4

// base is the instant the record's other times are stored from.
func (f baseFacts) base() int64 {
	if len(f.events) > 0 {
		return f.events[0].at
	}
	return 0
}

func (f baseFacts) appendTo(b []byte, id string) []byte {
	b = appendString(b, f.title)
	b = appendString(b, f.buyer)
	b = appendURL(b, f.url, id)
	b = appendString(b, f.platform)
	b = appendName(b, string(f.via), viaNames)
	b = appendName(b, string(f.extraPayment), extraNames)
	b = binary.AppendUvarint(b, uint64(len(f.events)))
	prev := int64(0)
	for _, e := range f.events {
		b = appendName(b, string(e.kind), eventKindNames)
		b = appendInstant(b, e.at, prev)
		prev = e.at
	}
	return appendInstant(b, f.due, f.base())
}

func (rec *roomRecord) encode(id string) []byte {
	facts := rec.facts.appendTo(make([]byte, 0, 96), id)
	b := make([]byte, 0, 3+len(facts)+16+8*len(rec.recorded))
	b = append(b, roomFormat, statusOf(rec.tracked))
	b = binary.AppendUvarint(b, uint64(len(facts)))
	b = append(b, facts...)
	base := rec.facts.base()
	b = appendInstant(b, rec.seen, base)
	b = binary.AppendUvarint(b, uint64(len(rec.recorded)))
	for _, r := range rec.recorded {
		b = appendName(b, string(r.kind), eventKindNames)
		b = appendInstant(b, r.at, base)
		b = appendName(b, r.source, sourceNames)
	}
	return appendName(b, rec.factsSource(), sourceNames)
}

func statusOf(tracked bool) byte {
	if tracked {
		return statusTracked
	}
	return statusUntracked
}

// recordTracked reads a stored record's status without decoding it.
func recordTracked(v []byte) bool {
	return len(v) > 1 && v[0] == roomFormat && v[1] == statusTracked
}

// splitRecord cuts a stored record into its status, its encoded base facts
// (compared as bytes by SyncRooms and ImportRooms) and the encoded state
// after them.
func splitRecord(v []byte) (status byte, facts, state []byte, err error) {
	if err := checkFormat(v, roomFormat, "room"); err != nil {
		return 0, nil, nil, err
	}
	if len(v) < 2 {
		return 0, nil, nil, errShortRecord
	}
	r := reader{b: v[2:]}
	facts = r.bytes()
	if r.err == nil && v[1] != statusTracked && v[1] != statusUntracked {
		r.err = fmt.Errorf("bad room status %q", v[1])
	}
	return v[1], facts, r.b, r.err
}

// decodeRecord reads a room record of this schema; id is the room's, for
// its URL.
func decodeRecord(v []byte, id string) (roomRecord, error) {
	status, facts, state, err := splitRecord(v)
	if err != nil {
		return roomRecord{}, fmt.Errorf("decode room record: %w", err)
	}
	rec := roomRecord{tracked: status == statusTracked}
	f := reader{b: facts}
	rec.facts = baseFacts{title: f.string(), buyer: f.string(), url: f.url(id), platform: f.string()}
	rec.facts.via = rules.Via(f.name(viaNames))
	rec.facts.extraPayment = rules.ExtraPaymentState(f.name(extraNames))
	if n := f.count(); n > 0 {
		rec.facts.events = make([]eventTime, n)
		prev := int64(0)
		for i := range rec.facts.events {
			rec.facts.events[i] = eventTime{kind: rules.EventKind(f.name(eventKindNames)), at: f.instant(prev)}
			prev = rec.facts.events[i].at
		}
	}
	base := rec.facts.base()
	rec.facts.due = f.instant(base)
	st := reader{b: state}
	rec.seen = st.instant(base)
	if n := st.count(); n > 0 {
		rec.recorded = make([]recordedFact, n)
		for i := range rec.recorded {
			rec.recorded[i] = recordedFact{kind: rules.EventKind(st.name(eventKindNames)), at: st.instant(base), source: st.name(sourceNames)}
		}
	}
	if rec.source = st.name(sourceNames); rec.source == "" {
		rec.source = SourceYAML // as factsSource reads it, so a record decodes as it encodes
	}
	if err := errors.Join(f.end(), st.end()); err != nil {
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

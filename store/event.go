package store

import (
	"fmt"

	"github.com/roomwatch/roomwatch/rules"
)

// eventRecord is one entry of a room's log. Its key is the room ID, a NUL
// byte (room IDs hold none, so "a\x00…" is never taken for "ab\x00…") and
// the log's sequence number (appendSeq), so a room's entries sort together
// in the order they were recorded. Its value:
//
//	format byte (eventFormat)
//	kind (name), recorded_at (instant from 0), at (instant from recorded_at), source (name)
//
// Schema version 3 stored the value as JSON, with these field names.
type eventRecord struct {
	Kind       rules.EventKind `json:"kind"`
	At         int64           `json:"at"`
	Source     string          `json:"source"`
	RecordedAt int64           `json:"recorded_at"`
}

// An entry of the room's first facts (Store.Events: the base facts as the
// room was first stored, kept in the log once they changed) is keyed
// instead by a 0 byte and its kind's number in eventKindNames: they sort
// first, in kind order, as they were first learned.
const eventFormat = 1

func eventKey(room string, seq uint64) []byte {
	return appendSeq(eventPrefix(room), seq)
}

func firstFactKey(room string, kind rules.EventKind) []byte {
	return append(eventPrefix(room), 0, kindNumber(kind))
}

// kindNumber orders event kinds as the frozen list does; a kind it lacks
// sorts last.
func kindNumber(kind rules.EventKind) byte {
	for i, n := range eventKindNames {
		if n == string(kind) {
			return byte(i)
		}
	}
	return 0xFF
}

// isFirstFactKey reports whether k, a key of the room with that prefix, is
// a firstFactKey.
func isFirstFactKey(k, prefix []byte) bool {
	return len(k) == len(prefix)+2 && k[len(prefix)] == 0
}

func (e eventRecord) encode() []byte {
	b := make([]byte, 0, 24)
	b = append(b, eventFormat)
	b = appendName(b, string(e.Kind), eventKindNames)
	b = appendInstant(b, e.RecordedAt, 0)
	b = appendInstant(b, e.At, e.RecordedAt)
	return appendName(b, e.Source, sourceNames)
}

func decodeEvent(v []byte) (eventRecord, error) {
	if err := checkFormat(v, eventFormat, "event"); err != nil {
		return eventRecord{}, err
	}
	r := reader{b: v[1:]}
	var e eventRecord
	e.Kind = rules.EventKind(r.name(eventKindNames))
	e.RecordedAt = r.instant(0)
	e.At = r.instant(e.RecordedAt)
	e.Source = r.name(sourceNames)
	if err := r.end(); err != nil {
		return eventRecord{}, fmt.Errorf("decode event: %w", err)
	}
	return e, nil
}

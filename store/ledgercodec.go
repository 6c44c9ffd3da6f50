package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// The ledger's keys and values (schema version 4).
//
// A step's key (rules.Step.Key: "room|kind|deadline|name", the deadline in
// RFC 3339 seconds) is stored as
//
//	room, NUL, kind (name), deadline (zigzag uvarint of Unix seconds), step name (name)
//
// about 14 bytes where the string took about 45; the room first keeps a
// room's entries together for `history`. A key that does not read back to
// the same string this way (none the rules make) is stored as NUL and the
// string itself. The value:
//
//	format byte (ledgerFormat), flags (late, has outbox, key stored raw)
//	state, severity of the alert, severity of the step (names)
//	deadline (instant from 0); known, related, at (instants from the deadline)
//	send_at (instant from at); queued_at (instant from send_at)
//	sent_at, attempted_at (instants from queued_at)
//	attempts, outbox (uvarints, outbox only with its flag)
//	others (count, strings); results (count, notifier and text, by notifier)
//	reason (string)
//
// and, for a raw key only, the room, kind and step name (strings).
const ledgerFormat = 1

const (
	ledgerLate   = 1 << iota // queued after its time
	ledgerOutbox             // waiting in the outbox under the number that follows
	ledgerRaw                // the key is stored raw: room, kind and name follow
)

// ledgerKey is the stored key of a step's key string.
func ledgerKey(key string) []byte {
	return appendLedgerKey(make([]byte, 0, 24), key)
}

// appendLedgerKey appends the stored key of key to b; a lookup passes a
// buffer of its own and allocates nothing.
func appendLedgerKey(b []byte, key string) []byte {
	if k, ok := compactLedgerKey(b, key); ok {
		return k
	}
	return append(append(b, 0), key...)
}

// stepLedgerKey is ledgerKey(s.Key()) built from the step's fields, without
// formatting the key string and parsing it back: a first start looks up
// and writes hundreds of thousands of steps. Steps whose key string would
// not come back whole from the compact form (a deadline with a fraction
// of a second or outside the years RFC 3339 writes, a room with NUL) take
// the string's way, so both always agree (TestStepLedgerKeyIsLedgerKey).
func stepLedgerKey(b []byte, s rules.Step) []byte {
	d := s.Deadline
	if s.Room == "" || strings.IndexByte(s.Room, 0) >= 0 || d.Nanosecond() != 0 || d.Year() < 1970 || d.Year() > 9999 ||
		strings.IndexByte(string(s.Kind), '|') >= 0 || strings.IndexByte(s.Name, '|') >= 0 {
		return appendLedgerKey(b, s.Key())
	}
	b = append(append(b, s.Room...), 0)
	b = appendName(b, string(s.Kind), alertKindNames)
	b = binary.AppendUvarint(b, zigzag(d.Unix()))
	return appendName(b, s.Name, stepNames)
}

func compactLedgerKey(b []byte, key string) ([]byte, bool) {
	rest, name, ok := cutLast(key)
	if !ok {
		return nil, false
	}
	rest, deadline, ok := cutLast(rest)
	if !ok {
		return nil, false
	}
	room, kind, ok := cutLast(rest)
	if !ok || room == "" || strings.IndexByte(room, 0) >= 0 {
		return nil, false
	}
	t, err := time.Parse(time.RFC3339, deadline)
	var buf [40]byte
	if err != nil || string(t.UTC().AppendFormat(buf[:0], time.RFC3339)) != deadline {
		return nil, false
	}
	b = append(append(b, room...), 0)
	b = appendName(b, kind, alertKindNames)
	b = binary.AppendUvarint(b, zigzag(t.Unix()))
	// The cuts are exact, and the deadline formats back to the same text,
	// so ledgerKeyString gives key back.
	return appendName(b, name, stepNames), true
}

func cutLast(s string) (before, after string, ok bool) {
	i := strings.LastIndexByte(s, '|')
	if i < 0 {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}

// ledgerKeyString is the step key a stored key stands for.
func ledgerKeyString(k []byte) (string, error) {
	if len(k) > 0 && k[0] == 0 {
		return string(k[1:]), nil
	}
	room, parts, ok := bytes.Cut(k, []byte{0})
	if !ok {
		return "", fmt.Errorf("ledger key %q has no room", k)
	}
	r := reader{b: parts}
	kind := r.name(alertKindNames)
	deadline := time.Unix(unzigzag(r.uvarint()), 0).UTC().Format(time.RFC3339)
	name := r.name(stepNames)
	if err := r.end(); err != nil {
		return "", fmt.Errorf("ledger key %x: %w", k, err)
	}
	return string(room) + "|" + kind + "|" + deadline + "|" + name, nil
}

// ledgerPrefix is where a room's compactly keyed entries start.
func ledgerPrefix(room string) []byte { return eventPrefix(room) }

// parseLedgerKey reads room, kind and step name from a compact key.
func parseLedgerKey(k []byte) (room, kind, name string, err error) {
	roomB, parts, ok := bytes.Cut(k, []byte{0})
	if !ok || len(roomB) == 0 {
		return "", "", "", fmt.Errorf("ledger key %x has no room", k)
	}
	r := reader{b: parts}
	kind = r.name(alertKindNames)
	r.uvarint()
	name = r.name(stepNames)
	return string(roomB), kind, name, r.end()
}

func (rec *ledgerRecord) encode(k []byte) []byte {
	st := &rec.Step
	raw := len(k) > 0 && k[0] == 0
	var flags byte
	if rec.Late {
		flags |= ledgerLate
	}
	if rec.Outbox != 0 {
		flags |= ledgerOutbox
	}
	if raw {
		flags |= ledgerRaw
	}
	b := make([]byte, 0, 48)
	b = append(b, ledgerFormat, flags)
	b = appendName(b, rec.State, stateNames)
	b = appendName(b, string(st.AlertSeverity), severityNames)
	b = appendName(b, string(st.Severity), severityNames)
	b = appendInstant(b, st.Deadline, 0)
	b = appendInstant(b, st.Known, st.Deadline)
	b = appendInstant(b, st.Related, st.Deadline)
	b = appendInstant(b, st.At, st.Deadline)
	b = appendInstant(b, st.SendAt, st.At)
	b = appendInstant(b, rec.QueuedAt, st.SendAt)
	b = appendInstant(b, rec.SentAt, rec.QueuedAt)
	b = appendInstant(b, rec.AttemptedAt, rec.QueuedAt)
	b = binary.AppendUvarint(b, uint64(rec.Attempts))
	if rec.Outbox != 0 {
		b = binary.AppendUvarint(b, rec.Outbox)
	}
	b = binary.AppendUvarint(b, uint64(len(st.Others)))
	for _, o := range st.Others {
		b = appendString(b, o)
	}
	b = binary.AppendUvarint(b, uint64(len(rec.Results)))
	for _, n := range slices.Sorted(maps.Keys(rec.Results)) {
		b = appendString(appendString(b, n), rec.Results[n])
	}
	b = appendString(b, rec.Reason)
	if raw {
		b = appendString(b, st.Room)
		b = appendString(b, string(st.Kind))
		b = appendString(b, st.Name)
	}
	return b
}

// decodeLedger reads an entry stored under k.
func decodeLedger(k, v []byte) (ledgerRecord, error) {
	var rec ledgerRecord
	if err := checkFormat(v, ledgerFormat, "ledger"); err != nil {
		return rec, err
	}
	r := reader{b: v[1:]}
	flags := r.byte()
	if flags&^(ledgerLate|ledgerOutbox|ledgerRaw) != 0 {
		r.err = fmt.Errorf("unknown ledger flags %#x", flags)
	}
	st := &rec.Step
	rec.Late = flags&ledgerLate != 0
	rec.State = r.name(stateNames)
	st.AlertSeverity = rules.Severity(r.name(severityNames))
	st.Severity = rules.Severity(r.name(severityNames))
	st.Deadline = r.instant(0)
	st.Known = r.instant(st.Deadline)
	st.Related = r.instant(st.Deadline)
	st.At = r.instant(st.Deadline)
	st.SendAt = r.instant(st.At)
	rec.QueuedAt = r.instant(st.SendAt)
	rec.SentAt = r.instant(rec.QueuedAt)
	rec.AttemptedAt = r.instant(rec.QueuedAt)
	rec.Attempts = int(min(r.uvarint(), 1<<31))
	if flags&ledgerOutbox != 0 {
		if rec.Outbox = r.uvarint(); rec.Outbox == 0 && r.err == nil {
			r.err = fmt.Errorf("outbox number 0")
		}
	}
	if n := r.count(); n > 0 {
		st.Others = make([]string, n)
		for i := range st.Others {
			st.Others[i] = r.string()
		}
	}
	if n := r.count(); n > 0 {
		rec.Results = make(map[string]string, n)
		for range n {
			name := r.string()
			rec.Results[name] = r.string()
		}
	}
	rec.Reason = r.string()
	raw := len(k) > 0 && k[0] == 0
	switch {
	case r.err != nil:
	case flags&ledgerRaw != 0 != raw:
		r.err = fmt.Errorf("ledger entry's raw flag does not match its key")
	case raw:
		st.Room, st.Kind, st.Name = r.string(), rules.Kind(r.string()), r.string()
	default:
		room, kind, name, err := parseLedgerKey(k)
		if err != nil {
			r.err = err
		}
		st.Room, st.Kind, st.Name = room, rules.Kind(kind), name
	}
	if err := r.end(); err != nil {
		return ledgerRecord{}, fmt.Errorf("decode ledger entry: %w", err)
	}
	return rec, nil
}

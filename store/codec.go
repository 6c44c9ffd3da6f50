package store

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The building blocks of the binary records (schema version 4): every
// record starts with a format byte of its own (roomFormat, eventFormat,
// ledgerFormat), so a later format can be read beside this one. Integers
// are varints, strings a uvarint length and the bytes, and:
//
//   - an instant is a uvarint: 0 for the zero time, else 1 + the zigzagged
//     whole seconds from a base instant, shifted left by one, with the low
//     bit telling that a uvarint of nanoseconds (1 to 999,999,999) follows.
//     Times the rules compute fall on whole seconds, so most take two to
//     four bytes where Unix nanoseconds took nine.
//   - a name from a frozen list (event kinds, alert kinds, sources, states,
//     severities) is a uvarint: 1 + its place in the list, or 0 followed by
//     the string for a name the list does not hold. The lists are part of
//     the format: names are only ever appended to them, never reordered,
//     so a kind added to the rules later is stored as a string until a new
//     format lists it.

const nanosPerSecond = int64(1e9)

// appendInstant encodes the instant n (Unix nanoseconds, 0 = unset) as
// seconds and nanoseconds from base. The subtraction may wrap around; the
// decoder's addition wraps back, so every int64 round-trips.
func appendInstant(b []byte, n, base int64) []byte {
	if n == 0 {
		return append(b, 0)
	}
	d := n - base
	secs, frac := d/nanosPerSecond, d%nanosPerSecond
	if frac < 0 {
		secs, frac = secs-1, frac+nanosPerSecond
	}
	v := zigzag(secs) << 1
	if frac != 0 {
		v |= 1
	}
	b = binary.AppendUvarint(b, v+1)
	if frac != 0 {
		b = binary.AppendUvarint(b, uint64(frac))
	}
	return b
}

func zigzag(v int64) uint64   { return uint64(v<<1) ^ uint64(v>>63) }
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

// instant reads what appendInstant wrote.
func (r *reader) instant(base int64) int64 {
	v := r.uvarint()
	if v == 0 || r.err != nil {
		return 0
	}
	v--
	d := unzigzag(v>>1) * nanosPerSecond
	if v&1 != 0 {
		frac := r.uvarint()
		if r.err == nil && (frac == 0 || frac >= uint64(nanosPerSecond)) {
			r.err = fmt.Errorf("bad nanoseconds %d", frac)
		}
		d += int64(frac)
	}
	return base + d
}

// Frozen name lists (see above): append only.
var (
	eventKindNames = []string{
		"opened", "seller_message", "buyer_message", "delivered", "pushed_back",
		"closed", "cancelled", "cancel_requested", "buyer_rated", "seller_rated",
	}
	alertKindNames = []string{
		"first-message", "check-in", "cancel-risk", "cancel-request", "delivery-due", "may-cancel",
		"eligible-to-close", "extra-payment", "send-terms", "buyer-open-rooms", "declined-buyer",
		"rate-buyer", "room-expiry", "export-files",
	}
	sourceNames   = []string{"yaml", "cli", "slack", "http", "mail", "web", "link", "api", "marketplace"}
	stateNames    = []string{StateQueued, StateSent, StateFailed, StateSkipped, StateObsolete}
	severityNames = []string{"info", "warning", "critical"}
	viaNames      = []string{"purchase", "quote"}
	extraNames    = []string{"none", "pending", "paid"}
	stepNames     = []string{"due", "warn-24h", "warn-3h", "warn-1h", "warn-6h", "warn-12h", "warn-48h", "repeat-1", "repeat-2", "repeat-3"}
	// urlTemplates are talk room addresses that end in the room's ID; a URL
	// of that form is stored as the template's number alone.
	urlTemplates = []string{"https://coconala.com/talkrooms/"}
)

func appendName(b []byte, s string, names []string) []byte {
	for i, n := range names {
		if n == s {
			return binary.AppendUvarint(b, uint64(i+1))
		}
	}
	b = append(b, 0)
	return appendString(b, s)
}

// name reads what appendName wrote.
func (r *reader) name(names []string) string {
	i := r.uvarint()
	switch {
	case r.err != nil:
		return ""
	case i == 0:
		return r.string()
	case i > uint64(len(names)):
		r.err = fmt.Errorf("unknown name number %d", i)
		return ""
	}
	return names[i-1]
}

// appendURL stores a talk room URL that is a template followed by the
// room's ID as the template's number; any other URL as 0 and the string.
func appendURL(b []byte, url, id string) []byte {
	for i, t := range urlTemplates {
		if id != "" && len(url) == len(t)+len(id) && url[:len(t)] == t && url[len(t):] == id {
			return binary.AppendUvarint(b, uint64(i+1))
		}
	}
	b = append(b, 0)
	return appendString(b, url)
}

func (r *reader) url(id string) string {
	i := r.uvarint()
	switch {
	case r.err != nil:
		return ""
	case i == 0:
		return r.string()
	case i > uint64(len(urlTemplates)):
		r.err = fmt.Errorf("unknown URL template %d", i)
		return ""
	}
	return urlTemplates[i-1] + id
}

func (r *reader) byte() byte {
	if r.err != nil {
		return 0
	}
	if len(r.b) == 0 {
		r.err = errShortRecord
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// end reports an error unless the record was read to its last byte.
func (r *reader) end() error {
	if r.err == nil && len(r.b) > 0 {
		r.err = fmt.Errorf("%d bytes after the end of the record", len(r.b))
	}
	return r.err
}

// checkFormat reads a record's leading format byte.
func checkFormat(v []byte, want byte, what string) error {
	switch {
	case len(v) == 0:
		return fmt.Errorf("empty %s record", what)
	case v[0] != want:
		return fmt.Errorf("%s record of unknown format %d (this roomwatch reads %d)", what, v[0], want)
	}
	return nil
}

// appendSeq encodes a sequence number so that byte order is number order
// in few bytes: its length in bytes, then its big-endian bytes without
// leading zeros.
func appendSeq(b []byte, seq uint64) []byte {
	var full [8]byte
	binary.BigEndian.PutUint64(full[:], seq)
	n := 8
	for n > 1 && full[8-n] == 0 {
		n--
	}
	b = append(b, byte(n))
	return append(b, full[8-n:]...)
}

var errBadSeq = errors.New("bad sequence number")

// readSeq decodes appendSeq's bytes at the start of b and returns the rest.
func readSeq(b []byte) (uint64, []byte, error) {
	if len(b) == 0 || b[0] < 1 || b[0] > 8 || len(b) < 1+int(b[0]) {
		return 0, nil, errBadSeq
	}
	n := int(b[0])
	var full [8]byte
	copy(full[8-n:], b[1:1+n])
	return binary.BigEndian.Uint64(full[:]), b[1+n:], nil
}

package store

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/roomwatch/roomwatch/rules"
)

type ackRecord struct {
	Kind     rules.Kind `json:"kind"`
	Deadline int64      `json:"deadline"`
	At       int64      `json:"at"`
}

type snoozeRecord struct {
	From  int64 `json:"from"`
	Until int64 `json:"until"`
}

// AddAck records that the seller acknowledged an alert of the room. The
// same ack twice is stored once. The room must be tracked.
func (s *Store) AddAck(room string, a rules.Ack) error {
	rec := ackRecord{Kind: a.Kind, Deadline: nanos(a.Deadline), At: nanos(a.At)}
	return s.update(fmt.Sprintf("ack %s of room %q", a.Kind, room), func(tx *bolt.Tx) error {
		if _, err := trackedRecord(tx, room); err != nil {
			return err
		}
		b := tx.Bucket(bucketAcks)
		acks, err := readAcks(b, room)
		if err != nil {
			return err
		}
		for _, have := range acks {
			if have == rec {
				return nil
			}
		}
		return writeJSON(b, []byte(room), append(acks, rec))
	})
}

// Acks returns the room's acknowledgements in the order they were added.
func (s *Store) Acks(room string) ([]rules.Ack, error) {
	var acks []rules.Ack
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		acks, err = roomAcks(tx, room)
		return err
	})
	return acks, s.fail(fmt.Sprintf("read acks of room %q", room), err)
}

func roomAcks(tx *bolt.Tx, room string) ([]rules.Ack, error) {
	recs, err := readAcks(tx.Bucket(bucketAcks), room)
	if err != nil {
		return nil, err
	}
	var acks []rules.Ack
	for _, r := range recs {
		acks = append(acks, rules.Ack{Kind: r.Kind, Deadline: instant(r.Deadline), At: instant(r.At)})
	}
	return acks, nil
}

func readAcks(b *bolt.Bucket, room string) ([]ackRecord, error) {
	var acks []ackRecord
	if v := b.Get([]byte(room)); v != nil {
		if err := json.Unmarshal(v, &acks); err != nil {
			return nil, fmt.Errorf("decode acks: %w", err)
		}
	}
	return acks, nil
}

// SetSnooze replaces the room's snooze; a zero Snooze clears it. Setting a
// snooze needs a tracked room; clearing one does not.
func (s *Store) SetSnooze(room string, sn rules.Snooze) error {
	return s.update(fmt.Sprintf("snooze room %q", room), func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSnoozes)
		if sn.Until.IsZero() {
			return b.Delete([]byte(room))
		}
		if _, err := trackedRecord(tx, room); err != nil {
			return err
		}
		return writeJSON(b, []byte(room), snoozeRecord{From: nanos(sn.From), Until: nanos(sn.Until)})
	})
}

// Snooze returns the room's snooze (zero if none).
func (s *Store) Snooze(room string) (rules.Snooze, error) {
	var sn rules.Snooze
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		sn, err = roomSnooze(tx, room)
		return err
	})
	return sn, s.fail(fmt.Sprintf("read snooze of room %q", room), err)
}

func roomSnooze(tx *bolt.Tx, room string) (rules.Snooze, error) {
	v := tx.Bucket(bucketSnoozes).Get([]byte(room))
	if v == nil {
		return rules.Snooze{}, nil
	}
	var rec snoozeRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return rules.Snooze{}, fmt.Errorf("decode snooze: %w", err)
	}
	return rules.Snooze{From: instant(rec.From), Until: instant(rec.Until)}, nil
}

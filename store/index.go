package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/roomwatch/roomwatch/rules"
)

// Two indexes follow the room records, so that neither a start nor a
// reload has to read every room of a store holding a marketplace:
//
//   - yaml_rooms lists the tracked rooms whose base facts come from the YAML,
//     the only ones SyncRooms may untrack, so a sync walks the YAML's rooms,
//     not the store's.
//   - buyers holds one key per running room (neither closed nor cancelled)
//     that has a buyer: the buyer, then the opening time, then the room ID,
//     the very order rules.SameBuyer sorts in. A room's earlier siblings are
//     the keys of its buyer before its own, read with one cursor seek.
//
// putRoom writes a record and both indexes together, so they never disagree.

// roomIndex is where one room stands in the indexes.
type roomIndex struct {
	yaml   bool   // tracked, with base facts from the YAML
	prefix []byte // its buyer's prefix in the buyers bucket; nil when it has no key there
	key    []byte // its key in the buyers bucket
}

// indexOf computes a record's place in the indexes; a nil record has none.
func indexOf(id string, rec *roomRecord) roomIndex {
	if rec == nil || !rec.tracked {
		return roomIndex{}
	}
	ix := roomIndex{yaml: rec.factsSource() == SourceYAML}
	ix.prefix, ix.key = buyerKey(rec.merge(id, nil))
	return ix
}

// buyerKey is r's key in the buyers bucket and its buyer's prefix; both nil
// when r has no buyer or no longer runs.
func buyerKey(r rules.Room) (prefix, key []byte) {
	if r.Buyer == "" || !running(r) {
		return nil, nil
	}
	prefix = buyerPrefix(r.Buyer)
	key = make([]byte, 0, len(prefix)+8+len(r.ID))
	key = append(append(append(key, prefix...), sortableOpened(r.Opened)...), r.ID...)
	return prefix, key
}

// running is rules.SameBuyer's test of a room that still counts: neither
// closed nor cancelled.
func running(r rules.Room) bool {
	return rules.StateOf(r).Live()
}

// buyerPrefix starts with the buyer's length, so no buyer's keys can be
// mistaken for those of a buyer whose name it begins with.
func buyerPrefix(buyer string) []byte {
	p := binary.AppendUvarint(nil, uint64(len(buyer)))
	return append(p, buyer...)
}

// sortableOpened sorts an unknown opening time first, as rules.SameBuyer's
// comparison of zero times does.
func sortableOpened(t time.Time) []byte {
	if t.IsZero() {
		return make([]byte, 8)
	}
	return sortableTime(t)
}

// putRoom writes a room's record and moves it in the indexes from was, its
// place before the change (indexOf of the old record). It returns the rooms
// whose earlier same-buyer siblings changed with it: the buyer's running
// rooms opened after it, at its old key and at its new one.
func putRoom(tx *bolt.Tx, id string, was roomIndex, rec *roomRecord) ([]string, error) {
	if err := tx.Bucket(bucketRooms).Put([]byte(id), rec.encode()); err != nil {
		return nil, err
	}
	return reindex(tx, id, was, indexOf(id, rec))
}

// reindex moves a room in the indexes from was to now.
func reindex(tx *bolt.Tx, id string, was, now roomIndex) ([]string, error) {
	if was.yaml != now.yaml {
		yaml := tx.Bucket(bucketYAML)
		var err error
		if now.yaml {
			err = yaml.Put([]byte(id), nil)
		} else {
			err = yaml.Delete([]byte(id))
		}
		if err != nil {
			return nil, err
		}
	}
	if bytes.Equal(was.key, now.key) {
		return nil, nil
	}
	buyers := tx.Bucket(bucketBuyers)
	var affected []string
	if was.key != nil {
		if err := buyers.Delete(was.key); err != nil {
			return nil, err
		}
		affected = append(affected, siblingsAfter(buyers, was)...)
	}
	if now.key != nil {
		if err := buyers.Put(now.key, nil); err != nil {
			return nil, err
		}
		affected = append(affected, siblingsAfter(buyers, now)...)
	}
	return affected, nil
}

// siblingsAfter lists the rooms of ix's buyer whose keys follow ix.key.
func siblingsAfter(buyers *bolt.Bucket, ix roomIndex) []string {
	var ids []string
	c := buyers.Cursor()
	k, _ := c.Seek(ix.key)
	if bytes.Equal(k, ix.key) {
		k, _ = c.Next()
	}
	for ; k != nil && bytes.HasPrefix(k, ix.prefix); k, _ = c.Next() {
		ids = append(ids, string(k[len(ix.prefix)+8:]))
	}
	return ids
}

// siblingsBefore lists the rooms of ix's buyer whose keys precede ix.key,
// earliest first: rules.SameBuyer's answer for the room.
func siblingsBefore(buyers *bolt.Bucket, ix roomIndex) []string {
	var ids []string
	c := buyers.Cursor()
	for k, _ := c.Seek(ix.prefix); k != nil && bytes.HasPrefix(k, ix.prefix) && bytes.Compare(k, ix.key) < 0; k, _ = c.Next() {
		ids = append(ids, string(k[len(ix.prefix)+8:]))
	}
	return ids
}

// SameBuyer answers rules.SameBuyer for one room from the index: the IDs of
// the buyer's other running rooms opened before r (ties by ID), earliest
// first; nil when r is not running, has no buyer or has no such sibling.
// r is a room as the store merges it (Room, ForEachRoom).
func (s *Store) SameBuyer(r rules.Room) ([]string, error) {
	var ids []string
	err := s.db.View(func(tx *bolt.Tx) error {
		ids = sameBuyer(tx, r)
		return nil
	})
	return ids, s.fail(fmt.Sprintf("read the same-buyer rooms of %q", r.ID), err)
}

func sameBuyer(tx *bolt.Tx, r rules.Room) []string {
	var ix roomIndex
	if ix.prefix, ix.key = buyerKey(r); ix.key == nil {
		return nil
	}
	return siblingsBefore(tx.Bucket(bucketBuyers), ix)
}

// buildIndexes fills both indexes from the room records (migration to
// schema version 3).
func buildIndexes(tx *bolt.Tx) error {
	return tx.Bucket(bucketRooms).ForEach(func(k, v []byte) error {
		rec, err := decodeRecord(v)
		if err != nil {
			return fmt.Errorf("room %q: %w", k, err)
		}
		_, err = reindex(tx, string(k), roomIndex{}, indexOf(string(k), &rec))
		return err
	})
}

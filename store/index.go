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
//   - buyers holds one key per room running on record (neither closed nor
//     cancelled) that has a buyer: the buyer's name, then the opening time,
//     then the room ID. A room's candidate siblings are the keys of its
//     buyer up to its opening time, read with one cursor seek; which of
//     them count, and in which order, is rules.BuyerScope.EarlierRooms's
//     to say (same platform, natural ID order at equal times, automatic
//     approval), so the rule lives in one place. The platform is not in
//     the key because a room without one takes the config's default,
//     which the store does not know and a reload may change. The value
//     holds the facts the rules need of a sibling (siblingFacts), so that
//     reading siblings reads no room record; an empty value, written before
//     the value existed, sends the reader to the record.
//
//   - buyer_rooms holds one key per room the store knows (tracked or not,
//     running or ended) that has a buyer: the buyer's prefix, then the
//     room ID. The buyer's record (`roomwatch buyer`, the buyer context of
//     every alert and status) reads a buyer's rooms from it with one
//     cursor seek instead of walking every room of the store, which at a
//     marketplace's size made each recorded event cost a full scan.
//
// putRoom writes a record and the indexes together, so they never disagree.

// roomIndex is where one room stands in the indexes.
type roomIndex struct {
	// buyerRoom is its key in buyer_rooms; nil when it has no buyer.
	buyerRoom []byte
	yaml      bool   // tracked, with base facts from the YAML
	prefix    []byte // its buyer's prefix in the buyers bucket; nil when it has no key there
	key       []byte // its key in the buyers bucket
	// sibling is the value of key: the facts beside the key that decide
	// whether the room counts for its buyer's later rooms.
	sibling []byte
}

// indexOf computes a record's place in the indexes; a nil record has none.
func indexOf(id string, rec *roomRecord) roomIndex {
	if rec == nil {
		return roomIndex{}
	}
	r := rec.merge(id, nil)
	if !rec.tracked {
		return roomIndex{buyerRoom: buyerRoomKey(r)}
	}
	ix := roomIndex{yaml: rec.factsSource() == SourceYAML, buyerRoom: buyerRoomKey(r)}
	ix.prefix, ix.key = buyerKey(r)
	if ix.key != nil {
		ix.sibling = siblingFacts(r)
	}
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

// buyerRoomKey is r's key in buyer_rooms; nil when r has no buyer.
func buyerRoomKey(r rules.Room) []byte {
	if r.Buyer == "" {
		return nil
	}
	return append(buyerPrefix(r.Buyer), r.ID...)
}

// siblingFacts encodes what a buyer's later rooms need to know of r beyond
// its key (rules.BuyerScope.EarlierRooms): a version byte, the platform,
// the delivery and the push-back. A room in the index runs on record, so
// closed and cancelled are unset.
func siblingFacts(r rules.Room) []byte {
	b := []byte{siblingFactsV1}
	b = appendString(b, r.Platform)
	b = binary.AppendVarint(b, nanos(r.Delivered))
	return binary.AppendVarint(b, nanos(r.PushedBack))
}

const siblingFactsV1 = 1

// siblingRoom rebuilds, from a key of the buyers bucket and its value, the
// room as EarlierRooms reads it.
func siblingRoom(buyer string, prefix, k, v []byte) (rules.Room, error) {
	at := k[len(prefix) : len(prefix)+8]
	r := rules.Room{ID: string(k[len(prefix)+8:]), Buyer: buyer}
	if !bytes.Equal(at, make([]byte, 8)) {
		r.Opened = timeFromSortable(at)
	}
	if len(v) == 0 || v[0] != siblingFactsV1 {
		return r, fmt.Errorf("buyer index entry of room %q: unknown value %x", r.ID, v)
	}
	rd := reader{b: v[1:]}
	r.Platform = rd.string()
	r.Delivered = instant(rd.varint())
	r.PushedBack = instant(rd.varint())
	return r, rd.err
}

// running is rules.SameBuyer's test of a room that runs on record: neither
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
	if err := tx.Bucket(bucketRooms).Put([]byte(id), rec.encode(id)); err != nil {
		return nil, err
	}
	return reindex(tx, id, was, indexOf(id, rec))
}

// reindex moves a room in the indexes from was to now.
func reindex(tx *bolt.Tx, id string, was, now roomIndex) ([]string, error) {
	if err := moveBuyerRoom(tx, was.buyerRoom, now.buyerRoom); err != nil {
		return nil, err
	}
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
		if bytes.Equal(was.sibling, now.sibling) {
			return nil, nil
		}
		// Same place, but whether it counts for its buyer's later rooms
		// may have changed.
		if err := tx.Bucket(bucketBuyers).Put(now.key, now.sibling); err != nil {
			return nil, err
		}
		return siblingsAfter(tx.Bucket(bucketBuyers), now), nil
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
		if err := buyers.Put(now.key, now.sibling); err != nil {
			return nil, err
		}
		affected = append(affected, siblingsAfter(buyers, now)...)
	}
	return affected, nil
}

// siblingsAfter lists the other rooms of ix's buyer opened after ix, or
// at the same time with an ID after its own in rules.CompareIDs's natural
// order (not the key's byte order): every room whose earlier siblings may
// include it.
func siblingsAfter(buyers *bolt.Bucket, ix roomIndex) []string {
	var ids []string
	at := ix.key[:len(ix.prefix)+8] // the buyer and the opening time
	own := string(ix.key[len(at):])
	c := buyers.Cursor()
	for k, _ := c.Seek(at); k != nil && bytes.HasPrefix(k, ix.prefix); k, _ = c.Next() {
		id := string(k[len(at):])
		if bytes.HasPrefix(k, at) && rules.CompareIDs(id, own) <= 0 {
			continue
		}
		ids = append(ids, id)
	}
	return ids
}

// SameBuyer answers rules.SameBuyer for one room from the index: the IDs of
// the buyer's rooms on the same platform still running when r opened and
// opened before it, earliest first (rules.BuyerScope.EarlierRooms); nil
// when r is not running, has no buyer or has no such sibling. r is a room
// as the store merges it (Room, ForEachRoom); scope names the config's
// default platform and the profiles.
func (s *Store) SameBuyer(r rules.Room, scope rules.BuyerScope) ([]string, error) {
	var ids []string
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		ids, err = sameBuyer(tx, r, scope)
		return err
	})
	return ids, s.fail(fmt.Sprintf("read the same-buyer rooms of %q", r.ID), err)
}

// sameBuyer reads the candidates, the buyer's rooms opened up to r, and
// lets the rules decide.
func sameBuyer(tx *bolt.Tx, r rules.Room, scope rules.BuyerScope) ([]string, error) {
	prefix, key := buyerKey(r)
	if key == nil {
		return nil, nil
	}
	upTo := key[:len(prefix)+8] // the buyer and r's opening time
	rooms := tx.Bucket(bucketRooms)
	var candidates []rules.Room
	c := tx.Bucket(bucketBuyers).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && bytes.Compare(k[:len(upTo)], upTo) <= 0; k, v = c.Next() {
		id := string(k[len(prefix)+8:])
		if id == r.ID {
			continue
		}
		if len(v) > 0 {
			sib, err := siblingRoom(r.Buyer, prefix, k, v)
			if err != nil {
				return nil, err
			}
			candidates = append(candidates, sib)
			continue
		}
		// An entry of schema version 3 before the value existed.
		rec := rooms.Get([]byte(id))
		if rec == nil {
			return nil, fmt.Errorf("buyer index names room %q, which has no record", id)
		}
		decoded, err := decodeRecord(rec, id)
		if err != nil {
			return nil, fmt.Errorf("room %q: %w", id, err)
		}
		candidates = append(candidates, decoded.merge(id, nil))
	}
	return scope.EarlierRooms(r, candidates), nil
}

// moveBuyerRoom moves a room's key in buyer_rooms. Before schema version 5
// the bucket does not exist (the older migrations run this code too); the
// step to version 5 fills it from the room records.
func moveBuyerRoom(tx *bolt.Tx, was, now []byte) error {
	b := tx.Bucket(bucketBuyerRooms)
	if b == nil || bytes.Equal(was, now) {
		return nil
	}
	if was != nil {
		if err := b.Delete(was); err != nil {
			return err
		}
	}
	if now != nil {
		return b.Put(now, nil)
	}
	return nil
}

// BuyerRooms returns every room of buyer the store knows, tracked or not,
// running or ended, in ID order: one seek in buyer_rooms and a read of each
// of those rooms, whatever the store's size.
func (s *Store) BuyerRooms(buyer string) ([]rules.Room, error) {
	if buyer == "" {
		return nil, nil
	}
	var rooms []rules.Room
	err := s.db.View(func(tx *bolt.Tx) error {
		prefix := buyerPrefix(buyer)
		recs := tx.Bucket(bucketRooms)
		c := tx.Bucket(bucketBuyerRooms).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			id := string(k[len(prefix):])
			v := recs.Get([]byte(id))
			if v == nil {
				return fmt.Errorf("buyer index names room %q, which has no record", id)
			}
			rec, err := decodeRecord(v, id)
			if err != nil {
				return fmt.Errorf("room %q: %w", id, err)
			}
			rooms = append(rooms, rec.merge(id, nil))
		}
		return nil
	})
	return rooms, s.fail(fmt.Sprintf("read the rooms of buyer %q", buyer), err)
}

// buildIndexes fills both indexes from the room records (migration to
// schema version 3).
func buildIndexes(tx *bolt.Tx) error {
	return tx.Bucket(bucketRooms).ForEach(func(k, v []byte) error {
		rec, err := decodeAnyRecord(v, string(k))
		if err != nil {
			return fmt.Errorf("room %q: %w", k, err)
		}
		_, err = reindex(tx, string(k), roomIndex{}, indexOf(string(k), &rec))
		return err
	})
}

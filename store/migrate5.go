package store

import (
	"bytes"
	"fmt"
	"log/slog"

	bolt "go.etcd.io/bbolt"
)

// Schema version 4 to 5 adds buyer_rooms, every room the store knows by its
// buyer (index.go). The rooms are read in batches of migrateBatch, each its
// own transaction; a put of a key already there changes nothing, so a
// migration cut short (kill -9) simply runs again at the next open.
func (s *Store) migrateV4() error {
	var from []byte
	for {
		var next []byte
		err := s.db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists(bucketBuyerRooms)
			if err != nil {
				return err
			}
			c := tx.Bucket(bucketRooms).Cursor()
			k, v := c.First()
			if from != nil {
				k, v = c.Seek(from)
			}
			for n := 0; k != nil; k, v = c.Next() {
				if n == migrateBatch {
					next = bytes.Clone(k) // the first room of the next batch
					return nil
				}
				n++
				rec, err := decodeRecord(v, string(k))
				if err != nil {
					return fmt.Errorf("room %q: %w", k, err)
				}
				if key := buyerRoomKey(rec.merge(string(k), nil)); key != nil {
					if err := b.Put(key, nil); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("schema version 4 to 5: %w", err)
		}
		if migrateBatchDone != nil {
			migrateBatchDone()
		}
		if next == nil {
			break
		}
		from = next
	}
	slog.Debug("store: migrated", "index", string(bucketBuyerRooms))
	return s.db.Update(func(tx *bolt.Tx) error { return writeSchemaVersion(tx, 5) })
}

package store

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Meta keys of signed action links. The key lives in the store so links
// keep working across restarts and reloads without the seller managing a
// secret; used-marks live there so a link records once even across a
// restart.
var (
	metaLinkKey        = []byte("link_key")   // hex of the HMAC key
	metaLinkUsedPrefix = []byte("link_used/") // + link ID → the link's expiry, Unix nanoseconds
)

// linkKeySize is the size of a generated link key, in bytes.
const linkKeySize = 32

// LinkKey returns the key action links are signed with, generating it the
// first time from crypto/rand. The key never leaves the store except into a
// backup, which is as secret as the store itself.
func (s *Store) LinkKey() ([]byte, error) {
	var key []byte
	err := s.update("read or create the link key", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMeta)
		if v := b.Get(metaLinkKey); v != nil {
			k, err := hex.DecodeString(string(v))
			if err != nil || len(k) < linkKeySize {
				return fmt.Errorf("the stored link key is damaged (%d hex bytes)", len(v))
			}
			key = k
			return nil
		}
		key = make([]byte, linkKeySize)
		if _, err := rand.Read(key); err != nil {
			return fmt.Errorf("generate: %w", err)
		}
		return b.Put(metaLinkKey, []byte(hex.EncodeToString(key)))
	})
	return key, err
}

// LinkUsed reports whether the link with id (links.ID) has been used.
func (s *Store) LinkUsed(id string) (bool, error) {
	var used bool
	err := s.db.View(func(tx *bolt.Tx) error {
		used = tx.Bucket(bucketMeta).Get(linkUsedKey(id)) != nil
		return nil
	})
	return used, s.fail("read a link's used-mark", err)
}

// UseLink marks the link with id used until it expires; first is false when
// it already was. Marks of links past their expiry are dropped on the way:
// an expired link is refused by its signature check alone.
func (s *Store) UseLink(id string, expires, now time.Time) (first bool, err error) {
	err = s.update("mark a link used", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMeta)
		key := linkUsedKey(id)
		if b.Get(key) != nil {
			return nil
		}
		first = true
		var stale [][]byte
		c := b.Cursor()
		for k, v := c.Seek(metaLinkUsedPrefix); k != nil && bytes.HasPrefix(k, metaLinkUsedPrefix); k, v = c.Next() {
			if n, err := strconv.ParseInt(string(v), 10, 64); err != nil || instant(n).Before(now) {
				stale = append(stale, bytes.Clone(k))
			}
		}
		for _, k := range stale {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return b.Put(key, []byte(strconv.FormatInt(nanos(expires), 10)))
	})
	return first, err
}

func linkUsedKey(id string) []byte {
	return append(bytes.Clone(metaLinkUsedPrefix), id...)
}

// linkMetaKey reports whether key is one of the link keys SetMeta must not touch.
func linkMetaKey(key string) bool {
	return key == string(metaLinkKey) || bytes.HasPrefix([]byte(key), metaLinkUsedPrefix)
}

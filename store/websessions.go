package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketWebSessions holds the signed-in browsers of the web app: the
// digest of a session's cookie → JSON webSessionRecord. It is made on the
// first sign-in, so stores written before the web app need no migration;
// the cookie itself is never stored, so a leaked store or backup signs
// nobody in.
var bucketWebSessions = []byte("web_sessions")

// WebSession is one signed-in browser.
type WebSession struct {
	Created time.Time
	Expires time.Time
}

type webSessionRecord struct {
	Created int64 `json:"c"`
	Expires int64 `json:"e"`
}

// PutWebSession keeps the session named id (a digest of its cookie) until
// it expires. Sessions already past their expiry are dropped on the way.
func (s *Store) PutWebSession(id string, ws WebSession, now time.Time) error {
	if id == "" {
		return fmt.Errorf("store: a web session needs an ID")
	}
	return s.update("keep a web session", func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketWebSessions)
		if err != nil {
			return err
		}
		var stale [][]byte
		err = b.ForEach(func(k, v []byte) error {
			var rec webSessionRecord
			if json.Unmarshal(v, &rec) != nil || !instant(rec.Expires).After(now) {
				stale = append(stale, bytes.Clone(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range stale {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		v, err := json.Marshal(webSessionRecord{Created: nanos(ws.Created), Expires: nanos(ws.Expires)})
		if err != nil {
			return err
		}
		return b.Put([]byte(id), v)
	})
}

// LookupWebSession returns the session named id; ok is false when there is
// none or it has expired at now.
func (s *Store) LookupWebSession(id string, now time.Time) (ws WebSession, ok bool, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketWebSessions)
		if b == nil {
			return nil
		}
		v := b.Get([]byte(id))
		if v == nil {
			return nil
		}
		var rec webSessionRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("web session record: %w", err)
		}
		ws = WebSession{Created: instant(rec.Created), Expires: instant(rec.Expires)}
		ok = ws.Expires.After(now)
		return nil
	})
	return ws, ok, s.fail("read a web session", err)
}

// DeleteWebSession signs one browser out.
func (s *Store) DeleteWebSession(id string) error {
	return s.update("delete a web session", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketWebSessions)
		if b == nil {
			return nil
		}
		return b.Delete([]byte(id))
	})
}

// DeleteWebSessions signs every browser out and returns how many sessions
// were still live at now.
func (s *Store) DeleteWebSessions(now time.Time) (int, error) {
	live := 0
	err := s.update("delete every web session", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketWebSessions)
		if b == nil {
			return nil
		}
		err := b.ForEach(func(_, v []byte) error {
			var rec webSessionRecord
			if json.Unmarshal(v, &rec) == nil && instant(rec.Expires).After(now) {
				live++
			}
			return nil
		})
		if err != nil {
			return err
		}
		return tx.DeleteBucket(bucketWebSessions)
	})
	return live, err
}

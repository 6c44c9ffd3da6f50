package store

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Buckets of the mail reader, created on first use so that stores written
// before it need no migration.
var (
	bucketMailPos    = []byte("mail_position") // account key → 4-byte UIDVALIDITY + 4-byte last UID
	bucketMailSeen   = []byte("mail_seen")     // Message-ID → sortable time it was processed
	bucketMailSeenAt = []byte("mail_seen_at")  // sortable time + Message-ID → empty, to prune the oldest first
)

// MailPosition is how far the mail reader got in one IMAP mailbox: the
// mailbox's UIDVALIDITY and the highest UID processed under it. A new
// UIDVALIDITY makes the old UIDs meaningless.
type MailPosition struct {
	UIDValidity uint32
	LastUID     uint32
}

// MailPosition returns the position stored for an account key (e.g.
// "user@imap.example.com:993/INBOX"); zero when none is.
func (s *Store) MailPosition(account string) (MailPosition, error) {
	var p MailPosition
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMailPos)
		if b == nil {
			return nil
		}
		if v := b.Get([]byte(account)); len(v) == 8 {
			p.UIDValidity = binary.BigEndian.Uint32(v[:4])
			p.LastUID = binary.BigEndian.Uint32(v[4:])
		}
		return nil
	})
	return p, s.fail("read mail position", err)
}

// SetMailPosition stores the position for an account key.
func (s *Store) SetMailPosition(account string, p MailPosition) error {
	if account == "" {
		return fmt.Errorf("store: write mail position: no account")
	}
	v := make([]byte, 8)
	binary.BigEndian.PutUint32(v[:4], p.UIDValidity)
	binary.BigEndian.PutUint32(v[4:], p.LastUID)
	return s.update("write mail position", func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketMailPos)
		if err != nil {
			return err
		}
		return b.Put([]byte(account), v)
	})
}

// MailSeen reports whether the mail with this Message-ID was processed
// (and not yet pruned).
func (s *Store) MailSeen(messageID string) (bool, error) {
	var seen bool
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketMailSeen); b != nil {
			seen = b.Get([]byte(messageID)) != nil
		}
		return nil
	})
	return seen, s.fail("read seen mails", err)
}

// maxMessageID bounds a stored Message-ID (RFC 5322 lines are at most 998
// characters; bbolt keys at most 32 KiB).
const maxMessageID = 998

// MarkMailSeen records that the mail with this Message-ID was processed at
// at, and forgets those processed before at - keep, so the list stays as
// long as the mails of that period. Marking an ID twice keeps its first time.
func (s *Store) MarkMailSeen(messageID string, at time.Time, keep time.Duration) error {
	if messageID == "" || len(messageID) > maxMessageID {
		return fmt.Errorf("store: mark mail seen: Message-ID empty or longer than %d bytes", maxMessageID)
	}
	return s.update("mark mail "+strconv.Quote(messageID)+" seen", func(tx *bolt.Tx) error {
		seen, err := tx.CreateBucketIfNotExists(bucketMailSeen)
		if err != nil {
			return err
		}
		byTime, err := tx.CreateBucketIfNotExists(bucketMailSeenAt)
		if err != nil {
			return err
		}
		byTime.FillPercent = appendFill // mails arrive in time order
		if seen.Get([]byte(messageID)) == nil {
			ts := sortableTime(at)
			if err := seen.Put([]byte(messageID), ts); err != nil {
				return err
			}
			if err := byTime.Put(append(ts, messageID...), nil); err != nil {
				return err
			}
		}
		if keep <= 0 {
			return nil
		}
		// The index is in time order: prune from the start until the first
		// mail still kept. Collect first; a cursor must not delete while
		// it walks.
		cutoff := string(sortableTime(at.Add(-keep)))
		var old [][]byte
		c := byTime.Cursor()
		for k, _ := c.First(); k != nil && string(k[:len(cutoff)]) < cutoff; k, _ = c.Next() {
			old = append(old, append([]byte(nil), k...))
		}
		for _, k := range old {
			if err := byTime.Delete(k); err != nil {
				return err
			}
			if err := seen.Delete(k[len(cutoff):]); err != nil {
				return err
			}
		}
		return nil
	})
}

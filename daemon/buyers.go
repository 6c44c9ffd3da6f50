package daemon

import (
	"time"

	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/store"
)

// recordScanRooms bounds the store a room's first alert reads the buyer's
// record from: the record takes one walk of every room, which is nothing
// for a seller's few hundred rooms and too much per new room for a
// marketplace's million (those get it from `roomwatch buyer`).
const recordScanRooms = 20000

// withBuyer adds what the seller knows of the buyer to a room's first
// alert — the buyer's record over earlier rooms and the seller's private
// note — and the note to a declined buyer's warning, which exists for it.
// A room's alerts that go out together carry it once (firstOfRoom).
func (d *Daemon) withBuyer(a *notifier.Alert, now time.Time, firstOfRoom bool) {
	if a.Room.Buyer == "" {
		return
	}
	cfg := d.engine.Config()
	note, noted := cfg.BuyerOf(a.Room)
	first := firstOfRoom && d.firstAlert(a.Step)
	if noted && (first || a.Step.Kind == rules.DeclinedBuyer) {
		a.BuyerNote = note.Note
	}
	if !first {
		return
	}
	if n, err := d.store.CountRooms(); err != nil || n > recordScanRooms {
		return
	}
	rec, err := d.engine.PriorRecord(a.Room, now)
	if err != nil {
		d.log.Warn("reading the buyer's record", "room", a.Room.ID, "err", err)
		return
	}
	if rec.Seen() {
		a.Record = &rec
	}
}

// firstAlert reports whether nothing of s's room was sent before s.
func (d *Daemon) firstAlert(s rules.Step) bool {
	entries, err := d.store.Ledger(s.Room)
	if err != nil {
		return false
	}
	key := s.Key()
	for _, e := range entries {
		if e.Key != key && e.State == store.StateSent {
			return false
		}
	}
	return true
}

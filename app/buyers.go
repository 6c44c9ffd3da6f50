package app

import (
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

// BuyerScope is the configuration's view of "the same buyer".
func (e *App) BuyerScope() rules.BuyerScope {
	cfg := e.Config()
	return rules.BuyerScope{DefaultPlatform: cfg.Platform, Profiles: cfg.Profiles}
}

// buyerRooms reads every room of buyer the store knows, untracked and
// ended ones included, from the store's index of rooms by buyer.
func (e *App) buyerRooms(buyer string) ([]rules.Room, error) {
	return e.store.BuyerRooms(buyer)
}

// BuyerRecord is the record of buyer on platform ("" the default one) over
// every room of theirs the store knows, as of now.
func (e *App) BuyerRecord(buyer, platform string, now time.Time) (rules.BuyerRecord, error) {
	scope := e.BuyerScope()
	if platform == "" {
		platform = scope.DefaultPlatform
	}
	rooms, err := e.buyerRooms(buyer)
	if err != nil {
		return rules.BuyerRecord{}, err
	}
	return scope.RecordOf(buyer, platform, rooms, now), nil
}

// PriorRecord is the record of r's buyer over their rooms opened before r
// (not Seen for a new buyer).
func (e *App) PriorRecord(r rules.Room, now time.Time) (rules.BuyerRecord, error) {
	if r.Buyer == "" {
		return rules.BuyerRecord{}, nil
	}
	rooms, err := e.buyerRooms(r.Buyer)
	if err != nil {
		return rules.BuyerRecord{}, err
	}
	return e.BuyerScope().PriorRecord(r, rooms, now), nil
}

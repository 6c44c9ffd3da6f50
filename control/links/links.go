// Package links signs and checks one-purpose action links: a token naming
// exactly one room, one action and an expiry, sealed with HMAC-SHA256, so a
// seller can act from any alert (a mail, a push, a chat message) without the
// alert carrying a credential that can do anything else.
//
// A token is base64url(payload) "." base64url(mac). The payload is a version
// byte, the action's byte, the expiry in Unix seconds (8 bytes, big endian)
// and the room ID; the MAC covers a domain prefix and the payload, so a token
// cannot be mistaken for any other HMAC the key might make.
package links

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Action is what a link does when its page's button is pressed.
type Action string

// The actions a link can carry. Their names are a contract: they appear in
// message.ActionLink.Action and in the logs.
const (
	Sent      Action = "sent"      // the seller wrote in the room
	Replied   Action = "replied"   // the buyer wrote in the room
	Delivered Action = "delivered" // the seller made the formal delivery
	Snooze    Action = "snooze"    // hold the room's alerts for SnoozeFor
	Ack       Action = "ack"       // stop the repeats of the room's critical alerts
	// SignIn opens a web app session; its Room is a one-time nonce. Only
	// the web app's own signer (a key of its own) makes and takes these.
	SignIn Action = "sign-in"
)

// actions fixes each action's byte in a token: append only, never reorder,
// or tokens already sent would change meaning.
var actions = []Action{Sent, Replied, Delivered, Snooze, Ack, SignIn}

// Valid reports whether a is an action a link may carry.
func (a Action) Valid() bool { return slices.Contains(actions, a) }

// SnoozeFor is how long a snooze link holds a room's alerts.
const SnoozeFor = 2 * time.Hour

// DefaultTTL is how long a link works after it was made: long enough for
// an alert read days later, short enough that an old mail is harmless.
const DefaultTTL = 7 * 24 * time.Hour

// KeySize is the length of a signing key in bytes: the HMAC-SHA256 block
// of security, and the shortest key NewSigner accepts.
const KeySize = 32

// PathPrefix is where the HTTP API serves links: /a/TOKEN.
const PathPrefix = "/a/"

// Claim is what a token says: one room, one action, until Expires.
type Claim struct {
	Room    string
	Action  Action
	Expires time.Time
}

// ErrInvalid is any token that was not made by this key as it stands:
// altered, truncated, made with another key, or naming no valid action.
var ErrInvalid = errors.New("links: the link is not valid")

// ErrExpired is a genuine token past its expiry.
var ErrExpired = errors.New("links: the link has expired")

const (
	version    = 1
	headerSize = 1 + 1 + 8
	domain     = "roomwatch action link\x00"
)

// maxRoom bounds the room ID in a token, so a link stays a usable URL.
const maxRoom = 256

// Signer makes and checks tokens with one key.
type Signer struct{ key []byte }

// NewSigner returns a signer for key, which must hold at least KeySize bytes.
func NewSigner(key []byte) (*Signer, error) {
	if len(key) < KeySize {
		return nil, fmt.Errorf("links: the signing key has %d bytes; it needs at least %d", len(key), KeySize)
	}
	return &Signer{key: slices.Clone(key)}, nil
}

// Sign returns the token for c.
func (s *Signer) Sign(c Claim) (string, error) {
	idx := slices.Index(actions, c.Action)
	if idx < 0 {
		return "", fmt.Errorf("links: unknown action %q", c.Action)
	}
	if c.Room == "" || len(c.Room) > maxRoom {
		return "", fmt.Errorf("links: a room ID of 1 to %d bytes is needed, got %d", maxRoom, len(c.Room))
	}
	payload := make([]byte, headerSize, headerSize+len(c.Room))
	payload[0] = version
	payload[1] = byte(idx)
	binary.BigEndian.PutUint64(payload[2:], uint64(c.Expires.Unix()))
	payload = append(payload, c.Room...)
	enc := base64.RawURLEncoding
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(s.mac(payload)), nil
}

// Verify checks token and returns its claim: ErrInvalid unless this key
// made it exactly as it is, ErrExpired once now is past its expiry.
func (s *Signer) Verify(token string, now time.Time) (Claim, error) {
	p64, m64, ok := strings.Cut(token, ".")
	if !ok {
		return Claim{}, ErrInvalid
	}
	// Strict: a token altered in the unused bits of its last character
	// is refused too, so exactly one spelling of each token works.
	enc := base64.RawURLEncoding.Strict()
	payload, err := enc.DecodeString(p64)
	if err != nil {
		return Claim{}, ErrInvalid
	}
	mac, err := enc.DecodeString(m64)
	if err != nil || !hmac.Equal(mac, s.mac(payload)) {
		return Claim{}, ErrInvalid
	}
	// Only this key's own tokens get this far; the checks below guard
	// against a future version, not against forgery.
	if len(payload) <= headerSize || payload[0] != version || int(payload[1]) >= len(actions) {
		return Claim{}, ErrInvalid
	}
	c := Claim{
		Action:  actions[payload[1]],
		Expires: time.Unix(int64(binary.BigEndian.Uint64(payload[2:])), 0).UTC(),
		Room:    string(payload[headerSize:]),
	}
	if !now.Before(c.Expires) {
		return c, ErrExpired
	}
	return c, nil
}

func (s *Signer) mac(payload []byte) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte(domain))
	h.Write(payload)
	return h.Sum(nil)
}

// ID names a token for its used-mark without storing the token itself: a
// leaked store then holds no working link.
func ID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:16])
}

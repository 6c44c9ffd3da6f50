package config

import (
	"strings"
	"time"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/roomwatch/roomwatch/rules"
)

var roomKeys = func() []string {
	keys := []string{"id", "title", "buyer", "url", "platform"}
	for _, e := range rules.EventKinds {
		keys = append(keys, string(e))
	}
	return append(keys, "due", "via", "extra_payment")
}()

func (p *parser) rooms(e entry, c *Config) {
	if isNull(e.val) {
		return
	}
	list := resolve(e.val)
	if list.Kind != yaml.SequenceNode {
		p.errorf(e.val, "rooms must be a list (- id: …), not %s", describe(e.val))
		return
	}
	if p.tooManyRooms(list) {
		return // the file is refused; reading every room would only cost time
	}
	for _, item := range list.Content {
		// A room with other mistakes still claims its ID, so a duplicate of
		// it is reported in the same run.
		room, idNode, ok := p.room(item, c)
		if room.ID == "" {
			continue
		}
		if first, dup := c.RoomPos[room.ID]; dup {
			p.errorf(idNode, "duplicate room ID %q (first at line %d)", room.ID, first.Line)
			continue
		}
		c.RoomPos[room.ID] = Pos{Line: item.Line, Column: item.Column}
		if ok {
			c.Rooms = append(c.Rooms, room)
		}
	}
}

// room reads one room entry. It returns the node of the ID so a duplicate
// can be pointed at.
func (p *parser) room(item *yaml.Node, c *Config) (rules.Room, *yaml.Node, bool) {
	f, ok := p.mapping(item, "room", roomKeys)
	if !ok {
		return rules.Room{}, nil, false
	}
	errs := len(p.errs)
	room := rules.Room{
		Platform:     c.Platform,
		Via:          rules.ViaPurchase,
		ExtraPayment: rules.ExtraNone,
	}
	var idNode *yaml.Node
	// Numbers are accepted as IDs: yaml's raw text of `id: 4012345` is the
	// string we want, so there is no float or octal reading to undo.
	if id, ok := p.required(f, "id", "room"); ok {
		idNode = valueNode(f, "id")
		switch {
		case !validRoomID(id):
			p.errorf(idNode, "bad room ID %q: no spaces, control characters or '|'", id)
		case roomTextProblem("id", id) != "":
			// Not quoted: the ID itself would make the line as long.
			p.errorf(idNode, "%s", roomTextProblem("id", id))
		default:
			room.ID = id
		}
	}
	room.Title = p.roomText(f, "title")
	room.Buyer = p.roomText(f, "buyer")
	if ue, ok := f.get("url"); ok {
		if s, ok := p.text(ue); ok && s != "" {
			if !isHTTPURL(s) {
				p.errorf(ue.val, "url %q is not an http(s) URL", s)
			}
			room.URL = s
		}
	}
	if pe, ok := f.get("platform"); ok {
		if s, ok := p.text(pe); ok && s != "" && p.knownPlatform(pe.val, s, c.Profiles) {
			room.Platform = s
		}
	}
	const needOpened = "room needs opened (when the talk room opened, e.g. 2026-11-20 10:00)"
	if oe, ok := f.get(string(rules.EventOpened)); !ok {
		p.errorf(item, needOpened)
	} else if s, ok := p.text(oe); ok && s == "" {
		p.errorf(oe.val, needOpened)
	}
	for _, kind := range rules.EventKinds {
		if t, ok := p.time(f, string(kind), c.Timezone); ok {
			room.SetEvent(kind, t)
		}
	}
	room.Due, _ = p.time(f, "due", c.Timezone)
	if ve, ok := f.get("via"); ok {
		if s, ok := p.text(ve); ok && s != "" {
			switch via := rules.Via(s); via {
			case rules.ViaPurchase, rules.ViaQuote:
				room.Via = via
			default:
				p.errorf(ve.val, "via: unknown value %q: use purchase or quote", s)
			}
		}
	}
	if xe, ok := f.get("extra_payment"); ok {
		if s, ok := p.text(xe); ok && s != "" {
			switch x := rules.ExtraPaymentState(s); x {
			case rules.ExtraNone, rules.ExtraPending, rules.ExtraPaid:
				room.ExtraPayment = x
			default:
				p.errorf(xe.val, "extra_payment: unknown value %q: use none, pending or paid", s)
			}
		}
	}
	if len(p.errs) == errs {
		p.timeline(f, room, c.Timezone)
	}
	return room, idNode, len(p.errs) == errs
}

// roomText reads a room's title or buyer name within MaxTextChars.
func (p *parser) roomText(f fields, key string) string {
	s := p.optionalText(f, key)
	if problem := roomTextProblem(key, s); problem != "" {
		p.errorf(valueNode(f, key), "%s", problem)
	}
	return s
}

// time reads an optional instant; an empty value is no time.
func (p *parser) time(f fields, key string, loc *time.Location) (time.Time, bool) {
	e, ok := f.get(key)
	if !ok {
		return time.Time{}, false
	}
	s, ok := p.text(e)
	if !ok || s == "" {
		return time.Time{}, false
	}
	t, err := ParseTime(s, loc)
	if err != nil {
		p.errorf(e.val, "%s: %v", key, err)
		return time.Time{}, false
	}
	return t, true
}

func validRoomID(id string) bool {
	return !strings.ContainsFunc(id, func(r rune) bool {
		return r == '|' || unicode.IsSpace(r) || unicode.IsControl(r)
	})
}

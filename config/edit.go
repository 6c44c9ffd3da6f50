package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/roomwatch/roomwatch/rules"
)

// NewRoom is a room to append to the config file with AddRoom.
type NewRoom struct {
	ID, Title, Buyer, URL string
	Opened, Due           time.Time
	// DueDateOnly writes Due as a date ("2026-11-30"), which reads back as
	// 23:59 of that day.
	DueDateOnly bool
	Via         rules.Via // empty: not written (the file's default applies)
	Platform    string    // empty: not written (the file's default applies)
	// ExtraPayment is the おひねり's state; empty: not written (none).
	ExtraPayment rules.ExtraPaymentState
}

// IsDateOnly reports whether a time as typed names a day without a time
// ("2026-11-30"), which the file then keeps as a date (NewRoom.DueDateOnly).
func IsDateOnly(value string) bool {
	_, err := time.Parse(dateLayout, strings.TrimSpace(value))
	return err == nil
}

// RoomError is a room AddRoom refuses: the caller's mistake, not a failure
// to read or write the file. The file is untouched.
type RoomError struct{ Msg string }

func (e *RoomError) Error() string { return e.Msg }

func roomErrorf(format string, args ...any) error {
	return &RoomError{Msg: fmt.Sprintf(format, args...)}
}

// AddRoom appends room to the rooms: list of the config file at path and
// leaves every other line as it was: comments, blank lines, quoting and
// indentation. (An empty "rooms: []" loses its "[]", and a last line without
// a line break gains one.) Times without a date-only flag are written as
// "YYYY-MM-DD HH:MM" in loc (the file's timezone when nil). The file is
// checked against opt before and after the edit, as a load would check it.
//
// The new text is parsed as a whole before it replaces the file, and the
// replacement is atomic, so a refused or failed add leaves the file as it
// was; concurrent adds take turns (editFile), so each one lands.
func AddRoom(path string, room NewRoom, loc *time.Location, opt Options) error {
	return editFile(path, func(data []byte) ([]byte, error) {
		old, err := ParseWith(path, data, opt)
		if err != nil {
			// Errors already name file:line:col; adding to a broken file
			// would only hide them behind a second message.
			return nil, err
		}
		if loc == nil {
			loc = old.Timezone
		}
		if err := checkNewRoom(room, old); err != nil {
			return nil, err
		}
		item, want, err := renderRoom(room, loc)
		if err != nil {
			return nil, err
		}
		edited, err := spliceRoom(data, item)
		if err != nil {
			return nil, err
		}
		if err := verifyAdded(path, edited, old, want, opt); err != nil {
			return nil, err
		}
		return edited, nil
	})
}

// editFile replaces the config file at path (the file a symlink points at,
// so a linked config stays linked) with what edit makes of its content. It
// holds the file's edit lock from the read to the rename, so two edits at
// once (two `roomwatch add`) take turns and neither loses the other's
// change; an editor that does not take the lock is still caught by
// replaceFile's compare before the rename.
func editFile(path string, edit func(data []byte) ([]byte, error)) error {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	// Only a file gets a lock file beside it.
	if info, err := os.Stat(target); err != nil {
		return fmt.Errorf("config: %w", err)
	} else if !info.Mode().IsRegular() {
		return fmt.Errorf("config: %s is not a regular file", target)
	}
	unlock, err := lockForEdit(target, editLockWait)
	if err != nil {
		return err
	}
	defer unlock()
	info, err := os.Stat(target)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	data, err := os.ReadFile(target)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	edited, err := edit(data)
	if err != nil {
		return err
	}
	return replaceFile(target, data, edited, info)
}

func checkNewRoom(room NewRoom, cfg *Config) error {
	switch {
	case room.ID == "":
		return roomErrorf("the room ID is empty")
	case !utf8.ValidString(room.ID) || !validRoomID(room.ID):
		return roomErrorf("bad room ID %q: no spaces, control characters or '|'", room.ID)
	case roomTextProblem("id", room.ID) != "":
		return roomErrorf("%s", roomTextProblem("id", room.ID))
	}
	if pos, dup := cfg.RoomPos[room.ID]; dup {
		return roomErrorf("room %q is already in %s (line %d)", room.ID, cfg.Path, pos.Line)
	}
	for _, f := range []struct{ name, value string }{{"title", room.Title}, {"buyer", room.Buyer}} {
		if strings.TrimSpace(f.value) == "" {
			return roomErrorf("room %s needs a %s", room.ID, f.name)
		}
		if problem := roomTextProblem(f.name, f.value); problem != "" {
			return roomErrorf("room %s: %s", room.ID, problem)
		}
	}
	for _, f := range []struct{ name, value string }{{"title", room.Title}, {"buyer", room.Buyer}, {"url", room.URL}} {
		if !utf8.ValidString(f.value) || strings.ContainsFunc(f.value, unicode.IsControl) {
			return roomErrorf("room %s: the %s %q holds a line break or control character", room.ID, f.name, f.value)
		}
	}
	if room.URL != "" && !isHTTPURL(room.URL) {
		return roomErrorf("room %s: url %q is not an http(s) URL", room.ID, room.URL)
	}
	if room.Opened.IsZero() {
		return roomErrorf("room %s needs the time it opened", room.ID)
	}
	switch room.Via {
	case "", rules.ViaPurchase, rules.ViaQuote:
	default:
		return roomErrorf("room %s: via %q: use purchase or quote", room.ID, room.Via)
	}
	switch room.ExtraPayment {
	case "", rules.ExtraNone, rules.ExtraPending, rules.ExtraPaid:
	default:
		return roomErrorf("room %s: extra_payment %q: use none, pending or paid", room.ID, room.ExtraPayment)
	}
	if room.Platform != "" {
		if _, ok := cfg.Profiles[room.Platform]; !ok {
			known := make([]string, 0, len(cfg.Profiles))
			for name := range cfg.Profiles {
				known = append(known, name)
			}
			slices.Sort(known)
			return roomErrorf("room %s: unknown platform %q: use one of %s", room.ID, room.Platform, strings.Join(known, ", "))
		}
	}
	return nil
}

// addedRoom is what the new entry must read back as.
type addedRoom struct {
	room   NewRoom
	opened time.Time
	due    time.Time
}

// renderRoom writes the entry as "key: value" lines, without indentation.
func renderRoom(room NewRoom, loc *time.Location) ([]string, addedRoom, error) {
	want := addedRoom{room: room}
	opened, err := formatTime(room.Opened, loc)
	if err != nil {
		return nil, want, roomErrorf("room %s: opened: %v", room.ID, err)
	}
	want.opened = room.Opened.Truncate(time.Second)
	lines := []string{
		"id: " + strconv.Quote(room.ID),
		"title: " + yamlText(room.Title),
		"buyer: " + yamlText(room.Buyer),
	}
	if room.URL != "" {
		lines = append(lines, "url: "+yamlText(room.URL))
	}
	if room.Platform != "" {
		lines = append(lines, "platform: "+yamlText(room.Platform))
	}
	lines = append(lines, "opened: "+opened)
	if !room.Due.IsZero() {
		var due string
		if room.DueDateOnly {
			d := room.Due.In(loc)
			due = d.Format(dateLayout)
			want.due = time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 0, 0, loc)
		} else {
			due, err = formatTime(room.Due, loc)
			want.due = room.Due.Truncate(time.Second)
		}
		if err == nil {
			_, err = ParseTime(due, loc)
		}
		if err != nil {
			return nil, want, roomErrorf("room %s: due: %v", room.ID, err)
		}
		lines = append(lines, "due: "+due)
	}
	if room.Via != "" {
		lines = append(lines, "via: "+string(room.Via))
	}
	if room.ExtraPayment != "" {
		lines = append(lines, "extra_payment: "+string(room.ExtraPayment))
	}
	return lines, want, nil
}

// formatTime writes t the way a seller would, in loc. An instant a local
// time cannot name (the repeated hour when clocks go back) gets its offset.
func formatTime(t time.Time, loc *time.Location) (string, error) {
	t = t.In(loc).Truncate(time.Second)
	layout := "2006-01-02 15:04"
	if t.Second() != 0 {
		layout = "2006-01-02 15:04:05"
	}
	s := t.Format(layout)
	back, err := ParseTime(s, loc)
	if err != nil {
		return "", err
	}
	if !back.Equal(t) {
		s = t.Format(layout + "Z07:00")
	}
	return s, nil
}

// yamlText writes s as a YAML value that Parse reads back as s: plain when
// that is unambiguous, double-quoted otherwise.
func yamlText(s string) string {
	// Parse expands ${NAME}; "$${" is its literal "${".
	s = strings.ReplaceAll(s, "${", "$${")
	var doc yaml.Node
	if yaml.Unmarshal([]byte("k: "+s), &doc) == nil && len(doc.Content) == 1 {
		if m := doc.Content[0]; m.Kind == yaml.MappingNode && len(m.Content) == 2 {
			v := m.Content[1]
			if v.Kind == yaml.ScalarNode && v.Style == 0 && v.Tag == "!!str" && v.Value == s {
				return s
			}
		}
	}
	// strconv.Quote's escapes are all valid in YAML's double-quoted style.
	return strconv.Quote(s)
}

// spliceRoom inserts the entry into the file's text. yaml.v3 can re-encode
// a node tree with its comments, but not with the file's own indentation,
// quoting and blank lines, so the tree only tells where the entry goes and
// the entry is inserted as text.
func spliceRoom(data []byte, item []string) ([]byte, error) {
	text := newText(data)
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return text.append(0, item), nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode || root.Style&yaml.FlowStyle != 0 {
		return nil, roomErrorf("the top level of the file is written on one line ({...}); write it as key: value lines to add rooms")
	}
	var key, val *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "rooms" {
			key, val = root.Content[i], root.Content[i+1]
		}
	}
	if key == nil {
		return text.append(root.Column-1, item), nil
	}
	switch {
	case val.Kind == yaml.SequenceNode && val.Style&yaml.FlowStyle == 0 && len(val.Content) > 0:
		return text.appendItem(val, item), nil
	case val.Kind == yaml.ScalarNode && val.Tag == "!!null":
		return text.fillEmpty(key, val, val.Value, item)
	case val.Kind == yaml.SequenceNode && len(val.Content) == 0:
		return text.fillEmpty(key, val, "[", item)
	case val.Kind == yaml.SequenceNode:
		return nil, roomErrorf("rooms: is written as a [...] list on line %d; write it as a list of - id: entries to add rooms", val.Line)
	default:
		return nil, roomErrorf("rooms: on line %d is not a list", val.Line)
	}
}

// text is the file split into lines, each with its line break.
type text struct {
	lines []string
	eol   string
}

func newText(data []byte) text {
	eol := "\n"
	if bytes.Contains(data, []byte("\r\n")) {
		eol = "\r\n"
	}
	return text{lines: strings.SplitAfter(string(data), "\n"), eol: eol}
}

// line returns line n (1-based) without its line break.
func (t text) line(n int) string {
	return strings.TrimRight(t.lines[n-1], "\r\n")
}

// insert puts lines after line n (0: at the start).
func (t text) insert(n int, lines []string) []byte {
	var b strings.Builder
	for i, l := range t.lines {
		if i == n {
			break
		}
		b.WriteString(l)
	}
	if n > 0 && !strings.HasSuffix(t.lines[n-1], "\n") {
		b.WriteString(t.eol)
	}
	for _, l := range lines {
		b.WriteString(l)
		b.WriteString(t.eol)
	}
	for _, l := range t.lines[n:] {
		b.WriteString(l)
	}
	return []byte(b.String())
}

// listItem indents the rendered entry as a list item: the dash at dash spaces,
// the keys keyOffset further in.
func listItem(item []string, dash, keyOffset int) []string {
	out := make([]string, len(item))
	for i, l := range item {
		if i == 0 {
			out[i] = strings.Repeat(" ", dash) + "-" + strings.Repeat(" ", keyOffset-1) + l
		} else {
			out[i] = strings.Repeat(" ", dash+keyOffset) + l
		}
	}
	return out
}

// append adds a rooms: section at the end of the file.
func (t text) append(indent int, item []string) []byte {
	lines := append([]string{strings.Repeat(" ", indent) + "rooms:"}, listItem(item, indent+2, 2)...)
	n := len(t.lines)
	if t.lines[n-1] == "" {
		n-- // the empty piece after the final line break
	}
	return t.insert(n, lines)
}

// appendItem adds the entry after the last item of a block list, in the
// list's own indentation.
func (t text) appendItem(seq *yaml.Node, item []string) []byte {
	last := seq.Content[len(seq.Content)-1]
	dash := seq.Column - 1
	keyOffset := 2
	if last.Kind == yaml.MappingNode && last.Style&yaml.FlowStyle == 0 && last.Column > seq.Column {
		keyOffset = last.Column - seq.Column
	}
	return t.insert(t.blockEnd(last.Line, dash), listItem(item, dash, keyOffset))
}

// fillEmpty turns an empty "rooms:" (nothing, ~, null or []) into a list
// holding the entry. token is how the empty value starts on its line.
func (t text) fillEmpty(key, val *yaml.Node, token string, item []string) ([]byte, error) {
	keyIndent := key.Column - 1
	if token != "" {
		if val.Line != key.Line {
			return nil, roomErrorf("rooms: on line %d: write its empty value on the same line as the key", key.Line)
		}
		l := t.line(val.Line)
		start := byteOffset(l, val.Column)
		end := start + len(token)
		if token == "[" {
			closing := strings.IndexByte(l[start:], ']')
			if closing < 0 || strings.TrimSpace(l[start+1:start+closing]) != "" {
				return nil, roomErrorf("rooms: on line %d: write the empty list [] on one line", val.Line)
			}
			end = start + closing + 1
		}
		if !strings.HasPrefix(l[start:], token) {
			return nil, fmt.Errorf("config: rooms: on line %d: cannot find its value %q", val.Line, token)
		}
		rest := strings.TrimLeft(l[end:], " ")
		edited := strings.TrimRight(l[:start], " ")
		if rest != "" {
			edited += " " + rest // the line comment
		}
		t.lines = slices.Clone(t.lines)
		t.lines[val.Line-1] = edited + t.lines[val.Line-1][len(l):]
	}
	return t.insert(t.blockEnd(key.Line, keyIndent), listItem(item, keyIndent+2, 2)), nil
}

// blockEnd returns the last line of the block that starts on line from and
// whose lines are indented more than indent: the last line before the next
// less indented content that is content itself or a comment indented into
// the block. Comments at the block's own level or left of it, and blank
// lines, belong to what follows.
func (t text) blockEnd(from, indent int) int {
	end := from
	for n := from + 1; n <= len(t.lines); n++ {
		l := t.line(n)
		body := strings.TrimLeft(l, " ")
		if body == "" {
			continue
		}
		deeper := len(l)-len(body) > indent
		if !deeper && !strings.HasPrefix(body, "#") {
			break
		}
		if deeper {
			end = n
		}
	}
	return end
}

// byteOffset converts yaml.v3's 1-based character column to a byte offset.
func byteOffset(line string, column int) int {
	chars := 0
	for i := range line {
		if chars == column-1 {
			return i
		}
		chars++
	}
	return len(line)
}

// verifyAdded parses the edited file and checks that it holds the old
// rooms plus exactly the new one, as meant.
func verifyAdded(path string, edited []byte, old *Config, want addedRoom, opt Options) error {
	cfg, err := ParseWith(path, edited, opt)
	if err != nil {
		return fmt.Errorf("config: adding room %s would make the file invalid, so it was left as it was: %w", want.room.ID, err)
	}
	i := slices.IndexFunc(cfg.Rooms, func(r rules.Room) bool { return r.ID == want.room.ID })
	if len(cfg.Rooms) != len(old.Rooms)+1 || i < 0 {
		return fmt.Errorf("config: adding room %s: the edited file does not read back with the room added; the file was left as it was", want.room.ID)
	}
	got := cfg.Rooms[i]
	r := want.room
	same := got.Title == r.Title && got.Buyer == r.Buyer && got.URL == r.URL &&
		(r.Platform == "" || got.Platform == r.Platform) && (r.Via == "" || got.Via == r.Via) &&
		got.Opened.Equal(want.opened) && got.Due.Equal(want.due) &&
		(r.ExtraPayment == "" || got.ExtraPayment == r.ExtraPayment)
	if !same {
		return fmt.Errorf("config: adding room %s: the edited file reads back differently from the room given; the file was left as it was", r.ID)
	}
	return nil
}

// errChanged is returned when the file changed between reading and writing.
var errChanged = errors.New("config: the file changed while the room was being added; run the command again")

// replaceFile writes data to path through a temporary file in the same
// folder, fsynced and renamed over path, keeping the file's mode and owner.
// before is the content the edit was made from: a file edited meanwhile by
// someone else is not overwritten.
func replaceFile(path string, before, data []byte, info fs.FileInfo) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
	}()
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(info.Mode().Perm())
	}
	if st, ok := info.Sys().(*syscall.Stat_t); ok && err == nil && int(st.Uid) != os.Getuid() {
		// Only root can hand the file back to its owner; anyone else
		// writing another user's file keeps it as their own.
		_ = tmp.Chown(int(st.Uid), int(st.Gid))
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	now, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if !bytes.Equal(now, before) {
		return errChanged
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	// The rename is durable once the folder's entry is on disk.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

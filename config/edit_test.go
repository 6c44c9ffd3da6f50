package config

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

var updateAddGolden = flag.Bool("update-add", false, "rewrite config/testdata/add-*.want.yaml")

func tokyo(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func sampleRoom(t *testing.T) NewRoom {
	loc := tokyo(t)
	return NewRoom{
		ID:          "4012399",
		Title:       "ロゴ作成: 3案",
		Buyer:       "sato",
		URL:         "https://coconala.com/talkrooms/4012399",
		Opened:      time.Date(2026, 11, 24, 9, 30, 0, 0, loc),
		Due:         time.Date(2026, 12, 1, 0, 0, 0, 0, loc),
		DueDateOnly: true,
		Via:         rules.ViaQuote,
	}
}

// copyToTemp puts a testdata file into a fresh folder as roomwatch.yaml.
func copyToTemp(t *testing.T, name string, crlf bool) (path string, original []byte) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if crlf {
		data = bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
	}
	path = filepath.Join(t.TempDir(), "roomwatch.yaml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, data
}

// onlyInserted reports whether after is before with whole lines inserted,
// and returns those lines.
func onlyInserted(before, after string) ([]string, bool) {
	b := strings.SplitAfter(before, "\n")
	a := strings.SplitAfter(after, "\n")
	i := 0
	for i < len(b) && i < len(a) && a[i] == b[i] {
		i++
	}
	j := 0
	for j < len(b)-i && j < len(a)-i && a[len(a)-1-j] == b[len(b)-1-j] {
		j++
	}
	if i+j != len(b) {
		return nil, false
	}
	return a[i : len(a)-j], true
}

func TestAddRoomKeepsTheFileAndAppends(t *testing.T) {
	cases := []struct {
		name string
		// pureInsert: every original line stays byte for byte; only the
		// new lines appear. Filling "rooms: []" edits that one line.
		pureInsert bool
	}{
		{"add-comments", true},
		{"add-zero-indent", true},
		{"add-no-rooms", false}, // the last line gains its missing line break
		{"add-empty-list", false},
		{"add-null-rooms", true},
	}
	for _, tc := range cases {
		for _, crlf := range []bool{false, true} {
			name := tc.name
			if crlf {
				name += "-crlf"
			}
			t.Run(name, func(t *testing.T) {
				path, before := copyToTemp(t, tc.name+".in.yaml", crlf)
				if err := AddRoom(path, sampleRoom(t), tokyo(t), Options{}); err != nil {
					t.Fatalf("AddRoom: %v", err)
				}
				after, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				golden := filepath.Join("testdata", tc.name+".want.yaml")
				if *updateAddGolden && !crlf {
					if err := os.WriteFile(golden, after, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatal(err)
				}
				if crlf {
					want = bytes.ReplaceAll(want, []byte("\n"), []byte("\r\n"))
					if bytes.Count(after, []byte("\n")) != bytes.Count(after, []byte("\r\n")) {
						t.Errorf("a CRLF file got bare LF line breaks:\n%q", after)
					}
				}
				if !bytes.Equal(after, want) {
					t.Errorf("file after AddRoom differs from %s:\n--- got\n%s\n--- want\n%s", golden, after, want)
				}
				if tc.pureInsert {
					added, ok := onlyInserted(string(before), string(after))
					if !ok {
						t.Fatalf("original lines changed:\n%s", after)
					}
					if len(added) != 7 || !strings.Contains(added[0], `- id: "4012399"`) {
						t.Errorf("inserted lines = %q, want the 7 lines of room 4012399", added)
					}
				}
				checkAddedRoom(t, path)
			})
		}
	}
}

// checkAddedRoom loads the file and checks the sample room reads back as given.
func checkAddedRoom(t *testing.T, path string) {
	t.Helper()
	cfg, err := Load(path)
	if err != nil {
		t.Fatalf("Load after AddRoom: %v", err)
	}
	want := sampleRoom(t)
	last := cfg.Rooms[len(cfg.Rooms)-1]
	if last.ID != want.ID || last.Title != want.Title || last.Buyer != want.Buyer || last.URL != want.URL || last.Via != want.Via {
		t.Errorf("last room = %+v, want %+v", last, want)
	}
	if !last.Opened.Equal(want.Opened) {
		t.Errorf("opened = %v, want %v", last.Opened, want.Opened)
	}
	if wantDue := time.Date(2026, 12, 1, 23, 59, 0, 0, tokyo(t)); !last.Due.Equal(wantDue) {
		t.Errorf("due = %v, want the end of the day %v", last.Due, wantDue)
	}
}

func TestAddRoomWritesValuesThatReadBackVerbatim(t *testing.T) {
	path := writeConfig(t, "timezone: UTC\nrooms:\n  - id: \"1\"\n    title: a\n    buyer: b\n    opened: 2026-11-20 10:00\n")
	loc := time.UTC
	room := NewRoom{
		ID:       "007",
		Title:    `#1 "quoted" ${HOME} $${x} - [draft]: a #b`,
		Buyer:    "true",
		Opened:   time.Date(2026, 11, 20, 10, 0, 42, 0, loc),
		Due:      time.Date(2026, 11, 28, 18, 0, 0, 0, time.FixedZone("JST", 9*3600)),
		Platform: "fiverr",
		Via:      rules.ViaPurchase,
	}
	if err := AddRoom(path, room, nil, Options{}); err != nil {
		t.Fatalf("AddRoom: %v", err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	got := cfg.Rooms[1]
	if got.ID != "007" || got.Title != room.Title || got.Buyer != "true" || got.Platform != "fiverr" || got.Via != rules.ViaPurchase {
		t.Errorf("room read back as %+v", got)
	}
	if !got.Opened.Equal(room.Opened) || !got.Due.Equal(room.Due) {
		t.Errorf("times read back as opened %v due %v, want %v and %v", got.Opened, got.Due, room.Opened, room.Due)
	}
	data, _ := os.ReadFile(path)
	for _, line := range []string{`  - id: "007"`, "    opened: 2026-11-20 10:00:42", "    due: 2026-11-28 09:00"} {
		if !strings.Contains(string(data), line+"\n") {
			t.Errorf("file lacks the line %q:\n%s", line, data)
		}
	}
}

func TestAddRoomKeepsModeAndSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.yaml")
	if err := os.WriteFile(real, []byte("timezone: Asia/Tokyo\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(real, 0o640); err != nil { // past the umask
		t.Fatal(err)
	}
	link := filepath.Join(dir, "roomwatch.yaml")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if err := AddRoom(link, sampleRoom(t), nil, Options{}); err != nil {
		t.Fatalf("AddRoom: %v", err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced: %v %v", fi.Mode(), err)
	}
	fi, err := os.Stat(real)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("mode = %v, want 0640", fi.Mode().Perm())
	}
	checkAddedRoom(t, link)
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("folder holds %v, want the file, the link and the edit lock (no temporary files)", entries)
	}
	// The lock is the target's, so two links to one file share it.
	if _, err := os.Stat(lockPath(real)); err != nil {
		t.Errorf("no edit lock beside the linked file: %v", err)
	}
}

func TestAddRoomIntoAnEmptyFile(t *testing.T) {
	for _, text := range []string{"", "# only a comment\n"} {
		path := writeConfig(t, text)
		if err := AddRoom(path, sampleRoom(t), nil, Options{}); err != nil {
			t.Fatalf("AddRoom on %q: %v", text, err)
		}
		data, _ := os.ReadFile(path)
		if !strings.HasPrefix(string(data), text+"rooms:\n  - id: \"4012399\"\n") {
			t.Errorf("file = %q", data)
		}
		checkAddedRoom(t, path)
	}
}

func TestAddRoomRefusesBadInput(t *testing.T) {
	const base = `timezone: Asia/Tokyo
rooms:
  - id: "4012345"
    title: existing
    buyer: tanaka
    opened: 2026-11-20 10:00
`
	with := func(edit func(*NewRoom)) func(*testing.T) NewRoom {
		return func(t *testing.T) NewRoom {
			r := sampleRoom(t)
			edit(&r)
			return r
		}
	}
	cases := []struct {
		name string
		file string // config text; empty means base
		room func(*testing.T) NewRoom
		// input: a RoomError (exit 2 in the CLI); otherwise another error.
		input bool
		want  string
	}{
		{"duplicate ID", "", with(func(r *NewRoom) { r.ID = "4012345" }), true, `room "4012345" is already in`},
		{"empty ID", "", with(func(r *NewRoom) { r.ID = "" }), true, "room ID is empty"},
		{"space in ID", "", with(func(r *NewRoom) { r.ID = "40 12" }), true, "bad room ID"},
		{"pipe in ID", "", with(func(r *NewRoom) { r.ID = "40|12" }), true, "bad room ID"},
		{"control character in ID", "", with(func(r *NewRoom) { r.ID = "40\x0012" }), true, "bad room ID"},
		{"missing title", "", with(func(r *NewRoom) { r.Title = "" }), true, "needs a title"},
		{"blank buyer", "", with(func(r *NewRoom) { r.Buyer = "  " }), true, "needs a buyer"},
		{"line break in title", "", with(func(r *NewRoom) { r.Title = "a\nb" }), true, "line break"},
		{"not an http URL", "", with(func(r *NewRoom) { r.URL = "ftp://example.com/x" }), true, "not an http(s) URL"},
		{"unknown platform", "", with(func(r *NewRoom) { r.Platform = "etsy" }), true, "unknown platform"},
		{"unknown via", "", with(func(r *NewRoom) { r.Via = "gift" }), true, "use purchase or quote"},
		{"no opened", "", with(func(r *NewRoom) { r.Opened = time.Time{} }), true, "needs the time it opened"},
		{"opened out of range", "", with(func(r *NewRoom) { r.Opened = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC) }), true, "out of range"},
		{"rooms as a flow list", "rooms: [{id: \"1\", title: a, buyer: b, opened: 2026-11-20 10:00}]\n", sampleRoom, true, "[...] list"},
		{"rooms not a list", "x-rooms: &r {a: 1}\nrooms: *r\n", sampleRoom, false, "rooms must be a list"},
		{"file already invalid", "timezone: Mars/Olympus\n", sampleRoom, false, "unknown timezone"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			text := tc.file
			if text == "" {
				text = base
			}
			path := writeConfig(t, text)
			err := AddRoom(path, tc.room(t), nil, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("AddRoom error = %v, want one containing %q", err, tc.want)
			}
			var re *RoomError
			if errors.As(err, &re) != tc.input {
				t.Errorf("RoomError = %v for %v, want %v", !tc.input, err, tc.input)
			}
			if got, _ := os.ReadFile(path); string(got) != text {
				t.Errorf("file changed:\n%s", got)
			}
			// The edit lock stays beside the file (lockPath); nothing else.
			if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 2 || entries[0].Name() != "."+filepath.Base(path)+".lock" {
				t.Errorf("folder holds %v, want only the config and its edit lock", entries)
			}
		})
	}
}

func TestAddRoomUnreadableFile(t *testing.T) {
	dir := t.TempDir()
	for _, path := range []string{dir, filepath.Join(dir, "missing.yaml")} {
		err := AddRoom(path, sampleRoom(t), nil, Options{})
		var re *RoomError
		if err == nil || errors.As(err, &re) {
			t.Errorf("AddRoom(%s) = %v, want a read error", path, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("AddRoom created %d files", len(entries))
	}
}

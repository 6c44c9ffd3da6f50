package store

import (
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/roomwatch/roomwatch/rules"
)

// refuse opens path expecting an error (of kind want unless nil) whose text
// names the path and wantText, and checks the file is byte-for-byte unchanged.
func refuse(t *testing.T, path string, opt Options, want error, wantText ...string) error {
	t.Helper()
	before := fileHash(t, path)
	s, err := Open(path, opt)
	if err == nil {
		_ = s.Close()
		t.Fatalf("Open(%s) succeeded, want %v", path, want)
	}
	if want != nil && !errors.Is(err, want) {
		t.Errorf("Open error %q is not %v", err, want)
	}
	for _, text := range append(wantText, "store: ", path) {
		if !strings.Contains(err.Error(), text) {
			t.Errorf("Open error %q does not mention %q", err, text)
		}
	}
	if after := fileHash(t, path); after != before {
		t.Errorf("refused file was modified")
	}
	return err
}

func TestOpenRandomBytes(t *testing.T) {
	path := tempPath(t)
	junk := make([]byte, 64<<10)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range junk {
		junk[i] = byte(rng.Uint32())
	}
	if err := os.WriteFile(path, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	refuse(t, path, Options{}, ErrCorrupt, "is not a roomwatch store or is corrupt")
	refuse(t, path, Options{ReadOnly: true}, ErrCorrupt)
}

func TestOpenShortFile(t *testing.T) {
	path := tempPath(t)
	if err := os.WriteFile(path, []byte("roomwatch\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	refuse(t, path, Options{}, ErrCorrupt, "too short")
}

func TestOpenForeignBoltFile(t *testing.T) {
	path := tempPath(t)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("widgets"))
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), []byte("v"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	refuse(t, path, Options{}, ErrCorrupt, "widgets")
}

func TestOpenTruncatedStore(t *testing.T) {
	s := newStore(t)
	var rooms []rules.Room
	for i := range 2000 {
		rooms = append(rooms, rules.Room{ID: "room-" + strconv.Itoa(i), Title: strings.Repeat("x", 100)})
	}
	mustSync(t, s, rooms, time.Now())
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(s.Path(), info.Size()/2); err != nil {
		t.Fatal(err)
	}
	refuse(t, s.Path(), Options{}, ErrCorrupt, "truncated")
}

func TestOpenNewerSchema(t *testing.T) {
	s := newStore(t)
	err := s.db.Update(func(tx *bolt.Tx) error { return writeSchemaVersion(tx, schemaVersion+1) })
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	refuse(t, s.Path(), Options{}, ErrNewerSchema, "schema version "+strconv.Itoa(schemaVersion+1), "upgrade roomwatch")
	refuse(t, s.Path(), Options{ReadOnly: true}, ErrNewerSchema)
}

func TestOpenLockedFile(t *testing.T) {
	path := tempPath(t)
	holder, stdin, lines := startHelper(t, "hold", path, "")
	defer func() {
		_ = stdin.Close()
		for range lines {
		}
		if err := holder.Wait(); err != nil {
			t.Errorf("holder: %v", err)
		}
	}()
	start := time.Now()
	refuse(t, path, Options{Timeout: 150 * time.Millisecond}, ErrLocked,
		"is locked by another roomwatch process (waited 150ms)")
	if waited := time.Since(start); waited > 2*time.Second {
		t.Errorf("waited %v for a 150ms lock timeout", waited)
	}
}

func TestOpenReleasedLock(t *testing.T) {
	path := tempPath(t)
	holder, stdin, lines := startHelper(t, "hold", path, "")
	_ = stdin.Close()
	for range lines {
	}
	if err := holder.Wait(); err != nil {
		t.Fatal(err)
	}
	s := openAt(t, path)
	if err := s.Ping(); err != nil {
		t.Fatal(err)
	}
}

func TestOpenCreatesFileAndFolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "roomwatch", "roomwatch.db")
	s := openAt(t, path)
	if err := s.Ping(); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("store file mode %v, want 0600 (it holds private business data)", mode)
	}
	if s.Path() != path {
		t.Errorf("Path() = %s, want %s", s.Path(), path)
	}
}

func TestOpenInUnwritableFolder(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores folder permissions")
	}
	dir := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	_, err := Open(filepath.Join(dir, "roomwatch.db"), Options{})
	if !errors.Is(err, fs.ErrPermission) || !strings.Contains(err.Error(), "permission denied") || !strings.Contains(err.Error(), dir) {
		t.Errorf("err = %v, want a permission error naming %s", err, dir)
	}
}

func TestExplainFS(t *testing.T) {
	for _, c := range []struct {
		errno syscall.Errno
		want  string
	}{
		{syscall.EACCES, "permission denied; the user running roomwatch needs read and write access to it and to its folder /var/lib/roomwatch"},
		{syscall.EROFS, "the file system is read-only"},
		{syscall.ENOSPC, "no space left on the device"},
	} {
		cause := &fs.PathError{Op: "open", Path: "/var/lib/roomwatch/roomwatch.db", Err: c.errno}
		err := explainFS("open", "/var/lib/roomwatch/roomwatch.db", cause)
		if want := "store: open /var/lib/roomwatch/roomwatch.db: " + c.want; err.Error() != want {
			t.Errorf("%v:\n got %s\nwant %s", c.errno, err, want)
		}
		if !errors.Is(err, c.errno) {
			t.Errorf("%v: the cause is not kept", c.errno)
		}
	}
}

func TestOpenMissingFileReadOnly(t *testing.T) {
	_, err := Open(tempPath(t), Options{ReadOnly: true})
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("err = %v, want a not-exist error", err)
	}
}

func TestReadOnlyStore(t *testing.T) {
	s := newStore(t)
	mustSync(t, s, []rules.Room{blogRoom(t)}, jst(t, "2026-11-21 13:00"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	before := fileHash(t, s.Path())
	ro, err := Open(s.Path(), Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	// Two readers may share the file.
	ro2, err := Open(s.Path(), Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	_ = ro2.Close()
	mustRoom(t, ro, "4012345")
	err = ro.SetMeta("digest", "2026-11-21")
	if err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("write to a read-only store: %v", err)
	}
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}
	if fileHash(t, s.Path()) != before {
		t.Error("a read-only open modified the file")
	}
}

func TestMetaAndPing(t *testing.T) {
	s := newStore(t)
	if err := s.Ping(); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Meta("last_digest"); err != nil || v != "" {
		t.Errorf("unset meta = %q, %v", v, err)
	}
	if err := s.SetMeta("last_digest", "2026-11-21"); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s)
	if v, err := s.Meta("last_digest"); err != nil || v != "2026-11-21" {
		t.Errorf("meta after reopen = %q, %v", v, err)
	}
	for _, key := range []string{"schema_version", "tracked_rooms", ""} {
		if err := s.SetMeta(key, "9"); err == nil {
			t.Errorf("reserved meta key %q could be written", key)
		}
	}
	if v, _ := s.Meta("schema_version"); v != strconv.Itoa(schemaVersion) {
		t.Errorf("schema version = %q", v)
	}
	if err := s.SetMeta("last_digest", ""); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Meta("last_digest"); v != "" {
		t.Errorf("deleted meta = %q", v)
	}
}

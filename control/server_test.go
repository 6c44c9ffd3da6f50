package control

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/rules"
	"github.com/roomwatch/roomwatch/store"
)

// fixtureConfig has two rooms whose deadlines lie on both sides of
// fixtureNow. Room 4012345's title holds every character iCalendar escapes;
// room 4012346's is long enough to be folded.
const fixtureConfig = `timezone: Asia/Tokyo
language: en
store: roomwatch.db
rooms:
  - id: "4012345"
    title: 'ブログ記事 5本, part 1; draft \ notes'
    buyer: tanaka
    url: https://coconala.com/talkrooms/4012345
    opened: 2026-11-20 10:00
    seller_message: 2026-11-21 09:00
    buyer_message: 2026-11-21 12:00
    due: 2026-11-27
  - id: "4012346"
    title: ロゴ作成とブランドガイドライン一式、名刺とレターヘッドのデザインも含む長い案件名
    buyer: suzuki
    opened: 2026-11-22 08:00
    via: quote
`

const fixtureNow = "2026-11-22 12:00"

// fixture is an App over a real store in a temporary folder, on a fake clock.
type fixture struct {
	local *app.App
	st    *store.Store
	clock *clockwork.FakeClock
	loc   *time.Location
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newFixture(t *testing.T) fixture {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "roomwatch.yaml")
	if err := os.WriteFile(path, []byte(fixtureConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	now, err := config.ParseTime(fixtureNow, cfg.Timezone)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(cfg.Store, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := clockwork.NewFakeClockAt(now)
	a := app.New(app.Options{Config: cfg, Store: st, Clock: clock, Log: quietLog()})
	if _, err := a.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	return fixture{local: a, st: st, clock: clock, loc: cfg.Timezone}
}

// at reads a time in the fixture's zone.
func (f fixture) at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := config.ParseTime(s, f.loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// deadlineOf returns the deadline of a room's live alert of kind, if any.
func deadlineOf(t *testing.T, svc app.Service, room string, kind rules.Kind) (time.Time, bool) {
	t.Helper()
	rs, err := svc.Status(context.Background(), app.StatusRequest{Room: room})
	if err != nil {
		t.Fatalf("Status(%s): %v", room, err)
	}
	for _, a := range rs[0].Alerts {
		if a.Kind == kind {
			return a.Deadline, true
		}
	}
	return time.Time{}, false
}

// socketDir is a short folder for sockets: unix socket paths are limited
// to 107 bytes, which t.TempDir's long names can exceed.
func socketDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "rw")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// serveSocket serves the fixture on a fresh socket and returns a client.
func serveSocket(t *testing.T, f fixture) (*Client, string) {
	t.Helper()
	path := filepath.Join(socketDir(t), "c.sock")
	srv, err := Listen(config.Control{Socket: path}, f.local, quietLog())
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return NewClient(path), path
}

func TestSocketIsPrivate(t *testing.T) {
	_, path := serveSocket(t, newFixture(t))
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode = %v, want a socket with 0600", fi.Mode())
	}
}

func TestSentOverTheSocketMovesTheCheckIn(t *testing.T) {
	f := newFixture(t)
	client, _ := serveSocket(t, f)
	ctx := context.Background()
	before, ok := deadlineOf(t, client, "4012345", rules.CheckIn)
	if want := f.at(t, "2026-11-24 09:00"); !ok || !before.Equal(want) {
		t.Fatalf("check-in before = %v (%v), want %v", before, ok, want)
	}
	st, err := client.Record(ctx, app.EventRequest{Room: "4012345", Event: rules.EventSellerMessage})
	if err != nil {
		t.Fatalf("Record: %v", err)
	}
	if got := st.Events[rules.EventSellerMessage]; !got.Equal(f.clock.Now()) {
		t.Errorf("recorded seller_message = %v, want now %v", got, f.clock.Now())
	}
	after, ok := deadlineOf(t, client, "4012345", rules.CheckIn)
	if want := f.clock.Now().Add(72 * time.Hour); !ok || !after.Equal(want) {
		t.Errorf("check-in after = %v (%v), want %v", after, ok, want)
	}
	// The seller wrote last now, so the buyer's cancel right is gone.
	if _, live := deadlineOf(t, client, "4012345", rules.CancelRisk); live {
		t.Error("cancel-risk still live after the seller's message")
	}
}

func TestInputErrorsCrossTheSocket(t *testing.T) {
	client, _ := serveSocket(t, newFixture(t))
	ctx := context.Background()
	_, err := client.Record(ctx, app.EventRequest{Room: "9999999", Event: rules.EventSellerMessage})
	if !app.IsInputError(err) {
		t.Errorf("unknown room: error %v (%T), want an app.InputError", err, err)
	}
	_, err = client.Record(ctx, app.EventRequest{Room: "4012345", Event: "shouted"})
	if !app.IsInputError(err) {
		t.Errorf("unknown event: error %v (%T), want an app.InputError", err, err)
	}
}

// sameJSON fails unless a and b print the same: what a command shows must
// not depend on whether a daemon answered it.
func sameJSON(t *testing.T, what string, a, b any) {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ja, jb) {
		t.Errorf("%s differs over the socket:\nlocal:  %s\nclient: %s", what, ja, jb)
	}
}

func TestClientAnswersLikeLocal(t *testing.T) {
	f := newFixture(t)
	client, _ := serveSocket(t, f)
	ctx := context.Background()
	if _, err := f.local.Record(ctx, app.EventRequest{Room: "4012345", Event: rules.EventSellerMessage, At: f.at(t, "2026-11-22 11:00")}); err != nil {
		t.Fatal(err)
	}
	// send-terms of the quote room came due at its opening: a ledger entry.
	if _, err := f.local.Evaluate(ctx, "4012346"); err != nil {
		t.Fatal(err)
	}

	ls, lerr := f.local.Status(ctx, app.StatusRequest{})
	cs, cerr := client.Status(ctx, app.StatusRequest{})
	if lerr != nil || cerr != nil {
		t.Fatalf("Status: local %v, client %v", lerr, cerr)
	}
	if len(ls) != 2 {
		t.Fatalf("Status lists %d rooms, want 2", len(ls))
	}
	sameJSON(t, "Status", ls, cs)

	req := app.PlanRequest{Until: f.at(t, "2026-12-01 00:00")}
	lp, lerr := f.local.Plan(ctx, req)
	cp, cerr := client.Plan(ctx, req)
	if lerr != nil || cerr != nil {
		t.Fatalf("Plan: local %v, client %v", lerr, cerr)
	}
	if len(lp) == 0 {
		t.Fatal("Plan is empty; the fixture should have steps ahead")
	}
	sameJSON(t, "Plan", lp, cp)

	for _, room := range []string{"4012345", "4012346"} {
		lh, lerr := f.local.History(ctx, app.HistoryRequest{Room: room})
		ch, cerr := client.History(ctx, app.HistoryRequest{Room: room})
		if lerr != nil || cerr != nil {
			t.Fatalf("History: local %v, client %v", lerr, cerr)
		}
		if len(lh.Events)+len(lh.Alerts) == 0 {
			t.Errorf("History of %s is empty; the fixture should have an event or an alert", room)
		}
		sameJSON(t, "History "+room, lh, ch)
	}
}

func TestBackupOverTheSocketOpens(t *testing.T) {
	f := newFixture(t)
	client, _ := serveSocket(t, f)
	ctx := context.Background()
	if _, err := client.Record(ctx, app.EventRequest{Room: "4012346", Event: rules.EventSellerMessage}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	n, err := client.Backup(ctx, &buf)
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if n != int64(buf.Len()) || n == 0 {
		t.Fatalf("Backup reported %d bytes, wrote %d", n, buf.Len())
	}
	path := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	copied, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatalf("the backup does not open: %v", err)
	}
	defer copied.Close()
	r, ok, err := copied.Room("4012346")
	if err != nil || !ok {
		t.Fatalf("room 4012346 in the backup: %v %v", ok, err)
	}
	if !r.SellerMessage.Equal(f.clock.Now()) {
		t.Errorf("backup's seller_message = %v, want %v", r.SellerMessage, f.clock.Now())
	}
}

func TestListenReplacesAStaleSocket(t *testing.T) {
	path := filepath.Join(socketDir(t), "c.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	// A daemon killed with -9 leaves its socket file behind.
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the stale socket should exist: %v", err)
	}
	srv, err := Listen(config.Control{Socket: path}, newFixture(t).local, quietLog())
	if err != nil {
		t.Fatalf("Listen over a stale socket: %v", err)
	}
	defer srv.Close()
	if _, err := NewClient(path).Status(context.Background(), app.StatusRequest{}); err != nil {
		t.Errorf("Status over the replaced socket: %v", err)
	}
}

func TestListenRefusesALiveSocket(t *testing.T) {
	f := newFixture(t)
	client, path := serveSocket(t, f)
	if srv, err := Listen(config.Control{Socket: path}, f.local, quietLog()); err == nil {
		srv.Close()
		t.Fatal("a second Listen on a live socket succeeded")
	}
	if _, err := client.Status(context.Background(), app.StatusRequest{}); err != nil {
		t.Errorf("the first daemon stopped answering: %v", err)
	}
}

package daemon

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier"
)

var tokyo = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		panic(err)
	}
	return loc
}()

// at is a wall-clock time in Tokyo in November 2026.
func at(day, hour, minute int) time.Time {
	return time.Date(2026, time.November, day, hour, minute, 0, 0, tokyo)
}

// sent is one message a notifier was handed, at the fake clock's time.
type sent struct {
	at  time.Time
	msg notifier.Message
}

// recordingNotifier keeps every message; its first failures sends fail
// for good, as a revoked token would.
type recordingNotifier struct {
	clock    clockwork.Clock
	mu       sync.Mutex
	messages []sent
	failures int
}

func (r *recordingNotifier) Name() string { return "phone" }

func (r *recordingNotifier) Send(ctx context.Context, m notifier.Message) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.messages = append(r.messages, sent{r.clock.Now(), m})
	if r.failures > 0 {
		r.failures--
		return false, errors.New("invalid_auth")
	}
	return false, nil
}

// notices are the messages about roomwatch itself (digests), alerts the rest.
func (r *recordingNotifier) notices() []sent { return r.filter(true) }
func (r *recordingNotifier) alerts() []sent  { return r.filter(false) }

func (r *recordingNotifier) filter(notices bool) []sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []sent
	for _, s := range r.messages {
		if (s.msg.Notice != nil) == notices {
			out = append(out, s)
		}
	}
	return out
}

// writeConfig writes a configuration in Tokyo time, in English, with its
// store beside it, and loads it.
func writeConfig(t *testing.T, dir, body string) *config.Config {
	t.Helper()
	text := "timezone: Asia/Tokyo\nlanguage: en\nstore: roomwatch.db\ncontrol:\n  socket: roomwatch.sock\n" + body
	path := filepath.Join(dir, "roomwatch.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("config: %v\n%s", err, text)
	}
	return cfg
}

// testLog writes the daemon's log into the test's output, and into buf
// when given.
func testLog(t *testing.T, buf io.Writer) *slog.Logger {
	var w io.Writer = t.Output()
	if buf != nil {
		w = io.MultiWriter(w, buf)
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// startDaemon opens the daemon's store, syncs the rooms and catches up, as
// Run does, on a fake clock and with rec as the only notifier; the timers
// are not started: tests drive the sweep and the timers' work themselves,
// a minute at a time. It is stopped when the test ends, or by stop.
func startDaemon(t *testing.T, cfg *config.Config, clock *clockwork.FakeClock, rec *recordingNotifier, log *slog.Logger) (d *Daemon, stop func()) {
	t.Helper()
	if log == nil {
		log = testLog(t, nil)
	}
	d, err := start(context.Background(), Options{
		Config: cfg,
		Router: func(*config.Config) (*notifier.Router, error) {
			return notifier.NewRouter([]notifier.Notifier{rec}, nil, notifier.Retrier{}, log), nil
		},
		Clock: clock,
		Log:   log,
	})
	if err != nil {
		t.Fatal(err)
	}
	// A digest start-up began is part of starting.
	d.digest.sends.Wait()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			d.digest.stop()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			d.sched.Shutdown(ctx)
			if err := d.store.Close(); err != nil {
				t.Errorf("closing the store: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return d, stop
}

// sweepUntil moves the fake clock a minute at a time up to end, running the
// daemon's per-minute sweep at each minute and waiting for any digest it
// started.
func sweepUntil(d *Daemon, clock *clockwork.FakeClock, end time.Time) {
	for clock.Now().Before(end) {
		clock.Advance(time.Minute)
		now := clock.Now()
		d.sweep(context.Background(), now, now.Add(d.opt.Horizon))
		d.digest.sends.Wait()
	}
}

// syncBuffer is a log buffer safe for the goroutines writing to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

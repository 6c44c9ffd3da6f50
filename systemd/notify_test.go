package systemd

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// listenNotify plays the service manager: a unixgram socket in a temp dir,
// announced to the code under test through $NOTIFY_SOCKET.
func listenNotify(t *testing.T) *net.UnixConn {
	t.Helper()
	return listenNotifyAt(t, filepath.Join(t.TempDir(), "notify.sock"))
}

func listenNotifyAt(t *testing.T, name string) *net.UnixConn {
	t.Helper()
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatalf("listen %s: %v", name, err)
	}
	t.Cleanup(func() { conn.Close() })
	t.Setenv("NOTIFY_SOCKET", name)
	return conn
}

// receive returns the next datagram, failing the test if none arrives.
func receive(t *testing.T, conn *net.UnixConn) string {
	t.Helper()
	buf := make([]byte, 4096)
	if err := conn.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatalf("no notification received: %v", err)
	}
	return string(buf[:n])
}

// receiveAll drains every datagram already queued.
func receiveAll(t *testing.T, conn *net.UnixConn) []string {
	t.Helper()
	var got []string
	buf := make([]byte, 4096)
	for {
		if err := conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		n, err := conn.Read(buf)
		var netErr net.Error
		if errors.As(err, &netErr) && netErr.Timeout() {
			return got
		}
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		got = append(got, string(buf[:n]))
	}
}

func TestNotifyMessages(t *testing.T) {
	tests := []struct {
		name string
		send func() error
		want string
	}{
		{"ready with status", func() error { return Ready("12 rooms, next alert 18:00 check-in 4012345") },
			"READY=1\nSTATUS=12 rooms, next alert 18:00 check-in 4012345"},
		{"ready alone", func() error { return Ready("") }, "READY=1"},
		{"status", func() error { return Status("reloading config") }, "STATUS=reloading config"},
		{"status cannot smuggle assignments", func() error { return Status("title\nREADY=1\r\nMAINPID=1") },
			"STATUS=title READY=1 MAINPID=1"},
		{"stopping", Stopping, "STOPPING=1"},
		{"watchdog", func() error { return Notify("WATCHDOG=1") }, "WATCHDOG=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := listenNotify(t)
			if err := tt.send(); err != nil {
				t.Fatal(err)
			}
			if got := receive(t, conn); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNotifyWithoutSocketDoesNothing(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	for name, send := range map[string]func() error{
		"ready":     func() error { return Ready("x") },
		"status":    func() error { return Status("x") },
		"stopping":  Stopping,
		"reloading": Reloading,
	} {
		if err := send(); err != nil {
			t.Errorf("%s: %v, want nil outside systemd", name, err)
		}
	}
}

func TestNotifyErrors(t *testing.T) {
	t.Run("socket gone", func(t *testing.T) {
		t.Setenv("NOTIFY_SOCKET", filepath.Join(t.TempDir(), "missing.sock"))
		err := Ready("")
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("got %v, want a wrapped connect error", err)
		}
	})
	t.Run("vsock address", func(t *testing.T) {
		t.Setenv("NOTIFY_SOCKET", "vsock:2:1234")
		if err := Ready(""); err == nil || !strings.Contains(err.Error(), "unsupported NOTIFY_SOCKET") {
			t.Errorf("got %v, want unsupported NOTIFY_SOCKET", err)
		}
	})
}

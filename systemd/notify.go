package systemd

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// notifyTimeout bounds a send, so that a service manager which stopped
// reading cannot hold up a shutdown that announces itself with Stopping.
const notifyTimeout = time.Second

// Notify sends state, newline-separated VAR=value assignments, to the
// service manager at $NOTIFY_SOCKET. Without that variable the process is
// not supervised and Notify does nothing. A path starting with '@' names an
// abstract socket; Go's net package maps it to the leading NUL byte.
func Notify(state string) error {
	socket := os.Getenv("NOTIFY_SOCKET")
	if socket == "" {
		return nil
	}
	if socket[0] != '/' && socket[0] != '@' {
		// Newer systemd may hand out vsock addresses to VMs; roomwatch does
		// not run there, and treating one as a file name would only confuse.
		return fmt.Errorf("systemd: unsupported NOTIFY_SOCKET %q", socket)
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: socket, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("systemd: notify: %w", err)
	}
	defer conn.Close()
	if err := conn.SetWriteDeadline(time.Now().Add(notifyTimeout)); err != nil {
		return fmt.Errorf("systemd: notify: %w", err)
	}
	if _, err := conn.Write([]byte(state)); err != nil {
		return fmt.Errorf("systemd: notify: %w", err)
	}
	return nil
}

// Ready tells the service manager that start-up, or a reload announced with
// Reloading, is complete. A non-empty status is shown as with Status.
func Ready(status string) error {
	if status == "" {
		return Notify("READY=1")
	}
	return Notify("READY=1\n" + statusLine(status))
}

// Status sets the one-line text `systemctl status` shows for the service.
func Status(status string) error {
	return Notify(statusLine(status))
}

// Stopping tells the service manager that shutdown has begun, so the
// time until the process exits is not mistaken for a hang.
func Stopping() error {
	return Notify("STOPPING=1")
}

// Reloading tells the service manager that the configuration is being
// reloaded; follow it with Ready once the new configuration, or the kept
// old one, is in force. The monotonic timestamp lets systemd 253 and later
// (Type=notify-reload) tell this reload from an older one.
func Reloading() error {
	state := "RELOADING=1"
	if usec, ok := monotonicMicros(); ok {
		state += "\nMONOTONIC_USEC=" + strconv.FormatUint(usec, 10)
	}
	return Notify(state)
}

// statusLine turns text into a STATUS assignment. Line breaks become spaces:
// the text carries room titles and IDs from the config, and a newline in one
// would otherwise start a second assignment such as READY=1 or MAINPID=.
func statusLine(status string) string {
	return "STATUS=" + strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(status)
}

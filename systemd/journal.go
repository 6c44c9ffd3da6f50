package systemd

import (
	"fmt"
	"os"
)

// UnderJournal reports whether standard error goes to the systemd journal,
// which stamps every line itself, so a logger can leave its timestamps out.
// systemd sets $JOURNAL_STREAM to the device and inode of the stream it
// connected; comparing them with stderr's tells the daemon from a command
// that merely inherited the variable but writes to a terminal or a pipe.
func UnderJournal() bool {
	stream := os.Getenv("JOURNAL_STREAM")
	if stream == "" {
		return false
	}
	dev, ino, ok := stderrDevIno()
	if !ok {
		return true
	}
	return stream == fmt.Sprintf("%d:%d", dev, ino)
}

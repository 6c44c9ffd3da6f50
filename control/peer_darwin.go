package control

import "golang.org/x/sys/unix"

// socketPeerUID reads the peer's uid off a connected unix socket, or -1.
// macOS has no SO_PEERCRED; LOCAL_PEERCRED gives the same uid.
func socketPeerUID(fd int) int {
	cred, err := unix.GetsockoptXucred(fd, unix.SOL_LOCAL, unix.LOCAL_PEERCRED)
	if err != nil {
		return -1
	}
	return int(cred.Uid)
}

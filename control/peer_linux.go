package control

import "golang.org/x/sys/unix"

// socketPeerUID reads the peer's uid off a connected unix socket, or -1.
func socketPeerUID(fd int) int {
	cred, err := unix.GetsockoptUcred(fd, unix.SOL_SOCKET, unix.SO_PEERCRED)
	if err != nil {
		return -1
	}
	return int(cred.Uid)
}

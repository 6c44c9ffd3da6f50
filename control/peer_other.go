//go:build !linux && !darwin

package control

// socketPeerUID cannot tell the peer here: -1, as for a connection that is
// not a unix socket.
func socketPeerUID(fd int) int { return -1 }

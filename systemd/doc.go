// Package systemd speaks the parts of systemd's service protocol that
// roomwatch uses: readiness and status notifications (sd_notify), the
// watchdog, and detecting that logs go to the journal. It needs no library:
// the protocol is a datagram on a unix socket and a few environment
// variables, and outside systemd every call does nothing.
package systemd

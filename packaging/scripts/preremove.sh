#!/bin/sh
# Before the package goes (not on an upgrade): stop and disable the service.
# deb passes "remove"/"upgrade", rpm the number of versions left (0: erase).
set -e
case "$1" in
remove | purge | 0)
	if [ -d /run/systemd/system ]; then
		systemctl disable --now roomwatch.service >/dev/null 2>&1 || true
	fi
	;;
esac

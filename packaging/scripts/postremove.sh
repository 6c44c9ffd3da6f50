#!/bin/sh
# After the package is gone. A purge (deb) removes the credential
# placeholders it made, if still empty; filled secrets and the store in
# /var/lib/roomwatch stay: they are yours (delete them by hand).
set -e
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || true
fi
if [ "$1" = purge ]; then
	for secret in slack-webhook smtp-password ntfy-token; do
		if [ -f "/etc/roomwatch/$secret" ] && [ ! -s "/etc/roomwatch/$secret" ]; then
			rm -f "/etc/roomwatch/$secret"
		fi
	done
	rmdir /etc/roomwatch 2>/dev/null || true
	if [ -d /var/lib/roomwatch ] || [ -d /var/lib/private/roomwatch ]; then
		echo "roomwatch: the store in /var/lib/roomwatch is kept; remove it by hand if you no longer need its history"
	fi
fi

#!/bin/sh
# After the roomwatch .deb/.rpm is unpacked: the account, the credential
# placeholders the unit loads, and systemd told about the new unit. The
# service is not started: it needs your notifier first (README: the first
# five minutes).
set -e

if command -v systemd-sysusers >/dev/null 2>&1; then
	systemd-sysusers /usr/lib/sysusers.d/roomwatch.conf
elif ! getent passwd roomwatch >/dev/null; then
	useradd --system --home-dir /var/lib/roomwatch --no-create-home \
		--shell /usr/sbin/nologin --comment "roomwatch talk-room deadline alerts" roomwatch
fi

# roomwatch.service loads these as systemd credentials and would not start
# without them. Empty means "not used"; `roomwatch init` or
# `sudo sh -c 'umask 077 && cat > /etc/roomwatch/slack-webhook'` fills one.
for secret in slack-webhook smtp-password ntfy-token; do
	if [ ! -e "/etc/roomwatch/$secret" ]; then
		install -m 0600 /dev/null "/etc/roomwatch/$secret"
	fi
done

if [ -d /run/systemd/system ]; then
	systemctl daemon-reload || true
	# An upgrade restarts a running daemon on the new binary; its outbox
	# survives the stop.
	if systemctl is-active --quiet roomwatch.service; then
		systemctl try-restart roomwatch.service || true
	fi
fi

if [ ! -s /etc/roomwatch/slack-webhook ] && [ ! -s /etc/roomwatch/smtp-password ] && [ ! -s /etc/roomwatch/ntfy-token ]; then
	cat <<'MSG'
roomwatch is installed. Next:
  sudoedit /etc/roomwatch/config.yaml     (or: sudo mv /etc/roomwatch/config.yaml{,.dist} && sudo roomwatch init)
  sudo roomwatch notify-test
  sudo systemctl enable --now roomwatch
MSG
fi

#!/usr/bin/env bash
# Installs what the loopback test world needs from Debian, once. Safe to rerun.
set -euo pipefail
need=()
command -v postfix >/dev/null 2>&1 || need+=(postfix)
if [ "${#need[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# The Postfix test world (test/world/postfix.ts) runs its own instance from a
# private directory, as root, without systemd. It needs the postfix user and
# group and the package's meta files; fail early with a clear message if not.
if [ "$(id -u)" -ne 0 ]; then
  echo "test-world-setup: warning: not root; the Postfix test world needs root" >&2
fi
getent passwd postfix >/dev/null || { echo "test-world-setup: no 'postfix' user" >&2; exit 1; }
getent group postdrop >/dev/null || { echo "test-world-setup: no 'postdrop' group" >&2; exit 1; }
[ -f /etc/postfix/postfix-files ] || { echo "test-world-setup: /etc/postfix/postfix-files missing" >&2; exit 1; }

# Stop Postfix test instances left behind by an interrupted run: they would
# hold 127.0.0.25:25 and make the next startPostfix() fail.
tmp="${TMPDIR:-/tmp}"
for etc in "$tmp"/mailvet-postfix-*/etc; do
  [ -f "$etc/main.cf" ] || continue
  if postfix -c "$etc" status >/dev/null 2>&1; then
    postfix -c "$etc" stop >/dev/null 2>&1 || true
  fi
  # Leave directories of instances that are still stopping; the next run cleans them.
  postfix -c "$etc" status >/dev/null 2>&1 || rm -rf "$(dirname "$etc")"
done

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

# PostgreSQL (127.0.0.1:5432, trust auth, database `test`) and Redis
# (127.0.0.1:6379) are what the store, rate-limit and cache tests talk to.
# Project machines and CI already run both, so this only acts on a machine
# where nothing answers on those ports: it installs Debian's packages and
# starts them the way the tests expect (no systemd needed).
reachable() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }
if ! reachable 5432; then
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    echo "test-world-setup: installing PostgreSQL for the store tests" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    version="$(ls /usr/lib/postgresql | sort -V | tail -1)"
    hba="/etc/postgresql/$version/main/pg_hba.conf"
    # A throwaway test server: trust on loopback, as the tests connect without a password.
    sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
    # The package may have started the cluster already: then reload the new pg_hba.
    pg_ctlcluster "$version" main reload 2>/dev/null || pg_ctlcluster "$version" main start
    su postgres -c "psql -qc 'select 1' test" >/dev/null 2>&1 || su postgres -c "createdb test"
  else
    pg_ctlcluster "$(ls /usr/lib/postgresql | sort -V | tail -1)" main start || true
  fi
fi
if ! reachable 6379; then
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "test-world-setup: installing Redis for the rate-limit and cache tests" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends redis-server >/dev/null
  fi
  redis-server --bind 127.0.0.1 --port 6379 --save '' --appendonly no --daemonize yes >/dev/null
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

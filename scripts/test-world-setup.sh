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

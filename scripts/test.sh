#!/usr/bin/env bash
# The test command (README). Installs the Debian packages the test world needs
# (idempotent), then runs every test file with node's test runner via tsx.
# Usage: npm test [-- test/some/file.test.ts ...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/test-world-setup.sh
if [ "$#" -gt 0 ]; then files=("$@"); else mapfile -t files < <(find test -name '*.test.ts' | sort); fi
# A hung test fails after 5 minutes instead of eating the CI budget; --test-force-exit
# ends a file whose test left a handle open (the failure is still reported).
exec node --import tsx --test --test-concurrency=1 --test-timeout=300000 --test-force-exit --test-reporter=spec "${files[@]}"

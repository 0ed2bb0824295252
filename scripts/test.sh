#!/usr/bin/env bash
# The test command (README). Installs the Debian packages the test world needs
# (idempotent), then runs every test file with node's test runner via tsx.
# Usage: npm test [-- test/some/file.test.ts ...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/test-world-setup.sh
if [ "$#" -gt 0 ]; then files=("$@"); else mapfile -t files < <(find test -name '*.test.ts' | sort); fi
exec node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"

#!/usr/bin/env bash
# Run a benchmark as compiled JavaScript, the way `mailvet` itself runs (the
# tsx loader adds ~35 MB of RSS and start-up work that production never pays).
# Usage: npm run bench -- <name> [args]   e.g. npm run bench -- bulk --postgres
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:?usage: npm run bench -- <name> [args] (a file of bench/)}"
shift
[ -f "bench/$name.ts" ] || { echo "no benchmark bench/$name.ts" >&2; exit 2; }
out=.bench-build
# tsup keeps dependencies external itself; devDependencies (dns2, autocannon, …)
# are named here so they too load from node_modules instead of being bundled.
mapfile -t externals < <(node -p "Object.keys(require('./package.json').devDependencies).map((d) => '--external=' + d).join('\\n')")
npx tsup "bench/$name.ts" --no-config --format esm --platform node --target node20 \
  --out-dir "$out" --silent "${externals[@]}"
exec node "$out/$name.js" "$@"

#!/usr/bin/env bash
# `pnpm bench` for a fresh clone: installs and builds first. BENCH_QUICK=1 for a seconds-long run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/bootstrap.sh"
cd "$root"
exec node --no-node-snapshot packages/bench/dist/engine.bench.js

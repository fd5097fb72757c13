#!/usr/bin/env bash
# `pnpm bench` for a fresh clone: installs and builds first. BENCH_QUICK=1 for a seconds-long run.
# The historian part needs influxd (Debian's influxdb) and the PostgreSQL on 127.0.0.1:5432.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=node-env.sh
source "$root/scripts/node-env.sh"
"$root/scripts/bootstrap.sh"
cd "$root"
# Every part (engine, historian, beside Node-RED 4.1.15 and 5.x, the distribution) in a process of
# its own with a deadline, then the summary table; one that fails or times out does not stop the rest.
exec node --no-node-snapshot packages/bench/dist/bench.js

#!/usr/bin/env bash
# The main job: installs what is needed, then runs the pump-monitor example headless.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/bootstrap.sh"
cd "$root/examples/pump-monitor"
echo "Running examples/pump-monitor for ${DEMO_FOR:-60s} (Ctrl-C stops it earlier). Debug output follows as JSON lines." >&2
exec node --no-node-snapshot "$root/packages/cli/bin/tagflow.js" run flow.json --for "${DEMO_FOR:-60s}"

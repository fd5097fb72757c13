#!/usr/bin/env bash
# The main job: installs what is needed, runs the pump-monitor example headless, then shows the
# alarms it recorded in the local historian.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/bootstrap.sh"
cd "$root/examples/pump-monitor"
tagflow=(node --no-node-snapshot "$root/packages/cli/bin/tagflow.js")
echo "Running examples/pump-monitor for ${DEMO_FOR:-60s} (Ctrl-C stops it earlier). Debug output follows as JSON lines." >&2
"${tagflow[@]}" run flow.json --for "${DEMO_FOR:-60s}"
echo >&2
echo "Alarms recorded in the local historian (~/.tagflow/historian/pump-history.sqlite) in the last 10 minutes:" >&2
"${tagflow[@]}" history pump3/flow/alarm --since 10m
echo "More: node packages/cli/bin/tagflow.js history pump3/flow/avg --since 10m [--bucket 10s] [--format csv]" >&2

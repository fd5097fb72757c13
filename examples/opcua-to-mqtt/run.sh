#!/usr/bin/env bash
# Runs the example: starts the pump simulator (OPC UA on 127.0.0.1:4840), then the flow for
# ${RUN_FOR:-60s}, publishing to the Mosquitto on 127.0.0.1:1883. Build first (pnpm build at the root).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# The Node.js the project uses (the pinned one from .tools/ when the machine's is older than 22).
# shellcheck source=../../scripts/node-env.sh
source "$root/scripts/node-env.sh"
cd "$here"
node simulator.js --port 4840 >&2 &
simulator=$!
trap 'kill "$simulator" 2>/dev/null || true' EXIT
sleep 2
# The OPC UA and MQTT nodes come with tagflow: nothing to install, no --nodes-dir.
node --no-node-snapshot ../../packages/cli/bin/tagflow.js run flow.json --for "${RUN_FOR:-60s}" --data-dir "${DATA_DIR:-$here/.tagflow}"

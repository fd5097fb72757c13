#!/usr/bin/env bash
# The main job: installs and builds what is needed, then runs the runtime as a service with the
# browser editor and the pump-monitor example deployed, and says how to open and sign in to it.
# Ctrl-C stops it (DEMO_FOR=60s stops it by itself); the alarms it recorded are shown after.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/bootstrap.sh"
tagflow=(node --no-node-snapshot "$root/packages/cli/bin/tagflow.js")
data="${DEMO_DATA_DIR:-$root/.data/demo}"
port="${DEMO_PORT:-1990}"
mkdir -p "$data"
# The editor needs a token; the demo keeps its own in the data dir so that it can show it each time.
if [ ! -s "$data/demo-token" ]; then
  ( umask 077; "${tagflow[@]}" token create --role admin --name demo --data-dir "$data" 2>/dev/null >"$data/demo-token" )
fi
cat >&2 <<MSG

  tagflow editor: http://127.0.0.1:$port/
  sign in with this token: $(cat "$data/demo-token")
  (kept in $data/demo-token; the pump-monitor example is deployed; Ctrl-C stops)

MSG
run=("${tagflow[@]}" start --data-dir "$data" --port "$port" --flow "$root/examples/pump-monitor/flow.json")
if [ -n "${DEMO_FOR:-}" ]; then
  timeout --signal=TERM --preserve-status "$DEMO_FOR" "${run[@]}" || true
else
  "${run[@]}" || true
fi
echo >&2
echo "Alarms the pump monitor recorded in its local historian in the last 10 minutes:" >&2
"${tagflow[@]}" history pump3/flow/alarm --since 10m --data-dir "$data" || true

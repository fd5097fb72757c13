#!/usr/bin/env bash
# The demo after bootstrap (scripts/demo.sh runs both): starts `tagflow start` with the editor and
# the pump-monitor example, shows the address and token once the runtime answers, and exits
# non-zero with the runtime's own error if it cannot start or stops with an error.
# DEMO_FOR=60s stops it by itself; DEMO_PORT and DEMO_DATA_DIR change the port and data dir.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=node-env.sh
source "$root/scripts/node-env.sh"
tagflow=(node --no-node-snapshot "$root/packages/cli/bin/tagflow.js")
data="${DEMO_DATA_DIR:-$root/.data/demo}"
port="${DEMO_PORT:-1990}"
# Private from the start (tagflow start would otherwise tighten it and say so on first run).
mkdir -p "$(dirname "$data")" && mkdir -p -m 700 "$data"
# The editor needs a token; the demo keeps its own in the data dir so that it can show it each time.
if [ ! -s "$data/demo-token" ]; then
  ( umask 077; "${tagflow[@]}" token create --role admin --name demo --data-dir "$data" >"$data/demo-token" )
fi

"${tagflow[@]}" start --data-dir "$data" --port "$port" --flow "$root/examples/pump-monitor/flow.json" &
runtime=$!
stopping=""
stop_runtime() { stopping=yes; kill -TERM "$runtime" 2>/dev/null || true; }
trap stop_runtime INT TERM

# The address is shown only once the runtime answers; if it exits first, its error is the story.
ready=""
for _ in $(seq 1 300); do
  if ! kill -0 "$runtime" 2>/dev/null; then break; fi
  if node -e "fetch('http://127.0.0.1:$port/healthz',{signal:AbortSignal.timeout(1000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" 2>/dev/null; then
    ready=yes
    break
  fi
  sleep 0.1
done
if [ -z "$ready" ]; then
  status=0
  if kill -0 "$runtime" 2>/dev/null; then
    kill -TERM "$runtime" 2>/dev/null || true
    echo "demo: the runtime did not answer on http://127.0.0.1:$port/ within 30 s" >&2
    wait "$runtime" || true
    exit 1
  fi
  wait "$runtime" || status=$?
  echo "demo: the runtime exited before it answered (exit code $status); its error is above" >&2
  exit $(( status == 0 ? 1 : status ))
fi

cat >&2 <<MSG

  tagflow editor: http://127.0.0.1:$port/
  sign in with this token: $(cat "$data/demo-token")
  (kept in $data/demo-token; the pump-monitor example is deployed; Ctrl-C stops)

MSG
if [ -n "${DEMO_FOR:-}" ]; then
  ( exec >/dev/null 2>&1; sleep "$DEMO_FOR" && kill -TERM "$runtime" ) &
  timer=$!
fi
status=0
# `wait` returns early when a trapped signal arrives: wait again for the runtime's own exit.
wait "$runtime" || status=$?
while kill -0 "$runtime" 2>/dev/null; do status=0; wait "$runtime" || status=$?; done
if [ -n "${timer:-}" ]; then kill "$timer" 2>/dev/null || true; fi
# A runtime asked to stop exits 0; anything else is a failure the user must see.
if [ "$status" -ne 0 ]; then
  echo "demo: the runtime stopped with an error (exit code $status); its messages are above" >&2
  exit "$status"
fi
echo >&2
echo "Alarms the pump monitor recorded in its local historian in the last 10 minutes:" >&2
"${tagflow[@]}" history pump3/flow/alarm --since 10m --data-dir "$data"

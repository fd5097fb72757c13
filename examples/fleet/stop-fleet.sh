#!/usr/bin/env bash
# Stops the runtimes start-fleet.sh started (SIGTERM: flows closed, buffers flushed).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="${FLEET_DATA:-$here/.data}"
for pidfile in "$data"/*/pid; do
  [ -f "$pidfile" ] || continue
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$pidfile"
done

#!/usr/bin/env bash
# The demo after bootstrap (scripts/demo.sh runs both): starts `tagflow start` with the editor and
# the pump-monitor example over Modbus (examples/pump-monitor/demo-flow.json: the simulated sensor
# is served by a modbus-server and read back by modbus-read, a real Modbus TCP round trip), shows
# the address and token once the runtime answers, and exits non-zero with the runtime's own error
# if it cannot start or stops with an error. DEMO_FOR=60s stops it by itself; DEMO_PORT and
# DEMO_DATA_DIR change the port and data dir; DEMO_MODBUS_PORT the simulated PLC's port (default
# 5020 when it is free, else any free loopback port).
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

# The simulated PLC listens on loopback only; its port goes into a copy of the demo flow.
modbus_port="${DEMO_MODBUS_PORT:-$(node -e "
const net = require('node:net');
const tryPort = (port) => {
  const server = net.createServer();
  server.once('error', () => tryPort(0));
  server.listen(port, '127.0.0.1', () => { console.log(server.address().port); server.close(); });
};
tryPort(5020);")}"
flow="$data/demo-flow.json"
# Private like the rest of the data dir (tagflow start would tighten it and say so).
( umask 077; node -e "
const fs = require('node:fs');
const [from, to, port] = process.argv.slice(1);
const flow = JSON.parse(fs.readFileSync(from, 'utf8'));
for (const r of flow.resources) if (r.type === 'modbus-server' || r.type === 'modbus-device') r.config.port = Number(port);
fs.writeFileSync(to, JSON.stringify(flow, null, 2) + '\\n');" "$root/examples/pump-monitor/demo-flow.json" "$flow" "$modbus_port" )

"${tagflow[@]}" start --data-dir "$data" --port "$port" --flow "$flow" &
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

  its flow sensor is a simulated PLC served over Modbus TCP at 127.0.0.1:$modbus_port and read back:
  input register 0 = flow (float32, CDAB), holding register 0 = setpoint (int16, 0.1 m3/h, writable)

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

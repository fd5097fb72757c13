#!/usr/bin/env bash
# Runs the example: starts the simulated PLC, then the flow for RUN_FOR (default 60s).
# MODBUS_PORT (default 5020) and MQTT_URL (default mqtt://127.0.0.1:1883) point it elsewhere.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# The Node.js the project uses (the pinned one from .tools/ when the machine's is older than 22).
# shellcheck source=../../scripts/node-env.sh
source "$root/scripts/node-env.sh"
modbus_port="${MODBUS_PORT:-5020}"
mqtt_url="${MQTT_URL:-mqtt://127.0.0.1:1883}"
work="$(mktemp -d "${TMPDIR:-/tmp}/tagflow-modbus-to-mqtt.XXXXXX")"

# pymodbus logs every closed client connection as an error: its output goes to a file.
/usr/bin/python3 "$here/plc-simulator.py" "$modbus_port" > "$work/simulator.jsonl" 2> "$work/simulator.log" &
simulator=$!
trap 'kill "$simulator" 2>/dev/null || true' EXIT

# The flow names its device and broker in config: write a copy with this run's addresses.
node -e '
  const [file, out, port, url] = process.argv.slice(1);
  const flow = JSON.parse(require("fs").readFileSync(file, "utf8"));
  flow.resources.find((r) => r.id === "plc").config.port = Number(port);
  flow.resources.find((r) => r.id === "broker").config.url = url;
  require("fs").writeFileSync(out, JSON.stringify(flow, null, 2));
' "$here/flow.json" "$work/flow.json" "$modbus_port" "$mqtt_url"

# The runtime retries a device that is not up yet, but waiting keeps the first values good.
for _ in $(seq 1 100); do
  (: < "/dev/tcp/127.0.0.1/$modbus_port") 2>/dev/null && break
  kill -0 "$simulator" 2>/dev/null || { cat "$work/simulator.log" >&2; echo "error: the PLC simulator did not start" >&2; exit 1; }
  sleep 0.1
done

echo "PLC simulator on 127.0.0.1:$modbus_port, publishing to $mqtt_url for ${RUN_FOR:-60s}." >&2
# The Modbus and MQTT nodes come with tagflow: nothing to install, no --nodes-dir.
node --no-node-snapshot "$root/packages/cli/bin/tagflow.js" run "$work/flow.json" --for "${RUN_FOR:-60s}" --data-dir "$work/data"

#!/usr/bin/env bash
# Runs the example: starts the simulated PLC, then the flow for RUN_FOR (default 60s).
# MODBUS_PORT (default 5020) and OPCUA_PORT (default 4840) move it to other ports.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# The Node.js the project uses (the pinned one from .tools/ when the machine's is older than 22).
# shellcheck source=../../scripts/node-env.sh
source "$root/scripts/node-env.sh"
modbus_port="${MODBUS_PORT:-5020}"
opcua_port="${OPCUA_PORT:-4840}"
work="$(mktemp -d "${TMPDIR:-/tmp}/tagflow-modbus-to-opcua.XXXXXX")"

# pymodbus logs every closed client connection as an error: its output goes to a file.
/usr/bin/python3 "$here/plc-simulator.py" "$modbus_port" > "$work/simulator.jsonl" 2> "$work/simulator.log" &
simulator=$!
trap 'kill "$simulator" 2>/dev/null || true' EXIT

# The flow names its device and its OPC UA port in config: write a copy with this run's ports.
node -e '
  const [file, out, modbusPort, opcuaPort] = process.argv.slice(1);
  const flow = JSON.parse(require("fs").readFileSync(file, "utf8"));
  flow.resources.find((r) => r.id === "plc").config.port = Number(modbusPort);
  flow.resources.find((r) => r.id === "gateway").config.port = Number(opcuaPort);
  require("fs").writeFileSync(out, JSON.stringify(flow, null, 2));
' "$here/flow.json" "$work/flow.json" "$modbus_port" "$opcua_port"

# The runtime retries a device that is not up yet, but waiting keeps the first values good.
for _ in $(seq 1 100); do
  (: < "/dev/tcp/127.0.0.1/$modbus_port") 2>/dev/null && break
  kill -0 "$simulator" 2>/dev/null || { cat "$work/simulator.log" >&2; echo "error: the PLC simulator did not start" >&2; exit 1; }
  sleep 0.1
done

echo "PLC simulator on 127.0.0.1:$modbus_port; OPC UA clients connect to opc.tcp://127.0.0.1:$opcua_port for ${RUN_FOR:-60s}." >&2
# The Modbus and OPC UA nodes come with tagflow: nothing to install, no --nodes-dir.
node --no-node-snapshot "$root/packages/cli/bin/tagflow.js" run "$work/flow.json" --for "${RUN_FOR:-60s}" --data-dir "$work/data"

#!/usr/bin/env bash
# Starts three tagflow runtimes in the background on 127.0.0.1:19901-19903, each with its own
# data dir under examples/fleet/.data/, and writes their first admin tokens to
# .data/tokens.env (source it before `tagflow deploy`). stop-fleet.sh stops them.
# FLEET_DATA and FLEET_PORTS ("p1 p2 p3") change the folder and the ports (the test does).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# The Node.js the project uses (the pinned one from .tools/ when the machine's is older than 22).
# shellcheck source=../../scripts/node-env.sh
source "$root/scripts/node-env.sh"
data="${FLEET_DATA:-$here/.data}"
mkdir -p "$data"
: > "$data/tokens.env"
read -r port_a1 port_a2 port_b1 <<<"${FLEET_PORTS:-19901 19902 19903}"
for spec in "a1 $port_a1 TAGFLOW_TOKEN_A1" "a2 $port_a2 TAGFLOW_TOKEN_A2" "b1 $port_b1 TAGFLOW_TOKEN_B1"; do
  read -r name port var <<<"$spec"
  dir="$data/$name"
  mkdir -p "$dir"
  nohup node --no-node-snapshot "$root/packages/cli/bin/tagflow.js" start --data-dir "$dir" --port "$port" >"$dir/stdout.log" 2>"$dir/stderr.log" &
  echo $! >"$dir/pid"
  for _ in $(seq 1 100); do
    grep -q 'admin API on' "$dir/stderr.log" 2>/dev/null && break
    if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then echo "runtime $name did not start:" >&2; cat "$dir/stderr.log" >&2; exit 1; fi
    sleep 0.1
  done
  grep -q 'admin API on' "$dir/stderr.log" || { echo "runtime $name did not start in 10 s:" >&2; cat "$dir/stderr.log" >&2; exit 1; }
  # The token is printed once, on the first start of a data dir; later starts reuse the saved one.
  token="$(sed -n 's/^admin token: //p' "$dir/stdout.log")"
  [ -n "$token" ] && echo "$token" >"$dir/admin-token"
  echo "export $var=$(cat "$dir/admin-token")" >>"$data/tokens.env"
  echo "runtime $name: http://127.0.0.1:$port (data dir $dir)" >&2
done
echo "tokens: source $data/tokens.env" >&2

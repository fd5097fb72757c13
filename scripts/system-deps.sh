#!/usr/bin/env bash
# Debian packages the test suite uses as real peers. Installs the missing ones (as root), or says
# exactly what to run. Idempotent: does nothing when all are present.
set -euo pipefail
packages=(mosquitto python3-pymodbus openssl influxdb chromium socat nats-server)

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: missing Debian packages: ${missing[*]}. Run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "system-deps: installing ${missing[*]}" >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2

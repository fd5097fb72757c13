#!/usr/bin/env bash
# The main job: installs and builds what is needed, then runs the runtime as a service with the
# browser editor and the pump-monitor example deployed, and says how to open and sign in to it.
# Ctrl-C stops it (DEMO_FOR=60s stops it by itself); the alarms it recorded are shown after.
# If the runtime cannot start or stops with an error, this script says so and exits non-zero.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=node-env.sh
source "$root/scripts/node-env.sh"
"$root/scripts/bootstrap.sh"
exec "$root/scripts/demo-run.sh"

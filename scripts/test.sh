#!/usr/bin/env bash
# The whole test suite: installs what is needed, type-checks every package, runs every test.
# Ends with one line `N passed, N failed`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/system-deps.sh"
"$root/scripts/bootstrap.sh"
cd "$root"
exec node scripts/run-tests.mjs "$@"

#!/usr/bin/env bash
# The whole test suite: installs what is needed, type-checks every package, runs every test.
# Ends with one line `N passed, N failed`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/system-deps.sh"
"$root/scripts/bootstrap.sh"
# shellcheck source=node-env.sh
source "$root/scripts/node-env.sh"
cd "$root"
# turbo runs the package scripts through the pinned pnpm that bootstrap put in .tools/.
export PATH="$root/.tools/node_modules/.bin:$PATH"
exec node scripts/run-tests.mjs "$@"

#!/usr/bin/env bash
# Prepares a fresh clone: a supported Node.js and the pinned pnpm (both kept inside the repo in
# .tools/, no global install), the workspace's dependencies, and a build. Safe to run again; each
# step is skipped when done. Scripts that run the project source scripts/node-env.sh as well.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# shellcheck source=node-env.sh
source "$root/scripts/node-env.sh"

pnpm_version="$(node -p "require('./package.json').packageManager.split('@')[1]")"
tools="$root/.tools"
if [ "$("$tools/node_modules/.bin/pnpm" --version 2>/dev/null || true)" != "$pnpm_version" ]; then
  echo "bootstrap: installing pnpm $pnpm_version into .tools/" >&2
  npm install --prefix "$tools" --no-audit --no-fund --loglevel=error "pnpm@$pnpm_version" >&2
fi
export PATH="$tools/node_modules/.bin:$PATH"
export TURBO_TELEMETRY_DISABLED=1

# Native addons built under another Node major would refuse to load: rebuild them when it changed.
stamp="$root/node_modules/.tagflow-node-abi"
abi="$(node -p process.versions.modules)"
echo "bootstrap: Node.js $(node --version), installing dependencies" >&2
pnpm install --frozen-lockfile --reporter=append-only >&2
if [ -f "$stamp" ] && [ "$(cat "$stamp")" != "$abi" ]; then
  echo "bootstrap: Node.js ABI changed ($(cat "$stamp") -> $abi), rebuilding native addons" >&2
  pnpm rebuild -r isolated-vm >&2
fi
echo "$abi" >"$stamp"
echo "bootstrap: building" >&2
pnpm exec turbo run build --output-logs=errors-only >&2

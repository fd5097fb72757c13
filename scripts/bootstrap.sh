#!/usr/bin/env bash
# Prepares a fresh clone: the pinned pnpm (kept inside the repo, no global install needed), the
# workspace's dependencies, and a build. Safe to run again; each step is skipped when done.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

pnpm_version="$(node -p "require('./package.json').packageManager.split('@')[1]")"
tools="$root/.tools"
if [ "$("$tools/node_modules/.bin/pnpm" --version 2>/dev/null || true)" != "$pnpm_version" ]; then
  echo "bootstrap: installing pnpm $pnpm_version into .tools/" >&2
  npm install --prefix "$tools" --no-audit --no-fund --loglevel=error "pnpm@$pnpm_version" >&2
fi
export PATH="$tools/node_modules/.bin:$PATH"
export TURBO_TELEMETRY_DISABLED=1

echo "bootstrap: installing dependencies" >&2
pnpm install --frozen-lockfile --reporter=append-only >&2
echo "bootstrap: building" >&2
pnpm exec turbo run build --output-logs=errors-only >&2

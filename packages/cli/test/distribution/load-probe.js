'use strict';
// Run by distribution-lazy-load.test.ts in a process of its own (node load-probe.js [flow.json]):
// discovers the node packages tagflow comes with, as `tagflow run` does, then deploys the flow
// given, if any, until the libraries named after it are loaded. Prints JSON on stdout: the distribution's
// packages with their definition files and dependencies, and the packages loaded from
// node_modules (and the built-in modules only a node package loads, as `node:<name>`) at each step.
const { mkdtempSync, readFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

const cli = path.resolve(__dirname, '..', '..');
const { loadRegistry, distributionPackageDirs } = require(path.join(cli, 'dist', 'load-registry.js'));

// Built-in modules a node package may load for its own use (the local historian's node:sqlite):
// Node.js and the runtime load none of them, so they count as the package's libraries.
const PACKAGE_BUILTINS = ['sqlite'];

/**
 * Names of the packages any module of this process was loaded from (`.../node_modules/<name>/...`),
 * and `node:<name>` for each of PACKAGE_BUILTINS loaded (built-ins are not in require.cache: Node's
 * own list of the modules it loaded says it).
 */
function loadedPackages() {
  const names = new Set();
  for (const name of PACKAGE_BUILTINS)
    if (process.moduleLoadList.includes(`NativeModule ${name}`)) names.add(`node:${name}`);
  for (const file of Object.keys(require.cache)) {
    const at = file.lastIndexOf(`node_modules${path.sep}`);
    if (at === -1) continue;
    const parts = file.slice(at + 'node_modules/'.length).split(path.sep);
    names.add(parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]);
  }
  return [...names].sort();
}

async function main() {
  const packages = distributionPackageDirs().map((dir) => {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const files = [...(manifest.tagflow.nodes ?? []), ...(manifest.tagflow.resources ?? [])];
    return {
      name: manifest.name,
      dependencies: Object.keys(manifest.dependencies ?? {}),
      files: files.map((f) => ({ file: f, loaded: false, path: require.resolve(path.join(dir, f)) })),
    };
  });
  const { registry, report } = await loadRegistry([]);
  for (const pkg of packages) for (const f of pkg.files) f.loaded = f.path in require.cache;
  const afterDiscovery = loadedPackages();
  const out = {
    packages: packages.map((p) => ({ ...p, files: p.files.map(({ file, loaded }) => ({ file, loaded })) })),
    problems: report.problems.map((p) => p.message),
    nodeTypes: registry.nodeTypes().map((n) => n.definition.type),
    afterDiscovery,
  };
  const flowFile = process.argv[2];
  if (flowFile !== undefined) {
    const { Engine } = require('@tagflow/runtime/engine');
    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tagflow-lazy-'));
    const engine = new Engine({ registry, logger: quiet, dataDir, closeTimeoutMs: 2000 });
    const flow = JSON.parse(readFileSync(flowFile, 'utf8'));
    const result = await engine.deploy(flow);
    out.deploy = result.ok ? 'ok' : JSON.stringify(result);
    // A deploy does not wait for resources to connect: wait until the libraries named after the
    // flow file are loaded (each resource's first connect loads its own), 20 s at most.
    const expected = process.argv.slice(3);
    const deadline = Date.now() + 20_000;
    const loadedAll = () => expected.every((name) => loadedPackages().includes(name));
    while (!loadedAll() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    out.afterDeploy = loadedPackages();
    await engine.stop();
  }
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});

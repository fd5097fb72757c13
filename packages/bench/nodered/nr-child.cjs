// One embedded Node-RED 4 per process (RED.init/RED.start run once per process), forked by
// dist/nodered.bench.js: the reference flow  source -> smooth (mean of 10) -> switch (> 100) [x fanout]
// -> counting sink, driven and timed by the same harness as tagflow's child (dist/child-harness.js).
// Node-RED runs as a library: no editor, no admin API, no HTTP server listening, flows from a
// throw-away user directory. usage: node nr-child.cjs '<ChildConfig json>'
'use strict';
const tBoot = performance.now();
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const RED = require('node-red');
const { readConfig, createHarness, measure, report } = require('../dist/child-harness.js');
const { THRESHOLD, WINDOW } = require('../dist/nodered-reference.js');

const cfg = readConfig();
const h = createHarness();
globalThis.__tagflowBenchHit = (msg) => h.hit(msg);

function buildFlow() {
  const z = 'bench';
  const switches = Array.from({ length: cfg.fanout }, (_, k) => 'sw' + k);
  const nodes = [
    { id: z, type: 'tab', label: 'bench' },
    { id: 'src', type: 'tagflow-bench-source', z, wires: [['avg']] },
    { id: 'avg', type: 'smooth', z, name: '', property: 'payload', action: 'mean', count: String(WINDOW), round: '',
      mult: 'single', reduce: false, wires: [switches] },
    ...switches.map((id) => ({ id, type: 'switch', z, name: '', property: 'payload', propertyType: 'msg',
      rules: [{ t: 'gt', v: String(THRESHOLD), vt: 'num' }], checkall: 'true', repair: false, outputs: 1, wires: [['sink']] })),
    { id: 'sink', type: 'tagflow-bench-sink', z, wires: [] },
  ];
  // Flow nodes need x/y, otherwise Node-RED takes them for config nodes.
  nodes.forEach((n, k) => { if (n.z) { n.x = 100 + 150 * k; n.y = 100; } });
  return nodes;
}

// A fresh user directory; node-red-node-smooth is linked into its node_modules, where Node-RED looks
// for node packages (pnpm does not hoist it next to node-red).
const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tagflow-nr-bench-'));
fs.mkdirSync(path.join(userDir, 'node_modules'));
fs.symlinkSync(path.dirname(require.resolve('node-red-node-smooth/package.json')), path.join(userDir, 'node_modules', 'node-red-node-smooth'), 'dir');
fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'bench', private: true, dependencies: { 'node-red-node-smooth': '*' } }));
fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(buildFlow()));
process.on('exit', () => fs.rmSync(userDir, { recursive: true, force: true }));

RED.init(http.createServer() /* never listens */, {
  userDir, flowFile: 'flows.json', credentialSecret: 'bench',
  nodesDir: [path.join(__dirname, 'nodes')],
  httpAdminRoot: false, httpNodeRoot: false,
  logging: { console: { level: 'warn', metrics: false, audit: false } },
  telemetry: { enabled: false }, diagnostics: { enabled: false }, runtimeState: { enabled: false },
  editorTheme: { projects: { enabled: false } },
  externalModules: { autoInstall: false },
});

async function main() {
  const started = new Promise((r) => RED.events.on('flows:started', r));
  await RED.start();
  await started;
  const send = globalThis.__tagflowBenchSend;
  if (!send) throw new Error('bench source node did not start (flow not loaded?)');
  if (!RED.nodes.getNode('avg')) throw new Error('smooth node not loaded');
  const version = typeof RED.version === 'function' ? RED.version() : RED.version;
  const result = await measure('node-red', String(version), performance.now() - tBoot, cfg, h, send);
  report(result);
}
setTimeout(() => report({ type: 'error', error: `global timeout, ${h.count} of ${h.expected}` }), (cfg.timeoutMs || 120000) + 60000).unref();
main().catch((e) => report({ type: 'error', error: String((e && e.stack) || e) }));

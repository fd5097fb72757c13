// One embedded Node-RED per process (RED.init/RED.start run once per process), forked by
// dist/nodered.bench.js: the release argv[3] names (dist/systems.js: NODE_RED_PACKAGE; 4.x and 5.x
// take the same embedding API and settings), running the flow the config names (dist/nodered-reference.js: BenchFlow):
// the reference flow  source -> smooth (mean of 10) -> switch (> 100) [x fanout] -> counting sink,
// a function node -> counting sink, or the reference flow ending in an mqtt out node; driven and
// timed by the same harness as tagflow's child (dist/child-harness.js).
// Node-RED runs as a library: no editor, no admin API, no HTTP server listening, flows from a
// throw-away user directory. usage: node nr-child.cjs '<ChildConfig json>' node-red-4|node-red-5
'use strict';
const tBoot = performance.now();
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const { NODE_RED_PACKAGE } = require('../dist/systems.js');
const system = process.argv[3];
if (!Object.hasOwn(NODE_RED_PACKAGE, system)) throw new Error(`unknown Node-RED system "${system}"`);
const RED = require(NODE_RED_PACKAGE[system]);
const { readConfig, createHarness, measure, coldStart, report } = require('../dist/child-harness.js');
const { FUNCTION_CODE, MQTT_TOPIC, THRESHOLD, WINDOW } = require('../dist/nodered-reference.js');

const cfg = readConfig();
const h = createHarness();
globalThis.__tagflowBenchHit = (msg) => h.hit(msg);

function buildFlow() {
  const z = 'bench';
  const tab = { id: z, type: 'tab', label: 'bench' };
  const sink = { id: 'sink', type: 'tagflow-bench-sink', z, wires: [] };
  const smooth = (wires) => ({
    id: 'avg',
    type: 'smooth',
    z,
    name: '',
    property: 'payload',
    action: 'mean',
    count: String(WINDOW),
    round: '',
    mult: 'single',
    reduce: false,
    wires: [wires],
  });
  const threshold = (id, to) => ({
    id,
    type: 'switch',
    z,
    name: '',
    property: 'payload',
    propertyType: 'msg',
    rules: [{ t: 'gt', v: String(THRESHOLD), vt: 'num' }],
    checkall: 'true',
    repair: false,
    outputs: 1,
    wires: [[to]],
  });
  let nodes;
  if (cfg.flow === 'function') {
    nodes = [
      tab,
      { id: 'src', type: 'tagflow-bench-source', z, wires: [['fn']] },
      {
        id: 'fn',
        type: 'function',
        z,
        name: '',
        func: FUNCTION_CODE,
        outputs: 1,
        timeout: 0,
        noerr: 0,
        initialize: '',
        finalize: '',
        libs: [],
        wires: [['sink']],
      },
      sink,
    ];
  } else if (cfg.flow === 'mqtt') {
    nodes = [
      tab,
      {
        id: 'broker',
        type: 'mqtt-broker',
        name: 'bench',
        broker: '127.0.0.1',
        port: String(cfg.mqtt.port),
        clientid: '',
        autoConnect: true,
        usetls: false,
        protocolVersion: '4',
        keepalive: '60',
        cleansession: true,
        birthTopic: '',
        closeTopic: '',
        willTopic: '',
      },
      { id: 'src', type: 'tagflow-bench-source', z, wires: [['avg']] },
      smooth(['sw0']),
      threshold('sw0', 'out'),
      {
        id: 'out',
        type: 'mqtt out',
        z,
        name: '',
        topic: MQTT_TOPIC,
        qos: String(cfg.mqtt.qos),
        retain: 'false',
        broker: 'broker',
        wires: [],
      },
    ];
  } else {
    const switches = Array.from({ length: cfg.fanout }, (_, k) => 'sw' + k);
    nodes = [
      tab,
      { id: 'src', type: 'tagflow-bench-source', z, wires: [['avg']] },
      smooth(switches),
      ...switches.map((id) => threshold(id, 'sink')),
      sink,
    ];
  }
  // Flow nodes need x/y, otherwise Node-RED takes them for config nodes.
  nodes.forEach((n, k) => {
    if (n.z) {
      n.x = 100 + 150 * k;
      n.y = 100;
    }
  });
  return nodes;
}

// A fresh user directory; node-red-node-smooth is linked into its node_modules, where Node-RED looks
// for node packages (pnpm does not hoist it next to node-red).
const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tagflow-nr-bench-'));
fs.mkdirSync(path.join(userDir, 'node_modules'));
fs.symlinkSync(
  path.dirname(require.resolve('node-red-node-smooth/package.json')),
  path.join(userDir, 'node_modules', 'node-red-node-smooth'),
  'dir',
);
fs.writeFileSync(
  path.join(userDir, 'package.json'),
  JSON.stringify({ name: 'bench', private: true, dependencies: { 'node-red-node-smooth': '*' } }),
);
fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(buildFlow()));
process.on('exit', () => fs.rmSync(userDir, { recursive: true, force: true }));
// The parent ends a child that is done (figures 4 and 5) with SIGTERM: exit, so the above runs.
process.on('SIGTERM', () => process.exit(0));

RED.init(http.createServer() /* never listens */, {
  userDir,
  flowFile: 'flows.json',
  credentialSecret: 'bench',
  nodesDir: [path.join(__dirname, 'nodes')],
  httpAdminRoot: false,
  httpNodeRoot: false,
  logging: { console: { level: 'warn', metrics: false, audit: false } },
  telemetry: { enabled: false },
  diagnostics: { enabled: false },
  runtimeState: { enabled: false },
  editorTheme: { projects: { enabled: false } },
  externalModules: { autoInstall: false },
});

async function main() {
  const started = new Promise((r) => RED.events.on('flows:started', r));
  await RED.start();
  await started;
  const send = globalThis.__tagflowBenchSend;
  if (!send) throw new Error('bench source node did not start (flow not loaded?)');
  if (cfg.mode === 'cold') return coldStart(h, send);
  if (cfg.flow !== 'function' && !RED.nodes.getNode('avg')) throw new Error('smooth node not loaded');
  if (cfg.flow === 'mqtt') {
    // Node-RED drops what its mqtt out node gets before the broker connection is up.
    const broker = RED.nodes.getNode('broker');
    for (let i = 0; i < 400 && !broker.connected; i++) await new Promise((r) => setTimeout(r, 25));
    if (!broker.connected) throw new Error('Node-RED did not connect to the benchmark broker');
  }
  const version = typeof RED.version === 'function' ? RED.version() : RED.version;
  const result = await measure(system, String(version), performance.now() - tBoot, cfg, h, send);
  report(result);
}
setTimeout(
  () => report({ type: 'error', error: `global timeout, ${h.count} of ${h.expected}` }),
  (cfg.timeoutMs || 120000) + 60000,
).unref();
main().catch((e) => report({ type: 'error', error: String((e && e.stack) || e) }));

// Measures what one message costs in the function node, against the same computation as plain
// JavaScript, and compares the ways of moving a message in and out of an isolate.
// Run after a build:  pnpm exec tsc -p tsconfig.build.json && node scripts/function-cost.mjs
// Prints a Markdown table (median of several rounds). A measurement, not a test: figures vary by machine.
import { createRequire } from 'node:module';
import vm from 'node:vm';
import os from 'node:os';

const require = createRequire(import.meta.url);
const ivm = require('isolated-vm');
const functionNode = require('../dist/function.node.js').default;

const BODY = 'return { ...msg, payload: msg.payload * 2 + 1 };';
const ROUNDS = 7;
const small = (i) => ({ payload: i, topic: 'pump3/flow', timestamp: 1767225600000, quality: 'good' });
const objectPayload = {};
for (let k = 0; k < 30; k++) objectPayload[`field${k}`] = k % 3 ? k * 1.5 : `text value ${k}`;
objectPayload.values = Array.from({ length: 50 }, (_, i) => i * 0.1);
const large = (i) => ({
  payload: { ...objectPayload, seq: i },
  topic: 'pump3/flow',
  timestamp: 1767225600000,
  quality: 'good',
});

/**
 * Median messages per second of each case. The cases take turns within each round, so that a
 * slowdown of the machine (other processes) spreads over all of them instead of skewing one.
 */
async function measureAll(cases) {
  for (const c of cases) for (let i = 0; i < Math.min(c.n, 5000); i++) await c.step(i);
  const rates = cases.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [k, c] of cases.entries()) {
      const start = process.hrtime.bigint();
      if (c.async) for (let i = 0; i < c.n; i++) await c.step(i);
      else for (let i = 0; i < c.n; i++) c.step(i);
      rates[k].push(c.n / (Number(process.hrtime.bigint() - start) / 1e9));
    }
  }
  return cases.map((c, k) => [c.name, rates[k].sort((a, b) => a - b)[rates[k].length >> 1]]);
}

// The function node as the engine drives it: create() with a minimal context, onMessage per message.
function nodeUnderMeasure(code) {
  let sent = 0;
  const log = { debug() {}, info() {}, warn() {}, error() {} };
  const ctx = {
    id: 'fn',
    type: 'function',
    flowId: 'cost',
    config: { code, timeoutMs: 1000, memoryLimitMb: 32 },
    send() {
      sent++;
      return true;
    },
    drain: async () => {},
    status() {},
    error() {},
    debug() {},
    log,
    clock: { now: Date.now, setTimeout, setInterval },
    signal: new AbortController().signal,
    resource() {
      throw new Error('no resources');
    },
  };
  const instance = functionNode.create(ctx);
  return { instance, sent: () => sent };
}

const node = nodeUnderMeasure(BODY);
const plain = new Function('msg', BODY);

// How to move a message across the isolate boundary: structured clone (what the node uses) or JSON text.
const isolate = new ivm.Isolate({ memoryLimit: 32 });
const context = isolate.createContextSync();
const cloneFn = context.evalSync(`(function (msg) { ${BODY} })`, { reference: true });
const jsonFn = context.evalSync(
  `(function () { const parse = JSON.parse, str = JSON.stringify; const fn = function (msg) { ${BODY} }; return (s) => str(fn(parse(s))); })()`,
  { reference: true },
);
const copy = { arguments: { copy: true }, result: { copy: true } };
const viaClone = (m) => cloneFn.applySync(undefined, [m], { ...copy, timeout: 1000 });
const viaJson = (m) => JSON.parse(jsonFn.applySync(undefined, [JSON.stringify(m)], { timeout: 1000 }));

// For scale: Node-RED's function node runs code with node:vm, which is not a security boundary.
const vmContext = vm.createContext({ msg: null });
const vmScript = new vm.Script(`(function (msg) { ${BODY} })(msg)`);
const viaVm = (m, options) => {
  vmContext.msg = m;
  return vmScript.runInContext(vmContext, options);
};

const rows = await measureAll([
  {
    name: 'function node (isolated-vm), small message',
    n: 20_000,
    step: (i) => node.instance.onMessage(small(i), 'in'),
  },
  {
    name: 'function node (isolated-vm), 30-field object payload',
    n: 10_000,
    step: (i) => node.instance.onMessage(large(i), 'in'),
  },
  { name: 'plain JavaScript, same computation, small message', n: 1_000_000, step: (i) => plain(small(i)) },
  { name: 'raw applySync + timeout, structured clone, small', n: 20_000, step: (i) => viaClone(small(i)) },
  { name: 'raw applySync + timeout, JSON text, small', n: 20_000, step: (i) => viaJson(small(i)) },
  { name: 'raw applySync + timeout, structured clone, 30-field object', n: 10_000, step: (i) => viaClone(large(i)) },
  { name: 'raw applySync + timeout, JSON text, 30-field object', n: 10_000, step: (i) => viaJson(large(i)) },
  {
    name: 'raw applySync, no timeout, structured clone, small',
    n: 20_000,
    step: (i) => cloneFn.applySync(undefined, [small(i)], copy),
  },
  {
    name: 'raw apply (async) + timeout, structured clone, small',
    n: 5_000,
    async: true,
    step: (i) => cloneFn.apply(undefined, [small(i)], { ...copy, timeout: 1000 }),
  },
  {
    name: 'node:vm runInContext + timeout (how Node-RED runs function code), small',
    n: 20_000,
    step: (i) => viaVm(small(i), { timeout: 1000 }),
  },
  { name: "node:vm runInContext, no timeout (Node-RED's default), small", n: 20_000, step: (i) => viaVm(small(i)) },
]);
await node.instance.close();
isolate.dispose();
if (node.sent() === 0) throw new Error('the function node sent nothing: the measurement is broken');

const fmt = (n) => Math.round(n).toLocaleString('en-US');
console.log(
  `Node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, median of ${ROUNDS} rounds\n`,
);
console.log('| path | messages/s | µs/message |');
console.log('|---|---:|---:|');
for (const [what, rate] of rows) console.log(`| ${what} | ${fmt(rate)} | ${(1e6 / rate).toFixed(2)} |`);

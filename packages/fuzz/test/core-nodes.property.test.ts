import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import type { AnyNodeDefinition } from '@tagflow/node-sdk';
import { runFlow } from '@tagflow/node-test';
import * as core from '@tagflow/nodes-core';
import { checkProperty, timeoutFor } from '../src/budget';
import { withDeadline } from '../src/deploy-check';
import { anyMessage, checkNodeRun, finiteMessage, numbersIn, stepsOf } from '../src/payload-check';
import { expectPlainWords } from '../src/plain-words';

// Generated payloads (NaN, ±Infinity, -0, huge and deep data, null, undefined, text where numbers
// are expected, Buffers, getters...) and odd envelopes through every core node type (issue 14, "a
// fuzz suite"). Sources (simulate, timer) take no input and are left out; catch is run in a flow.

const files = mkdtempSync(path.join(tmpdir(), 'tagflow-fuzz-file-out-'));

/** Each node type with a few valid configs, covering its modes. */
const CASES: Array<[AnyNodeDefinition, Array<Record<string, unknown>>]> = [
  [core.movingAverage, [{ window: { count: 3 } }, { window: { seconds: 5 }, emitPartial: false }, {}]],
  [
    core.threshold,
    [
      { above: 42.5, hysteresis: 1 },
      { below: 5, passThrough: true },
      { above: 10, below: 0, hysteresis: 2, passThrough: true },
    ],
  ],
  [core.deadband, [{}, { band: 1 }, { mode: 'percent', band: 5, maxSilenceSeconds: 10 }]],
  [
    core.scale,
    [
      { in: { min: 4, max: 20 }, out: { min: 0, max: 100 } },
      { in: { min: 0, max: 27648 }, out: { min: 10, max: 0 }, outside: 'extend' },
    ],
  ],
  [
    core.aggregate,
    [
      { window: { seconds: 1 }, functions: ['mean', 'min', 'max', 'sum', 'count', 'stddev'] },
      { mode: 'sliding', window: { seconds: 10 }, functions: ['mean', 'stddev', 'sum'], groupByTopic: false },
    ],
  ],
  [
    core.switchNode,
    [
      {
        rules: [
          { op: 'gt', value: 10 },
          { op: 'regex', value: '^a', ignoreCase: true },
          { op: 'isType', value: 'number' },
          { op: 'between', value: 0, value2: 100 },
          { op: 'contains', value: 'x' },
          { op: 'else' },
        ],
      },
      {
        property: 'payload.a',
        checkAll: false,
        rules: [
          { op: 'eq', value: 1 },
          { op: 'null' },
          { op: 'jsonata', value: 'payload.a > 5' },
          { op: 'neq', value: [1] },
        ],
      },
      {
        property: 'topic',
        rules: [
          { op: 'eq', value: 'a' },
          { op: 'lte', value: 'm' },
        ],
      },
    ],
  ],
  [
    core.change,
    [
      { rules: [{ action: 'set', property: 'payload.unit', value: { type: 'literal', value: 'bar' } }] },
      { rules: [{ action: 'move', property: 'payload', to: 'payload.raw' }] },
      {
        rules: [
          { action: 'change', property: 'payload', search: 'a', replace: 'b', ignoreCase: true },
          { action: 'change', property: 'topic', search: '^(p)', regex: true, replace: '$1!' },
          { action: 'change', property: 'payload', search: 1, replace: null },
        ],
      },
      {
        rules: [
          { action: 'set', property: 'payload', value: { type: 'jsonata', value: 'payload * 2' } },
          { action: 'delete', property: 'topic' },
        ],
      },
      { rules: [{ action: 'set', property: 'timestamp', value: { type: 'property', value: 'payload' } }] },
    ],
  ],
  [
    core.rateLimit,
    [
      { rate: 2, perSeconds: 1 },
      { rate: 1, perSeconds: 1, mode: 'queue', maxQueue: 3, perTopic: true },
    ],
  ],
  [core.debug, [{}, { property: 'msg', toStatus: true, maxLength: 20 }]],
  [
    core.fileOut,
    // Relative to the files folder of each run's data dir.
    [{ path: 'msg.jsonl' }, { path: 'payload.jsonl', property: 'payload' }],
  ],
  [
    core.functionNode,
    [
      { code: 'return msg;' },
      { code: 'msg.payload = typeof msg.payload; return msg;' },
      { code: 'return [{ payload: msg.payload }, null];' },
    ],
  ],
];

/** Types whose output is a number computed from numbers: finite in, finite out, no error. */
const NUMERIC = new Set(['moving-average', 'threshold', 'deadband', 'scale', 'aggregate']);

describe.each(CASES.map(([definition, configs]) => [definition.type, definition, configs] as const))(
  '%s',
  (_type, definition, configs) => {
    it.each(configs.map((c) => [JSON.stringify(c), c]))(
      'takes any payload, config %s: no crash, errors in plain words, counters add up',
      async (_name, config) => {
        await checkProperty(
          `${definition.type} ${JSON.stringify(config)}: any payload`,
          fc.asyncProperty(stepsOf(anyMessage), async (steps) => {
            await checkNodeRun(definition, config, steps);
          }),
          { runs: definition.type === 'function' ? 8 : 15 },
        );
      },
      timeoutFor(60_000),
    );

    if (NUMERIC.has(definition.type)) {
      it.each(configs.map((c) => [JSON.stringify(c), c]))(
        'sends finite numbers for finite numbers, without an error, config %s',
        async (_name, config) => {
          await checkProperty(
            `${definition.type} ${JSON.stringify(config)}: finite in, finite out`,
            fc.asyncProperty(stepsOf(finiteMessage), async (steps) => {
              const run = await checkNodeRun(definition, config, steps);
              if (run.errors.length > 0) throw new Error(`refused finite numbers: ${run.errors[0].message}`);
              for (const out of run.outputs) {
                const bad = numbersIn(out.payload).filter((n) => !Number.isFinite(n));
                if (bad.length > 0) throw new Error(`sent ${bad.join(', ')} in ${JSON.stringify(out.payload)}`);
              }
            }),
            { runs: 15 },
          );
        },
        timeoutFor(60_000),
      );
    }
  },
);

describe('file-out', () => {
  it(
    'writes one JSON line per message it did not refuse',
    async () => {
      let run = 0;
      await checkProperty(
        'file-out: one line per message',
        fc.asyncProperty(stepsOf(anyMessage), async (steps) => {
          const name = `lines-${run++}.jsonl`;
          const file = path.join(files, name);
          const result = await checkNodeRun(core.fileOut, { path: name }, steps, files);
          const written = readFileSync(file, { encoding: 'utf8', flag: 'a+' }).split('\n').filter(Boolean);
          if (written.length !== steps.length - result.errors.length)
            throw new Error(`${written.length} lines for ${steps.length} messages and ${result.errors.length} errors`);
          for (const line of written) JSON.parse(line);
        }),
        { runs: 15 },
      );
    },
    timeoutFor(60_000),
  );
});

describe('catch', () => {
  it(
    "receives every error of the node it watches, with the error's plain words",
    async () => {
      await checkProperty(
        'catch: every error caught',
        fc.asyncProperty(stepsOf(anyMessage), async (steps) => {
          const f = await runFlow(
            {
              schemaVersion: 1,
              id: 'catching',
              nodes: [
                { id: 'avg', type: 'moving-average', typeVersion: 1, config: { window: { count: 2 } } },
                { id: 'catcher', type: 'catch', typeVersion: 1, config: { scope: ['avg'] } },
              ],
              edges: [],
            },
            { nodes: [core.movingAverage, core.catchNode] },
          );
          try {
            for (const step of steps) await withDeadline(f.inject('avg', step.msg), 10_000, 'a message');
            await withDeadline(f.idle(), 10_000, 'going idle');
            const errors = f.errors.filter((e) => e.nodeId === 'avg');
            const caught = f.outputs('catcher');
            if (caught.length !== errors.length) throw new Error(`${caught.length} caught of ${errors.length} errors`);
            for (const msg of caught) expectPlainWords(msg.error?.message, 'caught error');
            const status = f.statuses('catcher').at(-1);
            if (errors.length > 0) expectPlainWords(status?.text, 'catch status');
          } finally {
            await withDeadline(f.stop(), 10_000, 'stopping');
          }
        }),
        { runs: 15 },
      );
    },
    timeoutFor(60_000),
  );
});

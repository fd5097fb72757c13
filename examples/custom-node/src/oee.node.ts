import { defineNode, NodeError } from '@tagflow/node-sdk';
import type { Message } from '@tagflow/node-sdk';
import { oeeErrors } from './error-codes';
import { MACHINE_STATES, OeeWindow } from './oee-window';
import type { MachineState } from './oee-window';

/** Part counts as read from one message, before cumulative counters are turned into increments. */
interface CountReading {
  good: number;
  total: number;
}

export default defineNode({
  type: 'oee',
  version: 1,
  category: 'processor',
  description:
    'Overall Equipment Effectiveness (availability x performance x quality) of a machine over a sliding window.',
  docs: [
    'Overall Equipment Effectiveness of one machine over a sliding window: availability x performance',
    "x quality, from the machine's state and its part counts. Sends the figures at a fixed pace, for a",
    'dashboard, an MQTT topic or the historian.',
    '',
    '## What it takes',
    '',
    '`msg.payload` is one of:',
    '',
    '- a machine state: `"running"`, `"stopped"` (unplanned downtime) or `"idle"` (planned downtime: no',
    '  order, a break), in any letter case; or `true` / `false` for a running bit;',
    '- part counts: `{ "good": 12, "total": 13 }` (whole numbers, `good` ≤ `total`);',
    '- both: `{ "state": "running", "good": 12, "total": 13 }`.',
    '',
    'An event counts at `msg.timestamp` (when the source saw it), but never later than now, nor before',
    'the previous event.',
    '',
    '## What it sends, and when',
    '',
    'Every `emitEveryMs`, over the window `[now - windowSeconds, now)`:',
    '',
    '```json',
    '{',
    '  "payload": {',
    '    "availability": 0.9,',
    '    "performance": 0.85,',
    '    "quality": 0.98,',
    '    "oee": 0.7497,',
    '    "runSeconds": 810,',
    '    "plannedSeconds": 900,',
    '    "good": 451,',
    '    "total": 460',
    '  },',
    '  "topic": "line1/press/oee",',
    '  "timestamp": 1767226500000,',
    '  "quality": "good",',
    '  "windowStart": 1767225600000,',
    '  "windowEnd": 1767226500000',
    '}',
    '```',
    '',
    '| figure         | formula                                                                                                                                      |',
    '| -------------- | -------------------------------------------------------------------------------------------------------------------------------------------- |',
    '| `availability` | running time / (running + stopped time); idle time is left out                                                                               |',
    '| `performance`  | total parts x ideal cycle time / running time, capped at 1 (the status says when the cap applies: the ideal cycle time is then set too long) |',
    '| `quality`      | good parts / total parts                                                                                                                     |',
    '| `oee`          | availability x performance x quality                                                                                                         |',
    '',
    'A ratio whose denominator is 0 (nothing planned, nothing made) is 0. `msg.quality` is `uncertain`',
    'until the machine state has been known for a whole window (after a deploy, the first',
    '`windowSeconds` are not fully accounted for). The status shows the last figures, e.g.',
    '`OEE 74.9 % (A 90.0 %, P 85.0 %, Q 98.0 %)`.',
    '',
    '## When it fails',
    '',
    '| code         | when                                                                                                          |',
    '| ------------ | ------------------------------------------------------------------------------------------------------------- |',
    '| `OEE_STATE`  | a state that is not `running`, `stopped`, `idle`, `true` or `false`                                           |',
    '| `OEE_COUNTS` | counts that are not whole numbers ≥ 0, or more good parts than total                                          |',
    '| `OEE_INPUT`  | a payload that is neither a state nor counts (a number, `null`, an object without `state`, `good` or `total`) |',
    '',
    'The message is left out; the node carries on.',
    '',
    '## Example',
    '',
    'OEE of a press with a 2.4 s ideal cycle, over the last 15 minutes, once a minute:',
    '',
    '```json',
    '{',
    '  "id": "press-oee",',
    '  "type": "oee",',
    '  "typeVersion": 1,',
    '  "config": { "idealCycleTimeSeconds": 2.4, "windowSeconds": 900, "emitEveryMs": 60000, "topic": "line1/press/oee" }',
    '}',
    '```',
    '',
    'Feed it the press\'s running bit (`{ "payload": true }`) and its counters',
    '(`{ "payload": { "good": 451, "total": 460 } }`), e.g. from `modbus-read` or `mqtt-in`.',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out'],
  errors: oeeErrors.pick('OEE_INPUT', 'OEE_STATE', 'OEE_COUNTS'),
  configSchema: {
    type: 'object',
    properties: {
      idealCycleTimeSeconds: {
        type: 'number',
        description:
          'Fastest possible time to make one part, in seconds (the rated speed): performance compares the parts made with it.',
        exclusiveMinimum: 0,
        'x-ui': { label: 'Ideal cycle time', unit: 's' },
      },
      windowSeconds: {
        type: 'number',
        description:
          'Length of the sliding window the figures are computed over, in seconds (900 = the last 15 minutes).',
        default: 900,
        minimum: 1,
        'x-ui': { label: 'Window', unit: 's' },
      },
      emitEveryMs: {
        type: 'integer',
        description: 'How often the figures are sent, in milliseconds.',
        default: 10000,
        minimum: 100,
        'x-ui': { label: 'Send every', unit: 'ms' },
      },
      counters: {
        description:
          'increments: each message carries the parts made since the previous one. cumulative: the machine counters (totals since a reset); the node takes the differences, and a counter that goes down is taken as reset to 0.',
        default: 'increments',
        enum: ['increments', 'cumulative'],
        'x-ui': {
          label: 'Counts are',
          enumLabels: { increments: 'parts since the last message', cumulative: 'running totals of the machine' },
        },
      },
      topic: {
        type: 'string',
        description: 'msg.topic of the messages sent, e.g. line1/press/oee. Empty: no topic.',
        'x-ui': { label: 'Output topic' },
      },
    },
    required: ['idealCycleTimeSeconds'],
    additionalProperties: false,
  },

  create(ctx) {
    const { idealCycleTimeSeconds, windowSeconds, emitEveryMs, counters, topic } = ctx.config;
    const windowMs = windowSeconds * 1000;
    const idealCycleMs = idealCycleTimeSeconds * 1000;
    const window = new OeeWindow(windowMs);
    let previousReading: CountReading | undefined;
    let lastEventAt = ctx.clock.now();

    // Events are placed at the source's timestamp, but never in the future nor before the previous
    // event, so the window's history stays ordered whatever the sources' clocks say.
    const eventTime = (msg: Message): number => {
      const now = ctx.clock.now();
      const at = Number.isFinite(msg.timestamp) ? Math.min(msg.timestamp, now) : now;
      lastEventAt = Math.max(lastEventAt, at);
      return lastEventAt;
    };

    const countIncrement = (reading: CountReading): CountReading => {
      if (counters === 'increments') return reading;
      const previous = previousReading;
      previousReading = reading;
      if (previous === undefined) return { good: 0, total: 0 };
      if (reading.total < previous.total || reading.good < previous.good) {
        ctx.log.info('a counter went down: taken as reset to 0', { previous, reading });
        return reading;
      }
      return { good: reading.good - previous.good, total: reading.total - previous.total };
    };

    const emit = (): void => {
      const now = ctx.clock.now();
      const figures = window.figures(now, idealCycleMs);
      const full = window.isFull(now);
      ctx.send({
        payload: figures,
        ...(topic ? { topic } : {}),
        timestamp: now,
        quality: full ? 'good' : 'uncertain',
        windowStart: now - windowMs,
        windowEnd: now,
      });
      const overspeed = figures.runSeconds > 0 && figures.total * idealCycleTimeSeconds > figures.runSeconds;
      const text = `OEE ${percent(figures.oee)} (A ${percent(figures.availability)}, P ${percent(figures.performance)}, Q ${percent(figures.quality)})`;
      ctx.status({
        state: full ? 'ok' : 'idle',
        text: overspeed
          ? `${text}; more parts than the ideal cycle time allows: check idealCycleTimeSeconds`
          : full
            ? text
            : `${text}, window not full yet`,
      });
    };

    return {
      start() {
        ctx.clock.setInterval(emit, emitEveryMs);
      },

      onMessage(msg) {
        const { state, counts } = readInput(msg.payload);
        const at = eventTime(msg);
        if (state !== undefined) window.setState(state, at);
        if (counts !== undefined) {
          const increment = countIncrement(counts);
          window.addCount(increment.good, increment.total, at);
        }
      },
    };
  },
});

/** Reads a state and/or part counts from a payload; throws a NodeError naming what is wrong. */
function readInput(payload: unknown): { state?: MachineState; counts?: CountReading } {
  if (typeof payload === 'string' || typeof payload === 'boolean') return { state: readState(payload) };
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new NodeError(
      oeeErrors.code.OEE_INPUT,
      `expected a machine state or {good, total} counts, got ${describe(payload)}`,
    );
  }
  const fields = payload as Record<string, unknown>;
  const hasState = 'state' in fields;
  const hasCounts = 'good' in fields || 'total' in fields;
  if (!hasState && !hasCounts)
    throw new NodeError(oeeErrors.code.OEE_INPUT, `expected {state} or {good, total}, got ${describe(payload)}`);
  return {
    state: hasState ? readState(fields.state) : undefined,
    counts: hasCounts ? readCounts(fields.good, fields.total) : undefined,
  };
}

function readState(value: unknown): MachineState {
  if (value === true) return 'running';
  if (value === false) return 'stopped';
  const state = typeof value === 'string' ? value.trim().toLowerCase() : value;
  if (!MACHINE_STATES.includes(state as MachineState)) {
    throw new NodeError(
      oeeErrors.code.OEE_STATE,
      `unknown machine state ${describe(value)}: expected ${MACHINE_STATES.join(', ')} (or true/false)`,
    );
  }
  return state as MachineState;
}

function readCounts(good: unknown, total: unknown): CountReading {
  if (!isCount(good) || !isCount(total)) {
    throw new NodeError(
      oeeErrors.code.OEE_COUNTS,
      `counts must be whole numbers >= 0, got good ${describe(good)} and total ${describe(total)}`,
    );
  }
  if (good > total) throw new NodeError(oeeErrors.code.OEE_COUNTS, `good (${good}) cannot exceed total (${total})`);
  return { good, total };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)} %`;
}

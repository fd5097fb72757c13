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
    'Overall Equipment Effectiveness (availability x performance x quality) of a machine over a sliding window',
  docs: [
    'Takes the machine state (`running`, `stopped`, `idle`; or `true`/`false` for a running bit) and part',
    'counts (`{good, total}`) from `msg.payload`, and sends, every `emitEveryMs`, the OEE over the last',
    '`windowSeconds`: availability = running / (running + stopped) time (`idle` is planned downtime),',
    'performance = total x ideal cycle time / running time (capped at 1), quality = good / total,',
    'oee = their product. A ratio is 0 when its denominator is 0. The result has quality `uncertain`',
    'until the machine state is known for a whole window. Malformed input is a NodeError.',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out'],
  errors: oeeErrors.pick('OEE_INPUT', 'OEE_STATE', 'OEE_COUNTS'),
  configSchema: {
    type: 'object',
    properties: {
      idealCycleTimeSeconds: {
        type: 'number',
        exclusiveMinimum: 0,
        description:
          'Fastest possible time to make one part, in seconds (the rated speed): performance compares the parts made with it.',
        'x-ui': { label: 'Ideal cycle time', unit: 's' },
      },
      windowSeconds: {
        type: 'number',
        minimum: 1,
        default: 900,
        description:
          'Length of the sliding window the figures are computed over, in seconds (900 = the last 15 minutes).',
        'x-ui': { label: 'Window', unit: 's' },
      },
      emitEveryMs: {
        type: 'integer',
        minimum: 100,
        default: 10000,
        description: 'How often the figures are sent, in milliseconds.',
        'x-ui': { label: 'Send every', unit: 'ms' },
      },
      counters: {
        enum: ['increments', 'cumulative'],
        default: 'increments',
        description:
          'increments: each message carries the parts made since the previous one. cumulative: the machine counters (totals since a reset); the node takes the differences, and a counter that goes down is taken as reset to 0.',
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

import { defineNode, deriveMessage, refuseConfig } from '@tagflow/node-sdk';
import type { ConfigProblem } from '@tagflow/node-sdk';
import type { Message } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';
import { persistProperty, persistedState } from './lib/persisted-state';
import { readNumber } from './lib/numeric-payload';

/** Which alarm an event or a sample is about. */
type AlarmKind = 'high' | 'low';

/** The payload of an alarm event sent on `out`. */
interface AlarmEvent {
  alarm: AlarmKind;
  state: 'raised' | 'cleared';
  /** The value that raised or cleared the alarm. */
  value: number;
  /** The configured limit of this alarm (`above` or `below`), also on clear. */
  limit: number;
}

export default defineNode({
  type: 'threshold',
  version: 1,
  category: 'processor',
  description: 'Raises and clears a high and/or low alarm when a value crosses its limits, with hysteresis.',
  docs: [
    'Raises an alarm when a value goes above a high limit or below a low limit, and clears it when',
    'the value comes back, with hysteresis so a value hovering at the limit does not flap. Sends',
    'events only when an alarm changes, not for every value.',
    '',
    '`passThrough`).',
    '',
    'At least one of `above` and `below` is required. With both, `below` must be at most',
    '`above - hysteresis`, so the two alarms can never be active at the same time; otherwise the',
    'deploy is refused (`INVALID_LIMITS`, e.g. "the low limit (48) must be at most the high limit',
    'minus the hysteresis (50 - 5 = 45)").',
    '',
    '## The rule',
    '',
    '| alarm | raised when     | cleared when                 |',
    '| ----- | --------------- | ---------------------------- |',
    '| high  | value > `above` | value < `above - hysteresis` |',
    '| low   | value < `below` | value > `below + hysteresis` |',
    '',
    'Comparisons are strict: with no hysteresis, a value exactly equal to the limit neither raises',
    'nor clears. Both alarms start cleared when the flow starts. When one value jumps from one alarm',
    'to the other (e.g. from above `above` to below `below`), the clear is sent before the raise.',
    '',
    'Quality:',
    '',
    "- `good` and `uncertain` values are evaluated; the event carries the value's quality.",
    '- `bad` values (failed reads) neither raise nor clear an alarm: they say nothing about the',
    '  process. Their payload need not be a number.',
    '',
    '## What it sends, and when',
    '',
    'On `out`, one message each time an alarm is raised or cleared:',
    '',
    '```json',
    '{',
    '  "payload": { "alarm": "high", "state": "raised", "value": 43.1, "limit": 42.5 },',
    '  "topic": "pump3/flow",',
    '  "timestamp": 1767225612000,',
    '  "quality": "good"',
    '}',
    '```',
    '',
    '- `payload.alarm`: `"high"` or `"low"`; `payload.state`: `"raised"` or `"cleared"`.',
    '- `payload.value`: the value that raised or cleared it; `payload.limit`: the configured limit of',
    '  that alarm (`above` or `below`; also on clear, which happens at the limit ∓ hysteresis).',
    '- `topic`, `timestamp`, `quality` and other fields: those of the value that caused the event.',
    '',
    'On `samples`, only with `passThrough: true`: every message received (including `bad` ones),',
    'unchanged, plus `alarm`: the alarm active after this value, `"high"`, `"low"` or `null`:',
    '',
    '```json',
    '{ "payload": 43.1, "alarm": "high", "topic": "pump3/flow", "timestamp": 1767225612000, "quality": "good" }',
    '```',
    '',
    'Alarm events always go to `out`, so an alerting branch wired to `out` never sees ordinary values.',
    '',
    'A `good` or `uncertain` message whose `payload` is not a finite number is an error',
    '`NOT_A_NUMBER`; the alarm state does not change and nothing is sent.',
    '',
    'The node keeps one alarm state: feed it one tag (use one threshold node per tag).',
    '',
    "With `persist: true` the alarm state is kept in the node's context and restored when the node",
    'starts again with the same config (a restart, a redeploy that changed another node): an alarm',
    'raised before is not raised a second time, and its clear is sent when the value comes back.',
    'Without it every start is `normal`.',
    '',
    '## Status',
    '',
    '`normal`, `alarm HIGH (above 42.5)` or `alarm LOW (below 5)`.',
    '',
    '## Example',
    '',
    'High-flow alarm at 42.5 m³/h, cleared under 41.5:',
    '',
    '```json',
    '{ "id": "high-flow", "type": "threshold", "typeVersion": 1, "config": { "above": 42.5, "hysteresis": 1.0 } }',
    '```',
    '',
    'Values 40, 42.6, 42.0, 43, 41.4 send two events: raised at 42.6, cleared at 41.4.',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out', 'samples'],
  errors: coreErrors.pick('INVALID_LIMITS', 'NOT_A_NUMBER', 'CONTEXT_VALUE', 'CONTEXT_FULL'),
  configSchema: {
    type: 'object',
    anyOf: [
      { title: 'a high limit (above)', required: ['above'] },
      { title: 'a low limit (below)', required: ['below'] },
    ],
    properties: {
      above: {
        type: 'number',
        description:
          'High limit: the high alarm is raised when a value is greater than this. Leave empty for no high alarm.',
        'x-ui': { label: 'High limit' },
      },
      below: {
        type: 'number',
        description: 'Low limit: the low alarm is raised when a value is less than this. Leave empty for no low alarm.',
        'x-ui': { label: 'Low limit' },
      },
      hysteresis: {
        type: 'number',
        description:
          'How far back past the limit a value must go to clear the alarm, so a value hovering around the limit does not raise and clear it over and over.',
        default: 0,
        minimum: 0,
        'x-ui': { label: 'Hysteresis' },
      },
      passThrough: {
        type: 'boolean',
        description: 'Also send every value on the "samples" output, marked with the active alarm.',
        default: false,
        'x-ui': { label: 'Pass values through' },
      },
      persist: persistProperty,
    },
    additionalProperties: false,
  },

  check: limitProblems,

  create(ctx) {
    const { above, below, hysteresis, passThrough } = ctx.config;
    refuseConfig(limitProblems(ctx.config));
    const persisted = persistedState<{ high: boolean; low: boolean }>(ctx);
    // With persist, an alarm raised before a restart stays raised: it is not raised twice, and its clear is sent.
    let high = persisted.restored?.high === true;
    let low = persisted.restored?.low === true;

    const active = (): AlarmKind | null => (high ? 'high' : low ? 'low' : null);
    const showStatus = (): void => {
      if (high) ctx.status({ state: 'ok', text: `alarm HIGH (above ${above})` });
      else if (low) ctx.status({ state: 'ok', text: `alarm LOW (below ${below})` });
      else ctx.status({ state: 'ok', text: 'normal' });
    };
    const event = (msg: Message, payload: AlarmEvent): void => {
      ctx.send({ ...msg, payload });
    };

    return {
      start() {
        showStatus();
      },

      onMessage(msg) {
        // A failed read says nothing about the process: it must not raise or clear an alarm.
        if (msg.quality !== 'bad') {
          const value = readNumber(msg);
          const wasHigh = high;
          const wasLow = low;
          // Clears first, so a jump from one alarm to the other reports the clear before the raise.
          if (high && above !== undefined && value < above - hysteresis) {
            high = false;
            event(msg, { alarm: 'high', state: 'cleared', value, limit: above });
          }
          if (low && below !== undefined && value > below + hysteresis) {
            low = false;
            event(msg, { alarm: 'low', state: 'cleared', value, limit: below });
          }
          if (!high && above !== undefined && value > above) {
            high = true;
            event(msg, { alarm: 'high', state: 'raised', value, limit: above });
          }
          if (!low && below !== undefined && value < below) {
            low = true;
            event(msg, { alarm: 'low', state: 'raised', value, limit: below });
          }
          if (high !== wasHigh || low !== wasLow) {
            showStatus();
            persisted.save({ high, low });
          }
        }
        if (passThrough) ctx.send(deriveMessage(msg, { alarm: active() }), 'samples');
      },
    };
  },
});

/** Limits that overlap once the hysteresis is counted would let both alarms be on at once. */
function limitProblems({
  above,
  below,
  hysteresis,
}: {
  above?: number;
  below?: number;
  hysteresis: number;
}): ConfigProblem[] {
  if (above === undefined || below === undefined || below <= above - hysteresis) return [];
  return [
    {
      path: '/below',
      message: `the low limit (${below}) must be at most the high limit minus the hysteresis (${above} - ${hysteresis} = ${above - hysteresis}), so both alarms cannot be active at once`,
      code: coreErrors.code.INVALID_LIMITS,
    },
  ];
}

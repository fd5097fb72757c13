import { defineNode, deriveMessage, NodeError } from '@tagflow/node-sdk';
import type { Message } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';
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
  description: 'Raises and clears a high and/or low alarm when a value crosses its limits, with hysteresis',
  docs: [
    'Watches the number in `msg.payload` and sends an alarm event on `out` only when an alarm changes:',
    '`{ alarm: "high" | "low", state: "raised" | "cleared", value, limit }`, with the topic, timestamp',
    'and quality of the value that caused it. A high alarm is raised when the value goes above `above`',
    'and cleared when it drops below `above - hysteresis`; the low alarm mirrors it. Values of `bad`',
    'quality neither raise nor clear alarms. With `passThrough` every value is also sent on `samples`,',
    'with `msg.alarm` set to the active alarm (`"high"`, `"low"` or `null`).',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out', 'samples'],
  errors: coreErrors.pick('INVALID_LIMITS', 'NOT_A_NUMBER'),
  configSchema: {
    type: 'object',
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
        minimum: 0,
        default: 0,
        description:
          'How far back past the limit a value must go to clear the alarm, so a value hovering around the limit does not raise and clear it over and over.',
        'x-ui': { label: 'Hysteresis' },
      },
      passThrough: {
        type: 'boolean',
        default: false,
        description: 'Also send every value on the "samples" output, marked with the active alarm.',
        'x-ui': { label: 'Pass values through' },
      },
    },
    anyOf: [
      { title: 'a high limit (above)', required: ['above'] },
      { title: 'a low limit (below)', required: ['below'] },
    ],
    additionalProperties: false,
  },

  create(ctx) {
    const { above, below, hysteresis, passThrough } = ctx.config;
    if (above !== undefined && below !== undefined && below > above - hysteresis) {
      throw new NodeError(
        coreErrors.code.INVALID_LIMITS,
        `the low limit (${below}) must be at most the high limit minus the hysteresis (${above} - ${hysteresis} = ${above - hysteresis}), so both alarms cannot be active at once`,
        { above, below, hysteresis },
      );
    }
    let high = false;
    let low = false;

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
          if (high !== wasHigh || low !== wasLow) showStatus();
        }
        if (passThrough) ctx.send(deriveMessage(msg, { alarm: active() }), 'samples');
      },
    };
  },
});

import { defineNode } from '@tagflow/node-sdk';
import type { Message, Quality } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';
import { numberOrUndefined, readNumber } from './lib/numeric-payload';

/** What was last let through for one topic. */
interface Passed {
  /** Undefined after a bad-quality message that carried no number. */
  value: number | undefined;
  quality: Quality;
  timestamp: number;
}

export default defineNode({
  type: 'deadband',
  version: 1,
  category: 'processor',
  description: 'Report by exception: passes a value only when it moved more than a band since the last one passed.',
  docs: [
    'Report by exception: passes a value only when it has moved far enough since the last value it',
    'passed, so a slowly changing or noisy signal does not flood a broker or a historian. Several tags',
    'can go through one node: each `msg.topic` has its own deadband.',
    '',
    'With the default band of 0 every change passes and repeated values are dropped.',
    '',
    '## The rule',
    '',
    'For each message, per `msg.topic` (messages without a topic share one state), it passes when:',
    '',
    '1. it is the first message of that topic, or',
    '2. its `quality` differs from the last message passed (a read going `bad`, or coming back',
    '   `good`, is always reported), or',
    '3. `maxSilenceSeconds` is set and `msg.timestamp - last passed timestamp >= maxSilenceSeconds`',
    "   (judged on the messages' timestamps, source time; nothing is sent without an incoming",
    '   message), or',
    '4. `|value - last passed value| > limit`, where `limit` is `band` (absolute) or',
    '   `|last passed value| * band / 100` (percent). In percent mode, after a passed 0 any change',
    '   passes.',
    '',
    'Otherwise it is dropped. Dropped messages do not move the reference: the comparison is always',
    'with the last value **passed**, so a slow drift passes once it adds up to more than the band.',
    '',
    'Quality: a `bad` message may carry no number (`null`, text): it is compared as "no value" (it',
    'passes on a quality change, a heartbeat, or when the previous passed message had a number).',
    'A `good` or `uncertain` message whose payload is not a finite number is an error',
    '`NOT_A_NUMBER`; it is not passed and the state does not change.',
    '',
    '## What it sends, and when',
    '',
    'The message received, unchanged (same payload, topic, timestamp, quality and other fields), when',
    'it passes; nothing otherwise:',
    '',
    '```json',
    '{ "payload": 42.9, "topic": "pump3/flow", "timestamp": 1767225612000, "quality": "good" }',
    '```',
    '',
    '## Status',
    '',
    'The number of tags seen, e.g. `3 tags` (updated when a new topic arrives).',
    '',
    'The node remembers the last passed value of every topic it has seen, for as long as the flow',
    'runs.',
    '',
    '## Example',
    '',
    'Publish a temperature only when it moved more than 0.5 °C, and at least once a minute:',
    '',
    '```json',
    '{ "id": "rbe", "type": "deadband", "typeVersion": 1, "config": { "band": 0.5, "maxSilenceSeconds": 60 } }',
    '```',
    '',
    'Values 20.0, 20.3, 20.6, 20.4, 21.2 pass 20.0, 20.6 and 21.2.',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out'],
  errors: coreErrors.pick('NOT_A_NUMBER'),
  configSchema: {
    type: 'object',
    properties: {
      mode: {
        description: 'Band in the units of the value, or in percent of the last value passed.',
        default: 'absolute',
        enum: ['absolute', 'percent'],
        'x-ui': {
          label: 'Band type',
          enumLabels: { absolute: 'absolute (value units)', percent: '% of last value passed' },
        },
      },
      band: {
        type: 'number',
        description:
          'A value passes when it differs from the last value passed by more than this. 0 passes every change and drops repeats.',
        default: 0,
        minimum: 0,
        'x-ui': { label: 'Band' },
      },
      maxSilenceSeconds: {
        type: 'number',
        description:
          'Heartbeat: pass a value anyway when nothing passed for this many seconds (judged on message timestamps). Leave empty for none.',
        exclusiveMinimum: 0,
        'x-ui': { label: 'Pass at least every', unit: 's' },
      },
    },
    additionalProperties: false,
  },

  create(ctx) {
    const { mode, band, maxSilenceSeconds } = ctx.config;
    const silenceMs = maxSilenceSeconds === undefined ? undefined : maxSilenceSeconds * 1000;
    // One deadband per tag, so several tags can share one node without masking each other.
    const lastByTopic = new Map<string | undefined, Passed>();

    const differs = (value: number | undefined, last: number | undefined): boolean => {
      if (value === undefined || last === undefined) return value !== last;
      const limit = mode === 'percent' ? (Math.abs(last) * band) / 100 : band;
      return Math.abs(value - last) > limit;
    };

    const passes = (msg: Message, value: number | undefined, last: Passed | undefined): boolean => {
      if (!last) return true;
      if (msg.quality !== last.quality) return true;
      if (silenceMs !== undefined && msg.timestamp - last.timestamp >= silenceMs) return true;
      return differs(value, last.value);
    };

    return {
      onMessage(msg) {
        // A failed read may carry no value; its quality change must still get through.
        const value = msg.quality === 'bad' ? numberOrUndefined(msg) : readNumber(msg);
        const last = lastByTopic.get(msg.topic);
        if (!passes(msg, value, last)) return;
        if (!last) ctx.status({ state: 'ok', text: `${lastByTopic.size + 1} tag${lastByTopic.size === 0 ? '' : 's'}` });
        lastByTopic.set(msg.topic, { value, quality: msg.quality, timestamp: msg.timestamp });
        ctx.send(msg);
      },
    };
  },
});

import { defineNode, NodeError, problemsFrom } from '@tagflow/node-sdk';
import type { Message, Quality } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';
import { getPath, parsePath, PathError } from './lib/message-path';
import type { PathSegment } from './lib/message-path';
import { readNumberAt } from './lib/numeric-payload';
import { persistProperty, persistedState } from './lib/persisted-state';

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
    'For each message, per `msg.topic` (messages without a topic share one state; with',
    '`perTopic: false` all share one), it passes when:',
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
    'With `compareWith: "received"` the reference is the last value received instead: only a step',
    'larger than the band passes, a slow drift never does.',
    '',
    '## Variants',
    '',
    '- `inclusive: true`: a change of exactly `band` counts as moved (it passes).',
    '- `filter: "narrowband"` turns the rule round: a value passes only when it is **within** the band',
    '  of the reference (rule 4 reversed; with `inclusive`, exactly `band` away is dropped), so',
    '  outliers are dropped. Rules 1 to 3 still pass a message.',
    '- `startValue`: the reference before the first message of each topic, so the first value is',
    '  judged by rule 4 instead of passing (narrowband around an expected value: start 500, band 10',
    '  drops a first reading of 0).',
    '- `ignoreFirst: true`: the first value of each topic only sets the reference (Node-RED\'s "block',
    '  unless value changes (ignore initial value)").',
    '- `compare: "any"`: report by exception for any value, not only numbers: a text, `true`/`false`,',
    '  a list or an object passes when it differs from the last one passed (objects and lists by',
    '  content); `band`, `mode` and `filter` do not apply. A message without the property is not',
    '  passed.',
    '- `property`: compare another property than `payload` (`payload.temperature`); the whole',
    '  message is passed.',
    "- A message with a `reset` field (any value) first forgets its topic's reference (all of them",
    '  when it has no topic or with `perTopic: false`), then is handled as usual: it passes as a',
    '  first value.',
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
    "runs; with `persist: true` also across restarts and redeploys (kept in the node's context, and",
    'only while the config stays the same).',
    '',
    '## Differences from Node-RED',
    '',
    "Node-RED's rbe tests pass here, except these, on purpose:",
    '',
    '- Numeric text (`"12.5 kg"`) is `NOT_A_NUMBER`, not read as 12.5: a wrong upstream type shows',
    '  up instead of being guessed.',
    '- The band is a number in `band` with `mode: "percent"`, not a text ending in `%`.',
    '- A quality change always passes, and `maxSilenceSeconds` adds a heartbeat: Node-RED messages',
    '  have no quality.',
    '- The topic is always `msg.topic` (Node-RED can name another property).',
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
  errors: coreErrors.pick('NOT_A_NUMBER', 'INVALID_PROPERTY', 'CONTEXT_VALUE', 'CONTEXT_FULL'),
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
      compare: {
        description:
          'numbers: compare numbers with the band. any: pass any value (text, true/false, object) that differs from the last one passed, comparing objects and lists by content; band and filter do not apply.',
        default: 'numbers',
        enum: ['numbers', 'any'],
        'x-ui': { label: 'Values', enumLabels: { numbers: 'numbers, with a band', any: 'any value: pass changes' } },
      },
      filter: {
        description:
          'deadband: pass values that moved away by more than the band. narrowband: pass only values within the band, dropping outliers.',
        default: 'deadband',
        enum: ['deadband', 'narrowband'],
        'x-ui': {
          label: 'Pass',
          enumLabels: { deadband: 'values that moved beyond the band', narrowband: 'values within the band' },
        },
      },
      inclusive: {
        type: 'boolean',
        description:
          'A change of exactly the band counts as moved: deadband passes it, narrowband drops it (Node-RED: the "greater or equal" variants).',
        default: false,
        'x-ui': { label: 'Exactly the band counts as moved' },
      },
      compareWith: {
        description:
          'passed: compare with the last value passed (a slow drift adds up). received: with the last value received (only steps count).',
        default: 'passed',
        enum: ['passed', 'received'],
        'x-ui': {
          label: 'Compare with',
          enumLabels: { passed: 'the last value passed', received: 'the last value received' },
        },
      },
      startValue: {
        type: 'number',
        description:
          'The reference before the first value of each topic, so the first value is judged too (e.g. narrowband around an expected value). Leave empty: the first value passes.',
        'x-ui': { label: 'Start value' },
      },
      ignoreFirst: {
        type: 'boolean',
        description: 'The first value of each topic sets the reference and is not passed.',
        default: false,
        'x-ui': { label: 'Ignore the first value' },
      },
      property: {
        type: 'string',
        description: 'The message property compared, as a path: payload, payload.temperature.',
        default: 'payload',
        'x-ui': { label: 'Property' },
      },
      perTopic: {
        type: 'boolean',
        description: 'Keep a separate reference for each msg.topic. Off: one reference for all messages.',
        default: true,
        'x-ui': { label: 'Separate per topic' },
      },
      persist: persistProperty,
    },
    additionalProperties: false,
  },

  check: (config) => problemsFrom('/property', () => propertyPath(config.property)),

  create(ctx) {
    const {
      mode,
      band,
      maxSilenceSeconds,
      compare,
      filter,
      inclusive,
      compareWith,
      startValue,
      ignoreFirst,
      perTopic,
    } = ctx.config;
    const path = propertyPath(ctx.config.property);
    const silenceMs = maxSilenceSeconds === undefined ? undefined : maxSilenceSeconds * 1000;
    const persisted = persistedState<Array<[string | null, Reference]>>(ctx);
    // One deadband per tag, so several tags can share one node without masking each other.
    const byTopic = new Map<string | null, Reference>(persisted.restored ?? []);
    const showTags = () => ctx.status({ state: 'ok', text: `${byTopic.size} tag${byTopic.size === 1 ? '' : 's'}` });
    if (byTopic.size > 0) showTags();

    /** Whether `value` moved away from `reference` by the band (or, with inclusive, by exactly it). */
    const moved = (value: unknown, reference: unknown): boolean => {
      if (compare === 'any') return !sameContent(value, reference);
      if (typeof value !== 'number' || typeof reference !== 'number') return value !== reference;
      const limit = mode === 'percent' ? (Math.abs(reference) * band) / 100 : band;
      const distance = Math.abs(value - reference);
      return inclusive ? distance >= limit : distance > limit;
    };

    const passes = (msg: Message, value: unknown, ref: Reference): boolean => {
      if (msg.quality !== ref.quality) return true;
      if (silenceMs !== undefined && ref.passedAt !== undefined && msg.timestamp - ref.passedAt >= silenceMs)
        return true;
      if (compare === 'any') return moved(value, ref.value);
      // "No value" (a bad read) against a number, or the reverse, is always a change worth passing.
      if (typeof value !== typeof ref.value) return true;
      return filter === 'narrowband' ? !moved(value, ref.value) : moved(value, ref.value);
    };

    const topicOf = (msg: Message): string | null => (perTopic && typeof msg.topic === 'string' ? msg.topic : null);

    return {
      onMessage(msg) {
        // Node-RED's reset: forget the message's topic (or every topic), then handle it as usual.
        if (msg.reset !== undefined) {
          const topic = topicOf(msg);
          if (topic !== null && topic !== '') byTopic.delete(topic);
          else byTopic.clear();
          persisted.save([...byTopic]);
        }
        const raw = getPath(msg, path);
        let value: unknown;
        if (compare === 'any') {
          // As Node-RED's rbe: a message without the property is not compared and not passed.
          if (raw === undefined) return;
          value = raw;
        } else {
          // A failed read may carry no value; its quality change must still get through.
          value = msg.quality === 'bad' ? finiteOrUndefined(raw) : readNumberAt(raw, ctx.config.property, msg);
        }
        const topic = topicOf(msg);
        const stored = byTopic.get(topic);
        const known = byTopic.size;
        const ref =
          stored ??
          (startValue !== undefined && compare === 'numbers' ? { value: startValue, quality: msg.quality } : undefined);
        const pass = ref === undefined ? !ignoreFirst : passes(msg, value, ref);
        let next: Reference | undefined;
        if (pass || compareWith === 'received' || ref === undefined)
          next = { value: copy(value), quality: msg.quality, passedAt: pass ? msg.timestamp : ref?.passedAt };
        // The start value stays the reference until a value passes.
        else if (stored === undefined) next = ref;
        if (next !== undefined) {
          byTopic.set(topic, next);
          persisted.save([...byTopic]);
        }
        if (byTopic.size !== known) showTags();
        if (pass) ctx.send(msg);
      },
    };
  },
});

/** The value a topic's next message is compared with. */
interface Reference {
  /** Undefined after a bad-quality message that carried no number. */
  value: unknown;
  quality: Quality;
  /** Timestamp of the last message passed, for the heartbeat; undefined before any. */
  passedAt?: number;
}

function propertyPath(property: string): PathSegment[] {
  try {
    return parsePath(property);
  } catch (err) {
    if (err instanceof PathError)
      throw new NodeError(coreErrors.code.INVALID_PROPERTY, `Property: ${err.message}`, { property });
    throw err;
  }
}

function finiteOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A JSON copy: the reference must not change if the sender changes its object later. */
function copy(value: unknown): unknown {
  return value !== null && typeof value === 'object' && !Buffer.isBuffer(value)
    ? (JSON.parse(JSON.stringify(value)) as unknown)
    : value;
}

/** Equal values, lists item by item, objects key by key in any order (as Node-RED compares them). */
function sameContent(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return (
    keysA.length === keysB.length &&
    keysA.every(
      (k) => Object.hasOwn(b, k) && sameContent((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
}

import { defineNode, problemsFrom, worstQuality } from '@tagflow/node-sdk';
import type { Message, Quality, Timer } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';
import { getPath, parsePath, PathError, setPath } from './lib/message-path';
import type { PathSegment } from './lib/message-path';
import { partsOf } from './lib/message-parts';
import type { MessageParts } from './lib/message-parts';
import { configPropertyPath } from './lib/property-path';

type Build = 'array' | 'object' | 'merged' | 'string' | 'buffer';

/** One sequence being put together. */
interface Group {
  build: Build;
  /** Values by index (array, string, buffer), in arrival order when the parts have no index. */
  items: unknown[];
  /** Key/value (object) or merged properties (merged). */
  fields: Record<string, unknown>;
  /** Quality of each key (object), for `qualities`. */
  keyQualities: Record<string, Quality>;
  count: number;
  /** How many parts make it whole; 0: only msg.complete or the timeout ends it. */
  target: number;
  /** Every message received, merged: the fields of the message sent (the latest win). */
  base: Message;
  quality: Quality;
  /** Where the result goes. */
  path: PathSegment[];
  joiner: string;
  /** Auto mode, a list split into lists: the pieces are concatenated. */
  flatten: boolean;
  timer: Timer | undefined;
}

const PAYLOAD: PathSegment[] = ['payload'];
/** The `parts.type` values automatic mode rebuilds; any other is joined as a list. */
const BUILDS = new Set<string>(['array', 'object', 'string', 'buffer']);
/** Fields every tagflow message has, not counted as keys when whole messages are merged. */
const ENVELOPE = ['timestamp', 'quality'];

export default defineNode({
  type: 'join',
  version: 1,
  category: 'processor',
  description: 'Joins a sequence of messages into one: back as split made it, or into a list, object or text.',
  docs: [
    "Joins a sequence of messages into one message, like Node-RED's join node (automatic and manual",
    'modes; its reduce mode is not supported: use `aggregate` or a `function`).',
    '',
    '## What it sends, and when',
    '',
    '**Automatic** (`mode: "auto"`): undoes a `split`. Messages are grouped by `msg.parts.id`; when',
    'all `parts.count` parts of a group are in (in any order: `parts.index` places them), it sends',
    'one message with the value rebuilt at `parts.property` (default `payload`): a list (lists of',
    'several items are concatenated), a text or Buffer joined with `parts.ch`, or an object from',
    '`parts.key`. A message without `msg.parts` cannot be placed: it is dropped and counted.',
    '',
    '**Manual** (`mode: "manual"`): collects `property` (or the whole message, with',
    '`wholeMessage`) of each message into:',
    '',
    '- `array`: a list, in arrival order;',
    '- `object`: a key/value object, the key read from `keyProperty` (default `topic`); a message',
    '  without a key is dropped and counted;',
    '- `merged`: one object merging the properties of every value (objects only; others dropped);',
    '  `count` then counts its keys, as in Node-RED (of whole messages: not `timestamp`, `quality`);',
    '- `string`: a text, the values joined with `joiner`;',
    '- `buffer`: a Buffer, the values (Buffers or texts) joined with `joiner`.',
    '',
    'It sends when `count` values are in (0: no count; a message with `msg.parts` then gives the',
    'count and group, as in Node-RED), when `timeoutMs` has passed since the first value (0: no',
    'timeout; `msg.restartTimeout` starts it again), or when a message with `msg.complete` arrives',
    '(its value is added first, when it has one). For `object` and `merged`, `accumulate` keeps',
    'the result after sending and sends it again for each message that follows, until',
    '`msg.complete`.',
    '',
    'In both modes the message sent has the fields of the messages of the group merged (the latest',
    'win) with the result in place, `msg.parts` restored to what it was before the split (or',
    'removed), and `msg.complete` removed. Its `quality` is the worst of the group; an `object`',
    'result carries the quality of each key in `qualities` when they differ.',
    '',
    '`msg.reset` drops the group in progress (in automatic mode, a reset without `msg.parts` drops',
    'every group), without sending it. At most `maxParts` values are held: past it the oldest group',
    'is dropped. Dropped messages are counted by the runtime in the status (`N dropped`) and in',
    '/metrics (`tagflow_messages_dropped_total`, `reason="full"` or `"unplaceable"`); when the node',
    'stops, groups in progress are not sent (as in Node-RED), the log gives how many values they',
    'held and they are counted with `reason="stopped"`.',
    '',
    '## Example',
    '',
    'Collect ten readings into one list, or what came within five seconds:',
    '',
    '```json',
    '{',
    '  "id": "batch",',
    '  "type": "join",',
    '  "typeVersion": 1,',
    '  "config": { "mode": "manual", "build": "array", "count": 10, "timeoutMs": 5000 }',
    '}',
    '```',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out'],
  errors: coreErrors.pick('INVALID_PROPERTY'),
  configSchema: {
    type: 'object',
    properties: {
      mode: {
        description: 'auto: undo a split, using msg.parts; manual: collect values into what build says.',
        default: 'auto',
        enum: ['auto', 'manual'],
        'x-ui': { label: 'Mode', enumLabels: { auto: 'automatic (undo a split)', manual: 'manual' } },
      },
      build: {
        description: 'Manual mode: what to build, a list, a key/value object, a merged object, a text or a Buffer.',
        default: 'array',
        enum: ['array', 'object', 'merged', 'string', 'buffer'],
        'x-ui': {
          label: 'Create',
          enumLabels: {
            array: 'a list',
            object: 'a key/value object',
            merged: 'a merged object',
            string: 'a text',
            buffer: 'a Buffer',
          },
        },
      },
      property: {
        type: 'string',
        description: 'Manual mode: the message property collected (and where the result goes), as a path.',
        default: 'payload',
        minLength: 1,
        'x-ui': { label: 'Using' },
      },
      wholeMessage: {
        type: 'boolean',
        description: 'Manual mode: collect whole messages instead of one property; the result goes to payload.',
        default: false,
        'x-ui': { label: 'Whole messages' },
      },
      keyProperty: {
        type: 'string',
        description: 'Manual mode, build object: the message property whose value is the key.',
        default: 'topic',
        minLength: 1,
        'x-ui': { label: 'Key from' },
      },
      joiner: {
        type: 'string',
        description: 'Manual mode, build string or buffer: the text put between the values.',
        default: '\n',
        'x-ui': { label: 'Joined with' },
      },
      count: {
        type: 'integer',
        description: 'Manual mode: send after this many values; 0: no count.',
        default: 0,
        minimum: 0,
        'x-ui': { label: 'After a number of values', unit: 'values' },
      },
      accumulate: {
        type: 'boolean',
        description:
          'Manual mode, build object or merged: keep the result after sending and send it for each later message.',
        default: false,
        'x-ui': { label: 'And every message after' },
      },
      timeoutMs: {
        type: 'number',
        description: 'Manual mode: send what came within this many milliseconds of the first value; 0: no timeout.',
        default: 0,
        minimum: 0,
        'x-ui': { label: 'After a timeout', unit: 'ms' },
      },
      maxParts: {
        type: 'integer',
        description: 'Most values held at once over all groups; past it the oldest group is dropped.',
        default: 10000,
        minimum: 1,
        'x-ui': { label: 'Most values held', unit: 'values', advanced: true },
      },
    },
    additionalProperties: false,
  },

  check: (config) => [
    ...problemsFrom('/property', () => configPropertyPath(config.property, 'Using')),
    ...problemsFrom('/keyProperty', () => configPropertyPath(config.keyProperty, 'Key from')),
  ],

  create(ctx) {
    const c = ctx.config;
    const manualPath = configPropertyPath(c.property, 'Using');
    const keyPath = configPropertyPath(c.keyProperty, 'Key from');
    const groups = new Map<string, Group>();
    let held = 0;
    // Counted by the runtime, which shows `N dropped` in the status and in /metrics.
    const drop = (n: number, reason = 'unplaceable'): void => ctx.dropped(n, reason);
    const discard = (id: string): number => {
      const group = groups.get(id);
      if (!group) return 0;
      group.timer?.cancel();
      groups.delete(id);
      held -= group.count;
      return group.count;
    };

    const result = (g: Group): unknown => {
      switch (g.build) {
        case 'object':
        case 'merged':
          return { ...g.fields };
        case 'string':
          return g.items.filter((v) => v !== undefined).join(g.joiner);
        case 'buffer': {
          const joiner = Buffer.from(g.joiner);
          const pieces: Buffer[] = [];
          g.items.forEach((v) => {
            if (pieces.length > 0 && joiner.length > 0) pieces.push(joiner);
            pieces.push(Buffer.isBuffer(v) ? v : Buffer.from(String(v)));
          });
          return Buffer.concat(pieces);
        }
        default:
          return g.flatten ? g.items.flat() : [...g.items];
      }
    };

    const send = (id: string, g: Group, complete: boolean): void => {
      if (c.mode === 'auto' || !c.accumulate || complete) discard(id);
      else {
        // Accumulating: the result stays and is sent again with each later value.
        g.timer?.cancel();
        g.timer = undefined;
      }
      let out = setPath<Message>(g.base, g.path, result(g));
      const before = partsOf(g.base)?.parts;
      const { complete: _complete, parts: _parts, qualities: _qualities, ...rest } = out;
      out = { ...rest, quality: g.quality };
      if (before !== undefined) out = { ...out, parts: before };
      if (g.build === 'object') {
        const qualities = Object.values(g.keyQualities);
        if (qualities.some((q) => q !== qualities[0])) out = { ...out, qualities: { ...g.keyQualities } };
      }
      ctx.send(out);
    };

    const startTimer = (id: string, g: Group): void => {
      g.timer?.cancel();
      g.timer =
        c.mode === 'manual' && c.timeoutMs > 0
          ? ctx.clock.setTimeout(() => {
              g.timer = undefined;
              if (groups.get(id) === g) send(id, g, false);
            }, c.timeoutMs)
          : undefined;
    };

    const openGroup = (
      id: string,
      msg: Message,
      build: Build,
      target: number,
      path: PathSegment[],
      joiner: string,
      flatten: boolean,
    ): Group => {
      let g = groups.get(id);
      if (!g) {
        g = {
          build,
          items: [],
          fields: {},
          keyQualities: {},
          count: 0,
          target,
          base: msg,
          quality: msg.quality,
          path,
          joiner,
          flatten,
          timer: undefined,
        };
        groups.set(id, g);
        startTimer(id, g);
      }
      return g;
    };

    /** Adds one value; false when it cannot be added (counted as dropped by the caller). */
    const add = (
      g: Group,
      value: unknown,
      msg: Message,
      index: number | undefined,
      key: string | undefined,
    ): boolean => {
      if (g.build === 'object') {
        if (key === undefined) return false;
        if (!Object.hasOwn(g.fields, key)) {
          g.count++;
          held++;
        }
        g.fields[key] = value;
        g.keyQualities[key] = msg.quality;
      } else if (g.build === 'merged') {
        if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
        Object.assign(g.fields, value);
        // Node-RED counts a merged object's keys, not the messages merged into it; of whole
        // messages, not the fields every message has (as it leaves out _msgid).
        let keys = Object.keys(g.fields).length;
        if (c.wholeMessage) keys -= ENVELOPE.filter((k) => Object.hasOwn(g.fields, k)).length;
        held += keys - g.count;
        g.count = keys;
      } else if (index !== undefined) {
        if (g.items[index] === undefined) {
          g.count++;
          held++;
        }
        g.items[index] = value;
      } else {
        if (value === undefined) return true;
        g.items.push(value);
        g.count++;
        held++;
      }
      g.base = { ...g.base, ...msg };
      g.quality = worstQuality(g.quality, msg.quality);
      return true;
    };

    const keepWithinLimit = (): void => {
      while (held > c.maxParts && groups.size > 0) drop(discard(groups.keys().next().value as string), 'full');
    };

    const onAuto = (msg: Message): void => {
      const parts = partsOf(msg);
      if (!parts) {
        if (Object.hasOwn(msg, 'reset')) for (const id of [...groups.keys()]) discard(id);
        else drop(1);
        return;
      }
      if (Object.hasOwn(msg, 'reset')) {
        discard(parts.id);
        return;
      }
      let path = PAYLOAD;
      try {
        if (parts.property !== undefined) path = parsePath(parts.property);
      } catch (err) {
        if (!(err instanceof PathError)) throw err;
        // parts made by hand with a property that is not a path: the message cannot be placed.
        drop(1);
        return;
      }
      const build: Build = BUILDS.has(parts.type) ? parts.type : 'array';
      const g = openGroup(parts.id, msg, build, parts.count ?? 0, path, parts.ch ?? '', (parts.len ?? 1) > 1);
      if (parts.count !== undefined) g.target = parts.count;
      if (!add(g, getPath(msg, path), msg, Number.isInteger(parts.index) ? parts.index : undefined, parts.key)) drop(1);
      if ((g.target > 0 && g.count >= g.target) || Object.hasOwn(msg, 'complete')) send(parts.id, g, true);
      keepWithinLimit();
    };

    const onManual = (msg: Message): void => {
      const parts: MessageParts | undefined = c.count === 0 ? partsOf(msg) : undefined;
      const id = parts?.id ?? '_';
      const complete = Object.hasOwn(msg, 'complete');
      if (Object.hasOwn(msg, 'restartTimeout') && groups.has(id)) startTimer(id, groups.get(id) as Group);
      if (Object.hasOwn(msg, 'reset')) {
        discard(id);
        return;
      }
      const path = c.wholeMessage ? PAYLOAD : manualPath;
      const value = c.wholeMessage ? msg : getPath(msg, manualPath);
      const rawKey = c.build === 'object' ? getPath(msg, keyPath) : undefined;
      const key = rawKey === undefined || rawKey === null || rawKey === '' ? undefined : String(rawKey);
      if (c.build === 'object' && key === undefined) {
        // A keyless msg.complete still closes the object, as in Node-RED.
        const g = groups.get(id);
        if (complete && g) send(id, g, true);
        else if (!complete) drop(1);
        return;
      }
      const g = openGroup(id, msg, c.build, parts?.count ?? c.count, path, c.joiner, false);
      if (parts?.count !== undefined && g.target === 0) g.target = parts.count;
      // A msg.complete without a value only closes the group.
      if (!(complete && value === undefined) && !add(g, value, msg, undefined, key)) drop(1);
      if ((g.target > 0 && g.count >= g.target) || complete) send(id, g, complete);
      keepWithinLimit();
    };

    return {
      onMessage(msg) {
        if (c.mode === 'auto') onAuto(msg);
        else onManual(msg);
      },

      close() {
        if (held > 0)
          ctx.log.warn(`${held} value${held === 1 ? ' was' : 's were'} not joined: the node stopped`, {
            dropped: held,
          });
        ctx.dropped(held, 'stopped');
        for (const id of [...groups.keys()]) discard(id);
      },
    };
  },
});

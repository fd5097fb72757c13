import { defineNode } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';

/** Deeper levels are shown as `[Object]` / `[Array]`, as Node.js' inspect does. */
const MAX_DEPTH = 10;
/** Status text is one short line under the node. */
const STATUS_LENGTH = 60;

export default defineNode({
  type: 'debug',
  version: 1,
  category: 'utility',
  description: "Shows the messages it receives in the debug sidebar and in `tagflow run`'s output.",
  docs: [
    "Shows the messages it receives to the user: in the editor's debug sidebar and as JSON lines in",
    'the output of `tagflow run`. Wire it anywhere to see what flows along an edge.',
    '',
    '## What it sends to the debug sidebar',
    '',
    'For each message, one value, made safe to display:',
    '',
    '- a string longer than `maxLength` is cut: `"aaaa… [+4900 characters]"`;',
    '- an array (also typed arrays and sets) keeps its first `maxLength` items, followed by',
    '  `"… [+4990 more items]"`;',
    '- an object (or map) keeps its first `maxLength` keys, then a key `"…"`: `"+1997 more keys"`;',
    '- the whole display is bounded too (about 20 × `maxLength` values and characters), and nesting',
    '  deeper than 10 levels shows as `"[Object]"` / `"[Array]"`, so one huge message cannot flood',
    '  the log or the sidebar;',
    '- values JSON cannot hold are shown as text: a circular reference as `"[Circular]"`, a BigInt',
    '  as `"12n"`, `NaN` / `Infinity` as `"NaN"` / `"Infinity"`, `undefined` as `"[undefined]"`,',
    '  functions as `"[Function name]"`, dates as ISO strings, errors as `{ name, message, ... }`,',
    '  binary buffers as `"[ArrayBuffer 8 bytes]"`; a field whose getter throws shows',
    '  `"[unreadable: ...]"`. The node never fails on what it is asked to show.',
    '',
    'It sends nothing on: it has no outputs.',
    '',
    '## Example',
    '',
    'Show whole messages coming out of a threshold, with the latest payload under the node:',
    '',
    '```json',
    '{ "id": "watch-alarms", "type": "debug", "typeVersion": 1, "config": { "property": "msg", "toStatus": true } }',
    '```',
    '',
    'A message `{ "payload": 47.2, "topic": "pump3/flow", "timestamp": 1767225600000, "quality": "good" }`',
    'appears in the sidebar as that object, and `{"payload":47.2,"topic":"pump3/flow",...}` (cut to',
    "60 characters) as the node's status.",
  ].join('\n'),
  inputs: ['in'],
  outputs: [],
  errors: coreErrors.pick(),
  configSchema: {
    type: 'object',
    properties: {
      property: {
        description: "What to show: the payload only, or the whole message ('msg').",
        default: 'payload',
        enum: ['payload', 'msg'],
        'x-ui': { label: 'Show', enumLabels: { payload: 'msg.payload', msg: 'whole message' } },
      },
      active: {
        type: 'boolean',
        description: 'Turn off to silence this node without unwiring it.',
        default: true,
        'x-ui': { label: 'Active' },
      },
      toStatus: {
        type: 'boolean',
        description: 'Also show the latest value under the node.',
        default: false,
        'x-ui': { label: 'Show in status' },
      },
      maxLength: {
        type: 'integer',
        description:
          'Longer strings, arrays and objects are cut to this many characters, items or keys, with a marker.',
        default: 1000,
        minimum: 1,
        'x-ui': { label: 'Cut after', advanced: true },
      },
    },
    additionalProperties: false,
  },

  create(ctx) {
    const { property, active, toStatus, maxLength } = ctx.config;
    return {
      start() {
        if (!active) ctx.status({ state: 'idle', text: 'inactive' });
      },
      onMessage(msg) {
        if (!active) return;
        const shown = renderSafely(property === 'msg' ? msg : msg.payload, maxLength);
        ctx.debug(shown, msg);
        if (toStatus) ctx.status({ state: 'ok', text: statusText(shown) });
      },
    };
  },
});

interface RenderState {
  maxLength: number;
  /** Values left to render in the whole message, so nested large structures stay bounded too. */
  budget: number;
  /** Objects on the path from the root, to spot cycles (shared, non-circular objects are fine). */
  ancestors: Set<object>;
}

/**
 * Turns any value into plain JSON-safe data for display: long strings, arrays and objects cut with
 * a marker, cycles shown as `[Circular]`, BigInt, NaN, functions and symbols as text. Never throws.
 */
function renderSafely(value: unknown, maxLength: number): unknown {
  try {
    return render(value, 0, { maxLength, budget: maxLength * 20, ancestors: new Set() });
  } catch (err) {
    return `[cannot show this value: ${err instanceof Error ? err.message : String(err)}]`;
  }
}

function render(value: unknown, depth: number, st: RenderState): unknown {
  st.budget--;
  switch (typeof value) {
    case 'string':
      st.budget -= Math.min(value.length, st.maxLength);
      return value.length > st.maxLength
        ? `${value.slice(0, st.maxLength)}… [+${value.length - st.maxLength} characters]`
        : value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'bigint':
      return `${value}n`;
    case 'undefined':
      return '[undefined]';
    case 'symbol':
      return value.toString();
    case 'function':
      return `[Function ${value.name || 'anonymous'}]`;
    case 'object':
      break; // null and objects: below
  }
  if (value === null) return null;
  const obj = value;
  if (st.ancestors.has(obj)) return '[Circular]';
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString();
  if (obj instanceof ArrayBuffer) return `[ArrayBuffer ${obj.byteLength} bytes]`;
  if (obj instanceof DataView) return `[DataView ${obj.byteLength} bytes]`;
  if (depth >= MAX_DEPTH) return Array.isArray(obj) ? '[Array]' : '[Object]';
  st.ancestors.add(obj);
  try {
    if (obj instanceof Error) return renderObject(errorFields(obj), depth, st);
    if (ArrayBuffer.isView(obj))
      return renderList(obj as unknown as Iterable<unknown>, (obj as unknown as ArrayLike<unknown>).length, depth, st);
    if (obj instanceof Set) return renderList(obj, obj.size, depth, st);
    if (obj instanceof Map) return renderObject(obj.entries(), depth, st);
    if (Array.isArray(obj)) return renderList(obj, obj.length, depth, st);
    return renderObject(ownEntries(obj), depth, st);
  } finally {
    st.ancestors.delete(obj);
  }
}

function renderList(items: Iterable<unknown>, length: number, depth: number, st: RenderState): unknown[] {
  const out: unknown[] = [];
  for (const item of items) {
    if (out.length >= st.maxLength || st.budget <= 0) break;
    out.push(render(item, depth + 1, st));
  }
  if (out.length < length) out.push(`… [+${length - out.length} more items]`);
  return out;
}

function renderObject(entries: Iterable<[unknown, unknown]>, depth: number, st: RenderState): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let shown = 0;
  let more = 0;
  for (const [key, item] of entries) {
    if (shown >= st.maxLength || st.budget <= 0) {
      more++;
      continue;
    }
    shown++;
    // `__proto__` as a plain assignment would replace the prototype instead of adding a field.
    Object.defineProperty(out, String(key), {
      value: render(item, depth + 1, st),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  if (more > 0) out['…'] = `+${more} more keys`;
  return out;
}

/** Own enumerable fields; a getter that throws shows its error instead of breaking the display. */
function* ownEntries(obj: object): Generator<[string, unknown]> {
  for (const key of Object.keys(obj)) {
    let item: unknown;
    try {
      item = (obj as Record<string, unknown>)[key];
    } catch (err) {
      item = `[unreadable: ${err instanceof Error ? err.message : String(err)}]`;
    }
    yield [key, item];
  }
}

function errorFields(err: Error): Array<[string, unknown]> {
  const fields: Array<[string, unknown]> = [
    ['name', err.name],
    ['message', err.message],
  ];
  for (const entry of ownEntries(err)) if (entry[0] !== 'stack' && entry[0] !== 'message') fields.push(entry);
  return fields;
}

function statusText(shown: unknown): string {
  const text = typeof shown === 'string' ? shown : JSON.stringify(shown);
  return text.length > STATUS_LENGTH ? `${text.slice(0, STATUS_LENGTH - 1)}…` : text;
}

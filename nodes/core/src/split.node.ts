import { randomBytes } from 'node:crypto';
import { defineNode, problemsFrom, qualityOf } from '@tagflow/node-sdk';
import type { Message } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';
import { getPath, setPath } from './lib/message-path';
import type { PathSegment } from './lib/message-path';
import type { MessageParts } from './lib/message-parts';
import { configPropertyPath } from './lib/property-path';

export default defineNode({
  type: 'split',
  version: 1,
  category: 'processor',
  description: 'Splits a list, text, Buffer or object into a sequence of messages with msg.parts.',
  docs: [
    "Splits one message into a sequence of messages, like Node-RED's split node: a list into its",
    'items, a text into lines, an object into its key/value pairs. Each message carries `msg.parts`',
    'so that a `join` node in automatic mode can put the sequence back together.',
    '',
    '## What it sends, and when',
    '',
    'For each message whose `property` (default `payload`) holds:',
    '',
    '- a list: one message per item (or per `arrayLength` items, as lists);',
    '- a text or Buffer: one message per piece, split at `delimiter` (default a newline; the',
    '  delimiter is not kept) or, with `stringMode: "length"`, into pieces of `length` characters',
    '  (bytes for a Buffer), the last one shorter when needed;',
    '- an object: one message per key, the value in `property` and the key in `parts.key` (and in',
    '  `keyProperty` when set, e.g. `topic`). The quality of each message is the quality of its',
    "  key (`msg.qualities`, else the message's);",
    '',
    'The other fields of the message are copied to every piece. `msg.parts` is',
    "`{ id, index, count, type, ch, key, len, property }` (Node-RED's shape: `type` is `array`,",
    '`string`, `buffer` or `object`; `ch` the delimiter; `len` the piece length; `property` only when',
    'not `payload`). A message that already had `parts` keeps them nested in `parts.parts`, and',
    '`join` restores them. Empty lists and objects send nothing; an empty text sends one empty piece',
    'when split at a delimiter (as in Node-RED), none when split by length.',
    '',
    'With `stream`, a text or Buffer is treated as part of a stream (a serial line delivering',
    'pieces): only complete pieces are sent, the rest is kept and put in front of the next message,',
    'and `parts.count` is left out (so `join` in automatic mode cannot close such a sequence).',
    '',
    'A message whose property holds something else (a number, a boolean, nothing) is dropped, as',
    'in Node-RED, and counted in the status (`N dropped`) and in /metrics',
    '(`tagflow_messages_dropped_total{reason="not-splittable"}`).',
    '',
    '## Example',
    '',
    'One message per line of a text payload, then back into one list:',
    '',
    '```json',
    '{',
    '  "nodes": [',
    '    { "id": "lines", "type": "split", "typeVersion": 1, "config": { "delimiter": "\\n" } },',
    '    { "id": "upper", "type": "change", "typeVersion": 1 },',
    '    { "id": "back", "type": "join", "typeVersion": 1, "config": { "mode": "auto" } }',
    '  ],',
    '  "edges": [',
    '    { "source": "lines", "target": "upper" },',
    '    { "source": "upper", "target": "back" }',
    '  ]',
    '}',
    '```',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out'],
  errors: coreErrors.pick('INVALID_PROPERTY'),
  configSchema: {
    type: 'object',
    properties: {
      property: {
        type: 'string',
        description: 'The message property to split, as a path: payload, payload.rows.',
        default: 'payload',
        minLength: 1,
        'x-ui': { label: 'Split' },
      },
      stringMode: {
        description: 'How texts and Buffers are split: at a delimiter, or into pieces of a fixed length.',
        default: 'delimiter',
        enum: ['delimiter', 'length'],
        'x-ui': { label: 'Texts', enumLabels: { delimiter: 'at a delimiter', length: 'by length' } },
      },
      delimiter: {
        type: 'string',
        description: 'The text to split texts and Buffers at (a real newline by default, not the two characters \\n).',
        default: '\n',
        minLength: 1,
        'x-ui': { label: 'Delimiter' },
      },
      length: {
        type: 'integer',
        description: 'Characters (bytes for a Buffer) per piece, with stringMode length.',
        default: 1,
        minimum: 1,
        'x-ui': { label: 'Piece length', unit: 'characters' },
      },
      arrayLength: {
        type: 'integer',
        description: 'Items per message when splitting a list: 1 sends the items, more sends lists.',
        default: 1,
        minimum: 1,
        'x-ui': { label: 'Items per message' },
      },
      stream: {
        type: 'boolean',
        description: 'Treat texts and Buffers as a stream: keep an incomplete last piece for the next message.',
        default: false,
        'x-ui': { label: 'Streaming mode', advanced: true },
      },
      keyProperty: {
        type: 'string',
        description:
          'When splitting an object, also copy each key to this message property (e.g. topic); empty: no copy.',
        default: '',
        'x-ui': { label: 'Copy the key to' },
      },
    },
    additionalProperties: false,
  },

  check: (config) => [
    ...problemsFrom('/property', () => configPropertyPath(config.property, 'Split')),
    ...(config.keyProperty === ''
      ? []
      : problemsFrom('/keyProperty', () => configPropertyPath(config.keyProperty, 'Copy the key to'))),
  ],

  create(ctx) {
    const c = ctx.config;
    const path = configPropertyPath(c.property, 'Split');
    const keyPath: PathSegment[] | undefined =
      c.keyProperty === '' ? undefined : configPropertyPath(c.keyProperty, 'Copy the key to');
    // Streaming mode: what is left of the last text / Buffer, and the index the stream has reached.
    let textRest = '';
    let bufferRest = Buffer.alloc(0);
    let streamIndex = 0;
    const isPayload = path.length === 1 && path[0] === 'payload';

    /** The message for one piece: the original, with the piece at `property` and its `parts`. */
    const piece = (msg: Message, value: unknown, parts: MessageParts, quality = msg.quality): Message => {
      let out = setPath<Message>(msg, path, value);
      out = { ...out, quality, parts };
      if (keyPath && parts.key !== undefined) out = setPath<Message>(out, keyPath, parts.key);
      if (out.qualities === undefined || !isPayload) return out;
      // Per-key qualities described the whole payload; a piece has its own quality instead.
      const { qualities: _dropped, ...rest } = out;
      return rest;
    };

    const sendAll = (msg: Message, values: unknown[], base: Omit<MessageParts, 'index' | 'count'>): void => {
      values.forEach((value, i) => {
        const index = c.stream ? streamIndex++ : i;
        ctx.send(piece(msg, value, { ...base, ...(c.stream ? {} : { count: values.length }), index }));
      });
    };

    /** Pieces of a text or Buffer, and (streaming) the incomplete rest to keep. */
    const cut = <T extends string | Buffer>(value: T, empty: T): { pieces: T[]; rest: T } => {
      const pieces: T[] = [];
      if (c.stringMode === 'length') {
        for (let at = 0; at < value.length; at += c.length) pieces.push(value.slice(at, at + c.length) as T);
        const last = pieces[pieces.length - 1];
        if (c.stream && last !== undefined && last.length < c.length)
          return { pieces: pieces.slice(0, -1), rest: last };
        return { pieces, rest: empty };
      }
      let from = 0;
      for (let at = value.indexOf(c.delimiter); at >= 0; at = value.indexOf(c.delimiter, from)) {
        pieces.push(value.slice(from, at) as T);
        from = at + c.delimiter.length;
      }
      const last = value.slice(from) as T;
      if (c.stream) return { pieces, rest: last };
      pieces.push(last);
      return { pieces, rest: empty };
    };

    return {
      onMessage(msg) {
        const value = getPath(msg, path);
        const id = randomBytes(8).toString('hex');
        const outer = msg.parts !== undefined ? { parts: msg.parts } : {};
        const prop = c.property === 'payload' ? {} : { property: c.property };
        const textParts = c.stringMode === 'length' ? { ch: '', len: c.length } : { ch: c.delimiter };
        if (typeof value === 'string') {
          const { pieces, rest } = cut(textRest + value, '');
          textRest = rest;
          sendAll(msg, pieces, { ...outer, id, type: 'string', ...textParts, ...prop });
        } else if (Buffer.isBuffer(value)) {
          const { pieces, rest } = cut(Buffer.concat([bufferRest, value]), Buffer.alloc(0));
          bufferRest = rest;
          sendAll(msg, pieces, { ...outer, id, type: 'buffer', ...textParts, ...prop });
        } else if (Array.isArray(value)) {
          const pieces: unknown[] = [];
          for (let at = 0; at < value.length; at += c.arrayLength)
            pieces.push(c.arrayLength === 1 ? value[at] : value.slice(at, at + c.arrayLength));
          pieces.forEach((item, index) =>
            ctx.send(
              piece(msg, item, {
                ...outer,
                id,
                index,
                count: pieces.length,
                type: 'array',
                len: c.arrayLength,
                ...prop,
              }),
            ),
          );
        } else if (value !== null && typeof value === 'object') {
          const keys = Object.keys(value);
          keys.forEach((key, index) =>
            ctx.send(
              piece(
                msg,
                (value as Record<string, unknown>)[key],
                { ...outer, id, index, count: keys.length, type: 'object', key, ...prop },
                isPayload ? qualityOf(msg, key) : msg.quality,
              ),
            ),
          );
        } else {
          // Counted by the runtime: `N dropped` in the status and in /metrics.
          ctx.dropped(1, 'not-splittable');
        }
      },
    };
  },
});

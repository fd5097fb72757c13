import { NodeError, defineNode, problemsFrom } from '@tagflow/node-sdk';
import type { Message } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';
import { getPath, setPath } from './lib/message-path';
import { configPropertyPath } from './lib/property-path';

/** Node-RED's "format JSON string" indents by four spaces; converted flows give the same text. */
const PRETTY_INDENT = 4;

export default defineNode({
  type: 'json',
  version: 1,
  category: 'processor',
  description: 'Converts a message property between JSON text and the value it describes, either way.',
  docs: [
    "Converts a message property between JSON text and an object (or list, number...), like Node-RED's",
    'json node. Useful after an MQTT or file source that delivers text, or before a publisher that',
    'wants text.',
    '',
    '## What it sends, and when',
    '',
    'One message per message received, with `property` (default `payload`) converted; every other',
    'field is passed on unchanged. What happens depends on `action` and on what the property holds:',
    '',
    '| property holds | `auto` | `str` | `obj` |',
    '| --- | --- | --- | --- |',
    '| text (or a Buffer) | parsed | passed unchanged (not checked) | parsed |',
    '| object, list, number, boolean, null | written as JSON text | written as JSON text | passed unchanged |',
    '| nothing (missing) | passed unchanged | passed unchanged | passed unchanged |',
    '',
    'With `pretty`, JSON text is written indented (four spaces), else on one line.',
    '',
    'Text that is not valid JSON is a `JSON_PARSE_FAILED` error (routed to an `error` port or catch',
    'nodes, with the message); a value JSON cannot represent (a BigInt, a cycle) is',
    '`JSON_NOT_SERIALIZABLE`. The message is not sent in either case.',
    '',
    "Node-RED's `msg.schema` validation is not supported: the property is converted without checking",
    'it against a schema, and a `schema` field is passed on like any other.',
    '',
    '## Example',
    '',
    'Parse the text of an MQTT payload such as `{"level": 3.2}` into an object:',
    '',
    '```json',
    '{ "id": "parse", "type": "json", "typeVersion": 1, "config": { "action": "obj" } }',
    '```',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out'],
  errors: coreErrors.pick('JSON_PARSE_FAILED', 'JSON_NOT_SERIALIZABLE', 'INVALID_PROPERTY'),
  configSchema: {
    type: 'object',
    properties: {
      action: {
        description:
          'auto: text becomes a value and a value becomes text; str: always text; obj: always a parsed value.',
        default: 'auto',
        enum: ['auto', 'str', 'obj'],
        'x-ui': {
          label: 'Action',
          enumLabels: { auto: 'convert either way', str: 'always to JSON text', obj: 'always to a value' },
        },
      },
      property: {
        type: 'string',
        description: 'The message property to convert, as a path: payload, payload.body.',
        default: 'payload',
        minLength: 1,
        'x-ui': { label: 'Property' },
      },
      pretty: {
        type: 'boolean',
        description: 'Write JSON text indented over several lines instead of on one line.',
        default: false,
        'x-ui': { label: 'Format JSON text' },
      },
    },
    additionalProperties: false,
  },

  check: (config) => problemsFrom('/property', () => configPropertyPath(config.property)),

  create(ctx) {
    const { action, property, pretty } = ctx.config;
    const path = configPropertyPath(property);
    const indent = pretty ? PRETTY_INDENT : 0;

    const parse = (text: string): unknown => {
      try {
        return JSON.parse(text) as unknown;
      } catch (err) {
        throw new NodeError(
          coreErrors.code.JSON_PARSE_FAILED,
          `${property} is not valid JSON text (${(err as Error).message})`,
          { text: text.length > 200 ? `${text.slice(0, 199)}…` : text },
        );
      }
    };
    const stringify = (value: unknown): string => {
      try {
        return JSON.stringify(value, null, indent);
      } catch (err) {
        throw new NodeError(
          coreErrors.code.JSON_NOT_SERIALIZABLE,
          `${property} cannot be written as JSON text: ${(err as Error).message}`,
        );
      }
    };

    return {
      onMessage(msg) {
        const value = getPath(msg, path);
        let converted: unknown;
        if (value === undefined) converted = value;
        else if (typeof value === 'string' || Buffer.isBuffer(value)) {
          // As in Node-RED, text asked to stay text is passed on without checking that it is JSON.
          converted = action === 'str' ? value : parse(value.toString());
        } else converted = action === 'obj' ? value : stringify(value);
        if (converted === value) {
          ctx.send(msg);
          return;
        }
        const out = setPath<Message>(msg, path, converted);
        // Per-key qualities describe an object payload; text has no keys.
        if (typeof converted === 'string' && path.length === 1 && path[0] === 'payload' && out.qualities) {
          const { qualities: _dropped, ...rest } = out;
          ctx.send(rest);
        } else ctx.send(out);
      },
    };
  },
});

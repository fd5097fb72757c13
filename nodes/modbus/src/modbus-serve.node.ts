import { defineNode, isNodeError, NodeError, qualityOf } from '@tagflow/node-sdk';
import type { Message } from '@tagflow/node-sdk';
import { modbusErrors } from './error-codes';
import { describe } from './register-codec';
import type { ClientWrite } from './register-map';
import type { ServedImage } from './served-image';

/** One tag value a message sets. */
interface Update {
  name: string;
  value: unknown;
  bad: boolean;
}

// Values held for a server that does not listen yet, by tag name: bounded, since names are unchecked then.
const MAX_HELD = 10_000;

export default defineNode({
  type: 'modbus-serve',
  version: 1,
  category: 'publisher',
  description:
    'Serves the values it receives through a modbus-server to Modbus clients, and sends the values clients write.',
  docs: [
    'The flow side of a `modbus-server`: each message sets served tags, which Modbus clients then read;',
    'each write a client makes to a `writable` tag comes out as a message. Several nodes may name one',
    'server (one per source feeding it, say).',
    '',
    '## What it takes',
    '',
    '- `topic` naming a tag and a scalar `payload`: `{ "topic": "pump3/flow", "payload": 42.5 }`;',
    '- an object `payload` of `{ tag: value }` (the topic is then ignored), as `modbus-read` sends with',
    '  `output: "object"`;',
    '- the per-tag messages of `modbus-read` (topic = tag name), so that read -> serve needs no glue:',
    "  give the served tags the reader's names.",
    '',
    "Each value is encoded with the tag's type, order and scaling by the same codec `modbus-write` uses,",
    'and refused as it refuses: `tag "pump3/speed": 70000 does not fit in int16: it takes whole numbers',
    'from -32768 to 32767` (`VALUE_OUT_OF_RANGE`), text into a number (`NOT_A_NUMBER`), anything but',
    'true/false into a coil or discrete input (`NOT_A_BOOLEAN`), a name the server does not serve',
    '(`MODBUS_UNKNOWN_TAG`). A refused value changes nothing (clients keep reading the previous one);',
    'the other values of an object message are still applied; the message fails with the first',
    'refusal, and the status counts every refused value.',
    '',
    '## Quality',
    '',
    'Modbus registers carry no quality. A message of quality `bad`, or a `null` value, marks the tag',
    "bad: reads of it are answered with exception 11 until a good value arrives (or, with the server's",
    '`badQuality: "keep-last"`, keep getting the last good value). In an object message, each value',
    'has its own quality when the message carries `qualities` (as `modbus-read` sends in object mode:',
    'only the tags that failed are bad); without it, in a message of quality bad that holds `null`',
    'values only the `null` tags are marked bad, and in one without nulls every tag is. `uncertain`',
    'values are served like good ones.',
    '',
    '## What it sends',
    '',
    'With `sendWrites` on, one message per tag a Modbus client wrote (FC 5, 6, 15, 16), with the value',
    'decoded and scaled as `modbus-read` would:',
    '',
    '```json',
    '{ "payload": 45.5, "topic": "pump3/setpoint", "unit": "m3/h", "timestamp": 1767254400123, "quality": "good" }',
    '```',
    '',
    'With several `modbus-serve` nodes on one server, turn `sendWrites` on for one of them, or each',
    'write comes out of each node.',
    '',
    '## Status',
    '',
    '`serving 3 tags on 127.0.0.1:5020: 1200 values set, 2 refused; 4 client writes; 1 client request',
    'refused: <why>`, refreshed every second. While the server cannot listen, values are held (and',
    "served once it does) and the status shows the server's error.",
    '',
    '## Example',
    '',
    '```json',
    '{ "id": "serve", "type": "modbus-serve", "typeVersion": 1, "config": { "server": "gateway" } }',
    '```',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out'],
  resources: { server: 'modbus-server' },
  errors: modbusErrors.pick(
    'MODBUS_UNKNOWN_TAG',
    'NOT_A_NUMBER',
    'NOT_A_BOOLEAN',
    'NOT_A_STRING',
    'VALUE_OUT_OF_RANGE',
  ),
  configSchema: {
    type: 'object',
    properties: {
      server: {
        type: 'string',
        description: 'Id of the modbus-server resource whose tags this node sets.',
        minLength: 1,
        'x-ui': { label: 'Server', widget: 'resource', resourceType: 'modbus-server' },
      },
      sendWrites: {
        type: 'boolean',
        description:
          'Send a message for every tag a Modbus client writes. With several nodes on one server, one is enough.',
        default: true,
        'x-ui': { label: 'Send client writes' },
      },
    },
    required: ['server'],
    additionalProperties: false,
  },

  create(ctx) {
    const c = ctx.config;
    const handle = ctx.resource<ServedImage>(c.server);
    /** The latest value of each tag this node set (or a client wrote): served again by a restarted server. */
    const latest = new Map<string, Update>();
    const counts = { set: 0, refused: 0 };
    let unsubscribe: (() => void) | undefined;
    let shown = '';

    const apply = (image: ServedImage, update: Update) => {
      image.map.set(update.name, update.value, update.bad);
      latest.set(update.name, update);
    };

    const onWrites = (writes: ClientWrite[]) => {
      for (const { tag, value } of writes) {
        latest.set(tag.name, { name: tag.name, value, bad: false });
        if (!c.sendWrites) continue;
        const msg: Message = { payload: value, topic: tag.name, timestamp: ctx.clock.now(), quality: 'good' };
        ctx.send(tag.unit === undefined ? msg : { ...msg, unit: tag.unit });
      }
    };

    const removeConnect = handle.onConnect((image) => {
      unsubscribe?.();
      unsubscribe = image.onWrite(onWrites);
      // What the flow set before this server listened (or before it restarted) is served again.
      for (const update of [...latest.values()]) {
        try {
          apply(image, update);
        } catch (err) {
          latest.delete(update.name);
          counts.refused++;
          ctx.error(err);
        }
      }
      shown = ''; // the runtime's "connected" replaced whatever was shown
      showStatus();
    });

    const showStatus = () => {
      const image = handle.current;
      if (!image) return; // the runtime shows the server's own state (connecting, retry in...)
      const n = image.map.tags().length;
      const { clientWrites, refused, lastRefusal } = image.counters;
      let text = `serving ${n} tag${n === 1 ? '' : 's'} on ${image.endpoint}: ${counts.set} value${counts.set === 1 ? '' : 's'} set`;
      if (counts.refused > 0) text += `, ${counts.refused} refused`;
      text += `; ${clientWrites} client write${clientWrites === 1 ? '' : 's'}`;
      if (refused > 0) text += `; ${refused} client request${refused === 1 ? '' : 's'} refused: ${lastRefusal}`;
      if (text === shown) return;
      shown = text;
      ctx.status({ state: counts.refused > 0 || refused > 0 ? 'error' : 'ok', text });
    };

    return {
      start() {
        ctx.clock.setInterval(showStatus, 1000);
      },
      onMessage(msg) {
        const updates = updatesFrom(msg);
        const image = handle.current;
        const problems: NodeError[] = [];
        for (const update of updates) {
          if (!image) {
            // Too many names held while not listening: counted by the runtime (status, /metrics).
            if (latest.size >= MAX_HELD && !latest.has(update.name)) ctx.dropped(1, 'full');
            else latest.set(update.name, update);
            continue;
          }
          try {
            apply(image, update);
            counts.set++;
          } catch (err) {
            if (!isNodeError(err)) throw err;
            counts.refused++;
            problems.push(err);
          }
        }
        showStatus();
        const first = problems[0];
        if (first)
          throw new NodeError(
            first.code,
            problems.length === 1
              ? first.message
              : `${first.message} (and ${problems.length - 1} more value${problems.length === 2 ? '' : 's'} of this message refused)`,
            { ...first.details },
          );
      },
      close() {
        removeConnect();
        unsubscribe?.();
      },
    };
  },
});

/** The tag values a message sets (see the docs: topic + scalar, or an object payload). */
function updatesFrom(msg: Message): Update[] {
  const { payload } = msg;
  if (payload !== null && typeof payload === 'object' && !Array.isArray(payload)) {
    const entries = Object.entries(payload as Record<string, unknown>);
    // Each value with its own quality when the message says it (msg.qualities, as modbus-read sends).
    if (msg.qualities !== undefined)
      return entries.map(([name, value]) => ({
        name,
        value,
        bad: value === null || value === undefined || qualityOf(msg, name) === 'bad',
      }));
    // Without qualities: a bad poll of modbus-read before it had them gives its failed tags null.
    const someNull = entries.some(([, v]) => v === null || v === undefined);
    return entries.map(([name, value]) => ({
      name,
      value,
      bad: value === null || value === undefined || (msg.quality === 'bad' && !someNull),
    }));
  }
  if (typeof msg.topic !== 'string' || msg.topic === '')
    throw new NodeError(
      modbusErrors.code.MODBUS_UNKNOWN_TAG,
      `a value (${describe(payload)}) needs a topic naming the tag it sets, or an object payload of { tag: value }`,
    );
  return [{ name: msg.topic, value: payload, bad: payload === null || payload === undefined || msg.quality === 'bad' }];
}

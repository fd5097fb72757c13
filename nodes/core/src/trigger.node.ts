import { defineNode, problemsFrom } from '@tagflow/node-sdk';
import type { Message, Timer } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';
import { getPath } from './lib/message-path';
import { configPropertyPath } from './lib/property-path';

/** What one stream (all messages, or one topic) is doing between its first and second message. */
interface Stream {
  /** The wait, the repeat, or none while blocked until reset. */
  timer: Timer | undefined;
  /** The latest message received while active. */
  latest: Message;
  /** The second payload, fixed when the stream started ('value' and 'first'). */
  second: unknown;
}

export default defineNode({
  type: 'trigger',
  version: 1,
  category: 'processor',
  description: 'Sends a message when triggered, then a second one after a time unless extended or reset.',
  docs: [
    "Sends a first message when a message arrives, then waits, then sends a second message: Node-RED's",
    'trigger node. Messages arriving while it waits are ignored (unless `extend` is on), so it also',
    'works as a debounce, a watchdog or a pulse.',
    '',
    '## What it sends, and when',
    '',
    'When a message arrives and nothing is in progress (for its topic with `perTopic`):',
    '',
    '1. It sends the first message at once, per `firstSend`: `value` (the received message with',
    '   `payload` = `firstValue`), `message` (the received message unchanged), `timestamp`',
    '   (payload = now, epoch milliseconds) or `nothing`.',
    '2. Then, per `then`:',
    '   - `wait`: after `durationMs` (or `msg.delay` milliseconds with `overrideDelay`) it sends the',
    '     second message, per `secondSend`: `value` (the first received message with payload =',
    "     `secondValue`), `first` (the first received message's payload), `latest` (the latest",
    '     message received while waiting, unchanged), `timestamp` or `nothing`. With `extend`, each',
    '     message arriving meanwhile restarts the wait, and the second message is built on the',
    '     latest message. With `secondOutput` it goes out on port `second`, else on `out`.',
    '   - `block`: it sends nothing more and ignores messages until reset.',
    '   - `resend`: it sends the first message again every `durationMs` until reset; a new message',
    '     starts the repeat again with itself.',
    '',
    'A message with `msg.reset` (any value), or whose payload as text equals `resetPayload` (when not',
    'empty), stops what is in progress: nothing more is sent, the message itself is not sent.',
    '',
    'Messages ignored while a stream waits or blocks are the point of the node and not counted as',
    'dropped. When the node stops, a second message still due is not sent (as in Node-RED); the log',
    'says how many were pending, and they are counted as dropped (`reason="stopped"` in /metrics).',
    "Node-RED's mustache templates in the values, and values read from flow or global context, are",
    'not supported: the values are sent as given.',
    '',
    '## Status',
    '',
    '`active` while one stream is in progress, `N active` for several, `idle` otherwise.',
    '',
    '## Example',
    '',
    'A watchdog: send `"offline"` when no heartbeat came for 30 seconds (nothing sent at first,',
    'each heartbeat restarts the wait):',
    '',
    '```json',
    '{',
    '  "id": "watchdog",',
    '  "type": "trigger",',
    '  "typeVersion": 1,',
    '  "config": { "firstSend": "nothing", "durationMs": 30000, "extend": true, "secondValue": "offline" }',
    '}',
    '```',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out', 'second'],
  // It sends at most one message per message received, later ones on a timer: a loop cannot spin.
  breaksCycles: true,
  errors: coreErrors.pick('INVALID_PROPERTY'),
  configSchema: {
    type: 'object',
    properties: {
      firstSend: {
        description: 'What to send at once: firstValue as payload, the message unchanged, the time, or nothing.',
        default: 'value',
        enum: ['value', 'message', 'timestamp', 'nothing'],
        'x-ui': {
          label: 'Send',
          enumLabels: { value: 'a value', message: 'the message', timestamp: 'the time', nothing: 'nothing' },
        },
      },
      firstValue: {
        description: 'The payload of the first message (firstSend value): any JSON value.',
        default: 1,
        'x-ui': { label: 'First payload', widget: 'json' },
      },
      then: {
        description: 'After the first message: wait and send the second, block until reset, or resend the first.',
        default: 'wait',
        enum: ['wait', 'block', 'resend'],
        'x-ui': {
          label: 'Then',
          enumLabels: { wait: 'wait for', block: 'wait to be reset', resend: 'resend it every' },
        },
      },
      durationMs: {
        type: 'number',
        description: 'How long to wait before the second message, or between resends, in milliseconds.',
        default: 250,
        exclusiveMinimum: 0,
        'x-ui': { label: 'Duration', unit: 'ms' },
      },
      extend: {
        type: 'boolean',
        description: 'Restart the wait each time a message arrives while waiting.',
        default: false,
        'x-ui': { label: 'Extend if a new message arrives' },
      },
      overrideDelay: {
        type: 'boolean',
        description: 'Wait msg.delay milliseconds instead of durationMs when the message has a numeric msg.delay.',
        default: false,
        'x-ui': { label: 'Override the duration with msg.delay' },
      },
      secondSend: {
        description:
          'What to send after the wait: secondValue as payload, the first payload, the latest message, the time, or nothing.',
        default: 'value',
        enum: ['value', 'first', 'latest', 'timestamp', 'nothing'],
        'x-ui': {
          label: 'Then send',
          enumLabels: {
            value: 'a value',
            first: 'the first payload',
            latest: 'the latest message',
            timestamp: 'the time',
            nothing: 'nothing',
          },
        },
      },
      secondValue: {
        description: 'The payload of the second message (secondSend value): any JSON value.',
        default: 0,
        'x-ui': { label: 'Second payload', widget: 'json' },
      },
      secondOutput: {
        type: 'boolean',
        description: 'Send the second message on the port "second" instead of "out".',
        default: false,
        'x-ui': { label: 'Second message on its own output' },
      },
      resetPayload: {
        type: 'string',
        description: 'A payload that resets, compared as text; empty: only msg.reset resets.',
        default: '',
        'x-ui': { label: 'Reset if the payload equals' },
      },
      perTopic: {
        type: 'boolean',
        description: 'Handle each value of topicProperty as a separate stream.',
        default: false,
        'x-ui': { label: 'Per topic' },
      },
      topicProperty: {
        type: 'string',
        description: 'The message property naming the stream, with perTopic: topic, payload.id.',
        default: 'topic',
        minLength: 1,
        'x-ui': { label: 'Stream property', advanced: true },
      },
    },
    additionalProperties: false,
  },

  check: (config) => problemsFrom('/topicProperty', () => configPropertyPath(config.topicProperty, 'Stream property')),

  create(ctx) {
    const c = ctx.config;
    const topicPath = configPropertyPath(c.topicProperty, 'Stream property');
    const streams = new Map<string | undefined, Stream>();
    const secondPort = c.secondOutput ? 'second' : 'out';

    const showStatus = (): void => {
      const n = streams.size;
      ctx.status(n === 0 ? { state: 'idle', text: '' } : { state: 'ok', text: n === 1 ? 'active' : `${n} active` });
    };
    const keyOf = (msg: Message): string | undefined => {
      if (!c.perTopic) return undefined;
      const value = getPath(msg, topicPath);
      // Node-RED puts every message without a (truthy) topic in one stream.
      return value === undefined || value === null || value === '' ? undefined : String(value);
    };
    const isReset = (msg: Message): boolean =>
      Object.hasOwn(msg, 'reset') ||
      (c.resetPayload !== '' &&
        msg.payload !== undefined &&
        msg.payload !== null &&
        String(msg.payload) === c.resetPayload);
    const durationOf = (msg: Message): number => {
      if (c.overrideDelay && Object.hasOwn(msg, 'delay')) {
        const asked = Number.parseFloat(String(msg.delay));
        if (!Number.isNaN(asked)) return asked;
      }
      return c.durationMs;
    };
    const firstMessage = (msg: Message): Message | undefined => {
      switch (c.firstSend) {
        case 'value':
          return { ...msg, payload: c.firstValue };
        case 'timestamp':
          return { ...msg, payload: ctx.clock.now() };
        case 'message':
          return msg;
        default:
          return undefined;
      }
    };
    const sendSecond = (stream: Stream, base: Message): void => {
      if (c.secondSend === 'nothing') return;
      if (c.secondSend === 'latest') ctx.send(stream.latest, secondPort);
      else ctx.send({ ...base, payload: c.secondSend === 'timestamp' ? ctx.clock.now() : stream.second }, secondPort);
    };
    const endAfter = (key: string | undefined, stream: Stream, base: Message, ms: number): Timer =>
      ctx.clock.setTimeout(() => {
        streams.delete(key);
        sendSecond(stream, base);
        showStatus();
      }, ms);

    const begin = (key: string | undefined, msg: Message, duration: number): void => {
      streams.get(key)?.timer?.cancel();
      const first = firstMessage(msg);
      const stream: Stream = {
        timer: undefined,
        latest: msg,
        second: c.secondSend === 'first' ? msg.payload : c.secondValue,
      };
      streams.set(key, stream);
      if (c.then === 'resend') {
        if (first !== undefined)
          stream.timer = ctx.clock.setInterval(
            () => ctx.send(c.firstSend === 'timestamp' ? { ...first, payload: ctx.clock.now() } : first),
            duration,
          );
      } else if (c.then === 'wait' && duration !== 0) {
        // A negative msg.delay ends the wait at once, as Node-RED's timer does.
        stream.timer = endAfter(key, stream, msg, Math.max(0, duration));
      }
      // A duration of 0 (from msg.delay) blocks until reset, as in Node-RED.
      if (first !== undefined) ctx.send(first);
      showStatus();
    };

    return {
      start() {
        showStatus();
      },

      onMessage(msg) {
        const key = keyOf(msg);
        const stream = streams.get(key);
        if (isReset(msg)) {
          stream?.timer?.cancel();
          streams.delete(key);
          showStatus();
          return;
        }
        if (!stream || c.then === 'resend') {
          begin(key, msg, durationOf(msg));
          return;
        }
        stream.latest = msg;
        const duration = durationOf(msg);
        if (c.then === 'wait' && c.extend && duration > 0 && stream.timer) {
          stream.timer.cancel();
          stream.timer = endAfter(key, stream, msg, duration);
        }
      },

      close() {
        const pending = c.then === 'wait' && c.secondSend !== 'nothing' ? streams.size : 0;
        if (pending > 0)
          ctx.log.warn(
            `${pending} second message${pending === 1 ? ' was' : 's were'} not sent: the node stopped while waiting`,
            { pending },
          );
        ctx.dropped(pending, 'stopped');
        for (const stream of streams.values()) stream.timer?.cancel();
        streams.clear();
      },
    };
  },
});

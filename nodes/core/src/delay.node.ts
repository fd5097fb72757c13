import { defineNode } from '@tagflow/node-sdk';
import type { Message, Timer } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';
import { throttledStatus } from './lib/throttled-status';

/** A message waiting for its time. */
interface Held {
  msg: Message;
  timer: Timer;
}

export default defineNode({
  type: 'delay',
  version: 1,
  category: 'processor',
  description: 'Holds each message for a fixed, random or per-message time, then sends it on.',
  docs: [
    "Holds each message for a while, then sends it on unchanged: Node-RED's delay node in its",
    '"delay each message" modes. To limit how many messages pass per period, use `rate-limit`.',
    '',
    'Each message is delayed on its own, from the time it arrives; messages are not spaced out, so',
    'with a random delay a later message may overtake an earlier one.',
    '',
    '- `fixed`: every message waits `delayMs`.',
    '- `random`: every message waits a random time between `randomMinMs` and `randomMaxMs`.',
    '- `message`: a message with a numeric `msg.delay` (milliseconds, a number or numeric text)',
    '  waits that long (a negative one: not at all); one without waits `delayMs`.',
    '',
    '## Control messages',
    '',
    '- `msg.reset` (any value): every held message is dropped without being sent; the reset',
    '  message itself is not sent either.',
    '- `msg.flush`: held messages are sent at once, oldest first: all of them, or the first N when',
    '  `msg.flush` is a number N. A flush message with a payload is held first (so "flush all" sends',
    '  it too); one without a payload is only a command.',
    '',
    '## What it sends, and when',
    '',
    'The messages received, unchanged (same payload, topic, timestamp, quality, fields), each when',
    'its time is up or when flushed.',
    '',
    '## Dropped messages',
    '',
    'At most `maxHeld` messages are held: when a message arrives with `maxHeld` waiting, the oldest',
    'one is dropped. Messages dropped by a reset or when full are counted: in the status and in',
    '/metrics (`tagflow_messages_dropped_total` with `reason="full"` or `"reset"`). When the node',
    'stops (the flow stops, or a redeploy changes or removes it) held messages are not sent (as in',
    'Node-RED); a warning in the log gives their count and they are counted with `reason="stopped"`:',
    'they are never lost silently.',
    '',
    '## Status',
    '',
    '`H held` with `backlog: H`, refreshed at most once a second; after drops the runtime appends',
    'their count: `0 held · 2 dropped`.',
    '',
    '## Example',
    '',
    'Wait five seconds before switching the pump off, unless `msg.delay` says otherwise:',
    '',
    '```json',
    '{ "id": "later", "type": "delay", "typeVersion": 1, "config": { "mode": "message", "delayMs": 5000 } }',
    '```',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out'],
  // Every message waits before going on: a loop through it cannot spin.
  breaksCycles: true,
  errors: coreErrors.pick(),
  configSchema: {
    type: 'object',
    properties: {
      mode: {
        description:
          'fixed: every message waits delayMs; random: between randomMinMs and randomMaxMs; message: msg.delay, else delayMs.',
        default: 'fixed',
        enum: ['fixed', 'random', 'message'],
        'x-ui': {
          label: 'Delay',
          enumLabels: { fixed: 'fixed delay', random: 'random delay', message: 'msg.delay, else the fixed delay' },
        },
      },
      delayMs: {
        type: 'number',
        description: 'How long each message waits, in milliseconds (modes fixed and message).',
        default: 1000,
        minimum: 0,
        'x-ui': { label: 'For', unit: 'ms' },
      },
      randomMinMs: {
        type: 'number',
        description: 'Shortest random delay, in milliseconds.',
        default: 1000,
        minimum: 0,
        'x-ui': { label: 'Between', unit: 'ms' },
      },
      randomMaxMs: {
        type: 'number',
        description: 'Longest random delay, in milliseconds.',
        default: 5000,
        minimum: 0,
        'x-ui': { label: 'And', unit: 'ms' },
      },
      maxHeld: {
        type: 'integer',
        description: 'Most messages held at once; beyond it the oldest held message is dropped.',
        default: 10000,
        minimum: 1,
        'x-ui': { label: 'Most held', unit: 'messages', advanced: true },
      },
    },
    additionalProperties: false,
  },

  create(ctx) {
    const { mode, delayMs, randomMinMs, randomMaxMs, maxHeld } = ctx.config;
    const low = Math.min(randomMinMs, randomMaxMs);
    const spread = Math.abs(randomMaxMs - randomMinMs);
    // Insertion order is arrival order, which flush follows.
    const held = new Set<Held>();
    // Drops are counted by the runtime (`ctx.dropped`), which appends `· N dropped` to the status.
    const showStatus = throttledStatus(ctx, () => ({ state: 'ok', text: `${held.size} held`, backlog: held.size }));

    const waitFor = (msg: Message): number => {
      if (mode === 'random') return low + spread * Math.random();
      if (mode === 'message' && Object.hasOwn(msg, 'delay')) {
        // Node-RED reads msg.delay with parseFloat: 500, "500" and "500ms" all mean 500 ms.
        const asked = Number.parseFloat(String(msg.delay));
        if (!Number.isNaN(asked)) return Math.max(0, asked);
      }
      return delayMs;
    };
    const hold = (msg: Message): void => {
      if (held.size >= maxHeld) {
        const oldest = held.values().next().value as Held;
        oldest.timer.cancel();
        held.delete(oldest);
        ctx.dropped(1, 'full');
      }
      const entry: Held = {
        msg,
        timer: ctx.clock.setTimeout(() => {
          held.delete(entry);
          ctx.send(msg);
          showStatus();
        }, waitFor(msg)),
      };
      held.add(entry);
    };
    const release = (count: number): void => {
      for (const entry of held) {
        if (count-- <= 0) break;
        entry.timer.cancel();
        held.delete(entry);
        ctx.send(entry.msg);
      }
    };

    return {
      start() {
        showStatus();
      },

      onMessage(msg) {
        if (Object.hasOwn(msg, 'reset')) {
          // Node-RED holds the reset message too, then clears it with the rest: it is never sent.
          for (const entry of held) entry.timer.cancel();
          ctx.dropped(held.size, 'reset');
          held.clear();
        } else if (Object.hasOwn(msg, 'flush')) {
          if (msg.payload !== undefined) hold(msg);
          release(typeof msg.flush === 'number' ? Math.floor(msg.flush) : held.size);
        } else hold(msg);
        showStatus();
      },

      close() {
        if (held.size > 0)
          ctx.log.warn(`${held.size} held message${held.size === 1 ? ' was' : 's were'} dropped: the node stopped`, {
            dropped: held.size,
          });
        for (const entry of held) entry.timer.cancel();
        ctx.dropped(held.size, 'stopped');
        held.clear();
      },
    };
  },
});

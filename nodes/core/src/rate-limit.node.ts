import { defineNode } from '@tagflow/node-sdk';
import type { Message, Timer } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';
import { persistProperty, persistedState } from './lib/persisted-state';
import { RingDeque } from './lib/ring-deque';

/** The status is refreshed at most this often, so an overload does not also flood the editor. */
const STATUS_EVERY_MS = 1000;

/** The limiter of one topic (or of all messages). */
interface Lane {
  /** Send times of the last `rate` messages let through, oldest first. */
  sent: RingDeque<number>;
  /** Messages waiting for a free slot (queue mode), oldest first. */
  waiting: RingDeque<Message>;
  timer: Timer | undefined;
}

export default defineNode({
  type: 'rate-limit',
  version: 1,
  category: 'processor',
  description: 'Lets at most N messages through per period; drops or delays the excess.',
  docs: [
    'Lets at most N messages through per period, to protect a slow consumer (a cloud API with a',
    'quota, a dashboard) from a fast source. The excess is dropped or queued.',
    '',
    '## The rule',
    '',
    'At most `rate` messages pass in any `perSeconds`-long stretch of time, measured on the runtime',
    'clock when messages arrive (not on `msg.timestamp`). A burst of up to `rate` messages passes at',
    'once; after that, the next message may pass when the oldest of the last `rate` passed messages',
    'is exactly `perSeconds` old. Example with `rate: 2, perSeconds: 1`: messages arriving at 0 s,',
    '0 s, 0.5 s, 1.0 s → the first two pass, the one at 0.5 s is over the limit, the one at 1.0 s',
    'passes.',
    '',
    '- `drop`: a message over the limit is dropped and counted.',
    '- `queue`: a message over the limit, or arriving while others wait, is queued; queued messages',
    '  are sent in arrival order as soon as the limit allows. When `maxQueue` messages already wait,',
    '  the oldest waiting message is dropped and counted, so the queue holds the most recent data.',
    '- `perTopic`: every topic has its own limit and own queue (`maxQueue` applies per topic);',
    '  messages without a topic share one.',
    '',
    "This queue belongs to the node and is separate from the engine's input queue in front of every",
    'node (its size and overflow policy are set per node in the flow). Messages still queued when the',
    'flow stops or the node is redeployed are not sent (a warning in the log gives their count).',
    '',
    '## What it sends, and when',
    '',
    'The messages received, unchanged (same payload, topic, timestamp, quality and fields), at most',
    '`rate` per `perSeconds`. A queued message keeps its original `timestamp` (when it was measured),',
    'even though it is sent later.',
    '',
    '## Keeping the limit: persist',
    '',
    "With `persist: true` the send times of the last period are kept in the node's context and",
    'restored when the node starts again with the same config, so a restart or a redeploy does not',
    'let a fresh burst through. Messages still queued when the node stops are not kept (a warning',
    'says how many).',
    '',
    '## Status',
    '',
    '`at most R per S s` (drop mode) or `Q queued` with `backlog: Q` (queue mode). Refreshed at most',
    'once a second, so an overload does not also flood the editor. The runtime appends the count of',
    'dropped messages (`· 12 dropped`) and keeps it in /metrics (`tagflow_messages_dropped_total`',
    'with `reason="over-limit"`, `"full"` for a full queue, `"stopped"` for messages still queued',
    'when the node stops).',
    '',
    '## Example',
    '',
    'At most 10 messages per minute to a cloud endpoint, excess queued:',
    '',
    '```json',
    '{',
    '  "id": "throttle",',
    '  "type": "rate-limit",',
    '  "typeVersion": 1,',
    '  "config": { "rate": 10, "perSeconds": 60, "mode": "queue", "maxQueue": 500 }',
    '}',
    '```',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out'],
  // At most `rate` messages per period pass: a loop through it cannot spin.
  breaksCycles: true,
  errors: coreErrors.pick('CONTEXT_VALUE', 'CONTEXT_FULL'),
  configSchema: {
    type: 'object',
    properties: {
      rate: {
        type: 'integer',
        description: 'How many messages may pass per period.',
        default: 1,
        minimum: 1,
        maximum: 1_000_000,
        'x-ui': { label: 'Messages', unit: 'messages' },
      },
      perSeconds: {
        type: 'number',
        description: 'Length of the period in seconds.',
        default: 1,
        minimum: 0.001,
        'x-ui': { label: 'Per', unit: 's' },
      },
      mode: {
        description: 'What happens to messages over the limit: dropped, or queued and sent later at the allowed rate.',
        default: 'drop',
        enum: ['drop', 'queue'],
        'x-ui': { label: 'Over the limit', enumLabels: { drop: 'drop them', queue: 'queue them' } },
      },
      maxQueue: {
        type: 'integer',
        description:
          'Queue mode: most messages kept waiting (per topic with "per topic"); beyond it the oldest is dropped.',
        default: 1000,
        minimum: 1,
        'x-ui': { label: 'Queue size', unit: 'messages', advanced: true },
      },
      perTopic: {
        type: 'boolean',
        description: 'Apply the limit to each msg.topic separately.',
        default: false,
        'x-ui': { label: 'Per topic' },
      },
      persist: persistProperty,
    },
    additionalProperties: false,
  },

  create(ctx) {
    const { rate, perSeconds, mode, maxQueue, perTopic } = ctx.config;
    const newLane = (): Lane => ({
      sent: new RingDeque<number>(Math.min(rate, 1024)),
      waiting: new RingDeque<Message>(),
      timer: undefined,
    });
    const periodMs = perSeconds * 1000;
    const lanes = new Map<string | undefined, Lane>();
    const persisted = persistedState<Array<[string | null, number[]]>>(ctx);
    // With persist, the send times of before a restart still count: a restart is no way round the limit.
    for (const [key, times] of persisted.restored ?? []) {
      const lane = newLane();
      for (const t of times) lane.sent.pushBack(t);
      lanes.set(key ?? undefined, lane);
    }
    let queued = 0;
    let statusShownAt = -Infinity;
    let statusTimer: Timer | undefined;

    const emitStatus = (): void => {
      statusShownAt = ctx.clock.now();
      // Drops are counted by the runtime (`ctx.dropped`), which appends `· N dropped`.
      const text = mode === 'queue' ? `${queued} queued` : `at most ${rate} per ${perSeconds} s`;
      ctx.status({ state: 'ok', text, ...(mode === 'queue' ? { backlog: queued } : {}) });
    };
    const showStatus = (): void => {
      const wait = statusShownAt + STATUS_EVERY_MS - ctx.clock.now();
      if (wait <= 0) emitStatus();
      else
        statusTimer ??= ctx.clock.setTimeout(() => {
          statusTimer = undefined;
          emitStatus();
        }, wait);
    };

    const laneOf = (msg: Message): Lane => {
      const key = perTopic ? msg.topic : undefined;
      let lane = lanes.get(key);
      if (!lane) {
        lane = newLane();
        lanes.set(key, lane);
      }
      return lane;
    };
    const mayPass = (lane: Lane, now: number): boolean =>
      lane.sent.size < rate || (lane.sent.peekFront() as number) <= now - periodMs;
    const pass = (lane: Lane, msg: Message, now: number): void => {
      lane.sent.pushBack(now);
      if (lane.sent.size > rate) lane.sent.popFront();
      if (ctx.config.persist) persisted.save([...lanes].map(([key, l]) => [key ?? null, [...l.sent]]));
      ctx.send(msg);
    };

    const release = (lane: Lane): void => {
      lane.timer = undefined;
      const now = ctx.clock.now();
      while (lane.waiting.size > 0 && mayPass(lane, now)) {
        queued--;
        pass(lane, lane.waiting.popFront() as Message, now);
      }
      if (lane.waiting.size > 0) scheduleRelease(lane, now);
      showStatus();
    };
    const scheduleRelease = (lane: Lane, now: number): void => {
      if (lane.timer) return;
      const freeAt = lane.sent.size < rate ? now : (lane.sent.peekFront() as number) + periodMs;
      lane.timer = ctx.clock.setTimeout(() => release(lane), Math.max(0, freeAt - now));
    };

    return {
      start() {
        emitStatus();
      },

      onMessage(msg) {
        const now = ctx.clock.now();
        const lane = laneOf(msg);
        // Behind waiting messages even when a slot is free: order is kept.
        if (lane.waiting.size === 0 && mayPass(lane, now)) {
          pass(lane, msg, now);
          return;
        }
        if (mode === 'drop') {
          ctx.dropped(1, 'over-limit');
        } else {
          if (lane.waiting.size >= maxQueue) {
            lane.waiting.popFront();
            queued--;
            ctx.dropped(1, 'full');
          }
          lane.waiting.pushBack(msg);
          queued++;
          scheduleRelease(lane, now);
        }
        showStatus();
      },

      close() {
        if (queued > 0)
          ctx.log.warn(`${queued} queued message${queued === 1 ? ' was' : 's were'} not sent: the node stopped`);
        ctx.dropped(queued, 'stopped');
        for (const lane of lanes.values()) lane.waiting.clear();
        queued = 0;
      },
    };
  },
});

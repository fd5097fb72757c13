import { defineNode } from '@tagflow/node-sdk';
import type { Message, Timer } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';
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
  description: 'Lets at most N messages through per period; drops or delays the excess',
  docs: [
    'Passes at most `rate` messages in any `perSeconds` period (by the flow clock, at arrival): a',
    'burst of up to `rate` goes through at once, then the next one waits until the oldest of them',
    'is `perSeconds` old. Mode `drop` drops the excess; mode `queue` keeps it in order and sends it',
    'as soon as the limit allows, keeping at most `maxQueue` messages (the oldest is dropped beyond).',
    'Messages are sent unchanged. With `perTopic` every `msg.topic` has its own limit (and queue).',
    'The status shows how many were dropped and how many wait. Queued messages are lost on stop.',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out'],
  errors: coreErrors.pick(),
  configSchema: {
    type: 'object',
    properties: {
      rate: {
        type: 'integer',
        minimum: 1,
        maximum: 1_000_000,
        default: 1,
        description: 'How many messages may pass per period.',
        'x-ui': { label: 'Messages', unit: 'messages' },
      },
      perSeconds: {
        type: 'number',
        minimum: 0.001,
        default: 1,
        description: 'Length of the period in seconds.',
        'x-ui': { label: 'Per', unit: 's' },
      },
      mode: {
        enum: ['drop', 'queue'],
        default: 'drop',
        description: 'What happens to messages over the limit: dropped, or queued and sent later at the allowed rate.',
        'x-ui': { label: 'Over the limit', enumLabels: { drop: 'drop them', queue: 'queue them' } },
      },
      maxQueue: {
        type: 'integer',
        minimum: 1,
        default: 1000,
        description:
          'Queue mode: most messages kept waiting (per topic with "per topic"); beyond it the oldest is dropped.',
        'x-ui': { label: 'Queue size', unit: 'messages', advanced: true },
      },
      perTopic: {
        type: 'boolean',
        default: false,
        description: 'Apply the limit to each msg.topic separately.',
        'x-ui': { label: 'Per topic' },
      },
    },
    additionalProperties: false,
  },

  create(ctx) {
    const { rate, perSeconds, mode, maxQueue, perTopic } = ctx.config;
    const periodMs = perSeconds * 1000;
    const lanes = new Map<string | undefined, Lane>();
    let dropped = 0;
    let queued = 0;
    let statusShownAt = -Infinity;
    let statusTimer: Timer | undefined;

    const emitStatus = (): void => {
      statusShownAt = ctx.clock.now();
      const text = mode === 'queue' ? `${queued} queued, ${dropped} dropped` : `${dropped} dropped`;
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
        lane = {
          sent: new RingDeque<number>(Math.min(rate, 1024)),
          waiting: new RingDeque<Message>(),
          timer: undefined,
        };
        lanes.set(key, lane);
      }
      return lane;
    };
    const mayPass = (lane: Lane, now: number): boolean =>
      lane.sent.size < rate || (lane.sent.peekFront() as number) <= now - periodMs;
    const pass = (lane: Lane, msg: Message, now: number): void => {
      lane.sent.pushBack(now);
      if (lane.sent.size > rate) lane.sent.popFront();
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
          dropped++;
        } else {
          if (lane.waiting.size >= maxQueue) {
            lane.waiting.popFront();
            queued--;
            dropped++;
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
        for (const lane of lanes.values()) lane.waiting.clear();
        queued = 0;
      },
    };
  },
});

import { defineNode } from '@tagflow/node-sdk';
import type { Message } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';

export default defineNode({
  type: 'timer',
  version: 1,
  category: 'source',
  description: 'Sends a message at start and/or every few seconds (like Node-RED inject).',
  docs: [
    "Sends a message when the flow starts and/or at a fixed interval, like Node-RED's inject node.",
    'Use it to trigger polls, heartbeats, periodic commands or test values.',
    '',
    'Cron schedules (`cron`) are not supported yet; a config holding `cron` is refused at deploy.',
    '',
    '## What it sends, and when',
    '',
    '- With `onStart`, one message when the flow starts.',
    '- With `intervalMs`, one message every `intervalMs`, the first one `intervalMs` after start',
    '  (add `onStart` for one at start too).',
    '- With neither, it sends nothing; its status says `never sends: set a repeat interval or "send at start"`.',
    '',
    'Each message:',
    '',
    '```json',
    '{ "payload": 1767225600000, "topic": "poll", "timestamp": 1767225600000, "quality": "good" }',
    '```',
    '',
    '`payload` is the configured value (the same value in every message; messages are never',
    'changed, so sharing it is safe) or the send time; `timestamp` is the send time; `quality` is',
    'always `good`; `topic` only when set. The status shows the schedule, e.g. `every 5 s`.',
    '',
    'While a node downstream has a full input queue under overflow `block` (a slow database, a',
    'publisher whose buffer is full), a repeat that comes due is skipped rather than sent into a',
    'queue that would have to drop it; skipped repeats are counted in the status (`every 1 s · 3',
    'skipped`) and in /metrics (`tagflow_source_skipped_total{reason="held"}`).',
    '',
    "Once deployed, the node's inject button in the editor sends one more such message at once,",
    'whatever the schedule (also with neither `onStart` nor `intervalMs`).',
    '',
    '## Example',
    '',
    'Ask a PLC for its counters every minute, and once at start:',
    '',
    '```json',
    '{',
    '  "id": "poll-counters",',
    '  "type": "timer",',
    '  "typeVersion": 1,',
    '  "config": { "intervalMs": 60000, "onStart": true, "topic": "plc/poll", "payload": { "registers": [100, 101] } }',
    '}',
    '```',
  ].join('\n'),
  inputs: [],
  outputs: ['out'],
  manualTrigger: true,
  errors: coreErrors.pick(),
  configSchema: {
    type: 'object',
    properties: {
      intervalMs: {
        type: 'number',
        description: 'Send a message every this many milliseconds. Leave empty to send only at start.',
        exclusiveMinimum: 0,
        'x-ui': { label: 'Repeat every (ms)' },
      },
      onStart: {
        type: 'boolean',
        description: 'Also send one message as soon as the flow starts.',
        default: false,
        'x-ui': { label: 'Send at start' },
      },
      payload: {
        description: 'The payload to send: any JSON value. Leave empty to send the current time (epoch milliseconds).',
        'x-ui': { label: 'Payload', widget: 'json' },
      },
      topic: {
        type: 'string',
        description: 'Sent as msg.topic.',
        'x-ui': { label: 'Topic' },
      },
    },
    additionalProperties: false,
  },

  create(ctx) {
    const { intervalMs, onStart, payload, topic } = ctx.config;

    const fire = (): void => {
      const now = ctx.clock.now();
      // The config is frozen, so every message may share the same payload object safely.
      const msg: Message = {
        payload: payload === undefined ? now : payload,
        timestamp: now,
        quality: 'good',
        ...(topic === undefined ? undefined : { topic }),
      };
      ctx.send(msg);
    };

    // A timer cannot be held back: while the flow downstream is full (overflow `block`), a tick
    // that comes due is skipped and counted, not sent into a queue that would have to drop it.
    const tick = (): void => {
      if (ctx.held) ctx.skipped();
      else fire();
    };

    return {
      start() {
        if (intervalMs === undefined && !onStart) {
          ctx.status({ state: 'idle', text: 'never sends: set a repeat interval or "send at start"' });
          return;
        }
        ctx.status({
          state: 'ok',
          text: intervalMs === undefined ? 'sent at start' : `every ${formatInterval(intervalMs)}`,
        });
        if (onStart) fire();
        if (intervalMs !== undefined) ctx.clock.setInterval(tick, intervalMs);
      },
      // The inject button: one message now, the schedule unchanged.
      onTrigger: fire,
    };
  },
});

function formatInterval(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1000 && ms % 100 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

import { defineNode } from '@tagflow/node-sdk';
import type { NodeStatus, Quality } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';
import { readNumber } from './lib/numeric-payload';
import { persistProperty, persistedState } from './lib/persisted-state';
import { RunningWindow } from './lib/running-window';

export default defineNode({
  type: 'moving-average',
  version: 1,
  category: 'processor',
  description: 'Mean of the last N values or of the last S seconds, sent for every value received.',
  docs: [
    'Smooths a signal: for every number it receives, sends the mean of the last N values, or of the',
    'values measured in the last S seconds. The canonical "moving average of a flow sensor" node.',
    '',
    'A window is either a count or a span, never both: `{ "count": 10, "seconds": 5 }` is refused at',
    'deploy.',
    '',
    '## What it sends, and when',
    '',
    'One message for every number received (none before the window is full when `emitPartial` is',
    '`false`):',
    '',
    '```json',
    '{ "payload": 42.17, "topic": "pump3/flow", "timestamp": 1767225612000, "quality": "good", "unit": "m3/h" }',
    '```',
    '',
    '- `payload`: the mean of the values in the window, including the one just received.',
    '- No field is added: every other field of the message passes through unchanged. (Adding a field',
    "  after copying a message is a slow path in Node.js 20's V8, about 2 µs per message, so hot-path",
    '  nodes avoid it; the status shows how full the window is instead.)',
    '- `quality`: the worst quality of the values in the window (`bad` > `uncertain` > `good`). A',
    '  `bad` value counts in the mean and makes the result `bad` for as long as it is in the window.',
    "- Every other field (`topic`, `timestamp`, custom fields) is the received message's.",
    '',
    '### Count window (`{ "count": N }`)',
    '',
    'The mean of the last N values received, in arrival order. While fewer than N values have',
    'arrived, the mean of those there are (fewer than N), unless `emitPartial` is `false`: then the',
    'first message is sent with the Nth value.',
    '',
    '### Time window (`{ "seconds": S }`): source time',
    '',
    "The window is judged on the values' own `msg.timestamp` (when they were measured), not on when",
    'they arrive, so a replayed recording or a burst of buffered readings averages the same way as',
    'live data. For each value, the window holds the values whose timestamp `t` satisfies',
    '`t >= newest - S` (the edge is included), where `newest` is the latest timestamp seen.',
    '',
    '- Timestamps are expected to increase (one source, in order). A value already older than the',
    '  window start when it arrives (`t < newest - S`) is ignored: nothing is sent, it is not',
    '  averaged, and the status counts it (`N late values ignored`). A value out of order but still',
    '  inside the window is averaged; it leaves the window once the values received before it have.',
    '- With `emitPartial: false`, nothing is sent until the values span the whole window: the first',
    '  message goes out with the first value whose timestamp is at least S seconds after the first',
    '  value received.',
    '- The window keeps every value of the last S seconds in memory: a 1 h window on a 10 Hz sensor',
    '  holds 36,000 values.',
    '',
    '### When a value is refused',
    '',
    'A `payload` that is not a finite number (text such as `"12.5"`, `null`, `NaN`, an object) is',
    'an error `NOT_A_NUMBER` ("msg.payload must be a number, but it is the text "12.5""), routed to',
    "the node's error handling. The value is not averaged and nothing is sent; the window is",
    'unchanged.',
    '',
    '## Several tags: perTopic',
    '',
    'With `perTopic: true` every `msg.topic` has its own window (messages without a topic share',
    'one), so one node can average many tags; each result carries its own topic. Without it (the',
    'default) every value goes into one window, whatever its topic.',
    '',
    '## Keeping the window: persist',
    '',
    "With `persist: true` the windows are kept in the node's context after every value and restored",
    'when the node starts again (a restart, a redeploy that changed another node) with the same',
    'config; a changed config starts empty. The whole window is stored on each value, so keep',
    'persisted windows small (hundreds of values, not millions).',
    '',
    'For the minimum, maximum, standard deviation or a low-pass / high-pass filter over the last N',
    "values (Node-RED's smooth node), use the `smooth` node; for statistics over a time period,",
    '`aggregate`.',
    '',
    '## Status',
    '',
    'Count window: `3/10 values` while filling, then `10/10 values`. Time window: `last S s`',
    '(plus the number of late values ignored, if any). With `perTopic`, the number of tags.',
    '',
    '## Performance',
    '',
    'O(1) per value for count windows (a ring buffer and a running sum), amortized O(1) for time',
    'windows. The running sum is recomputed from the held values once as many values were evicted as',
    'the window holds, so floating-point drift cannot build up (even after a huge outlier leaves).',
    '',
    '## Example',
    '',
    'Average of the last 10 flow readings:',
    '',
    '```json',
    '{ "id": "avg", "type": "moving-average", "typeVersion": 1, "config": { "window": { "count": 10 } } }',
    '```',
    '',
    'Average over the last 5 minutes, sent only once 5 minutes of data are in:',
    '',
    '```json',
    '{',
    '  "id": "avg-5min",',
    '  "type": "moving-average",',
    '  "typeVersion": 1,',
    '  "config": { "window": { "seconds": 300 }, "emitPartial": false }',
    '}',
    '```',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out'],
  errors: coreErrors.pick('NOT_A_NUMBER', 'CONTEXT_VALUE', 'CONTEXT_FULL'),
  configSchema: {
    type: 'object',
    properties: {
      window: {
        oneOf: [
          {
            type: 'object',
            title: 'Last N values',
            properties: {
              count: {
                type: 'integer',
                description: 'Number of most recent values to average.',
                minimum: 1,
                maximum: 1_000_000,
                'x-ui': { label: 'Window size', unit: 'values' },
              },
            },
            required: ['count'],
            additionalProperties: false,
          },
          {
            type: 'object',
            title: 'Last S seconds',
            properties: {
              seconds: {
                type: 'number',
                description:
                  "Average the values measured within this many seconds of the newest value (by the values' timestamps).",
                exclusiveMinimum: 0,
                'x-ui': { label: 'Window span', unit: 's' },
              },
            },
            required: ['seconds'],
            additionalProperties: false,
          },
        ],
        description: 'Which values to average: the last N values received, or those of the last S seconds.',
        default: { count: 10 },
        'x-ui': { label: 'Window' },
      },
      emitPartial: {
        type: 'boolean',
        description:
          'Send a mean while the window is still filling (after the first value). Off: send nothing until N values arrived, or until the values span the whole time window.',
        default: true,
        'x-ui': { label: 'Send while filling' },
      },
      perTopic: {
        type: 'boolean',
        description:
          'Keep a separate window for each msg.topic, so several tags can share one node. Off: one window for all.',
        default: false,
        'x-ui': { label: 'Separate per topic' },
      },
      persist: persistProperty,
    },
    additionalProperties: false,
  },

  create(ctx) {
    const { window: spec, emitPartial, perTopic } = ctx.config;
    const count = 'count' in spec ? spec.count : undefined;
    const seconds = 'seconds' in spec ? spec.seconds : undefined;
    const spanMs = seconds === undefined ? undefined : seconds * 1000;
    const persisted = persistedState<SavedWindow[]>(ctx);
    // One window per topic with perTopic; otherwise every message goes to the one under key null.
    const windows = new Map<string | null, TopicWindow>();
    for (const saved of persisted.restored ?? []) windows.set(saved.topic, restore(saved));
    let late = 0;
    let shown = '';

    const show = (status: NodeStatus): void => {
      const key = `${status.state}:${status.text ?? ''}`;
      if (key === shown) return;
      shown = key;
      ctx.status(status);
    };
    const idle = (): NodeStatus =>
      count !== undefined ? { state: 'idle', text: `0/${count} values` } : { state: 'idle', text: `last ${seconds} s` };
    const save = () => {
      if (ctx.config.persist)
        persisted.save(
          [...windows].map(([topic, w]) => ({
            topic,
            first: w.first,
            newest: w.newest,
            filled: w.filled,
            samples: w.window.values().map((s) => [s.value, s.time, s.quality] as const),
          })),
        );
    };

    return {
      start() {
        const only = windows.get(null);
        if (windows.size > 1 || (windows.size === 1 && only === undefined))
          show({ state: 'ok', text: `${windows.size} tag${windows.size === 1 ? '' : 's'}` });
        else if (only !== undefined && count !== undefined)
          show({ state: 'ok', text: `${only.window.count}/${count} values` });
        else show(idle());
      },

      onMessage(msg) {
        const value = readNumber(msg);
        const topic = perTopic && typeof msg.topic === 'string' ? msg.topic : null;
        let w = windows.get(topic);
        if (w === undefined) {
          w = { window: new RunningWindow(), first: undefined, newest: undefined, filled: false };
          windows.set(topic, w);
        }
        const { window } = w;
        let full: boolean;
        if (count !== undefined) {
          if (window.count === count) window.evictOldest();
          window.push(value, msg.timestamp, msg.quality);
          full = window.count === count;
          if (perTopic) show({ state: 'ok', text: `${windows.size} tag${windows.size === 1 ? '' : 's'}` });
          else if (!w.filled) show({ state: 'ok', text: `${window.count}/${count} values` });
          w.filled ||= full;
        } else {
          const span = spanMs as number;
          const newest = w.newest ?? -Infinity;
          if (msg.timestamp < newest - span) {
            // Older than everything the window may hold: averaging it would move the mean backwards in time.
            late++;
            ctx.log.debug('ignored a value older than the time window', { timestamp: msg.timestamp, newest, topic });
            show({ state: 'ok', text: `last ${seconds} s, ${late} late value${late === 1 ? '' : 's'} ignored` });
            return;
          }
          w.first ??= msg.timestamp;
          window.push(value, msg.timestamp, msg.quality);
          const latest = Math.max(newest, msg.timestamp);
          w.newest = latest;
          window.evictBefore(latest - span);
          full = latest - w.first >= span;
          if (late === 0)
            show(
              perTopic
                ? { state: 'ok', text: `last ${seconds} s, ${windows.size} tag${windows.size === 1 ? '' : 's'}` }
                : { state: 'ok', text: `last ${seconds} s` },
            );
        }
        save();
        if (!full && !emitPartial) return;
        // Only fields the message already has: adding one after a spread is a V8 slow path.
        ctx.send({ ...msg, payload: window.mean(), quality: window.quality });
      },
    };
  },
});

/** One topic's window and how far it has filled. */
interface TopicWindow {
  window: RunningWindow;
  /** Timestamp of the first value (time windows: full once the values span the window). */
  first: number | undefined;
  /** Time windows: the newest timestamp seen, which the window's span ends at. */
  newest: number | undefined;
  /** Count windows: reached N values once (the status stops counting then). */
  filled: boolean;
}

/** A window as kept in the node's context with persist. */
interface SavedWindow {
  topic: string | null;
  first: number | undefined;
  newest: number | undefined;
  filled: boolean;
  samples: ReadonlyArray<readonly [number, number, Quality]>;
}

function restore(saved: SavedWindow): TopicWindow {
  const window = new RunningWindow();
  for (const [value, time, quality] of saved.samples) window.push(value, time, quality);
  return { window, first: saved.first ?? undefined, newest: saved.newest ?? undefined, filled: saved.filled };
}

import { defineNode, deriveMessage, worstQuality } from '@tagflow/node-sdk';
import type { Message, Quality } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';
import { readNumber } from './lib/numeric-payload';
import { RunningWindow } from './lib/running-window';
import { persistProperty, persistedState } from './lib/persisted-state';
import { StatsAccumulator, summarize } from './lib/window-stats';
import type { AccumulatorSnapshot } from './lib/window-stats';

/** The values of one topic (or of all topics) in the open tumbling window. */
interface Bucket {
  stats: StatsAccumulator;
  quality: Quality;
  /** The topic of the values, while they all had the same one. */
  topic: string | undefined;
  mixedTopics: boolean;
}

/** One topic's sliding window. */
interface Slider {
  window: RunningWindow;
  newest: number;
}

// Key of the single group when values are not grouped by topic (never a valid topic: not a string).
const ALL = Symbol('all topics');

/** A group key as JSON data: `{ all: true }`, or the topic (null for none). */
type SavedKey = { all: true } | { topic: string | null };

function toSavedKey(key: string | undefined | typeof ALL): SavedKey {
  return key === ALL ? { all: true } : { topic: key ?? null };
}

function fromSavedKey(key: SavedKey): string | undefined | typeof ALL {
  return 'all' in key ? ALL : (key.topic ?? undefined);
}

/** What persist keeps: the open tumbling period, or the sliding windows. */
interface SavedAggregate {
  windowStart?: number;
  buckets?: Array<{
    key: SavedKey;
    stats: AccumulatorSnapshot;
    quality: Quality;
    topic: string | null;
    mixedTopics: boolean;
  }>;
  sliders?: Array<{ key: SavedKey; newest: number; samples: ReadonlyArray<readonly [number, number, Quality]> }>;
}

export default defineNode({
  type: 'aggregate',
  version: 1,
  category: 'processor',
  description: 'Min, max, mean, sum, count and standard deviation of the values over a time window.',
  docs: [
    'Statistics of a signal over a time window: min, max, mean, sum, count and standard deviation.',
    'Either one result per period (a 1-minute summary for a historian), or a rolling result for every',
    'value. One window per `msg.topic` by default.',
    '',
    '## What it sends, and when',
    '',
    '```json',
    '{',
    '  "payload": { "mean": 42.1, "min": 40.8, "max": 43.9, "count": 30 },',
    '  "topic": "pump3/flow",',
    '  "timestamp": 1767225660000,',
    '  "quality": "good",',
    '  "windowStart": 1767225600000,',
    '  "windowEnd": 1767225660000',
    '}',
    '```',
    '',
    '- `payload`: the chosen functions, plus `count` (always included: how many values the other',
    '  numbers summarize).',
    '- `stddev` is the **sample** standard deviation (divides by n − 1), the usual choice for',
    '  measurements; it is 0 when the window holds one value. It is computed with numerically stable',
    '  methods (Welford; shifted sums for sliding windows), so large values with a small spread',
    '  (e.g. 1,000,000,000.1 ± 0.1) give an accurate result.',
    '- `windowStart`, `windowEnd`: the span covered (epoch milliseconds); `timestamp` is `windowEnd`.',
    '- `quality`: the worst quality of the values in the window.',
    "- `topic`: the window's topic with `groupByTopic`; without it, the topic shared by all the",
    '  values, or no topic when they differ.',
    '',
    '### Tumbling (default): one result per period, clock time',
    '',
    '- Periods follow the runtime clock and are aligned to multiples of the window length since',
    '  1970-01-01 00:00 UTC: 60 s windows start on whole minutes, 3600 s windows on whole hours (UTC),',
    '  10 s windows at :00, :10, :20... The first period after a deploy may be short (the node started',
    '  in the middle of it); `windowStart` is still the aligned start.',
    '- A value counts in the period open when it **arrives** (its `msg.timestamp` is not used to',
    "  choose the period). A value arriving exactly at a period's end belongs to the next period.",
    '- When a period ends, one message per topic that had values is sent, even if no new value',
    '  arrives; a period without values sends nothing.',
    '- A period still open when the flow stops or the node is redeployed is not sent, unless',
    "  `persist` is on: then its values are kept in the node's context and it goes on after the",
    '  restart (sent at its end as usual; sent at start, with its own `windowStart` and',
    '  `windowEnd`, when it ended while the node was stopped). With `persist`, sliding windows are',
    '  kept too. Persisted state is restored only while the config stays the same.',
    '',
    '### Sliding: a result for every value, source time',
    '',
    'For every number received, the statistics of the values whose `msg.timestamp` lies within the',
    'window length of the newest timestamp (edge included): `windowStart = newest - length`,',
    "`windowEnd = newest`. Like the moving-average node, the window follows the values' own",
    "timestamps, and a value that arrives already older than its topic's window start is ignored",
    '(nothing sent; counted in the status). The other fields of the message are those of the value',
    'received.',
    '',
    '### When a value is refused',
    '',
    'A payload that is not a finite number is an error `NOT_A_NUMBER`: the value is not counted and',
    'the windows are unchanged.',
    '',
    '## Status',
    '',
    'Tumbling: `last window: N values` after each period that had values. Sliding: the count of late',
    'values ignored, if any.',
    '',
    '## Example',
    '',
    'One-minute summary per tag for a historian:',
    '',
    '```json',
    '{',
    '  "id": "per-minute",',
    '  "type": "aggregate",',
    '  "typeVersion": 1,',
    '  "config": { "window": { "seconds": 60 }, "functions": ["mean", "min", "max", "stddev"] }',
    '}',
    '```',
    '',
    'A rolling 10-second max, sent with every value:',
    '',
    '```json',
    '{',
    '  "id": "peak",',
    '  "type": "aggregate",',
    '  "typeVersion": 1,',
    '  "config": { "window": { "seconds": 10 }, "mode": "sliding", "functions": ["max"] }',
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
        type: 'object',
        description: 'Length of the window.',
        default: { seconds: 60 },
        properties: {
          seconds: {
            type: 'number',
            description: 'Window length in seconds.',
            minimum: 0.001,
            'x-ui': { label: 'Window length', unit: 's' },
          },
        },
        required: ['seconds'],
        additionalProperties: false,
        'x-ui': { label: 'Window' },
      },
      mode: {
        description:
          'Tumbling: one result per topic at the end of each period. Sliding: a result for every value received, over the period before it.',
        default: 'tumbling',
        enum: ['tumbling', 'sliding'],
        'x-ui': {
          label: 'Mode',
          enumLabels: { tumbling: 'one result per period', sliding: 'a result for every value' },
        },
      },
      functions: {
        type: 'array',
        description: 'Statistics to compute. The count of values is always included.',
        default: ['mean', 'min', 'max'],
        items: { enum: ['min', 'max', 'mean', 'sum', 'count', 'stddev'] },
        uniqueItems: true,
        minItems: 1,
        'x-ui': { label: 'Compute' },
      },
      groupByTopic: {
        type: 'boolean',
        description: 'Keep a separate window for each msg.topic. Off: all values go into one window.',
        default: true,
        'x-ui': { label: 'One window per topic' },
      },
      persist: persistProperty,
    },
    additionalProperties: false,
  },

  create(ctx) {
    const { window: spec, mode, functions, groupByTopic } = ctx.config;
    const lengthMs = Math.max(1, Math.round(spec.seconds * 1000));
    const keyOf = (msg: Message): string | undefined | typeof ALL => (groupByTopic ? msg.topic : ALL);
    const persisted = persistedState<SavedAggregate>(ctx);
    const restored = persisted.restored;

    if (mode === 'sliding') {
      const sliders = new Map<string | undefined | typeof ALL, Slider>();
      for (const saved of restored?.sliders ?? []) {
        const window = new RunningWindow({ extremes: true });
        for (const [value, time, quality] of saved.samples) window.push(value, time, quality);
        sliders.set(fromSavedKey(saved.key), { window, newest: saved.newest });
      }
      let late = 0;
      return {
        onMessage(msg) {
          const value = readNumber(msg);
          const key = keyOf(msg);
          let slider = sliders.get(key);
          if (slider && msg.timestamp < slider.newest - lengthMs) {
            late++;
            ctx.log.debug('ignored a value older than the sliding window', {
              timestamp: msg.timestamp,
              newest: slider.newest,
            });
            ctx.status({ state: 'ok', text: `${late} late value${late === 1 ? '' : 's'} ignored` });
            return;
          }
          if (!slider) {
            slider = { window: new RunningWindow({ extremes: true }), newest: msg.timestamp };
            sliders.set(key, slider);
          }
          slider.newest = Math.max(slider.newest, msg.timestamp);
          slider.window.push(value, msg.timestamp, msg.quality);
          slider.window.evictBefore(slider.newest - lengthMs);
          if (ctx.config.persist)
            persisted.save({
              sliders: [...sliders].map(([k, sl]) => ({
                key: toSavedKey(k),
                newest: sl.newest,
                samples: sl.window.values().map((x) => [x.value, x.time, x.quality] as const),
              })),
            });
          ctx.send(
            deriveMessage(msg, {
              payload: summarize(slider.window, functions),
              quality: slider.window.quality,
              windowStart: slider.newest - lengthMs,
              windowEnd: slider.newest,
            }),
          );
        },
      };
    }

    const buckets = new Map<string | undefined | typeof ALL, Bucket>();
    const alignedStart = (time: number): number => Math.floor(time / lengthMs) * lengthMs;
    let windowStart = alignedStart(ctx.clock.now());

    const save = (): void => {
      if (!ctx.config.persist) return;
      persisted.save({
        windowStart,
        buckets: [...buckets].map(([k, b]) => ({
          key: toSavedKey(k),
          stats: b.stats.snapshot(),
          quality: b.quality,
          topic: b.topic ?? null,
          mixedTopics: b.mixedTopics,
        })),
      });
    };

    const flush = (start: number, end: number): void => {
      let values = 0;
      for (const bucket of buckets.values()) {
        values += bucket.stats.count;
        ctx.send({
          payload: summarize(bucket.stats, functions),
          ...(bucket.mixedTopics || bucket.topic === undefined ? {} : { topic: bucket.topic }),
          timestamp: end,
          quality: bucket.quality,
          windowStart: start,
          windowEnd: end,
        });
      }
      if (buckets.size > 0) ctx.status({ state: 'ok', text: `last window: ${values} value${values === 1 ? '' : 's'}` });
      buckets.clear();
    };
    // Closes the open window once the clock has passed its end. Called by the timer and also before
    // each value, so a timer that fires late cannot let a value slip into a window already over.
    const rollTo = (now: number): void => {
      if (now < windowStart + lengthMs) return;
      flush(windowStart, windowStart + lengthMs);
      windowStart = alignedStart(now);
      // The period just sent must not be sent again after a restart.
      save();
    };
    const schedule = (): void => {
      ctx.clock.setTimeout(
        () => {
          rollTo(ctx.clock.now());
          schedule();
        },
        windowStart + lengthMs - ctx.clock.now(),
      );
    };

    return {
      start() {
        windowStart = alignedStart(ctx.clock.now());
        if (restored?.buckets !== undefined && restored.windowStart !== undefined) {
          for (const saved of restored.buckets)
            buckets.set(fromSavedKey(saved.key), {
              stats: StatsAccumulator.restore(saved.stats),
              quality: saved.quality,
              topic: saved.topic ?? undefined,
              mixedTopics: saved.mixedTopics,
            });
          // A period that ended while the node was stopped is sent now, with its own start and end.
          if (restored.windowStart < windowStart) {
            flush(restored.windowStart, restored.windowStart + lengthMs);
            save();
          }
        }
        schedule();
      },

      onMessage(msg) {
        const value = readNumber(msg);
        rollTo(ctx.clock.now());
        const key = keyOf(msg);
        let bucket = buckets.get(key);
        if (!bucket) {
          bucket = { stats: new StatsAccumulator(), quality: msg.quality, topic: msg.topic, mixedTopics: false };
          buckets.set(key, bucket);
        }
        bucket.stats.add(value);
        bucket.quality = worstQuality(bucket.quality, msg.quality);
        if (bucket.topic !== msg.topic) bucket.mixedTopics = true;
        save();
      },

      close() {
        if (buckets.size > 0 && !ctx.config.persist)
          ctx.log.info('the open window was not sent: the node stopped before it ended', { windowStart });
        buckets.clear();
      },
    };
  },
});

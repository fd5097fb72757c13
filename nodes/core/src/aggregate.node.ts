import { defineNode, deriveMessage, worstQuality } from '@tagflow/node-sdk';
import type { Message, Quality } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';
import { readNumber } from './lib/numeric-payload';
import { RunningWindow } from './lib/running-window';
import { StatsAccumulator, summarize } from './lib/window-stats';

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

export default defineNode({
  type: 'aggregate',
  version: 1,
  category: 'processor',
  description: 'Min, max, mean, sum, count and standard deviation of the values over a time window',
  docs: [
    'Computes statistics of the numbers in `msg.payload` over a time window, per topic by default.',
    'Tumbling: windows are consecutive periods of the clock aligned to multiples of the window length',
    '(60 s windows start on whole minutes, UTC); when one ends, one message per topic that had values',
    'is sent, even if no new value arrives; empty windows send nothing. Values are counted in the',
    'window open when they arrive. Sliding: every value sends the statistics of the values whose',
    'timestamps lie within the window length of the newest one. The payload holds the chosen',
    'functions plus `count`; `msg.windowStart`/`msg.windowEnd` give the span, `msg.timestamp` is its',
    'end, `msg.quality` the worst quality of the values. `stddev` is the sample standard deviation.',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out'],
  errors: coreErrors.pick('NOT_A_NUMBER'),
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
            minimum: 0.001,
            description: 'Window length in seconds.',
            'x-ui': { label: 'Window length', unit: 's' },
          },
        },
        required: ['seconds'],
        additionalProperties: false,
        'x-ui': { label: 'Window' },
      },
      mode: {
        enum: ['tumbling', 'sliding'],
        default: 'tumbling',
        description:
          'Tumbling: one result per topic at the end of each period. Sliding: a result for every value received, over the period before it.',
        'x-ui': {
          label: 'Mode',
          enumLabels: { tumbling: 'one result per period', sliding: 'a result for every value' },
        },
      },
      functions: {
        type: 'array',
        items: { enum: ['min', 'max', 'mean', 'sum', 'count', 'stddev'] },
        uniqueItems: true,
        minItems: 1,
        default: ['mean', 'min', 'max'],
        description: 'Statistics to compute. The count of values is always included.',
        'x-ui': { label: 'Compute' },
      },
      groupByTopic: {
        type: 'boolean',
        default: true,
        description: 'Keep a separate window for each msg.topic. Off: all values go into one window.',
        'x-ui': { label: 'One window per topic' },
      },
    },
    additionalProperties: false,
  },

  create(ctx) {
    const { window: spec, mode, functions, groupByTopic } = ctx.config;
    const lengthMs = Math.max(1, Math.round(spec.seconds * 1000));
    const keyOf = (msg: Message): string | undefined | typeof ALL => (groupByTopic ? msg.topic : ALL);

    if (mode === 'sliding') {
      const sliders = new Map<string | undefined | typeof ALL, Slider>();
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
      },

      close() {
        if (buckets.size > 0)
          ctx.log.info('the open window was not sent: the node stopped before it ended', { windowStart });
        buckets.clear();
      },
    };
  },
});

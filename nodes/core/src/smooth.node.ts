import { defineNode, NodeError, problemsFrom } from '@tagflow/node-sdk';
import type { Message, Quality } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';
import { getPath, parsePath, PathError, setPath } from './lib/message-path';
import type { PathSegment } from './lib/message-path';
import { readNumberAt } from './lib/numeric-payload';
import { persistProperty, persistedState } from './lib/persisted-state';
import { RunningWindow } from './lib/running-window';

const STATISTICS = ['mean', 'min', 'max', 'stddev', 'lowPass', 'highPass'] as const;
type Statistic = (typeof STATISTICS)[number];
const FILTERS: ReadonlySet<Statistic> = new Set(['lowPass', 'highPass']);

export default defineNode({
  type: 'smooth',
  version: 1,
  category: 'processor',
  description: 'Mean, min, max or standard deviation of the last N values, or a low-pass or high-pass filter.',
  docs: [
    "Node-RED's smooth node: for every value received, one statistic of the last `count` values, or",
    'the output of a simple filter, written back into the message. For the plain mean of a count or',
    'time window, with late-value handling, use `moving-average`; for summaries per time period,',
    '`aggregate`.',
    '',
    '| `statistic` | sends                                                                                  |',
    '| ----------- | -------------------------------------------------------------------------------------- |',
    '| `mean`      | the mean of the last `count` values                                                    |',
    '| `min`       | the smallest of the last `count` values                                                |',
    '| `max`       | the largest of the last `count` values                                                 |',
    '| `stddev`    | the sample standard deviation of the last `count` values (0 for one value)             |',
    '| `lowPass`   | a low-pass filter: `y = y + (x - y) / count`, starting at the first value              |',
    '| `highPass`  | what the low-pass filter removes: `x - y` (the fast changes of the signal)             |',
    '',
    'While fewer than `count` values arrived, the statistic is of those received so far.',
    '',
    '## What it sends, and when',
    '',
    'For every number received, the message with the result in place of the value read (at',
    '`property`, default `payload`) and, for the window statistics, the worst quality of the values',
    'in the window:',
    '',
    '```json',
    '{ "payload": 20.6, "topic": "tank1/temp", "timestamp": 1767225612000, "quality": "good" }',
    '```',
    '',
    '- `reduce: true` sends one result every `count` values instead (of the last `count`',
    '  values): five values in, one mean out. Filters always send every value.',
    '- `decimals` rounds the result to that many decimal places.',
    '- `perTopic: true` keeps separate values for each `msg.topic`; otherwise all share one window.',
    '- A message with a `reset` field (any value) first forgets what its window held (its topic',
    "  with perTopic), then is handled as usual: Node-RED's reset.",
    "- `persist: true` keeps the windows in the node's context across restarts and redeploys (while",
    '  the config stays the same).',
    '',
    'A value that is not a finite number (text, a missing property, NaN) is an error `NOT_A_NUMBER`;',
    'nothing is sent and the window is unchanged.',
    '',
    '## Why a node of its own',
    '',
    '`moving-average` is the mean, by name and by the pump example every tutorial starts with; a',
    '`statistic` option would make its name lie. `aggregate` sends objects of several statistics',
    'per period. Node-RED users look for smooth by its name, with its options.',
    '',
    '## Differences from Node-RED',
    '',
    "Node-RED's smooth tests pass here, except these, on purpose:",
    '',
    '- A message without the property, or with a value that is not a number, is `NOT_A_NUMBER`',
    '  instead of being ignored with a log line: the error reaches catch nodes and counters.',
    '- Numeric text (`"4.5"`) is refused, not converted: a wrong upstream type shows up here.',
    '- `decimals` is a number (0 for whole numbers), not `true` or a text.',
    '',
    '## Example',
    '',
    'Drop the noise of a level sensor: the mean of every 10 values, one result per 10, 1 decimal.',
    '',
    '```json',
    '{',
    '  "id": "level-smooth",',
    '  "type": "smooth",',
    '  "typeVersion": 1,',
    '  "config": { "statistic": "mean", "count": 10, "reduce": true, "decimals": 1 }',
    '}',
    '```',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out'],
  errors: coreErrors.pick('NOT_A_NUMBER', 'INVALID_PROPERTY', 'CONTEXT_VALUE', 'CONTEXT_FULL'),
  configSchema: {
    type: 'object',
    properties: {
      statistic: {
        description:
          'mean, min, max, stddev (sample) of the last count values; lowPass: y += (x - y) / count; highPass: x - the low-pass value.',
        default: 'mean',
        enum: [...STATISTICS],
        'x-ui': {
          label: 'Send',
          enumLabels: {
            mean: 'mean',
            min: 'minimum',
            max: 'maximum',
            stddev: 'standard deviation',
            lowPass: 'low-pass filter',
            highPass: 'high-pass filter',
          },
        },
      },
      count: {
        type: 'integer',
        description: 'Number of most recent values (for the filters: the smoothing factor, higher is smoother).',
        default: 10,
        minimum: 1,
        maximum: 100_000,
        'x-ui': { label: 'Over the last', unit: 'values' },
      },
      reduce: {
        type: 'boolean',
        description: 'Send one result every count values instead of one per value (not for the filters).',
        default: false,
        'x-ui': { label: 'One result per count values' },
      },
      decimals: {
        type: 'integer',
        description: 'Round the result to this many decimal places. Leave empty: no rounding.',
        minimum: 0,
        maximum: 15,
        'x-ui': { label: 'Round to', unit: 'decimals' },
      },
      property: {
        type: 'string',
        description: 'The message property read and replaced by the result, as a path: payload, payload.level.',
        default: 'payload',
        'x-ui': { label: 'Property' },
      },
      perTopic: {
        type: 'boolean',
        description: 'Keep separate values for each msg.topic. Off: one window for all.',
        default: false,
        'x-ui': { label: 'Separate per topic' },
      },
      persist: persistProperty,
    },
    additionalProperties: false,
  },

  check: (config) => problemsFrom('/property', () => propertyPath(config.property)),

  create(ctx) {
    const { statistic, count, reduce, decimals, perTopic, property } = ctx.config;
    const path = propertyPath(property);
    const filter = FILTERS.has(statistic);
    const factor = decimals === undefined ? undefined : 10 ** decimals;
    const persisted = persistedState<SavedState[]>(ctx);
    const states = new Map<string | null, TopicState>();
    for (const saved of persisted.restored ?? []) states.set(saved.topic, restore(saved, statistic));

    const fresh = (): TopicState => ({
      window: filter ? undefined : new RunningWindow({ extremes: statistic === 'min' || statistic === 'max' }),
      level: undefined,
      sinceSent: 0,
    });
    const topicOf = (msg: Message): string | null => (perTopic && typeof msg.topic === 'string' ? msg.topic : null);

    return {
      onMessage(msg) {
        const topic = topicOf(msg);
        // Node-RED's reset: the window starts again, then this message is handled as usual.
        if (msg.reset !== undefined) states.delete(topic);
        const value = readNumberAt(getPath(msg, path), property, msg);
        let state = states.get(topic);
        if (state === undefined) {
          state = fresh();
          states.set(topic, state);
        }
        let result: number;
        let quality: Quality = msg.quality;
        if (state.window === undefined) {
          const level = state.level === undefined ? value : state.level + (value - state.level) / count;
          state.level = level;
          result = statistic === 'lowPass' ? level : value - level;
        } else {
          const window = state.window;
          if (window.count === count) window.evictOldest();
          window.push(value, msg.timestamp, msg.quality);
          result = windowStatistic(window, statistic);
          quality = window.quality;
        }
        state.sinceSent++;
        save();
        if (reduce && !filter && state.sinceSent < count) return;
        state.sinceSent = 0;
        if (factor !== undefined) result = Math.round(result * factor) / factor;
        const out = setPath(msg, path, result);
        ctx.send(quality === msg.quality ? out : { ...out, quality });
      },
    };

    function save(): void {
      if (!ctx.config.persist) return;
      persisted.save(
        [...states].map(([topic, s]) => ({
          topic,
          level: s.level,
          sinceSent: s.sinceSent,
          samples: (s.window?.values() ?? []).map((x) => [x.value, x.time, x.quality] as const),
        })),
      );
    }
  },
});

/** One topic's values: a window for the statistics, the filter's level for the filters. */
interface TopicState {
  window: RunningWindow | undefined;
  level: number | undefined;
  /** Values received since the last result sent (for reduce). */
  sinceSent: number;
}

/** A topic's state as kept in the node's context with persist. */
interface SavedState {
  topic: string | null;
  level: number | undefined;
  sinceSent: number;
  samples: ReadonlyArray<readonly [number, number, Quality]>;
}

function restore(saved: SavedState, statistic: Statistic): TopicState {
  if (FILTERS.has(statistic)) return { window: undefined, level: saved.level ?? undefined, sinceSent: 0 };
  const window = new RunningWindow({ extremes: statistic === 'min' || statistic === 'max' });
  for (const [value, time, quality] of saved.samples) window.push(value, time, quality);
  return { window, level: undefined, sinceSent: saved.sinceSent };
}

function windowStatistic(window: RunningWindow, statistic: Statistic): number {
  switch (statistic) {
    case 'min':
      return window.min();
    case 'max':
      return window.max();
    case 'stddev':
      return window.stddev();
    default:
      return window.mean();
  }
}

function propertyPath(property: string): PathSegment[] {
  try {
    return parsePath(property);
  } catch (err) {
    if (err instanceof PathError)
      throw new NodeError(coreErrors.code.INVALID_PROPERTY, `Property: ${err.message}`, { property });
    throw err;
  }
}

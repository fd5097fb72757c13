import { defineNode, NodeError } from '@tagflow/node-sdk';
import type { Message } from '@tagflow/node-sdk';
import { historianErrors } from './error-codes';
import type { HistorianStore, HistoryQuery } from './historian-store';

export default defineNode({
  type: 'historian-query',
  version: 1,
  category: 'processor',
  description:
    'On each message, reads the values of some tags over a time range from a historian, optionally downsampled.',
  docs: [
    'On each message, reads tags over a time range and sends the rows as one message. An object',
    'payload may set `tags`, `from`, `to` (epoch milliseconds or ISO dates) and `bucketMs` for this',
    'query; anything else in the payload is ignored. A bad field is an error in plain words',
    '(`HISTORIAN_QUERY: msg.payload.from must be a time ...`).',
    '',
    '## What it sends',
    '',
    'The input message with `payload` = the rows, oldest first within each tag, and `topic` = the tags',
    'joined with commas. Raw rows: `{tag, ts, value, text, quality}`; downsampled: `{tag, ts (bucket',
    'start), min, max, mean, count}` over the numeric values of quality good or uncertain (a bad value',
    'is no measurement); buckets with no such value are left out:',
    '',
    '```json',
    '{',
    '  "payload": [',
    '    { "tag": "pump3/flow", "ts": 1767225600000, "min": 40.1, "max": 43.9, "mean": 41.8, "count": 60 },',
    '    { "tag": "pump3/flow", "ts": 1767225660000, "min": 40.6, "max": 44.2, "mean": 42.3, "count": 60 }',
    '  ],',
    '  "topic": "pump3/flow",',
    '  "timestamp": 1767225720000,',
    '  "quality": "good"',
    '}',
    '```',
    '',
    '## Example',
    '',
    "The last hour of pump 3's flow, one row a minute, whenever a message arrives:",
    '',
    '```json',
    '{',
    '  "id": "last-hour",',
    '  "type": "historian-query",',
    '  "typeVersion": 1,',
    '  "config": { "historian": "plant-history", "tags": ["pump3/flow"], "sinceMs": 3600000, "bucketMs": 60000 }',
    '}',
    '```',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out'],
  resources: { historian: 'historian' },
  errors: historianErrors.pick('HISTORIAN_QUERY', 'HISTORIAN_UNAVAILABLE'),
  configSchema: {
    type: 'object',
    properties: {
      historian: {
        type: 'string',
        description: 'Id of the historian resource to read from.',
        minLength: 1,
        'x-ui': { label: 'Historian', widget: 'resource', resourceType: 'historian' },
      },
      tags: {
        type: 'array',
        description: 'Tags to read (msg.payload.tags replaces them).',
        items: { type: 'string', minLength: 1 },
        minItems: 1,
        'x-ui': { label: 'Tags' },
      },
      sinceMs: {
        type: 'integer',
        description: 'Read the last this many milliseconds (msg.payload.from/to replace it).',
        default: 3600000,
        minimum: 1,
        'x-ui': { label: 'Time range', unit: 'ms' },
      },
      bucketMs: {
        type: 'integer',
        description:
          'Downsample: min, max and mean per bucket of this many milliseconds (msg.payload.bucketMs replaces it).',
        minimum: 1,
        'x-ui': { label: 'Bucket', unit: 'ms' },
      },
      limit: {
        type: 'integer',
        description: 'Most rows per tag.',
        default: 10000,
        minimum: 1,
        maximum: 1000000,
        'x-ui': { label: 'Rows per tag' },
      },
    },
    required: ['historian'],
    additionalProperties: false,
  },

  create(ctx) {
    const c = ctx.config;
    const historian = ctx.resource<HistorianStore>(c.historian);
    return {
      async onMessage(msg: Message) {
        const query = queryFor(msg.payload, c, ctx.clock.now());
        const store = historian.current;
        if (!store)
          throw new NodeError(
            historianErrors.code.HISTORIAN_UNAVAILABLE,
            'the historian is not connected; the query was not run',
          );
        const rows = await store.query(query);
        ctx.send({ ...msg, payload: rows, topic: query.tags.join(',') });
      },
    };
  },
});

interface QueryDefaults {
  tags?: string[];
  sinceMs: number;
  bucketMs?: number;
  limit: number;
}

/** The query a message asks for: fields of an object payload override the node's config. */
function queryFor(payload: unknown, c: QueryDefaults, now: number): HistoryQuery {
  const p =
    payload !== null && typeof payload === 'object' && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : {};
  const tags = p.tags ?? c.tags;
  if (!Array.isArray(tags) || tags.length === 0 || !tags.every((t) => typeof t === 'string' && t !== '')) {
    throw new NodeError(
      historianErrors.code.HISTORIAN_QUERY,
      'no tags to read: set "tags" in the node, or send msg.payload.tags as a list of tag names',
    );
  }
  const time = (field: string, fallback: number): number => {
    const v = p[field];
    if (v === undefined) return fallback;
    const ms = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
    if (!Number.isFinite(ms))
      throw new NodeError(
        historianErrors.code.HISTORIAN_QUERY,
        `msg.payload.${field} must be a time (epoch milliseconds or an ISO date), not ${JSON.stringify(v)}`,
      );
    return ms;
  };
  const to = time('to', now + 1);
  const from = time('from', to - c.sinceMs);
  if (from >= to)
    throw new NodeError(
      historianErrors.code.HISTORIAN_QUERY,
      `the time range is empty: from ${new Date(from).toISOString()} is not before to ${new Date(to).toISOString()}`,
    );
  const bucketMs = p.bucketMs ?? c.bucketMs;
  if (bucketMs !== undefined && (typeof bucketMs !== 'number' || !(bucketMs >= 1))) {
    throw new NodeError(
      historianErrors.code.HISTORIAN_QUERY,
      `msg.payload.bucketMs must be a number of milliseconds of at least 1, not ${JSON.stringify(bucketMs)}`,
    );
  }
  return { tags: tags as string[], from, to, bucketMs: bucketMs, limit: c.limit };
}

import { defineNode, NodeError } from '@tagflow/node-sdk';
import type { Message } from '@tagflow/node-sdk';
import type { HistorianStore, HistoryQuery } from './historian-store';

export default defineNode({
  type: 'historian-query',
  version: 1,
  category: 'processor',
  description:
    'On each message, reads the values of some tags over a time range from a historian, optionally downsampled',
  inputs: ['in'],
  outputs: ['out'],
  resources: { historian: 'historian' },
  configSchema: {
    type: 'object',
    properties: {
      historian: {
        type: 'string',
        minLength: 1,
        description: 'Id of the historian resource.',
        'x-ui': { widget: 'resource', resourceType: 'historian' },
      },
      tags: {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        minItems: 1,
        description: 'Tags to read (msg.payload.tags replaces them).',
      },
      sinceMs: {
        type: 'integer',
        minimum: 1,
        default: 3600000,
        description: 'Read the last this many milliseconds (msg.payload.from/to replace it).',
      },
      bucketMs: {
        type: 'integer',
        minimum: 1,
        description:
          'Downsample: min, max and mean per bucket of this many milliseconds (msg.payload.bucketMs replaces it).',
      },
      limit: { type: 'integer', minimum: 1, maximum: 1000000, default: 10000, description: 'Most rows per tag.' },
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
          throw new NodeError('HISTORIAN_UNAVAILABLE', 'the historian is not connected; the query was not run');
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
      'HISTORIAN_QUERY',
      'no tags to read: set "tags" in the node, or send msg.payload.tags as a list of tag names',
    );
  }
  const time = (field: string, fallback: number): number => {
    const v = p[field];
    if (v === undefined) return fallback;
    const ms = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
    if (!Number.isFinite(ms))
      throw new NodeError(
        'HISTORIAN_QUERY',
        `msg.payload.${field} must be a time (epoch milliseconds or an ISO date), not ${JSON.stringify(v)}`,
      );
    return ms;
  };
  const to = time('to', now + 1);
  const from = time('from', to - c.sinceMs);
  if (from >= to)
    throw new NodeError(
      'HISTORIAN_QUERY',
      `the time range is empty: from ${new Date(from).toISOString()} is not before to ${new Date(to).toISOString()}`,
    );
  const bucketMs = p.bucketMs ?? c.bucketMs;
  if (bucketMs !== undefined && (typeof bucketMs !== 'number' || !(bucketMs >= 1))) {
    throw new NodeError(
      'HISTORIAN_QUERY',
      `msg.payload.bucketMs must be a number of milliseconds of at least 1, not ${JSON.stringify(bucketMs)}`,
    );
  }
  return { tags: tags as string[], from, to, bucketMs: bucketMs, limit: c.limit };
}

import { defineNode, NodeError } from '@tagflow/node-sdk';
import type { Message } from '@tagflow/node-sdk';
import { isRefusedWrite } from './historian-store';
import type { HistorianStore } from './historian-store';
import type { HistoryRow } from './history-row';
import { rowsFromMessage } from './rows-from-message';

export default defineNode({
  type: 'historian-out',
  version: 1,
  category: 'publisher',
  description:
    'Records each value in a historian (local store, PostgreSQL or InfluxDB); buffers on disk while it is unreachable',
  inputs: ['in'],
  outputs: [],
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
      tag: {
        type: 'string',
        minLength: 1,
        default: '{{topic}}',
        description: 'Tag name the values are stored under, or a template such as pump3/{{topic}}.',
      },
      objects: {
        enum: ['fields', 'json'],
        default: 'fields',
        description:
          'An object payload: one tag per field (<tag>/<field>), or the whole object as one JSON text (events, alarms).',
      },
      batchSize: {
        type: 'integer',
        minimum: 1,
        maximum: 10000,
        default: 1000,
        description: 'Rows written at once, at most.',
      },
      batchMs: {
        type: 'integer',
        minimum: 0,
        default: 1000,
        description: 'Longest a row waits for its batch to fill.',
      },
      bufferMaxMB: {
        type: 'number',
        exclusiveMinimum: 0,
        default: 100,
        description: 'Disk space for rows waiting for the historian.',
      },
      overflow: {
        enum: ['drop-oldest', 'block'],
        default: 'drop-oldest',
        description: 'When the buffer is full: drop the oldest (counted), or hold the flow back.',
      },
    },
    required: ['historian'],
    additionalProperties: false,
  },

  async create(ctx) {
    const c = ctx.config;
    const historian = ctx.resource<HistorianStore>(c.historian);
    const outbox = await ctx.outbox<HistoryRow>({ maxBytes: c.bufferMaxMB * 2 ** 20, overflow: c.overflow });
    let stored = 0;
    let refused = 0;
    let shown = '';
    let delivering: Promise<void> | undefined;
    let wakeWhenFull: (() => void) | undefined;

    const showStatus = () => {
      const parts = [historian.current ? `${stored} rows stored` : 'waiting for the historian'];
      if (outbox.size > 0) parts.push(`${outbox.size} buffered`);
      if (outbox.dropped > 0) parts.push(`${outbox.dropped} dropped`);
      if (refused > 0) parts.push(`${refused} refused`);
      const text = parts.join(', ');
      if (text === shown) return;
      shown = text;
      ctx.status({ state: historian.current ? 'ok' : 'reconnecting', text, backlog: outbox.size });
    };

    // A row the backend can never store is reported once and dropped, so it cannot hold up the
    // rest. Peeked rows are the buffer's own objects, so a row retried after an outage is known.
    const reported = new WeakSet<HistoryRow>();
    const refuse = (row: HistoryRow, reason: string) => {
      if (reported.has(row)) return;
      reported.add(row);
      refused++;
      ctx.error(new NodeError('HISTORIAN_ROW', `${reason}; the row was dropped`));
    };
    const storableRows = (store: HistorianStore, batch: HistoryRow[]) =>
      batch.filter((row) => {
        const refusal = store.refusal(row);
        if (refusal !== undefined) refuse(row, refusal);
        return refusal === undefined;
      });

    // Writes one batch and returns the rows stored. A batch the backend refuses for what it holds
    // (not an outage) is written again row by row, so that only the rows refused are dropped.
    const writeBatch = async (store: HistorianStore, batch: HistoryRow[]): Promise<number> => {
      const storable = storableRows(store, batch);
      try {
        await store.write(storable);
        return storable.length;
      } catch (err) {
        if (!isRefusedWrite(err)) throw err;
      }
      let written = 0;
      for (const row of storable) {
        try {
          await store.write([row]);
          written++;
        } catch (err) {
          if (!isRefusedWrite(err)) throw err;
          refuse(row, (err as Error).message);
        }
      }
      return written;
    };

    // Sleeps on the node's clock, and wakes at once when the node closes (its timers are cancelled then).
    const pause = (ms: number) =>
      new Promise<void>((resolve) => {
        if (ctx.signal.aborted) return resolve();
        const timer = ctx.clock.setTimeout(done, ms);
        function done() {
          timer.cancel();
          ctx.signal.removeEventListener('abort', done);
          resolve();
        }
        ctx.signal.addEventListener('abort', done);
      });

    // Waits until a batch is full or its oldest row has waited batchMs, whichever comes first.
    const batchReady = () =>
      new Promise<void>((resolve) => {
        if (outbox.size >= c.batchSize || c.batchMs === 0 || ctx.signal.aborted) return resolve();
        const timer = ctx.clock.setTimeout(done, c.batchMs);
        function done() {
          timer.cancel();
          wakeWhenFull = undefined;
          ctx.signal.removeEventListener('abort', done);
          resolve();
        }
        wakeWhenFull = done;
        ctx.signal.addEventListener('abort', done);
      });

    // Writes the buffer in order, a batch at a time; a batch leaves the buffer only once stored.
    // Whatever fails, the loop goes on (with backoff): a buffer nobody drains would lose nothing
    // but would grow until it overflows.
    const deliver = async () => {
      let failures = 0;
      while (!ctx.signal.aborted) {
        try {
          await outbox.whenNotEmpty(ctx.signal);
          if (ctx.signal.aborted) return;
          await batchReady();
          if (ctx.signal.aborted) return;
          const store = await historian.ready(ctx.signal);
          const batch = outbox.peek(c.batchSize);
          stored += await writeBatch(store, batch);
          await outbox.ack(batch.length);
          failures = 0;
        } catch (err) {
          if (ctx.signal.aborted) return;
          failures++;
          // Rows are keyed by (tag, ts): writing this batch again later cannot duplicate history.
          ctx.log.warn('writing to the historian failed; the batch stays buffered and is written again', {
            error: String(err),
          });
          ctx.status({
            state: 'reconnecting',
            text: `write failed, ${outbox.size} buffered: ${(err as Error).message}`,
            backlog: outbox.size,
          });
          shown = '';
          await pause(Math.min(30_000, 1000 * 2 ** Math.min(failures - 1, 5)));
        }
      }
    };

    return {
      start() {
        ctx.clock.setInterval(showStatus, 500);
        showStatus();
        // The loop handles its own failures; this only guards against a bug in it.
        delivering = deliver().catch((err: unknown) => ctx.error(err));
      },
      async onMessage(msg: Message) {
        const tag = renderTag(c.tag, msg);
        for (const row of rowsFromMessage(msg, tag, c.objects)) await outbox.push(row);
        if (outbox.size >= c.batchSize) wakeWhenFull?.();
      },
      async close() {
        await delivering;
        // A clean stop writes what is still waiting for its batch, so `tagflow history` shows it at
        // once; anything it cannot write stays buffered for the next start.
        const store = historian.current;
        try {
          while (store && outbox.size > 0) {
            const batch = outbox.peek(c.batchSize);
            stored += await writeBatch(store, batch);
            await outbox.ack(batch.length);
          }
        } catch (err) {
          ctx.log.warn('could not write the last rows before stopping; they stay buffered for the next start', {
            error: String(err),
          });
        }
      },
    };
  },
});

/** Fills `{{field}}` placeholders from the message; a missing field is an error, not an empty tag. */
function renderTag(template: string, msg: Message): string {
  return template.replace(/\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g, (_, path: string) => {
    let value: unknown = msg;
    for (const key of path.split('.'))
      value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    if (value === undefined || value === null || typeof value === 'object') {
      throw new NodeError(
        'HISTORIAN_TAG',
        `the tag "${template}" needs {{${path}}}, which this message does not have as a text or number`,
      );
    }
    return String(value);
  });
}

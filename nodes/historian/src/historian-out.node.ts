import { defineNode, NodeError, outboxOverflowProperty } from '@tagflow/node-sdk';
import type { Message } from '@tagflow/node-sdk';
import { fromBuffered, toBuffered } from './buffered-row';
import type { BufferedRow } from './buffered-row';
import { historianErrors } from './error-codes';
import { isRefusedWrite } from './historian-store';
import type { HistorianStore } from './historian-store';
import { QUALITY_CODES } from './history-row';
import type { HistoryRow } from './history-row';
import { rowsFromMessage } from './rows-from-message';
import { compileTagTemplate } from './tag-template';

/** A write the historian has not answered for this long shows as `historian not answering`, not `ok`. */
export const STALLED_MS = 5000;

export default defineNode({
  type: 'historian-out',
  version: 1,
  category: 'publisher',
  description:
    'Records each value in a historian (local store, PostgreSQL or InfluxDB); buffers on disk while it is unreachable.',
  docs: [
    'Records each message it receives as one or more rows of a `historian` resource.',
    '',
    '## What it sends',
    '',
    'Rows to the historian, nothing on a port. What a message becomes:',
    '',
    '| payload | rows |',
    '| --- | --- |',
    '| `42.5` | `{tag, ts: msg.timestamp, value: 42.5, text: null, quality: msg.quality}` |',
    '| `true` / `false` | value 1 / 0 |',
    '| `"open"` | text `open` |',
    '| `null` (e.g. a failed read, quality bad) | no value, no text, quality kept: the gap is recorded, not hidden |',
    '| `{ "flow": 12, "mode": "auto" }` | `fields`: rows `<tag>/flow` = 12 and `<tag>/mode` = "auto"; `json`: one row with text `{"flow":12,"mode":"auto"}` |',
    '',
    'With `fields`, each row has the quality of its own field when the message carries `qualities`',
    '(as `modbus-read` does in object mode: `{ "flow": "good", "mode": "bad" }`), else the',
    "message's: a poll where one tag failed stores the other tags good and only that one bad. With",
    "`json` the row has the message's quality, the worst of its fields.",
    '',
    '## Store-and-forward and batching',
    '',
    "Rows go to the node's buffer on disk (`<data dir>/outbox/<flow>/<node>/`) and are written in",
    'order, a batch at a time (when `batchSize` rows wait, or `batchMs` after the first), leaving the',
    'buffer only once the backend confirmed the batch. A backend that is down keeps them buffered:',
    'status `waiting for the historian, 1200 buffered`. A batch that fails is written again; rows are',
    'keyed by `(tag, ts)`, so a batch written twice is stored once. A clean stop writes what waits for',
    'its batch; a crash leaves it buffered for the next start.',
    '',
    '## Rows a backend refuses',
    '',
    "A row the backend can never store (a tag InfluxDB's line protocol cannot carry, a time outside",
    "PostgreSQL's range) is reported once as an error (`HISTORIAN_ROW`, to the catch nodes or the",
    'log), counted in the status (`2 refused`) and dropped. When the backend refuses a whole batch for',
    'what it holds (InfluxDB HTTP 400 or 413, a PostgreSQL data exception), the batch is written again',
    'row by row, so only the rows refused are dropped; an outage (no answer, a server error) never',
    'drops anything: the batch waits and is written again, with backoff up to 30 s.',
    '',
    '## Status',
    '',
    '`12000 rows stored`, `waiting for the historian, 1200 buffered · 3 dropped`, with the backlog in',
    '`backlog`. A historian that took the connection but has not answered a write for 5 s (a hung',
    'database, a server that stopped reading) shows as an error: `historian not answering (no answer',
    "to a write for 7 s), 5200 buffered`; the write gives up after the resource's `timeoutMs`, the",
    'connection is opened again and the batch, still buffered, is written again.',
    '',
    '## Example',
    '',
    'Every average under `<topic>/avg` in the historian resource `plant-history`:',
    '',
    '```json',
    '{',
    '  "id": "record-avg",',
    '  "type": "historian-out",',
    '  "typeVersion": 1,',
    '  "config": { "historian": "plant-history", "tag": "{{topic}}/avg" }',
    '}',
    '```',
  ].join('\n'),
  inputs: ['in'],
  outputs: [],
  resources: { historian: 'historian' },
  errors: historianErrors.pick('HISTORIAN_TAG', 'HISTORIAN_ROW'),
  configSchema: {
    type: 'object',
    properties: {
      historian: {
        type: 'string',
        description: 'Id of the historian resource to record in.',
        minLength: 1,
        'x-ui': { label: 'Historian', widget: 'resource', resourceType: 'historian' },
      },
      tag: {
        type: 'string',
        description:
          "Tag name the values are stored under, or a template such as pump3/{{topic}} or {{topic}}/avg; a message lacking a placeholder's field is an error (HISTORIAN_TAG).",
        default: '{{topic}}',
        minLength: 1,
        'x-ui': { label: 'Tag' },
      },
      objects: {
        description:
          'An object payload: fields stores one tag per field (<tag>/<field>); json stores the whole object as one JSON text (events, alarms).',
        default: 'fields',
        enum: ['fields', 'json'],
        'x-ui': { label: 'Object payloads' },
      },
      batchSize: {
        type: 'integer',
        description: 'Rows written at once, at most.',
        default: 1000,
        minimum: 1,
        maximum: 10000,
        'x-ui': { label: 'Batch size', unit: 'rows' },
      },
      batchMs: {
        type: 'integer',
        description: 'Longest a row waits for its batch to fill (0: write at once).',
        default: 1000,
        minimum: 0,
        'x-ui': { label: 'Batch wait', unit: 'ms' },
      },
      bufferMaxMB: {
        type: 'number',
        description: 'Disk space for rows waiting for the historian.',
        default: 100,
        exclusiveMinimum: 0,
        'x-ui': { label: 'Buffer size', unit: 'MB' },
      },
      overflow: outboxOverflowProperty,
    },
    required: ['historian'],
    additionalProperties: false,
  },

  async create(ctx) {
    const c = ctx.config;
    const historian = ctx.resource<HistorianStore>(c.historian);
    // Rows are buffered as compact arrays; a buffer written by an earlier version holds objects.
    const outbox = await ctx.outbox<BufferedRow | HistoryRow>({
      maxBytes: c.bufferMaxMB * 2 ** 20,
      overflow: c.overflow,
    });
    const tagOf = compileTagTemplate(c.tag);
    let stored = 0;
    let refused = 0;
    let shown = '';
    let delivering: Promise<void> | undefined;
    let wakeWhenFull: (() => void) | undefined;
    /** When the write under way started (clock ms), or undefined when none is. */
    let writingSince: number | undefined;

    const showStatus = () => {
      const waited = writingSince === undefined ? 0 : ctx.clock.now() - writingSince;
      const stalled = historian.current !== undefined && waited >= STALLED_MS;
      const parts = [
        stalled
          ? `historian not answering (no answer to a write for ${Math.floor(waited / 1000)} s)`
          : historian.current
            ? `${stored} rows stored`
            : 'waiting for the historian',
      ];
      if (outbox.size > 0) parts.push(`${outbox.size} buffered`);
      // What the full buffer dropped is counted by the runtime, which appends `· N dropped`.
      if (refused > 0) parts.push(`${refused} refused`);
      const text = parts.join(', ');
      if (text === shown) return;
      shown = text;
      ctx.status({
        state: stalled ? 'error' : historian.current ? 'ok' : 'reconnecting',
        text,
        backlog: outbox.size,
      });
    };

    // A row the backend can never store is reported once and dropped, so it cannot hold up the
    // rest. Peeked items are the buffer's own objects, so a row retried after an outage is known.
    const reported = new WeakSet<object>();
    const refuse = (item: object, reason: string) => {
      if (reported.has(item)) return;
      reported.add(item);
      refused++;
      ctx.error(new NodeError(historianErrors.code.HISTORIAN_ROW, `${reason}; the row was dropped`));
    };

    // The time a write takes is watched (see showStatus): a hung backend is not shown as `ok`.
    const timedWrite = async (store: HistorianStore, rows: HistoryRow[]) => {
      writingSince = ctx.clock.now();
      try {
        await store.write(rows);
      } finally {
        writingSince = undefined;
      }
    };

    // Writes one batch and returns the rows stored. A batch the backend refuses for what it holds
    // (not an outage) is written again row by row, so that only the rows refused are dropped.
    const writeBatch = async (store: HistorianStore, items: Array<BufferedRow | HistoryRow>): Promise<number> => {
      const rows: HistoryRow[] = [];
      const kept: object[] = [];
      for (const item of items) {
        const row = fromBuffered(item);
        const refusal = store.refusal(row);
        if (refusal === undefined) {
          rows.push(row);
          kept.push(item);
        } else refuse(item, refusal);
      }
      try {
        await timedWrite(store, rows);
        return rows.length;
      } catch (err) {
        if (!isRefusedWrite(err)) throw err;
      }
      let written = 0;
      for (const [i, row] of rows.entries()) {
        try {
          await timedWrite(store, [row]);
          written++;
        } catch (err) {
          if (!isRefusedWrite(err)) throw err;
          refuse(kept[i], (err as Error).message);
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
          // Everything buffered is stored: said at once, not at the next tick of the status timer.
          if (outbox.size === 0) showStatus();
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

    const pushRows = async (rows: HistoryRow[]) => {
      for (const row of rows) await outbox.push(toBuffered(row));
      if (outbox.size >= c.batchSize) wakeWhenFull?.();
    };

    return {
      start() {
        ctx.clock.setInterval(showStatus, 500);
        showStatus();
        // The loop handles its own failures; this only guards against a bug in it.
        delivering = deliver().catch((err: unknown) => ctx.error(err));
      },
      // Not async: a reading's push is returned as it is, without a Promise of our own around it.
      onMessage(msg: Message): Promise<void> {
        const { payload } = msg;
        // A reading (a finite number) is the common case: its row is built straight in the
        // buffer's form, as rowsFromMessage would make it.
        if (typeof payload === 'number' && Number.isFinite(payload)) {
          const pushed = outbox.push([tagOf(msg), msg.timestamp, payload, null, QUALITY_CODES[msg.quality]]);
          if (outbox.size >= c.batchSize) wakeWhenFull?.();
          return pushed;
        }
        return pushRows(rowsFromMessage(msg, tagOf(msg), c.objects));
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

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
/** Batches written at once, at most (see `deliver`). */
const WRITES_UNDER_WAY = 2;

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
    'buffer only once the backend confirmed the batch. With rows waiting, the next batch is sent while',
    'one is being stored (two at most), so the backend does not wait between batches; batches still',
    'leave the buffer in order. A backend that is down keeps them buffered:',
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
    /** Buffered rows at which a push calls `wakeWhenFull`: a batch beyond those under way is full. */
    let wakeAt = c.batchSize;
    /** When each write under way started (clock ms), oldest first. */
    const writeStarts: number[] = [];

    const showStatus = () => {
      const waited = writeStarts.length === 0 ? 0 : ctx.clock.now() - writeStarts[0];
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
      const started = ctx.clock.now();
      writeStarts.push(started);
      try {
        await store.write(rows);
      } finally {
        writeStarts.splice(writeStarts.indexOf(started), 1);
      }
    };

    // The rows of buffered items the backend can store; the others are reported and left out.
    const storable = (store: HistorianStore, items: Array<BufferedRow | HistoryRow>) => {
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
      return { rows, kept };
    };

    // A batch the backend refused for what it holds (not an outage) is written again row by row,
    // so that only the rows refused are dropped. Returns the rows stored.
    const writeRowByRow = async (store: HistorianStore, rows: HistoryRow[], kept: object[]): Promise<number> => {
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
        wakeAt = c.batchSize;
        wakeWhenFull = done;
        ctx.signal.addEventListener('abort', done);
      });

    // Up to WRITES_UNDER_WAY batches are with the backend at once: the next is sent while the one
    // before is being stored, so the backend does not wait for this thread (which also takes every
    // message in) between batches. They leave the buffer in order, each once it was stored.
    // Rows are counted by their place in the stream since this node started, acked or dropped
    // from the buffer's head: a full buffer dropping its oldest rows while a write is under way
    // must not make the ack take rows out that were never written.
    const underWay: Array<{
      end: number;
      store: HistorianStore;
      rows: HistoryRow[];
      kept: object[];
      written: Promise<void>;
      ended: boolean;
    }> = [];
    let acked = 0;
    /** Place of the buffer's oldest row. */
    const head = () => acked + outbox.dropped;
    /** Place just past the last row sent. */
    let sentEnd = 0;
    /** Rows at the buffer's head that are in writes under way. */
    const sending = () => (underWay.length === 0 ? 0 : Math.max(0, sentEnd - head()));
    const send = (store: HistorianStore) => {
      const skip = sending();
      const items = outbox.peek(c.batchSize, skip);
      const { rows, kept } = storable(store, items);
      const written = timedWrite(store, rows);
      sentEnd = head() + skip + items.length;
      const write = { end: sentEnd, store, rows, kept, written, ended: false };
      // Awaited in turn (landOldest); failing while an older write is awaited is not unhandled.
      written.then(
        () => (write.ended = true),
        () => (write.ended = true),
      );
      underWay.push(write);
    };
    /** Waits until the oldest write under way ends, or until a full batch waits beside it. */
    const oldestOrFullBatch = () =>
      new Promise<void>((resolve) => {
        const oldest = underWay[0];
        if (oldest.ended || ctx.signal.aborted) return resolve();
        let waiting = true;
        const done = () => {
          if (!waiting) return;
          waiting = false;
          wakeWhenFull = undefined;
          ctx.signal.removeEventListener('abort', done);
          resolve();
        };
        oldest.written.then(done, done);
        wakeAt = sending() + c.batchSize;
        wakeWhenFull = done;
        ctx.signal.addEventListener('abort', done);
      });
    /** Waits for the oldest write under way and takes its rows (those not dropped meanwhile) out of the buffer. */
    const landOldest = async () => {
      const oldest = underWay[0];
      try {
        await oldest.written;
        stored += oldest.rows.length;
        underWay.shift();
      } catch (err) {
        // The writes sent after it end before anything is sent again; whatever they stored, they
        // are sent again after it, in order (rows are keyed by (tag, ts): stored once).
        await Promise.allSettled(underWay.map((w) => w.written));
        underWay.length = 0;
        if (!isRefusedWrite(err)) throw err;
        stored += await writeRowByRow(oldest.store, oldest.rows, oldest.kept);
      }
      const count = Math.max(0, oldest.end - head());
      acked += count;
      await outbox.ack(count);
    };

    // Writes the buffer in order, a batch at a time, the next sent while one is under way (see
    // above); a batch leaves the buffer only once stored, and only after the batches before it.
    // Whatever fails, the loop goes on (with backoff): a buffer nobody drains would lose nothing
    // but would grow until it overflows.
    const deliver = async () => {
      let failures = 0;
      while (!ctx.signal.aborted) {
        try {
          if (underWay.length === 0) {
            await outbox.whenNotEmpty(ctx.signal);
            if (ctx.signal.aborted) return;
            await batchReady();
            if (ctx.signal.aborted) return;
            send(await historian.ready(ctx.signal));
          }
          const store = historian.current;
          while (store && underWay.length < WRITES_UNDER_WAY && outbox.size - sending() >= c.batchSize) send(store);
          if (underWay.length < WRITES_UNDER_WAY) {
            await oldestOrFullBatch();
            if (ctx.signal.aborted) return;
            if (!underWay[0].ended) continue;
          }
          await landOldest();
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

    // The rows of one message are pushed together (the buffer keeps push order and writes them
    // with one system call), and the message is handled once all of them are in the buffer.
    const pushRows = async (rows: HistoryRow[]) => {
      const pushed = rows.map((row) => outbox.push(toBuffered(row)));
      if (outbox.size >= wakeAt) wakeWhenFull?.();
      await Promise.all(pushed);
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
          if (outbox.size >= wakeAt) wakeWhenFull?.();
          return pushed;
        }
        return pushRows(rowsFromMessage(msg, tagOf(msg), c.objects));
      },
      async close() {
        await delivering;
        // Writes still under way when the node stopped are waited for, and what they stored acked.
        try {
          while (underWay.length > 0) await landOldest();
        } catch (err) {
          ctx.log.warn('a write under way when stopping failed; its rows stay buffered', { error: String(err) });
        }
        // A clean stop writes what is still waiting for its batch, so `tagflow history` shows it at
        // once; anything it cannot write stays buffered for the next start.
        const store = historian.current;
        try {
          while (store && outbox.size > 0) {
            send(store);
            await landOldest();
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

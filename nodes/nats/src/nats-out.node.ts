import { randomBytes } from 'node:crypto';
import {
  ackSent,
  defineNode,
  NodeError,
  outboxOverflowProperty,
  publishBody,
  publishFormatProperty,
} from '@tagflow/node-sdk';
import type { Message } from '@tagflow/node-sdk';
import { natsErrors } from './error-codes';
import type { NatsLink } from './nats-connection';
import { publishSubjectProblems, renderSubject } from './subject';

/** What the outbox holds: a publish, ready to send. */
interface PendingPublish {
  subject: string;
  body: string;
  headers?: Record<string, string>;
  /** JetStream: the message id (Nats-Msg-Id) by which the stream drops a repeat of this publish. */
  id?: string;
}

const encoder = new TextEncoder();

export default defineNode({
  type: 'nats-out',
  version: 1,
  category: 'publisher',
  description:
    'Publishes each message to a NATS subject or JetStream stream; buffers on disk while the server is unreachable.',
  docs: [
    'Publishes each message it receives to `subject` through the `server` resource, in order, through',
    'a buffer on disk: nothing is lost while the server is unreachable, nor when the runtime stops or',
    'crashes.',
    '',
    '## What it sends',
    '',
    'One NATS message per message received, on the subject `subject` names (its `{{...}}` placeholders',
    'filled from the message, a `/` in a value becoming `.`). The body depends on `format`: `json`',
    '(the default) sends the payload as JSON, `string` the payload as text, `message` the whole',
    'message as JSON. `headers` adds NATS headers (values may be templates). A message lacking a field',
    'a placeholder names is an error (`NATS_SUBJECT`) and is not sent.',
    '',
    '## Core or JetStream',
    '',
    'With `jetstream` off, a message counts as delivered once the server has it (the buffer is',
    'flushed and answered by a ping round trip); subscribers that are not connected then miss it, as',
    'core NATS goes. With `jetstream` on, each publish waits for the acknowledgement of the stream',
    "that stores the subject: the message is then on the server's disk. Each carries a message id",
    '(`Nats-Msg-Id`), the same on every retry, so the stream drops a repeat sent within its duplicate',
    'window (2 minutes by default): a publish retried after a lost connection is stored once. No',
    'stream for the subject (`no responders`) is retried, with the status saying so; a publish the',
    'stream refuses for good (too large, a limit of the stream) is dropped from the buffer, counted',
    'and reported as `NATS_PUBLISH`.',
    '',
    '## Store-and-forward',
    '',
    "Every message goes through the node's buffer on disk (`<data dir>/outbox/<flow>/<node>/`), and",
    'leaves it only once the server confirmed it, up to `maxInFlight` at a time, in order. After an',
    'outage the buffer is delivered when the server is back, or after the runtime starts again with',
    'the same data dir. At least once: publishes under way when the connection drops are sent again',
    '(JetStream drops those repeats within its duplicate window; core subscribers may see them',
    "twice). A message counts as handled by the flow (for a source's acknowledgement, such as",
    "nats-in's) once it is in the buffer.",
    '',
    '## Status',
    '',
    '`connected`, or `waiting for the server, 12 buffered, 3 dropped`, with the backlog in `backlog`.',
    '',
    '## Example',
    '',
    '```json',
    '{',
    '  "id": "to-stream",',
    '  "type": "nats-out",',
    '  "typeVersion": 1,',
    '  "config": { "server": "plant-nats", "subject": "plant.{{topic}}", "jetstream": true, "headers": { "site": "plant-1" } }',
    '}',
    '```',
  ].join('\n'),
  inputs: ['in'],
  outputs: [],
  resources: { server: 'nats' },
  errors: natsErrors.pick('NATS_CONFIG', 'NATS_SUBJECT', 'NATS_PUBLISH'),
  configSchema: {
    type: 'object',
    properties: {
      server: {
        type: 'string',
        description: 'Id of the nats resource to publish through.',
        minLength: 1,
        'x-ui': { label: 'Server', widget: 'resource', resourceType: 'nats' },
      },
      subject: {
        type: 'string',
        description:
          "Subject, or a template such as plant.{{topic}}; a message lacking a placeholder's field is an error (NATS_SUBJECT).",
        minLength: 1,
        'x-ui': { label: 'Subject' },
      },
      jetstream: {
        type: 'boolean',
        description: "Publish to JetStream and wait for the stream's acknowledgement.",
        default: false,
        'x-ui': { label: 'JetStream' },
      },
      format: publishFormatProperty,
      headers: {
        type: 'object',
        description:
          'NATS headers sent with each message; values may be templates, e.g. {"site": "plant-7", "line": "{{payload.line}}"}.',
        additionalProperties: { type: 'string' },
        'x-ui': { label: 'Headers', widget: 'key-value' },
      },
      bufferMaxMB: {
        type: 'number',
        description: 'Disk space for messages waiting for the server.',
        default: 100,
        exclusiveMinimum: 0,
        'x-ui': { label: 'Buffer size', unit: 'MB' },
      },
      overflow: outboxOverflowProperty,
      maxInFlight: {
        type: 'integer',
        description: 'Messages sent before the server has confirmed the earlier ones.',
        default: 256,
        minimum: 1,
        maximum: 10000,
        'x-ui': { label: 'Messages in flight', advanced: true },
      },
    },
    required: ['server', 'subject'],
    additionalProperties: false,
  },

  check: (c) => publishSubjectProblems(c.subject, '/subject'),

  async create(ctx) {
    const c = ctx.config;
    const server = ctx.resource<NatsLink>(c.server);
    const outbox = await ctx.outbox<PendingPublish>({ maxBytes: c.bufferMaxMB * 2 ** 20, overflow: c.overflow });
    // Message ids unique across restarts: this run's prefix and a counter.
    const idPrefix = `${ctx.flowId}.${ctx.id}.${randomBytes(6).toString('hex')}.`;
    let counter = 0;
    let refused = 0;
    let delivering: Promise<void> | undefined;
    let shown = '';
    let waitingFor = '';

    const showBacklog = () => {
      const parts = [server.current ? (waitingFor === '' ? 'connected' : waitingFor) : 'waiting for the server'];
      if (outbox.size > 0) parts.push(`${outbox.size} buffered`);
      const dropped = outbox.dropped + refused;
      if (dropped > 0) parts.push(`${dropped} dropped`);
      const text = parts.join(', ');
      if (text === shown) return;
      shown = text;
      const ok = server.current !== undefined && waitingFor === '';
      ctx.status({ state: ok ? 'ok' : 'reconnecting', text, backlog: outbox.size });
    };

    const pause = (ms: number) =>
      new Promise<void>((resolve) => {
        const done = () => {
          ctx.signal.removeEventListener('abort', done);
          timer.cancel();
          resolve();
        };
        const timer = ctx.clock.setTimeout(done, ms);
        ctx.signal.addEventListener('abort', done, { once: true });
      });

    // Sends the head of the buffer, up to maxInFlight at a time, and waits for the server's word on
    // each before taking it out: `done` counts from the head, so order and nothing-lost hold.
    const sendWindow = async (link: NatsLink): Promise<void> => {
      const items = outbox.peek(c.maxInFlight);
      const droppedBefore = outbox.dropped;
      if (!c.jetstream) {
        for (const p of items) link.publish(p.subject, encoder.encode(p.body), p.headers);
        await link.flush();
        await ackSent(outbox, items.length, droppedBefore);
        return;
      }
      const results = await Promise.allSettled(
        items.map((p) => link.jsPublish(p.subject, encoder.encode(p.body), p.id as string, p.headers)),
      );
      let done = 0;
      let retry: Error | undefined;
      for (const [i, r] of results.entries()) {
        if (r.status === 'fulfilled') {
          done++;
          continue;
        }
        if (refusedForGood(r.reason)) {
          done++;
          refused++;
          const p = items[i];
          ctx.error(
            new NodeError(
              natsErrors.code.NATS_PUBLISH,
              `JetStream refused the message for ${p.subject}: ${(r.reason as Error).message}; it was dropped`,
            ),
          );
          continue;
        }
        retry = r.reason instanceof Error ? r.reason : new Error(String(r.reason));
        break;
      }
      await ackSent(outbox, done, droppedBefore);
      if (retry !== undefined) throw retry;
    };

    const deliver = async () => {
      while (!ctx.signal.aborted) {
        await outbox.whenNotEmpty(ctx.signal);
        if (ctx.signal.aborted) return;
        const link = await server.ready(ctx.signal);
        try {
          while (!ctx.signal.aborted && !link.closed && outbox.size > 0) await sendWindow(link);
          waitingFor = '';
        } catch (err) {
          if (ctx.signal.aborted) return;
          // The rest goes again, on this connection after a pause, or on the next one.
          if (isNoStream(err)) waitingFor = 'no stream stores the subject yet; retrying';
          ctx.log.warn('publish failed; will retry', { error: String(err) });
          showBacklog();
          if (!link.closed) await pause(1000);
        }
      }
    };

    return {
      start() {
        ctx.clock.setInterval(showBacklog, 500);
        showBacklog();
        delivering = deliver().catch((err: unknown) => {
          if (!ctx.signal.aborted) ctx.error(err);
        });
      },
      onMessage(msg: Message) {
        let subject: string;
        let headers: Record<string, string> | undefined;
        try {
          subject = renderSubject(c.subject, msg);
          if (c.headers !== undefined) {
            headers = {};
            for (const [name, template] of Object.entries(c.headers)) headers[name] = renderValue(template, msg);
          }
        } catch (err) {
          throw new NodeError(natsErrors.code.NATS_SUBJECT, (err as Error).message);
        }
        const body = publishBody(c.format, msg);
        const item: PendingPublish = { subject, body, ...(headers === undefined ? {} : { headers }) };
        if (c.jetstream) item.id = idPrefix + String(counter++);
        // Handled once it is in the buffer: a source acknowledging on it loses nothing.
        return outbox.push(item);
      },
      async close() {
        await delivering;
      },
    };
  },
});

/** Fills `{{field.path}}` placeholders of a header value (no subject rules). */
function renderValue(template: string, msg: Message): string {
  return template.replace(/\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g, (_, path: string) => {
    let value: unknown = msg;
    for (const key of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[key];
    if (value === undefined || value === null || typeof value === 'object')
      throw new Error(`the header template ${JSON.stringify(template)} needs {{${path}}}, which the message lacks`);
    return String(value);
  });
}

/** No stream listens on the subject (yet): worth retrying. */
function isNoStream(err: unknown): boolean {
  return (err as { code?: string })?.code === '503';
}

/** JetStream answered with an error about this message (not the connection, not a missing stream). */
function refusedForGood(err: unknown): boolean {
  const apiError = (err as { api_error?: { code?: number } })?.api_error;
  return apiError !== undefined && apiError.code !== 503;
}

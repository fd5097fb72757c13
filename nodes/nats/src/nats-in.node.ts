import { defineNode, NodeError } from '@tagflow/node-sdk';
import type { HandledOutcome, Message } from '@tagflow/node-sdk';
import { natsErrors } from './error-codes';
import { NatsLink } from './nats-connection';
import type { ConsumerSpec, JsMsg, Msg } from './nats-connection';
import { parsePayload, subjectFilterProblems } from './subject';

/** Wait before trying again a stream or consumer that could not be used. */
const STREAM_RETRY_MS = 2000;

export default defineNode({
  type: 'nats-in',
  version: 1,
  category: 'source',
  description:
    'Receives NATS messages: a core subject (optionally in a queue group) or a JetStream durable pull consumer.',
  docs: [
    'Receives the messages of a NATS server through the `server` resource, in one of two modes.',
    '',
    '## Core subjects (`mode: "core"`)',
    '',
    'Subscribes to `subject` (wildcards allowed: `plant.*.flow`, `plant.>`). With `queue`, every',
    'subscriber in the same queue group shares the messages: each one goes to one of them. Core NATS',
    'delivers at most once: a message published while this runtime is disconnected, or dropped by a',
    'full engine queue, is gone. Use JetStream when nothing may be lost.',
    '',
    '## JetStream work queue (`mode: "jetstream"`)',
    '',
    'Pulls from the durable consumer `consumer` of the stream `stream`, `batch` messages at a time.',
    'Several runtimes (or several nats-in nodes) naming the same stream and consumer share its',
    'messages as a work queue: each message goes to one of them at a time. With `create` on (the',
    'default) the stream is created when missing, holding `streamSubjects` (default: `subject`), and',
    'the consumer too (explicit acknowledgements, `ackWaitSeconds`, `maxDeliver`, `maxAckPending`,',
    'filtered on `subject` when given); an existing stream or consumer is used as it is. One that',
    'cannot be used (missing while `create` is off) is reported once (`NATS_STREAM`), shown in the',
    'status, and tried again every 2 s.',
    '',
    '**Acknowledgement after the flow handled it.** Each message is acknowledged only when the engine',
    'reports that the flow handled it: every node it reached, and every message those sent while',
    'handling it, finished without error (a publisher once the message is in its buffer on disk). When',
    'a node on the way fails (an error thrown), a full queue drops it, or the flow stops before',
    'finishing it, the message is negatively acknowledged (`nak`, redelivered after',
    '`retryDelaySeconds`; at once when the flow stopped) so that this or another runtime tries again.',
    'A payload that cannot be read as `payload` asks is terminated (`term`: it would fail every time)',
    'and reported as `NATS_PAYLOAD`. After `maxDeliver` deliveries the server gives a message up',
    '(it stays in the stream; the server publishes a `MAX_DELIVERIES` advisory). A runtime that dies',
    'holding messages (SIGKILL, power cut, network loss) never answers: the server delivers them',
    'again after `ackWaitSeconds`, to whichever runtime pulls next.',
    '',
    '**At least once, and the duplicate window.** A message is delivered again, so the flow may see',
    'it twice, when its handling finished but the acknowledgement did not reach the server (the',
    'runtime died or the connection dropped in between, a window of about a network round trip per',
    'message), or when handling took longer than `ackWaitSeconds` (keep it above the slowest path',
    'through the flow, queues included). Each message carries `nats.deliveryCount`: above 1 it may be',
    'a repeat; deduplicate on `nats.seq` (the stream sequence, unique per stream) if that matters.',
    '',
    '## What it sends',
    '',
    '```json',
    '{',
    '  "payload": { "flow": 41.7 },',
    '  "topic": "plant.pump3.flow",',
    '  "timestamp": 1767225612000,',
    '  "quality": "good",',
    '  "nats": { "subject": "plant.pump3.flow", "headers": { "site": "plant-1" }, "stream": "PLANT", "seq": 1207, "deliveryCount": 1 }',
    '}',
    '```',
    '',
    '`payload` is read as `payload` says (auto: JSON when it parses, else text). `timestamp` is when',
    'the stream stored the message (JetStream) or when it arrived (core). `nats.headers` holds the',
    "message's headers (the first value of a repeated one); `stream`, `seq` and `deliveryCount` are",
    'there for JetStream only.',
    '',
    '## Status',
    '',
    '`consuming PLANT/edge-workers: 1207 acknowledged, 2 failed`, or `subscribed to plant.>`.',
    '',
    '## Example',
    '',
    'Three runtimes sharing the work of the `PLANT` stream:',
    '',
    '```json',
    '{',
    '  "id": "work",',
    '  "type": "nats-in",',
    '  "typeVersion": 1,',
    '  "config": { "server": "plant-nats", "mode": "jetstream", "stream": "PLANT", "consumer": "edge-workers", "subject": "plant.>" }',
    '}',
    '```',
  ].join('\n'),
  inputs: [],
  outputs: ['out'],
  resources: { server: 'nats' },
  errors: natsErrors.pick('NATS_CONFIG', 'NATS_PAYLOAD', 'NATS_STREAM'),
  configSchema: {
    type: 'object',
    properties: {
      server: {
        type: 'string',
        description: 'Id of the nats resource to receive through.',
        minLength: 1,
        'x-ui': { label: 'Server', widget: 'resource', resourceType: 'nats' },
      },
      mode: {
        description: 'core: a plain subscription (at most once); jetstream: a durable pull consumer (at least once).',
        default: 'core',
        enum: ['core', 'jetstream'],
        'x-ui': { label: 'Mode' },
      },
      subject: {
        type: 'string',
        description:
          'Subject to receive (wildcards allowed: plant.*.flow, plant.>); for JetStream, the filter of a created consumer.',
        minLength: 1,
        'x-ui': { label: 'Subject' },
      },
      queue: {
        type: 'string',
        description: 'Core: share the subject with the other subscribers of this queue group.',
        minLength: 1,
        'x-ui': { label: 'Queue group' },
      },
      stream: {
        type: 'string',
        description: 'JetStream: the stream to consume.',
        pattern: '^[^.*>\\s]+$',
        'x-ui': { label: 'Stream' },
      },
      consumer: {
        type: 'string',
        description: 'JetStream: the durable consumer name, the same on every runtime sharing the work.',
        pattern: '^[^.*>\\s]+$',
        'x-ui': { label: 'Consumer' },
      },
      create: {
        type: 'boolean',
        description: 'JetStream: create the stream and the consumer when they are missing.',
        default: true,
        'x-ui': { label: 'Create when missing' },
      },
      streamSubjects: {
        type: 'array',
        description: 'JetStream: the subjects of a created stream (default: subject).',
        items: { type: 'string', minLength: 1 },
        minItems: 1,
        'x-ui': { label: 'Stream subjects', advanced: true },
      },
      ackWaitSeconds: {
        type: 'number',
        description: 'JetStream: how long the server waits for an acknowledgement before delivering a message again.',
        default: 30,
        exclusiveMinimum: 0,
        'x-ui': { label: 'Ack wait', unit: 's' },
      },
      maxDeliver: {
        type: 'integer',
        description: 'JetStream: deliveries of one message before the server gives it up; -1 for no limit.',
        default: 5,
        minimum: -1,
        'x-ui': { label: 'Max deliveries' },
      },
      maxAckPending: {
        type: 'integer',
        description:
          'JetStream: messages handed out and not acknowledged yet, over every runtime sharing the consumer.',
        default: 1000,
        minimum: 1,
        'x-ui': { label: 'Max unacknowledged', advanced: true },
      },
      batch: {
        type: 'integer',
        description: 'JetStream: messages pulled ahead of the flow.',
        default: 100,
        minimum: 1,
        maximum: 10000,
        'x-ui': { label: 'Batch size' },
      },
      retryDelaySeconds: {
        type: 'number',
        description: 'JetStream: delay before a message the flow failed on is delivered again.',
        default: 1,
        minimum: 0,
        'x-ui': { label: 'Retry delay', unit: 's' },
      },
      payload: {
        description:
          'How to read the payload: auto (JSON when it parses, else the text), json, string, number, or buffer (the raw bytes).',
        default: 'auto',
        enum: ['auto', 'json', 'string', 'number', 'buffer'],
        'x-ui': { label: 'Read payload as' },
      },
    },
    required: ['server'],
    additionalProperties: false,
  },

  check: (c) => [
    ...(c.subject === undefined ? [] : subjectFilterProblems(c.subject, '/subject')),
    ...(c.mode === 'core' && c.subject === undefined
      ? [{ path: '/subject', message: 'a core subscription needs a subject', code: natsErrors.code.NATS_CONFIG }]
      : []),
    ...(c.mode === 'jetstream' && (c.stream === undefined || c.consumer === undefined)
      ? [
          {
            path: c.stream === undefined ? '/stream' : '/consumer',
            message: 'JetStream mode needs a stream and a consumer name',
            code: natsErrors.code.NATS_CONFIG,
          },
        ]
      : []),
    ...(c.mode === 'jetstream' && c.create && c.streamSubjects === undefined && c.subject === undefined
      ? [
          {
            path: '/streamSubjects',
            message: 'creating the stream needs its subjects: set streamSubjects or subject',
            code: natsErrors.code.NATS_CONFIG,
          },
        ]
      : []),
    ...(c.streamSubjects ?? []).flatMap((s, i) => subjectFilterProblems(s, `/streamSubjects/${i}`)),
  ],

  create(ctx) {
    const c = ctx.config;
    const server = ctx.resource<NatsLink>(c.server);
    const mode = c.payload;
    let closed = false;
    let stopCurrent: (() => void) | undefined;
    let acked = 0;
    let failed = 0;
    let shown = '';

    const toMessage = (
      subject: string,
      payload: unknown,
      timestamp: number,
      nats: Record<string, unknown>,
    ): Message => ({
      payload,
      topic: subject,
      timestamp,
      quality: 'good',
      nats,
    });

    const read = (subject: string, data: Uint8Array): unknown => {
      try {
        return parsePayload(mode, subject, data);
      } catch (err) {
        throw new NodeError(natsErrors.code.NATS_PAYLOAD, (err as Error).message);
      }
    };

    // Core: at most once, as the server hands messages out.
    const subscribeCore = (link: NatsLink) => {
      const subject = c.subject as string;
      const sub = link.subscribe(subject, c.queue, (m: Msg) => {
        try {
          const headers = NatsLink.headerRecord(m.headers);
          ctx.send(
            toMessage(m.subject, read(m.subject, m.data), ctx.clock.now(), {
              subject: m.subject,
              ...(headers === undefined ? {} : { headers }),
            }),
          );
        } catch (err) {
          ctx.error(err);
        }
      });
      stopCurrent = () => sub.unsubscribe();
      ctx.status({
        state: 'ok',
        text: `subscribed to ${subject}${c.queue === undefined ? '' : ` (queue ${c.queue})`}`,
      });
    };

    const showProgress = () => {
      const text = `consuming ${c.stream}/${c.consumer}: ${acked} acknowledged, ${failed} failed`;
      if (text === shown || closed) return;
      shown = text;
      ctx.status({ state: server.current ? 'ok' : 'reconnecting', text });
    };

    // What the engine says about a message decides its fate at the server.
    const settle = (m: JsMsg, outcome: HandledOutcome) => {
      try {
        if (outcome.handled) {
          m.ack();
          acked++;
          return;
        }
        failed++;
        // A flow that stopped hands the message on at once; a failure waits before the next try.
        m.nak(outcome.reason === 'closed' ? 0 : c.retryDelaySeconds * 1000);
        ctx.log.debug('message not handled; negatively acknowledged', {
          seq: m.seq,
          reason: outcome.reason,
          node: outcome.nodeId,
        });
      } catch (err) {
        // The connection is gone: the server delivers the message again after the ack wait.
        ctx.log.warn('could not answer the server for a message; it will be delivered again', {
          seq: m.seq,
          error: String(err),
        });
      }
    };

    const consumeJetStream = async (link: NatsLink) => {
      const stream = c.stream as string;
      const durable = c.consumer as string;
      const spec: ConsumerSpec = {
        stream,
        durable,
        ...(c.subject === undefined ? {} : { filterSubject: c.subject }),
        ackWaitMs: c.ackWaitSeconds * 1000,
        maxDeliver: c.maxDeliver,
        maxAckPending: c.maxAckPending,
      };
      try {
        if (c.create)
          await link.ensureStream(stream, c.streamSubjects ?? (c.subject === undefined ? undefined : [c.subject]));
        await link.ensureConsumer(spec, c.create);
      } catch (err) {
        throw new NodeError(
          natsErrors.code.NATS_STREAM,
          `cannot use consumer ${durable} of stream ${stream} on ${link.server}: ${(err as Error).message}`,
        );
      }
      const messages = await link.consume(stream, durable, c.batch);
      stopCurrent = () => void messages.stop();
      showProgress();
      void (async () => {
        for await (const m of messages) {
          if (closed) {
            // Not ours any more: let the server hand it to another runtime now.
            m.nak();
            continue;
          }
          let payload: unknown;
          try {
            payload = read(m.subject, m.data);
          } catch (err) {
            // It would fail on every delivery.
            m.term();
            failed++;
            ctx.error(err);
            continue;
          }
          const headers = NatsLink.headerRecord(m.headers);
          const msg = toMessage(m.subject, payload, Math.floor(m.info.timestampNanos / 1e6), {
            subject: m.subject,
            ...(headers === undefined ? {} : { headers }),
            stream: m.info.stream,
            seq: m.seq,
            deliveryCount: m.info.redeliveryCount,
          });
          if (!ctx.send(msg, 'out', { onHandled: (outcome) => settle(m, outcome) })) await ctx.drain();
        }
      })().catch((err: unknown) => {
        if (!closed) ctx.error(err);
      });
    };

    // A stream or consumer that cannot be used yet (missing while `create` is off, JetStream
    // starting) may come: try again on the same connection, reporting the failure once.
    let reported = false;
    const beginJetStream = async (link: NatsLink): Promise<void> => {
      try {
        await consumeJetStream(link);
        reported = false;
      } catch (err) {
        if (closed || server.current !== link) return;
        if (!reported) ctx.error(err);
        reported = true;
        ctx.status({ state: 'error', text: (err as Error).message });
        ctx.clock.setTimeout(() => void beginJetStream(link), STREAM_RETRY_MS);
      }
    };

    server.onConnect(async (link) => {
      stopCurrent?.();
      stopCurrent = undefined;
      if (closed) return;
      if (c.mode === 'core') subscribeCore(link);
      else await beginJetStream(link);
    });

    return {
      start() {
        if (c.mode === 'jetstream') ctx.clock.setInterval(showProgress, 1000);
      },
      close() {
        closed = true;
        stopCurrent?.();
        stopCurrent = undefined;
      },
    };
  },
});

import type { AnyNodeDefinition, AnyResourceDefinition, Message, ResourceInstance } from '@tagflow/node-sdk';
import { runFlow } from '../flow-runner';
import type { FlowUnderTest } from '../flow-runner';
import { testGlobals } from './jest-globals';
import { SocketTracker } from './socket-handles';

/** A node of the flows the suite deploys: its type and config. */
export interface ConformanceNode {
  type: string;
  /** Default: the version of the definition of that type in `nodes`. */
  typeVersion?: number;
  config: Record<string, unknown>;
}

/** Time limits of the suite, in ms. */
export interface ConformanceTimeouts {
  /** For the first connection, and for the subscriber to start receiving (default 15 000). */
  connectMs?: number;
  /** For the engine to close the flow (resource included), and for a second close (default 5 000). */
  closeMs?: number;
  /** For the runtime to notice the peer is gone, and to reconnect once it is back (default 45 000: backoff grows while the peer is down). */
  reconnectMs?: number;
  /** For the throughput messages to arrive (default 60 000). */
  throughputMs?: number;
}

/** What `connectorConformance` needs: the connector under test and a real peer to run it against. */
export interface ConnectorConformanceOptions {
  /** Names the describe block, e.g. `mqtt-broker against Mosquitto`. */
  name: string;
  /** The resource type under test (the shared connection). */
  resource: AnyResourceDefinition;
  /** The node types the publisher and subscriber use (the package's nodes). */
  nodes: AnyNodeDefinition[];
  /** The resource's config; called after `startPeer`, so it can use the peer's address. */
  resourceConfig(): Record<string, unknown>;
  /** Starts the peer: once before the tests, and again after `stopPeer`, at the same address. */
  startPeer(): Promise<void>;
  /** Stops the peer so that its connections drop; called in the reconnect test and after all tests (must be harmless when already stopped). */
  stopPeer(): Promise<void>;
  /** A node with an input port that delivers each message it gets to the peer, on `channel`. */
  publisher(resourceId: string, channel: string): ConformanceNode;
  /** A source node that sends each message the peer delivers on `channel`. */
  subscriber(resourceId: string, channel: string): ConformanceNode;
  /** The payload the publisher is given for sequence number `seq` (default: the number itself). Probes use -1. */
  encode?(seq: number): unknown;
  /** The sequence number of a payload the subscriber sent (default: the payload as a number). */
  decode?(payload: unknown): number | undefined;
  /** Messages in the throughput test (default 1 000). */
  messages?: number;
  timeouts?: ConformanceTimeouts;
  /** Check that closing leaves no socket (TCP, TLS, UDP) it opened still open (default true). */
  checkHandles?: boolean;
}

const RESOURCE_ID = 'conformance-peer';
const PUBLISHER_ID = 'conformance-pub';
const SUBSCRIBER_ID = 'conformance-sub';
/** Sequence number of the messages that check the subscriber receives before a test starts. */
const PROBE = -1;

/**
 * Declares the shared connector conformance tests (jest `describe`/`it`) for a resource type,
 * against a real peer the caller starts and stops:
 *
 * - opens: the resource connects and its nodes show status `ok`;
 * - closes cleanly: the flow closes within `closeMs`, a second `close()` of the connection is
 *   harmless, and no socket is left open;
 * - reconnects: after `stopPeer()` the runtime shows the connection lost, after `startPeer()` it
 *   reconnects on its own and messages flow again, in order;
 * - throughput: `messages` messages go publisher -> peer -> subscriber, all of them, in order; the
 *   rate is printed, never asserted.
 *
 * ```ts
 * connectorConformance({
 *   name: 'mqtt-broker against Mosquitto',
 *   resource: mqttBroker,
 *   nodes: [mqttIn, mqttOut],
 *   startPeer: () => broker.up(),
 *   stopPeer: () => broker.down(),
 *   resourceConfig: () => ({ url: broker.url }),
 *   publisher: (broker, channel) => ({ type: 'mqtt-out', config: { broker, topic: `conformance/${channel}` } }),
 *   subscriber: (broker, channel) => ({ type: 'mqtt-in', config: { broker, topic: `conformance/${channel}` } }),
 * });
 * ```
 */
export function connectorConformance(options: ConnectorConformanceOptions): void {
  const { describe, it, beforeAll, afterAll, afterEach } = testGlobals();
  const timeouts = {
    connectMs: options.timeouts?.connectMs ?? 15_000,
    closeMs: options.timeouts?.closeMs ?? 5_000,
    reconnectMs: options.timeouts?.reconnectMs ?? 45_000,
    throughputMs: options.timeouts?.throughputMs ?? 60_000,
  };
  const encode = options.encode ?? ((seq: number) => seq);
  const decode = options.decode ?? ((payload: unknown) => (typeof payload === 'number' ? payload : undefined));
  const total = options.messages ?? 1000;
  const open = new Set<FlowUnderTest>();
  let channels = 0;

  const versionOf = (node: ConformanceNode): number => {
    if (node.typeVersion !== undefined) return node.typeVersion;
    const def = options.nodes.find((n) => n.type === node.type);
    if (!def) throw new Error(`node type "${node.type}" is not among the nodes given to connectorConformance`);
    return def.version;
  };

  /** Deploys the resource with the subscriber (and the publisher, with `withPublisher`) on a new channel. */
  const deploy = async (withPublisher: boolean): Promise<FlowUnderTest> => {
    const channel = `c${Date.now().toString(36)}-${++channels}`;
    const nodes = [{ id: SUBSCRIBER_ID, ...options.subscriber(RESOURCE_ID, channel) }];
    if (withPublisher) nodes.push({ id: PUBLISHER_ID, ...options.publisher(RESOURCE_ID, channel) });
    const f = await runFlow(
      {
        schemaVersion: 1,
        id: 'connector-conformance',
        resources: [{ id: RESOURCE_ID, type: options.resource.type, config: options.resourceConfig() }],
        nodes: nodes.map((n) => ({ id: n.id, type: n.type, typeVersion: versionOf(n), config: n.config })),
        edges: [],
      },
      { nodes: options.nodes, resources: [options.resource], fakeTime: false },
    );
    open.add(f);
    return f;
  };

  const connected = (f: FlowUnderTest): boolean =>
    f.engine.resourceList().some((r) => r.id === RESOURCE_ID && r.connected);

  /** Sequence numbers the subscriber sent since index `from` of its outputs, probes left out. */
  const received = (f: FlowUnderTest, from = 0): number[] =>
    f
      .outputs(SUBSCRIBER_ID)
      .slice(from)
      .map((msg: Message, i) => {
        const seq = decode(msg.payload);
        if (seq === undefined)
          throw new Error(
            `subscriber message ${from + i} has a payload decode() does not recognize: ${preview(msg.payload)}`,
          );
        return seq;
      })
      .filter((seq) => seq !== PROBE);

  /** Publishes probes until the subscriber receives one: the subscription is then in place. */
  const subscribed = async (f: FlowUnderTest): Promise<void> => {
    const from = f.outputs(SUBSCRIBER_ID).length;
    const deadline = Date.now() + timeouts.connectMs;
    while (
      !f
        .outputs(SUBSCRIBER_ID)
        .slice(from)
        .some((m) => decode(m.payload) === PROBE)
    ) {
      if (Date.now() > deadline)
        throw new Error(`no probe came back through the peer within ${timeouts.connectMs} ms${problems(f)}`);
      const seen = f.outputs(SUBSCRIBER_ID).length;
      await f.inject(PUBLISHER_ID, { payload: encode(PROBE) });
      await waitFor(() => f.outputs(SUBSCRIBER_ID).length > seen, 250);
    }
  };

  /** Sends `count` messages from `first` on and waits until all have come back; returns the time it took. */
  const roundTrip = async (f: FlowUnderTest, first: number, count: number, timeoutMs: number): Promise<number> => {
    const from = f.outputs(SUBSCRIBER_ID).length;
    const started = performance.now();
    for (let seq = first; seq < first + count; seq++) await f.inject(PUBLISHER_ID, { payload: encode(seq) });
    const arrived = await waitFor(() => received(f, from).length >= count, timeoutMs);
    const elapsed = performance.now() - started;
    const got = received(f, from);
    if (!arrived) throw new Error(`${got.length} of ${count} messages came back within ${timeoutMs} ms${problems(f)}`);
    const expected = Array.from({ length: count }, (_, i) => first + i);
    const wrong = got.findIndex((seq, i) => seq !== expected[i]);
    if (wrong !== -1 || got.length !== count) {
      throw new Error(
        `messages came back out of order or repeated: at index ${wrong === -1 ? count : wrong}, got ${preview(got.slice(Math.max(0, wrong - 2), wrong + 3))} (${got.length} received)`,
      );
    }
    return elapsed;
  };

  /** Opens and closes the flow, checking the close is quick, repeatable and leaves no socket. */
  const closesCleanly = async (sockets: SocketTracker): Promise<void> => {
    const f = await deploy(false);
    if (!(await waitFor(() => connected(f), timeouts.connectMs)))
      throw new Error(`not connected within ${timeouts.connectMs} ms${problems(f)}`);
    const instance = f.engine.resourceInstance(RESOURCE_ID)?.instance as ResourceInstance;

    const started = performance.now();
    open.delete(f);
    await f.stop();
    const closeMs = performance.now() - started;
    if (closeMs > timeouts.closeMs)
      throw new Error(`closing took ${Math.round(closeMs)} ms (limit ${timeouts.closeMs})`);
    // The engine time-boxes a close and logs when it gives up or the close throws.
    const closeLogs = f.logs.filter((l) => /closing/.test(l.message) && (l.level === 'warn' || l.level === 'error'));
    if (closeLogs.length > 0) throw new Error(`the close was not clean: ${preview(closeLogs)}`);

    const again = await within(
      Promise.resolve().then(() => instance.close?.()),
      timeouts.closeMs,
    );
    if (again === 'timeout') throw new Error(`a second close() did not resolve within ${timeouts.closeMs} ms`);

    if (options.checkHandles !== false) {
      const released = await waitFor(() => Object.keys(sockets.open()).length === 0, timeouts.closeMs);
      if (!released)
        throw new Error(`sockets still open ${timeouts.closeMs} ms after close: ${preview(sockets.open())}`);
    }
  };

  describe(`connector conformance: ${options.name}`, () => {
    beforeAll(() => options.startPeer(), timeouts.connectMs);
    afterEach(async () => {
      for (const f of open) await f.stop();
      open.clear();
    }, timeouts.closeMs * 2);
    afterAll(() => options.stopPeer(), timeouts.closeMs * 2);

    it(
      'opens: the resource connects and its nodes show status ok',
      async () => {
        const f = await deploy(false);
        if (!(await waitFor(() => connected(f), timeouts.connectMs)))
          throw new Error(`not connected within ${timeouts.connectMs} ms${problems(f)}`);
        const ok = await waitFor(() => f.statuses(SUBSCRIBER_ID).some((s) => s.state === 'ok'), timeouts.connectMs);
        if (!ok) throw new Error(`the subscriber never showed status ok: ${preview(f.statuses(SUBSCRIBER_ID))}`);
        if (f.errors.length > 0) throw new Error(`errors while opening${problems(f)}`);
      },
      timeouts.connectMs * 2 + timeouts.closeMs,
    );

    it(
      'closes cleanly: within the time limit, a second close is harmless, no socket left open',
      async () => {
        const sockets = new SocketTracker().start();
        try {
          await closesCleanly(sockets);
        } finally {
          sockets.stop();
        }
      },
      timeouts.connectMs + timeouts.closeMs * 4,
    );

    it(
      'reconnects on its own after the peer stops and starts again',
      async () => {
        const f = await deploy(true);
        await subscribed(f);
        await roundTrip(f, 0, 10, timeouts.connectMs);

        await options.stopPeer();
        const lost = await waitFor(() => !connected(f), timeouts.reconnectMs);
        if (!lost) throw new Error(`still shown as connected ${timeouts.reconnectMs} ms after the peer stopped`);
        const shown = await waitFor(() => f.statuses(SUBSCRIBER_ID).slice(-1)[0]?.state !== 'ok', timeouts.closeMs);
        if (!shown)
          throw new Error(
            `the subscriber's status still says ok while the peer is down: ${preview(f.statuses(SUBSCRIBER_ID).slice(-3))}`,
          );

        await options.startPeer();
        if (!(await waitFor(() => connected(f), timeouts.reconnectMs)))
          throw new Error(`not reconnected within ${timeouts.reconnectMs} ms of the peer starting${problems(f)}`);
        await subscribed(f);
        await roundTrip(f, 10, 10, timeouts.connectMs);
      },
      timeouts.connectMs * 4 + timeouts.reconnectMs * 2 + timeouts.closeMs,
    );

    it(
      `throughput: ${total} messages through the peer, all of them, in order`,
      async () => {
        const f = await deploy(true);
        await subscribed(f);
        const elapsed = await roundTrip(f, 0, total, timeouts.throughputMs);
        const rate = Math.round((total / elapsed) * 1000);
        process.stdout.write(
          `connector conformance (${options.name}): ${total} messages in ${Math.round(elapsed)} ms, ${rate} msg/s\n`,
        );
      },
      timeouts.connectMs + timeouts.throughputMs + timeouts.closeMs,
    );
  });
}

/** Polls `check` every 20 ms; resolves true when it holds, false after `timeoutMs`. */
async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

function within<T>(promise: Promise<T>, timeoutMs: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The flow's errors and warnings, for a failure message. */
function problems(f: FlowUnderTest): string {
  const lines = [
    ...f.errors.map((e) => `error ${e.code ?? ''} ${e.message}`),
    ...f.logs
      .filter((l) => l.level === 'warn' || l.level === 'error')
      .map((l) => `${l.level} ${l.message} ${preview(l.data)}`),
  ];
  return lines.length === 0 ? '' : `\n  ${lines.slice(-10).join('\n  ')}`;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

import { defineNode } from '@tagflow/node-sdk';
import { connectorConformance } from '../src';
import type { ConnectorConformanceOptions } from '../src';
import { hubIn, hubOut, LineHub, lineHubResource } from './line-hub';

const hub = new LineHub();

function options(overrides: Partial<ConnectorConformanceOptions> = {}): ConnectorConformanceOptions {
  return {
    name: 'line-hub',
    resource: lineHubResource(),
    nodes: [hubIn, hubOut],
    startPeer: () => hub.start(),
    stopPeer: () => hub.stop(),
    resourceConfig: () => ({ port: hub.port }),
    publisher: (resourceId, channel) => ({ type: 'hub-out', config: { hub: resourceId, channel } }),
    subscriber: (resourceId, channel) => ({ type: 'hub-in', config: { hub: resourceId, channel } }),
    timeouts: { connectMs: 3000, closeMs: 1000, reconnectMs: 10_000, throughputMs: 10_000 },
    ...overrides,
  };
}

// A well-behaved connector passes the suite, declared as any connector package declares it.
connectorConformance(options());

type Body = () => Promise<void>;

/** Declares the suite into collectors instead of jest, so a test here can run one of its tests and see it fail. */
function collect(opts: ConnectorConformanceOptions): { hooks: Record<string, Body[]>; tests: Map<string, Body> } {
  const hooks: Record<string, Body[]> = { beforeAll: [], afterAll: [], afterEach: [] };
  const tests = new Map<string, Body>();
  const scope = globalThis as Record<string, unknown>;
  const saved = Object.fromEntries(['describe', 'it', 'beforeAll', 'afterAll', 'afterEach'].map((k) => [k, scope[k]]));
  Object.assign(scope, {
    describe: (_name: string, body: () => void) => body(),
    it: (name: string, body: Body) => tests.set(name, body),
    beforeAll: (body: Body) => hooks.beforeAll.push(body),
    afterAll: (body: Body) => hooks.afterAll.push(body),
    afterEach: (body: Body) => hooks.afterEach.push(body),
  });
  try {
    connectorConformance(opts);
  } finally {
    Object.assign(scope, saved);
  }
  return { hooks, tests };
}

/** Runs the collected test whose name starts with `prefix`, with the suite's hooks; resolves to its error. */
async function failureOf(opts: ConnectorConformanceOptions, prefix: string): Promise<Error | undefined> {
  const { hooks, tests } = collect(opts);
  const test = [...tests].find(([name]) => name.startsWith(prefix))?.[1];
  if (!test) throw new Error(`no test named ${prefix}...`);
  for (const hook of hooks.beforeAll) await hook();
  try {
    await test();
    return undefined;
  } catch (err) {
    return err as Error;
  } finally {
    for (const hook of [...hooks.afterEach, ...hooks.afterAll]) await hook();
  }
}

describe('connectorConformance catches a connector that', () => {
  it('leaves its socket open on close', async () => {
    const error = await failureOf(options({ resource: lineHubResource(true) }), 'closes cleanly');
    expect(error?.message).toMatch(/sockets still open 1000 ms after close: \{"TCPWRAP":2\}/);
  }, 20_000);

  it('loses messages', async () => {
    let n = 0;
    const lossy = defineNode({
      ...hubOut,
      type: 'hub-out',
      async create(ctx) {
        const inner = await hubOut.create(ctx);
        return { onMessage: (msg, port) => (++n % 100 === 0 ? undefined : inner.onMessage?.(msg, port)) };
      },
    });
    const error = await failureOf(
      options({ nodes: [hubIn, lossy], messages: 300, timeouts: { connectMs: 3000, throughputMs: 1500 } }),
      'throughput',
    );
    expect(error?.message).toMatch(/^29\d of 300 messages came back within 1500 ms/);
  }, 20_000);

  it('does not reconnect', async () => {
    const once = lineHubResource();
    let connects = 0;
    const error = await failureOf(
      options({
        resource: {
          ...once,
          create: (ctx) => (++connects > 1 ? Promise.reject(new Error('refusing to reconnect')) : once.create(ctx)),
        },
        timeouts: { connectMs: 3000, reconnectMs: 3000 },
      }),
      'reconnects',
    );
    expect(error?.message).toMatch(/not reconnected within 3000 ms of the peer starting/);
  }, 30_000);

  it('is called outside a test file', () => {
    const scope = globalThis as Record<string, unknown>;
    const saved = scope.describe;
    scope.describe = undefined;
    try {
      expect(() => connectorConformance(options())).toThrow(
        /call it at the top level of a jest test file \(describe not defined\)/,
      );
    } finally {
      scope.describe = saved;
    }
  });
});

import { createServer, connect } from 'node:net';
import type { Server, Socket } from 'node:net';
import { defineResource, NodeError, passwordEnvProperty } from '@tagflow/node-sdk';
import { until } from '../helpers';
import { startHarness } from './server-harness';
import type { Harness } from './server-harness';

/** A TCP port nothing listens on (the OS gave it and it was closed again). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A line-based TCP peer for the tests: answers `HELLO <text>` with `HI <text>`, counts connections. */
class LinePeer {
  connections = 0;
  open = 0;
  private constructor(
    readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<LinePeer> {
    const server = createServer();
    const port = await freePort();
    const peer = new LinePeer(server, port);
    server.on('connection', (socket) => {
      peer.connections++;
      peer.open++;
      socket.on('close', () => peer.open--);
      socket.setEncoding('utf8');
      socket.on('data', (text: string) => {
        const line = text.trim();
        if (line.startsWith('HELLO ')) socket.write(`HI ${line.slice(6)}\n`);
        // `WAIT` gets no answer: the tool waits until the deadline.
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return peer;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** One TCP connection, as a resource instance. */
class LineConnection {
  constructor(readonly socket: Socket) {}
  ask(line: string, signal: AbortSignal): Promise<string> {
    return new Promise((resolve, reject) => {
      const onData = (text: Buffer) => resolve(text.toString('utf8').trim());
      signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      this.socket.once('data', onData);
      this.socket.write(`${line}\n`);
    });
  }
  close(): void {
    this.socket.destroy();
  }
}

const lineDevice = defineResource({
  type: 'line-device',
  version: 1,
  description: 'A line-based TCP device (test).',
  configSchema: {
    type: 'object',
    properties: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'integer', minimum: 1, maximum: 65535 },
      passwordEnv: passwordEnvProperty('Password from'),
    },
    required: ['port'],
    additionalProperties: false,
  },
  secretDestinations: (c) => [{ host: c.host, port: c.port }],
  create(ctx) {
    const { host, port } = ctx.config;
    return new Promise<LineConnection>((resolve, reject) => {
      const socket = connect(port, host);
      socket.once('connect', () => resolve(new LineConnection(socket)));
      socket.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          new NodeError(
            'LINE_CONNECT',
            `cannot connect to ${host}:${port}: ${err.code === 'ECONNREFUSED' ? 'connection refused' : err.message}`,
          ),
        ),
      );
    });
  },
  tools: {
    async greet(connection, input, ctx) {
      const text = (input as { text?: unknown } | null)?.text;
      if (typeof text !== 'string') throw new NodeError('LINE_INPUT', 'greet needs {text}');
      return { answer: await connection.ask(`HELLO ${text}`, ctx.signal), msLeft: ctx.deadline - Date.now() };
    },
    wait: (connection, _input, ctx) => connection.ask('WAIT', ctx.signal),
  },
});

describe('POST /api/resources/tools/:tool', () => {
  let h: Harness;
  let peer: LinePeer;
  beforeAll(async () => {
    h = await startHarness();
    h.registry.registerResource(lineDevice);
    peer = await LinePeer.start();
  });
  afterAll(async () => {
    await h.close();
    await peer.close();
  });

  const call = (tool: string, body: Record<string, unknown>, token = h.token.deployer) =>
    h.api(`/api/resources/tools/${tool}`, { method: 'POST', token, body });

  it('runs the tool on a connection opened for the call, and closes it after', async () => {
    const before = peer.connections;
    const res = await call('greet', {
      resourceType: 'line-device',
      config: { port: peer.port },
      input: { text: 'pump 3' },
    });
    expect(res.status).toBe(200);
    expect(res.json.result.answer).toBe('HI pump 3');
    // The deadline is 10 s by default, and the tool is told it.
    expect(res.json.result.msLeft).toBeGreaterThan(5000);
    expect(res.json.result.msLeft).toBeLessThanOrEqual(10_000);
    expect(peer.connections).toBe(before + 1);
    await until(() => peer.open === 0, 5000);
  });

  it('reuses the running connection when the same resource config is live', async () => {
    const flow = {
      schemaVersion: 1,
      id: 'plant',
      // `${LINE_PORT}` resolves as at a deploy: the tool call finds the same connection.
      resources: [{ id: 'plc', type: 'line-device', config: { port: '${LINE_PORT}' } }],
      nodes: [],
      edges: [],
    };
    expect(
      (
        await h.api('/api/variables/LINE_PORT', {
          method: 'PUT',
          token: h.token.deployer,
          body: { value: String(peer.port) },
        })
      ).status,
    ).toBe(200);
    // A resource no node uses still connects: the flow holds it.
    const deployed = await h.engine.deploy(flow, { variables: { LINE_PORT: String(peer.port) } });
    expect(deployed).toMatchObject({ ok: true });
    await until(() => h.engine.resourceList().some((r) => r.connected), 5000);
    const before = peer.connections;
    const res = await call('greet', {
      resourceType: 'line-device',
      config: { port: '${LINE_PORT}' },
      input: { text: 'again' },
      flowId: 'plant',
    });
    expect(res.json).toEqual({ result: expect.objectContaining({ answer: 'HI again' }) });
    expect(peer.connections).toBe(before);
    // The flow's connection is not closed by the call.
    expect(h.engine.resourceList()).toEqual([expect.objectContaining({ id: 'plc', connected: true })]);
    await h.engine.stop();
  });

  it("answers a connection failure with 502 in the resource's own words", async () => {
    const closedPort = await freePort();
    const res = await call('greet', {
      resourceType: 'line-device',
      config: { port: closedPort },
      input: { text: 'x' },
    });
    expect(res.status).toBe(502);
    expect(res.json).toEqual({
      error: `cannot connect to 127.0.0.1:${closedPort}: connection refused`,
      code: 'TOOL_CONNECT',
    });
  });

  it('ends a call past its time limit with 504 and closes its connection', async () => {
    const started = Date.now();
    const res = await call('wait', { resourceType: 'line-device', config: { port: peer.port }, timeoutMs: 500 });
    expect(res.status).toBe(504);
    expect(res.json).toEqual({ error: 'no answer within 500 ms', code: 'TOOL_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(5000);
    await until(() => peer.open === 0, 5000);
  });

  it('refuses what it cannot run, in plain words', async () => {
    const refusals = [
      [
        call('greet', { resourceType: 'no-such-type', config: {} }),
        404,
        'TOOL_UNKNOWN',
        'no resource type no-such-type is installed',
      ],
      [
        call('reboot', { resourceType: 'line-device', config: { port: peer.port } }),
        404,
        'TOOL_UNKNOWN',
        'resource type line-device has no tool "reboot"',
      ],
      [
        call('greet', { resourceType: 'line-device', config: { port: 'many' } }),
        422,
        'TOOL_CONFIG',
        expect.stringContaining('the resource config is not usable: port:'),
      ],
      [
        call('greet', { resourceType: 'line-device', config: { port: peer.port }, input: {} }),
        422,
        'TOOL_FAILED',
        'greet needs {text}',
      ],
    ] as const;
    for (const [answer, status, code, error] of refusals) {
      const res = await answer;
      expect({ status: res.status, json: res.json }).toEqual({ status, json: { code, error } });
    }
    const malformed = await h.api('/api/resources/tools/greet', {
      method: 'POST',
      token: h.token.deployer,
      body: { config: {} },
    });
    expect(malformed).toMatchObject({
      status: 400,
      json: { error: expect.stringContaining('resourceType is required') },
    });
  });

  it('checks secret bindings as a deploy does', async () => {
    await h.secrets.set('LINE_PASSWORD', 'secret-value', ['10.0.0.9:7000']);
    const res = await call('greet', {
      resourceType: 'line-device',
      config: { port: peer.port, passwordEnv: 'LINE_PASSWORD' },
      input: { text: 'x' },
    });
    expect(res.status).toBe(422);
    expect(res.json.code).toBe('TOOL_CONFIG');
    expect(res.json.error).toContain('LINE_PASSWORD');
    expect(res.text).not.toContain('secret-value');
  });

  it('is for deployers: a viewer is refused', async () => {
    const res = await call('greet', { resourceType: 'line-device', config: { port: peer.port } }, h.token.viewer);
    expect(res.status).toBe(403);
  });
});

import WebSocket from 'ws';
import { flow, until } from '../helpers';
import { startHarness } from './server-harness';
import type { Harness } from './server-harness';

interface Frame {
  type: string;
  time: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read each frame type's fields as the API documents them
  [field: string]: any;
}

/** Opens a client and collects its frames; resolves once open, rejects with the HTTP status when refused. */
function connect(
  h: Harness,
  init: { token?: string; protocols?: string[] } = {},
): Promise<{ ws: WebSocket; frames: Frame[] }> {
  const url = `${h.url.replace(/^http/, 'ws')}/api/events`;
  const ws = new WebSocket(
    url,
    init.protocols ?? [],
    init.token ? { headers: { authorization: `Bearer ${init.token}` } } : {},
  );
  const frames: Frame[] = [];
  ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Frame));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, frames }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () =>
        reject(Object.assign(new Error(`refused with ${res.statusCode}`), { status: res.statusCode, body })),
      );
    });
    ws.once('error', reject);
  });
}

const closed = (ws: WebSocket) =>
  new Promise<number>((resolve) =>
    ws.readyState === WebSocket.CLOSED ? resolve(-1) : ws.once('close', (code) => resolve(code)),
  );

describe('WebSocket events', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ events: { maxQueue: 1000, maxBufferedBytes: 1024 * 1024 } });
  });
  afterEach(() => h.close());

  it('refuses an upgrade without a valid token with HTTP 401 before upgrading', async () => {
    await expect(connect(h)).rejects.toMatchObject({ status: 401, body: expect.stringContaining('"error"') });
    await expect(connect(h, { token: 'tf_wrong' })).rejects.toMatchObject({ status: 401 });
    await expect(connect(h, { protocols: ['bearer', 'bearer.tf_wrong'] })).rejects.toMatchObject({ status: 401 });
    const wrongPath = new WebSocket(`${h.url.replace(/^http/, 'ws')}/api/other`, {
      headers: { authorization: `Bearer ${h.token.viewer}` },
    });
    const status = await new Promise<number>((resolve) =>
      wrongPath.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(404);
    expect(h.engine.listenerCount('debug')).toBe(0);
  });

  it('accepts a browser-style bearer subprotocol and echoes "bearer"', async () => {
    const { ws } = await connect(h, { protocols: ['bearer', `bearer.${h.token.viewer}`] });
    expect(ws.protocol).toBe('bearer');
    ws.close();
    await closed(ws);
  });

  it('pushes deploy, status, debug and log frames, and stops listening to the engine when nobody is connected', async () => {
    expect(h.engine.listenerCount('debug')).toBe(0);
    const { ws, frames } = await connect(h, { token: h.token.viewer });
    expect(h.engine.listenerCount('debug')).toBe(1);
    const body = flow(
      [
        { id: 'src', type: 'counter', config: { count: 2 } },
        { id: 'loud', type: 'shout' },
        { id: 'out', type: 'sink' },
      ],
      ['src->loud', 'loud->out'],
      'ws-flow',
    );
    expect(
      (await h.api('/api/flow', { method: 'PUT', token: h.token.deployer, body, headers: { 'if-match': '"0"' } }))
        .status,
    ).toBe(200);
    h.log({ level: 'warn', message: 'disk almost full', data: { freeMb: 12 } });
    await until(() => frames.filter((f) => f.type === 'debug').length === 2 && frames.some((f) => f.type === 'log'));
    expect(frames.find((f) => f.type === 'deploy')).toMatchObject({
      flowId: 'ws-flow',
      added: expect.arrayContaining(['src', 'loud', 'out']),
      time: expect.any(Number),
    });
    expect(frames.find((f) => f.type === 'status')).toMatchObject({
      nodeId: 'loud',
      status: { state: 'ok' },
      time: expect.any(Number),
    });
    expect(frames.filter((f) => f.type === 'debug').map((f) => [f.nodeId, f.data])).toEqual([
      ['loud', 0],
      ['loud', 1],
    ]);
    expect(frames.find((f) => f.type === 'log')).toMatchObject({
      level: 'warn',
      message: 'disk almost full',
      data: { freeMb: 12 },
    });
    // The engine samples what each node sends, once a second, for the editor's trends.
    await until(() => frames.some((f) => f.type === 'samples'), 5000);
    expect(frames.find((f) => f.type === 'samples')).toMatchObject({
      flowId: 'ws-flow',
      windowMs: 1000,
      samples: expect.arrayContaining([
        { nodeId: 'src', port: 'out', kind: 'number', count: 2, numeric: 2, last: 1, min: 0, max: 1 },
      ]),
    });
    ws.close();
    await closed(ws);
    await until(() => h.engine.listenerCount('debug') === 0 && h.engine.listenerCount('samples') === 0);
  });

  it('keeps a stalled client within its bounded queue, counts drops, and reports them when it reads again', async () => {
    const { ws, frames } = await connect(h, { token: h.token.viewer });
    // Stop reading: the server's writes back up in the kernel, then in its socket buffer.
    (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const count = 4000;
    const body = flow(
      [
        { id: 'burst', type: 'flood', config: { count, size: 10_000 } },
        { id: 'out', type: 'sink' },
      ],
      ['burst->out'],
      'flood-flow',
    );
    expect(
      (await h.api('/api/flow', { method: 'PUT', token: h.token.deployer, body, headers: { 'if-match': '"0"' } }))
        .status,
    ).toBe(200);
    await until(() => (h.engine.stats().out?.in ?? 0) === 1);

    const [client] = h.hub.stats();
    expect(client.queued).toBeLessThanOrEqual(1000);
    expect(client.queued).toBeGreaterThan(0);
    expect(client.pendingDropped).toBeGreaterThan(0);
    // The server holds at most the byte bound plus the frame that crossed it.
    expect(client.bufferedAmount).toBeLessThanOrEqual(1024 * 1024 + 20_000);
    const metrics = await h.api('/metrics', { token: h.token.viewer });
    const dropped = Number(/tagflow_events_dropped_total (\d+)/.exec(metrics.text)?.[1]);
    expect(dropped).toBe(client.pendingDropped);

    (ws as unknown as { _socket: { resume(): void } })._socket.resume();
    const debugSeen = () => frames.filter((f) => f.type === 'debug').length;
    const reported = () => frames.filter((f) => f.type === 'dropped').reduce((n, f) => n + (f.count as number), 0);
    // Every debug value either arrived or was counted in a dropped frame: nothing vanished silently.
    await until(() => debugSeen() + reported() === count, 20_000);
    // Frames may still have been dropped after the first read (a slow machine): compare with now.
    const droppedAfter = Number(
      /tagflow_events_dropped_total (\d+)/.exec((await h.api('/metrics', { token: h.token.viewer })).text)?.[1],
    );
    expect(droppedAfter).toBeGreaterThanOrEqual(dropped);
    expect(reported()).toBe(droppedAfter);
    expect(frames.filter((f) => f.type === 'dropped')).toHaveLength(1);
    expect(h.hub.stats()[0].queued).toBe(0);
    ws.close();
    await closed(ws);
  });

  it('closes every socket when the server closes', async () => {
    const a = await connect(h, { token: h.token.viewer });
    const b = await connect(h, { protocols: ['bearer', `bearer.${h.token.admin}`] });
    const codes = Promise.all([closed(a.ws), closed(b.ws)]);
    await h.close();
    expect(await codes).toEqual([1001, 1001]);
    // afterEach closes again: close is idempotent.
  });
});

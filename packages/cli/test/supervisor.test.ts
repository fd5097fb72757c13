import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureCliBuilt, sleep, startTagflow, stopAllTagflow, until } from '@tagflow/test-support';
import type { TagflowProcess } from '@tagflow/test-support';
import { fixtures } from './cli-process';

// End-to-end: a real `tagflow start`, whose engine process is made to hang, blow up or crash by
// the issue's reproductions and by fixture nodes that always do. Throughout, /healthz answers.

beforeAll(ensureCliBuilt, 120_000);
afterAll(stopAllTagflow);

const supervisorNodes = path.join(fixtures, 'supervisor-nodes');
const WATCHDOG_MS = 2000;

interface EngineState {
  state: string;
  pid?: number;
  flowVersion?: number;
  lastEnd?: { at: string; reason: string; kind: string; nodeId?: string; version?: number };
  safeMode?: { reason: string; since: string };
}
interface Status {
  flow: { id: string; version: number } | null;
  engine: EngineState;
  nodes: Record<string, { counters: { in: number; out: number; errors: number } }>;
}
interface Version {
  version: number;
  flowId: string;
  deployedBy: string;
  note?: string;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function start(dataDir: string, args: string[] = []): Promise<TagflowProcess> {
  return startTagflow({
    dataDir,
    cwd: fixtures,
    port: await freePort(),
    readyBy: 'healthz',
    args: ['--nodes-dir', supervisorNodes, '--watchdog-ms', String(WATCHDOG_MS), '--stop-timeout-ms', '3000', ...args],
  });
}

/** The token of a data dir's first start, kept across restarts. */
const tokens = new Map<string, string>();
const api = (rt: TagflowProcess, route: string, init: RequestInit = {}) =>
  fetch(rt.url + route, {
    ...init,
    headers: {
      Authorization: `Bearer ${rt.token ?? tokens.get(rt.dataDir)}`,
      'content-type': 'application/json',
      ...(init.headers as Record<string, string> | undefined),
    },
  });
const json = async <T>(rt: TagflowProcess, route: string): Promise<T> => (await (await api(rt, route)).json()) as T;
const status = (rt: TagflowProcess) => json<Status>(rt, '/api/status');

/**
 * Deploys `flow` as a version of flow "good": a runtime holds many flows, each by its id, so the
 * flows that hang or blow up here are new versions of the one flow, to be rolled back to version 1.
 */
async function deploy(rt: TagflowProcess, flow: object, healthMs?: number): Promise<Record<string, unknown>> {
  const current = (await status(rt)).flow?.version ?? 0;
  const res = await api(rt, `/api/flows/good${healthMs ? `?healthMs=${healthMs}` : ''}`, {
    method: 'PUT',
    headers: { 'If-Match': `"${current}"` },
    body: JSON.stringify({ ...flow, id: 'good' }),
  });
  return (await res.json()) as Record<string, unknown>;
}

/** Polls /healthz every 150 ms; `stop` says how many answers came late (over 1 s) or not at all. */
function probeHealth(rt: TagflowProcess): { stop(): Promise<{ answers: number; late: number; failed: number }> } {
  let running = true;
  const result = { answers: 0, late: 0, failed: 0 };
  const loop = (async () => {
    while (running) {
      const started = Date.now();
      try {
        const res = await fetch(`${rt.url}/healthz`, { signal: AbortSignal.timeout(5000) });
        if (!res.ok) result.failed++;
        else result.answers++;
      } catch {
        // No answer within 5 s, or the connection was refused: counted, the loop goes on.
        result.failed++;
      }
      if (Date.now() - started > 1000) result.late++;
      await sleep(150);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return result;
    },
  };
}

/** WebSocket frames of the admin API's event stream. */
function events(rt: TagflowProcess): { frames: Array<{ type: string; [k: string]: unknown }>; close(): void } {
  const frames: Array<{ type: string; [k: string]: unknown }> = [];
  const ws = new WebSocket(`${rt.url.replace('http', 'ws')}/api/events`, [
    'bearer',
    `bearer.${rt.token ?? tokens.get(rt.dataDir)}`,
  ]);
  ws.onmessage = (e) => frames.push(JSON.parse(String(e.data)) as { type: string });
  return { frames, close: () => ws.close() };
}

const good = {
  schemaVersion: 1,
  id: 'good',
  nodes: [
    { id: 'tick', type: 'timer', typeVersion: 1, config: { intervalMs: 100 } },
    { id: 'pct', type: 'scale', typeVersion: 1, config: { in: { min: 0, max: 10 }, out: { min: 0, max: 100 } } },
  ],
  edges: [{ source: 'tick', target: 'pct' }],
};

/** `good` with a node of `type` after the timer: it gets a message every 100 ms. */
const withNode = (id: string, type: string) => ({
  schemaVersion: 1,
  id,
  nodes: [
    { id: 'tick', type: 'timer', typeVersion: 1, config: { intervalMs: 100 } },
    { id: 'bad', type, typeVersion: 1, config: {} },
  ],
  edges: [{ source: 'tick', target: 'bad' }],
});

const loop = {
  schemaVersion: 1,
  id: 'loop',
  nodes: [
    { id: 'tick', type: 'timer', typeVersion: 1, config: { intervalMs: 100 } },
    { id: 'a', type: 'scale', typeVersion: 1, config: { in: { min: 0, max: 1 }, out: { min: 0, max: 1 } } },
    { id: 'b', type: 'scale', typeVersion: 1, config: { in: { min: 0, max: 1 }, out: { min: 0, max: 1 } } },
  ],
  edges: [
    { source: 'tick', target: 'a' },
    { source: 'a', target: 'b' },
    { source: 'b', target: 'a' },
  ],
};

/** A runtime on a new data dir running `good` as version 1, healthy (it passed a health window). */
async function withGoodVersion(args: string[] = []): Promise<TagflowProcess> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tagflow-supervisor-'));
  const rt = await start(dataDir, args);
  tokens.set(dataDir, rt.token as string);
  expect(await deploy(rt, good, 300)).toMatchObject({ status: 'deployed', version: { version: 1 } });
  return rt;
}

/** The good flow runs: its counters move. */
async function expectGoodRuns(rt: TagflowProcess): Promise<void> {
  const before = (await status(rt)).nodes.pct?.counters.in ?? 0;
  await until(
    async () => ((await status(rt)).nodes.pct?.counters.in ?? 0) > before + 2,
    'the good flow to run',
    10_000,
  );
  const s = await status(rt);
  expect(s.flow?.id).toBe('good');
  expect(s.engine).toMatchObject({ state: 'running', flowVersion: s.flow?.version });
}

/** After an engine was ended: the good flow was restored as a new version with the reason, in the audit and on the WebSocket. */
async function expectRestored(
  rt: TagflowProcess,
  ws: ReturnType<typeof events>,
  failedVersion: number,
  reason: RegExp,
): Promise<Version> {
  await until(
    async () => (await status(rt)).flow?.version === failedVersion + 1,
    'the good flow to be restored',
    20_000,
  );
  await expectGoodRuns(rt);
  const versions = (await json<{ versions: Version[] } | Version[]>(rt, '/api/flow/versions')) as
    { versions: Version[] } | Version[];
  const list = Array.isArray(versions) ? versions : versions.versions;
  const restored = list[list.length - 1];
  expect(restored.version).toBe(failedVersion + 1);
  expect(restored.note).toMatch(new RegExp(`^rollback to version 1: version ${failedVersion} was ended`));
  expect(restored.note).toMatch(reason);
  const audit = await json<Array<{ type: string; actor: string; detail: string }>>(rt, '/api/audit');
  expect(audit).toContainEqual(
    expect.objectContaining({ type: 'engine-ended', actor: 'watchdog', detail: expect.stringMatching(reason) }),
  );
  expect(audit).toContainEqual(
    expect.objectContaining({
      type: 'rollback',
      actor: 'watchdog',
      detail: expect.stringContaining(`version 1 restored as version ${restored.version}`),
    }),
  );
  await until(() => ws.frames.some((f) => f.type === 'engine-restored'), 'an engine-restored event', 5000);
  expect(ws.frames).toContainEqual(
    expect.objectContaining({ type: 'engine-ended', version: failedVersion, reason: expect.stringMatching(reason) }),
  );
  return restored;
}

/** SIGTERM stops it (exit 0, before the harness's own SIGKILL), then a restart runs the good flow. */
async function expectStopsAndRestarts(rt: TagflowProcess): Promise<void> {
  expect(await rt.stop()).toBe(0);
  const again = await start(rt.dataDir);
  await until(
    async () => (await status(again)).flow?.id === 'good' && (await status(again)).engine.state === 'running',
    'the good flow after a restart',
    10_000,
  );
  await expectGoodRuns(again);
  expect(await again.stop()).toBe(0);
}

describe('tagflow start: the engine under a supervisor', () => {
  it('ends a node that blocks for good, restores the healthy version, and stays reachable', async () => {
    const rt = await withGoodVersion();
    const ws = events(rt);
    const probe = probeHealth(rt);
    expect(await deploy(rt, withNode('blocker', 'test-block'))).toMatchObject({
      status: 'deployed',
      version: { version: 2 },
    });
    await expectRestored(rt, ws, 2, /no heartbeat/);
    const s = await status(rt);
    expect(s.engine.lastEnd).toMatchObject({ kind: 'watchdog', version: 2 });
    // The engine names the busy node when it tracks it; else the end says nothing of a node.
    if (s.engine.lastEnd?.nodeId !== undefined) expect(s.engine.lastEnd.nodeId).toBe('bad');
    const health = await probe.stop();
    expect(health).toMatchObject({ late: 0, failed: 0 });
    expect(health.answers).toBeGreaterThan(10);
    ws.close();
    await expectStopsAndRestarts(rt);
  }, 90_000);

  it('rolls back a blocking deploy within its health window, saving the good version again', async () => {
    const rt = await withGoodVersion();
    const probe = probeHealth(rt);
    const outcome = await deploy(rt, withNode('blocker', 'test-block'), 10_000);
    expect(outcome).toMatchObject({
      status: 'rolled-back',
      failedVersion: { version: 2 },
      restored: { version: 3 },
      reason: expect.stringMatching(/the engine was ended/),
    });
    await expectGoodRuns(rt);
    expect((await status(rt)).flow?.version).toBe(3);
    expect(await probe.stop()).toMatchObject({ late: 0, failed: 0 });
    await expectStopsAndRestarts(rt);
  }, 90_000);

  it('survives the wiring loop timer -> a -> b -> a, with and without a health window', async () => {
    const rt = await withGoodVersion();
    const probe = probeHealth(rt);
    // Until the engine limits hops, the loop hangs the engine; with the limit, its errors fail the window.
    const gated = await deploy(rt, loop, 10_000);
    expect(gated).toMatchObject({ status: 'rolled-back', failedVersion: { version: 2 }, restored: { version: 3 } });
    await expectGoodRuns(rt);

    expect(await deploy(rt, loop)).toMatchObject({ status: 'deployed', version: { version: 4 } });
    await sleep(WATCHDOG_MS * 2);
    const s = await status(rt);
    if (s.engine.lastEnd?.version === 4) await expectGoodRuns(rt);
    // A loop the engine cuts short runs on, its dropped messages counted as errors.
    else expect(Object.values(s.nodes).some((n) => n.counters.errors > 0)).toBe(true);
    expect(await probe.stop()).toMatchObject({ late: 0, failed: 0 });
    expect(await rt.stop()).toBe(0);
  }, 90_000);

  it('survives a function node whose returned getter never ends', async () => {
    const rt = await withGoodVersion();
    const probe = probeHealth(rt);
    const getterLoop = {
      ...withNode('getter', 'function'),
      nodes: [
        { id: 'tick', type: 'timer', typeVersion: 1, config: { intervalMs: 100 } },
        {
          id: 'bad',
          type: 'function',
          typeVersion: 1,
          config: { code: 'return { get payload() { while (true) {} } };' },
        },
      ],
    };
    expect(await deploy(rt, getterLoop)).toMatchObject({ status: 'deployed', version: { version: 2 } });
    await sleep(WATCHDOG_MS * 2);
    const s = await status(rt);
    // Until the sandbox copies results inside the isolate, the getter hangs the engine (ended,
    // the healthy version restored); afterwards the node fails each message, in plain words.
    if (s.engine.lastEnd?.version === 2) await expectGoodRuns(rt);
    else expect(s.nodes.bad?.counters.errors).toBeGreaterThan(0);
    expect(await probe.stop()).toMatchObject({ late: 0, failed: 0 });
    expect(await rt.stop()).toBe(0);
  }, 90_000);

  it('ends an engine that passes its memory cap', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tagflow-supervisor-'));
    const rt = await start(dataDir, ['--engine-memory-mb', '300']);
    tokens.set(dataDir, rt.token as string);
    expect(await deploy(rt, good, 300)).toMatchObject({ status: 'deployed' });
    // The engine process's own memory is in /metrics (the default metrics are the admin process's).
    const metrics = await (await rt.api('/metrics', { headers: { Authorization: `Bearer ${rt.token}` } })).text();
    const engineHeap = Number(/^tagflow_engine_heap_used_bytes (\d+)/m.exec(metrics)?.[1]);
    expect(engineHeap).toBeGreaterThan(1_000_000);
    expect(metrics).toMatch(/^tagflow_engine_resident_memory_bytes \d+/m);
    const ws = events(rt);
    const probe = probeHealth(rt);
    expect(await deploy(rt, withNode('hog', 'test-hog'))).toMatchObject({
      status: 'deployed',
      version: { version: 2 },
    });
    await expectRestored(rt, ws, 2, /MB of memory, over its cap of 300 MB/);
    expect((await status(rt)).engine.lastEnd).toMatchObject({ kind: 'memory' });
    expect(await probe.stop()).toMatchObject({ late: 0, failed: 0 });
    ws.close();
    expect(await rt.stop()).toBe(0);
  }, 90_000);

  it('restarts after a node crashes the engine process, and restores the healthy version', async () => {
    const rt = await withGoodVersion();
    const ws = events(rt);
    const probe = probeHealth(rt);
    expect(await deploy(rt, withNode('crasher', 'test-crash'))).toMatchObject({ status: 'deployed' });
    await expectRestored(rt, ws, 2, /killed by SIGKILL/);
    expect((await status(rt)).engine.lastEnd).toMatchObject({ kind: 'crash' });
    expect(await probe.stop()).toMatchObject({ late: 0, failed: 0 });
    ws.close();
    await expectStopsAndRestarts(rt);
  }, 90_000);

  it('deploys while the engine is stuck, and SIGTERM stops a stuck engine within the limit', async () => {
    // A 10 s watchdog: on a loaded machine the 2 s one could end the stuck engine and restore a
    // version between the test's reading of the version and its deploy; the deploy to the stuck
    // engine then waits up to this long for it to be ended, well within the test's time.
    const rt = await withGoodVersion(['--watchdog-ms', '10000']);
    expect(await deploy(rt, withNode('blocker', 'test-block'))).toMatchObject({ status: 'deployed' });
    await sleep(500);
    const next = { ...good, nodes: [{ ...good.nodes[0], config: { intervalMs: 50 } }, good.nodes[1]] };
    let deployed = (await deploy(rt, next)) as { status: string; version: { version: number } };
    // Recovery may save a restored version between the read of the version and the deploy (a
    // loaded machine): a client then reads the version again and retries, as the editor does.
    if (deployed.status === 'conflict')
      deployed = (await deploy(rt, next)) as { status: string; version: { version: number } };
    expect(deployed.status).toBe('deployed');
    // 3 as a rule; once on Node 22 under load a version 3 appeared before it (see issue 14's note),
    // so what is held here is that the deploy went through and is what runs.
    expect(deployed.version.version).toBeGreaterThanOrEqual(3);
    await expectGoodRuns(rt);
    expect((await status(rt)).flow?.version).toBe(deployed.version.version);

    expect(await deploy(rt, withNode('blocker', 'test-block'))).toMatchObject({ status: 'deployed' });
    await sleep(500);
    expect(await rt.stop()).toBe(0);
    expect(rt.stderr()).toMatch(/killed/);
  }, 90_000);

  it('restarts on a data dir whose current version hangs the engine, and runs the healthy one', async () => {
    const rt = await withGoodVersion();
    // The issue's box: a bad version is current and the runtime dies before anything notices.
    expect(await deploy(rt, withNode('blocker', 'test-block'))).toMatchObject({ version: { version: 2 } });
    rt.child.kill('SIGKILL');
    await new Promise((resolve) => rt.child.once('exit', resolve));
    const again = await start(rt.dataDir);
    const ws = events(again);
    const probe = probeHealth(again);
    await expectRestored(again, ws, 2, /no heartbeat/);
    expect(await probe.stop()).toMatchObject({ late: 0, failed: 0 });
    ws.close();
    await expectStopsAndRestarts(again);
  }, 90_000);

  it('with no healthy version to go back to, runs no flow (safe mode) until a deploy', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tagflow-supervisor-'));
    const rt = await start(dataDir);
    tokens.set(dataDir, rt.token as string);
    expect(await deploy(rt, withNode('crasher', 'test-crash'))).toMatchObject({ status: 'deployed' });
    await until(async () => (await status(rt)).engine.state === 'safe-mode', 'safe mode', 10_000);
    const s = await status(rt);
    expect(s.engine.safeMode?.reason).toMatch(/no version ran healthily/);
    expect(s.nodes).toEqual({});
    expect(await rt.stop()).toBe(0);

    // A restart does not run the crashing version again... it never ran healthily: safe mode stays
    // until the runtime is told otherwise, but the flow of the data dir is what it boots.
    const again = await start(dataDir);
    expect(await deploy(again, good)).toMatchObject({ status: 'deployed' });
    await expectGoodRuns(again);
    expect((await status(again)).engine.safeMode).toBeUndefined();
    expect(await again.stop()).toBe(0);
  }, 90_000);

  it('boots the last healthy version after three young ends in a row of the runtime, and --safe runs none', async () => {
    const rt = await withGoodVersion();
    // Another version of the flow (its name differs): it is what dies with the runtime below.
    const other = { ...good, name: 'good too' };
    const second = await deploy(rt, other);
    expect(second).toMatchObject({ status: 'deployed', version: { version: 2 } });
    const hash = (second.version as { hash: string }).hash;
    const bootRecord = () =>
      JSON.parse(readFileSync(path.join(rt.dataDir, 'engine-boot.json'), 'utf8')) as {
        runs: Record<string, { hash: string; startedAt: string }>;
      };
    // The whole runtime dies within a minute of starting version 2, three times (power loss, OOM killer).
    let current = rt;
    let startedBefore = '';
    for (let i = 0; i < 3; i++) {
      // Each start records its own run of version 2 (after counting the one before).
      await until(
        () => bootRecord().runs.good?.hash === hash && bootRecord().runs.good?.startedAt !== startedBefore,
        'version 2 to run',
        10_000,
      );
      startedBefore = bootRecord().runs.good?.startedAt ?? '';
      current.child.kill('SIGKILL');
      await new Promise((resolve) => current.child.once('exit', resolve));
      current = await start(rt.dataDir);
    }
    await until(async () => (await status(current)).flow?.version === 3, 'version 1 to be restored', 10_000);
    const list = await json<Version[]>(current, '/api/flow/versions');
    expect(list[list.length - 1].note).toMatch(/^rollback to version 1: version 2 ended 3 times in a row/);
    await expectGoodRuns(current);
    expect(await current.stop()).toBe(0);

    const safe = await start(rt.dataDir, ['--safe']);
    const s = await status(safe);
    expect(s.engine).toMatchObject({ state: 'safe-mode', safeMode: { reason: expect.stringMatching(/--safe/) } });
    expect(s.nodes).toEqual({});
    expect(JSON.parse(readFileSync(path.join(rt.dataDir, 'engine-boot.json'), 'utf8'))).toMatchObject({ runs: {} });
    expect(await api(safe, '/api/flow/rollback', { method: 'POST', body: '{}' }).then((r) => r.status)).toBe(200);
    await until(async () => (await status(safe)).engine.state === 'running', 'leaving safe mode', 10_000);
    expect(await safe.stop()).toBe(0);
  }, 120_000);
});

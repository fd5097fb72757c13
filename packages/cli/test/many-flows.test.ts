import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'mqtt';
import { Mosquitto } from '@tagflow/node-test';
import { FlowStore } from '@tagflow/runtime';
import { ensureCliBuilt, sleep, startTagflow, stopAllTagflow, until } from '@tagflow/test-support';
import type { TagflowProcess } from '@tagflow/test-support';
import { fixtures } from './cli-process';

// End-to-end: several flows on one real `tagflow start`, each with its own versions, deploys,
// rollbacks and recovery, over one engine process.

beforeAll(ensureCliBuilt, 120_000);
afterAll(stopAllTagflow);

const supervisorNodes = path.join(fixtures, 'supervisor-nodes');

interface Summary {
  id: string;
  name?: string;
  state: string;
  version: number;
  nodes: number;
  counters: { in: number; out: number; errors: number; dropped: number };
}
interface Status {
  flow: { id: string; version: number } | null;
  nodes: Record<string, { counters: { in: number } }>;
  flows: Summary[];
}

/** A flow `id`: a timer every `intervalMs` into a scale node `pct`. */
const ticking = (id: string, intervalMs = 100, name?: string) => ({
  schemaVersion: 1,
  id,
  ...(name ? { name } : {}),
  nodes: [
    { id: 'tick', type: 'timer', typeVersion: 1, config: { intervalMs } },
    { id: 'pct', type: 'scale', typeVersion: 1, config: { in: { min: 0, max: 10 }, out: { min: 0, max: 100 } } },
  ],
  edges: [{ source: 'tick', target: 'pct' }],
});

const tokens = new Map<string, string>();

async function start(dataDir = mkdtempSync(path.join(tmpdir(), 'tagflow-flows-'))): Promise<TagflowProcess> {
  const rt = await startTagflow({ dataDir, args: ['--nodes-dir', supervisorNodes, '--watchdog-ms', '2000'] });
  if (rt.token) tokens.set(dataDir, rt.token);
  return rt;
}

const call = (rt: TagflowProcess, route: string, init: RequestInit = {}) =>
  fetch(rt.url + route, {
    ...init,
    headers: {
      Authorization: `Bearer ${tokens.get(rt.dataDir)}`,
      'content-type': 'application/json',
      ...(init.headers as Record<string, string> | undefined),
    },
  });
const json = async <T>(rt: TagflowProcess, route: string, init?: RequestInit): Promise<T> =>
  (await (await call(rt, route, init)).json()) as T;
const flows = async (rt: TagflowProcess) => (await json<{ flows: Summary[] }>(rt, '/api/flows')).flows;
const counted = async (rt: TagflowProcess, id: string) =>
  (await json<Status>(rt, `/api/status?flow=${id}`)).nodes.pct?.counters.in ?? 0;

async function deploy(rt: TagflowProcess, flow: { id: string }, healthMs?: number): Promise<Record<string, unknown>> {
  const current = (await flows(rt)).find((f) => f.id === flow.id)?.version ?? 0;
  const res = await call(rt, `/api/flows/${flow.id}${healthMs ? `?healthMs=${healthMs}` : ''}`, {
    method: 'PUT',
    headers: { 'If-Match': `"${current}"` },
    body: JSON.stringify(flow),
  });
  return (await res.json()) as Record<string, unknown>;
}

/** A flow `id` that publishes a tick every 100 ms to `<id>/tick` through broker resource `resourceId`. */
const publishing = (id: string, resourceId: string, url: string) => ({
  schemaVersion: 1,
  id,
  resources: [{ id: resourceId, type: 'mqtt-broker', config: { url } }],
  nodes: [
    { id: 'tick', type: 'timer', typeVersion: 1, config: { intervalMs: 100 } },
    { id: 'pub', type: 'mqtt-out', typeVersion: 1, config: { broker: resourceId, topic: `${id}/tick`, qos: 0 } },
  ],
  edges: [{ source: 'tick', target: 'pub' }],
});

describe('many flows on one runtime', () => {
  it('shares one broker connection between flows that define the same broker, until the last one stops', async () => {
    // $SYS every second: the broker itself says how many clients it has.
    const broker = await Mosquitto.start({ persistence: false, settings: ['sys_interval 1'] });
    const watcher = connect(broker.url, { clientId: 'test-watcher' });
    const connected: number[] = [];
    const ticks = new Set<string>();
    watcher.on('message', (topic, payload) => {
      if (topic === '$SYS/broker/clients/connected') connected.push(Number(payload.toString()));
      else ticks.add(topic);
    });
    await new Promise<void>((resolve) => watcher.on('connect', () => resolve()));
    await watcher.subscribeAsync(['$SYS/broker/clients/connected', '+/tick']);
    const rt = await start();
    try {
      // The same broker under two names: one connection serves both flows.
      expect(await deploy(rt, publishing('collector', 'plant-broker', broker.url))).toMatchObject({
        status: 'deployed',
      });
      expect(await deploy(rt, publishing('alarms', 'uns', broker.url))).toMatchObject({ status: 'deployed' });
      await until(() => ticks.has('collector/tick') && ticks.has('alarms/tick'), 'both flows to publish', 10_000);
      // The broker reports a change of its client count within a second (sys_interval 1).
      await sleep(2500);
      // The watcher and one tagflow connection, never a third.
      expect(connected.at(-1)).toBe(2);
      expect(Math.max(...connected)).toBe(2);

      await call(rt, '/api/flows/collector/disable', { method: 'POST' });
      ticks.clear();
      await until(() => ticks.has('alarms/tick'), 'alarms to publish on', 5000);
      await sleep(2500);
      // Still held by the other flow: not closed.
      expect(connected.at(-1)).toBe(2);
      expect(ticks.has('collector/tick')).toBe(false);

      // The last flow using it stops: the connection closes.
      await call(rt, '/api/flows/alarms/disable', { method: 'POST' });
      await until(() => connected.at(-1) === 1, 'the shared connection to close', 10_000);
      expect(await rt.stop()).toBe(0);
    } finally {
      watcher.end(true);
      await broker.down();
    }
  }, 90_000);

  it('runs three flows side by side; one rolled back, the others keep their versions and message counts', async () => {
    const rt = await start();
    for (const id of ['line-1', 'line-2', 'reports'])
      expect(await deploy(rt, ticking(id, 100, `${id} flow`), 300)).toMatchObject({
        status: 'deployed',
        version: { version: 1, flowId: id },
      });
    expect(await deploy(rt, ticking('line-2', 50), 300)).toMatchObject({ version: { version: 2 } });
    await until(async () => (await counted(rt, 'reports')) > 5, 'the third flow to count', 10_000);
    expect((await flows(rt)).map((f) => [f.id, f.state, f.version, f.nodes])).toEqual([
      ['line-1', 'running', 1, 2],
      ['line-2', 'running', 2, 2],
      ['reports', 'running', 1, 2],
    ]);
    const ws = new WebSocket(`${rt.url.replace('http', 'ws')}/api/events`, [
      'bearer',
      `bearer.${tokens.get(rt.dataDir)}`,
    ]);
    const frames: Array<{ type: string; flowId?: string }> = [];
    ws.onmessage = (e) => frames.push(JSON.parse(String(e.data)) as { type: string });

    const before = { 'line-1': await counted(rt, 'line-1'), reports: await counted(rt, 'reports') };
    const rolled = await json<Record<string, unknown>>(rt, '/api/flows/line-2/rollback', {
      method: 'POST',
      body: '{}',
    });
    expect(rolled).toMatchObject({ status: 'deployed', version: { version: 3, flowId: 'line-2' } });
    // The other flows did not restart: their counters went on from where they were, never from 0.
    const after = { 'line-1': await counted(rt, 'line-1'), reports: await counted(rt, 'reports') };
    expect(after['line-1']).toBeGreaterThanOrEqual(before['line-1']);
    expect(after.reports).toBeGreaterThanOrEqual(before.reports);
    await until(async () => (await counted(rt, 'line-1')) > after['line-1'] + 3, 'line-1 to keep counting', 10_000);
    expect((await flows(rt)).map((f) => [f.id, f.version])).toEqual([
      ['line-1', 1],
      ['line-2', 3],
      ['reports', 1],
    ]);
    const versions = await json<Array<{ version: number; note?: string }>>(rt, '/api/flows/line-2/versions');
    expect(versions.at(-1)).toMatchObject({ version: 3, note: 'rollback to version 1' });
    // The audit names the flow of each entry.
    const audit = await json<Array<{ type: string; detail: string; data?: { flowId?: string } }>>(rt, '/api/audit');
    expect(audit.filter((e) => e.type === 'rollback')).toEqual([
      expect.objectContaining({
        detail: 'flow "line-2": rolled back to version 1 as version 3',
        data: expect.objectContaining({ flowId: 'line-2' }),
      }),
    ]);
    expect(audit.filter((e) => e.type === 'deploy').map((e) => e.data?.flowId)).toEqual([
      'line-1',
      'line-2',
      'reports',
      'line-2',
    ]);
    expect((await json<Array<{ version: number }>>(rt, '/api/flows/line-1/versions')).length).toBe(1);

    // Each flow's live figures are its own, with the flow named on the wire and in /metrics.
    await until(() => frames.some((f) => f.type === 'status' || f.type === 'deploy'), 'a frame', 10_000).catch(
      () => undefined,
    );
    const metrics = await (await call(rt, '/metrics')).text();
    expect(metrics).toMatch(/tagflow_messages_in_total\{flow="reports",node="pct"\} \d+/);
    expect(metrics).toMatch(/tagflow_messages_in_total\{flow="line-1",node="pct"\} \d+/);
    for (const frame of frames.filter((f) => f.type === 'status' || f.type === 'debug'))
      expect(['line-1', 'line-2', 'reports']).toContain(frame.flowId);
    ws.close();

    // A flow sent to another flow's address is refused; the legacy route deploys by the body's id.
    const wrong = await call(rt, '/api/flows/line-1', {
      method: 'PUT',
      headers: { 'If-Match': '"1"' },
      body: JSON.stringify(ticking('reports')),
    });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: string }).error).toMatch(/"reports", not "line-1"/);
    const legacy = await call(rt, '/api/flow', {
      method: 'PUT',
      headers: { 'If-Match': '"1"' },
      body: JSON.stringify(ticking('reports', 200)),
    });
    expect(await legacy.json()).toMatchObject({ status: 'deployed', version: { version: 2, flowId: 'reports' } });
    expect((await flows(rt)).find((f) => f.id === 'line-1')?.version).toBe(1);
    expect(await rt.stop()).toBe(0);
  }, 90_000);

  it('rolls back only the flow that hung the engine; the others run again at their own versions', async () => {
    const rt = await start();
    for (const id of ['steady-a', 'steady-b', 'risky']) await deploy(rt, ticking(id), 300);
    const hung = {
      ...ticking('risky'),
      nodes: [ticking('risky').nodes[0], { id: 'pct', type: 'test-block', typeVersion: 1, config: {} }],
    };
    expect(await deploy(rt, hung)).toMatchObject({ status: 'deployed', version: { version: 2 } });
    await until(
      async () => (await flows(rt)).find((f) => f.id === 'risky')?.version === 3,
      'the flow that hung to be rolled back',
      30_000,
    );
    await until(async () => (await flows(rt)).every((f) => f.state === 'running'), 'every flow to run again', 20_000);
    // The innocent flows were started again as they were: no new version, no rollback note.
    expect((await flows(rt)).map((f) => [f.id, f.version])).toEqual([
      ['steady-a', 1],
      ['steady-b', 1],
      ['risky', 3],
    ]);
    const note = (await json<Array<{ note?: string }>>(rt, '/api/flows/risky/versions')).at(-1)?.note;
    expect(note).toMatch(/^rollback to version 1: version 2 was ended while node "pct" \(test-block\) ran/);
    const status = await json<{ engine: { lastEnd?: { flowId?: string; nodeId?: string } } }>(rt, '/api/status');
    expect(status.engine.lastEnd).toMatchObject({ flowId: 'risky', nodeId: 'pct' });
    const audit = await json<Array<{ type: string; detail: string }>>(rt, '/api/audit');
    expect(audit).toContainEqual(
      expect.objectContaining({
        type: 'engine-ended',
        detail: expect.stringMatching(/^flow "risky": version 2 was ended/),
      }),
    );
    expect(audit.filter((e) => e.type === 'rollback').map((e) => e.detail)).toEqual([
      expect.stringMatching(/^flow "risky" version 2 was ended/),
    ]);
    const a = await counted(rt, 'steady-a');
    await until(async () => (await counted(rt, 'steady-a')) > a + 3, 'steady-a to count again', 10_000);
    expect(await rt.stop()).toBe(0);
  }, 90_000);

  it('disables, enables and removes one flow, across a restart, leaving the others alone', async () => {
    const rt = await start();
    await deploy(rt, ticking('keep'));
    await deploy(rt, ticking('pause'));
    const disabled = await call(rt, '/api/flows/pause/disable', { method: 'POST' });
    expect(await disabled.json()).toEqual({ id: 'pause', state: 'disabled' });
    expect((await flows(rt)).map((f) => [f.id, f.state])).toEqual([
      ['keep', 'running'],
      ['pause', 'disabled'],
    ]);
    expect(await rt.stop()).toBe(0);

    const again = await start(rt.dataDir);
    await until(async () => (await flows(again)).find((f) => f.id === 'keep')?.state === 'running', 'keep', 10_000);
    expect((await flows(again)).find((f) => f.id === 'pause')?.state).toBe('disabled');
    expect(again.stderr()).toMatch(/flow \\?"pause\\?" is disabled: not started/);
    const enabled = await call(again, '/api/flows/pause/enable', { method: 'POST' });
    expect(await enabled.json()).toEqual({ id: 'pause', state: 'running' });
    await until(async () => (await counted(again, 'pause')) > 2, 'pause to run again', 10_000);

    const unconditional = await call(again, '/api/flows/pause', { method: 'DELETE' });
    expect(unconditional.status).toBe(428);
    const stale = await call(again, '/api/flows/pause', { method: 'DELETE', headers: { 'If-Match': '"7"' } });
    expect(stale.status).toBe(409);
    const removed = await call(again, '/api/flows/pause', { method: 'DELETE', headers: { 'If-Match': '"1"' } });
    expect(await removed.json()).toEqual({ id: 'pause', removed: true });
    expect((await flows(again)).map((f) => f.id)).toEqual(['keep']);
    expect((await call(again, '/api/flows/pause')).status).toBe(404);
    // Its history is kept aside, not erased.
    expect(readdirSync(path.join(again.dataDir, 'flows-deleted')).some((d) => d.startsWith('pause-'))).toBe(true);
    const audit = await json<Array<{ type: string }>>(again, '/api/audit');
    expect(audit.map((e) => e.type)).toEqual(expect.arrayContaining(['flow-disabled', 'flow-enabled', 'flow-removed']));
    expect(await again.stop()).toBe(0);
  }, 90_000);

  it("upgrades a single-flow runtime's data dir at start, keeping its versions", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tagflow-upgrade-'));
    // As an earlier tagflow wrote it: one history in flows/.
    const old = await FlowStore.open(dataDir);
    await old.save(ticking('pump-monitor', 100) as never, 'cli');
    await old.save(ticking('pump-monitor', 50) as never, 'cli');
    expect(existsSync(path.join(dataDir, 'flows', 'versions.json'))).toBe(true);

    const rt = await start(dataDir);
    await until(async () => (await flows(rt))[0]?.state === 'running', 'the upgraded flow to run', 10_000);
    expect((await flows(rt)).map((f) => [f.id, f.version])).toEqual([['pump-monitor', 2]]);
    expect(rt.stderr()).toMatch(/upgraded the single-flow data dir: flow \\?"pump-monitor\\?" \(2 versions\)/);
    expect(existsSync(path.join(dataDir, 'flows', 'pump-monitor', 'versions.json'))).toBe(true);
    expect(existsSync(path.join(dataDir, 'flows', 'versions.json'))).toBe(false);
    const rolled = await json<Record<string, unknown>>(rt, '/api/flows/pump-monitor/rollback', {
      method: 'POST',
      body: '{}',
    });
    expect(rolled).toMatchObject({ status: 'deployed', version: { version: 3 } });
    expect(await rt.stop()).toBe(0);
  }, 60_000);
});

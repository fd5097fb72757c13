import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineSupervisor } from '../../src/supervisor/engine-supervisor';
import { startHarness } from './server-harness';
import type { Harness } from './server-harness';
import { MemoryLogger } from '../helpers';

describe('flow state in the admin API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('lets a deployer set and delete keys of each scope, a viewer read them, and audits each change', async () => {
    const scopes = ['/api/context/global', '/api/context/flows/plant', '/api/context/flows/plant/nodes/avg'];
    for (const [i, scope] of scopes.entries()) {
      const set = await h.api(`${scope}/keys/setpoint`, {
        method: 'PUT',
        token: h.token.deployer,
        body: { value: { level: 40 + i, unit: 'm3/h' } },
      });
      expect(set).toMatchObject({ status: 200, json: { key: 'setpoint', value: { level: 40 + i, unit: 'm3/h' } } });
      const read = await h.api(scope, { token: h.token.viewer });
      expect(read.json).toMatchObject({
        keys: 1,
        entries: [{ key: 'setpoint', value: { level: 40 + i, unit: 'm3/h' } }],
      });
    }
    const viewerWrite = await h.api('/api/context/global/keys/x', {
      method: 'PUT',
      token: h.token.viewer,
      body: { value: 1 },
    });
    expect(viewerWrite.status).toBe(403);

    const summary = await h.api('/api/context', { token: h.token.viewer });
    expect(summary.json).toMatchObject({ persisted: true, failedWrites: 0, problems: [] });
    expect((summary.json as { scopes: unknown[] }).scopes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ scope: 'global', keys: 1 }),
        expect.objectContaining({ scope: 'flow', flowId: 'plant', keys: 1 }),
        expect.objectContaining({ scope: 'node', flowId: 'plant', nodeId: 'avg', keys: 1 }),
      ]),
    );

    const deleted = await h.api('/api/context/flows/plant/nodes/avg/keys/setpoint', {
      method: 'DELETE',
      token: h.token.deployer,
    });
    expect(deleted.status).toBe(204);
    const again = await h.api('/api/context/flows/plant/nodes/avg/keys/setpoint', {
      method: 'DELETE',
      token: h.token.deployer,
    });
    expect(again).toMatchObject({
      status: 404,
      json: { error: 'the context of node "avg" (flow "plant") has no key "setpoint"' },
    });

    const audit = await h.api('/api/audit', { token: h.token.admin });
    const details = (audit.json as Array<{ type: string; detail: string; actor: string }>)
      .filter((e) => e.type.startsWith('context-'))
      .map((e) => `${e.type} ${e.actor}: ${e.detail}`);
    expect(details).toEqual([
      'context-set the deployer: set key "setpoint" of the global context',
      'context-set the deployer: set key "setpoint" of the context of flow "plant"',
      'context-set the deployer: set key "setpoint" of the context of node "avg" (flow "plant")',
      'context-deleted the deployer: deleted key "setpoint" of the context of node "avg" (flow "plant")',
    ]);
  });

  it('refuses a write past the size limit with 413 in plain words, and counts it', async () => {
    const res = await h.api('/api/context/flows/plant/nodes/big/keys/blob', {
      method: 'PUT',
      token: h.token.deployer,
      body: { value: 'x'.repeat(1024 * 1024 + 10) },
    });
    expect(res.status).toBe(413);
    expect((res.json as { error: string }).error).toMatch(
      /node "big": storing context key "blob" would take the context to \d+ bytes, past its limit of 1048576/,
    );
    const read = await h.api('/api/context/flows/plant/nodes/big', { token: h.token.viewer });
    expect(read.json).toMatchObject({ keys: 0, refusedWrites: 1 });
  });

  it('refuses malformed ids and bodies with 400', async () => {
    const badId = await h.api('/api/context/flows/..%2Fetc', { token: h.token.viewer });
    expect(badId.status).toBe(400);
    expect((badId.json as { error: string }).error).toContain('is not a flow id');
    const noValue = await h.api('/api/context/global/keys/a', { method: 'PUT', token: h.token.deployer, body: {} });
    expect(noValue).toMatchObject({ status: 400, json: { error: 'the body must be {"value": <any JSON>}' } });
  });
});

describe('flow state through the supervisor', () => {
  it("reads and writes the engine process's context, which a graceful stop saves for the next engine", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tagflow-context-supervisor-'));
    const logger = new MemoryLogger();
    const first = new EngineSupervisor({ searchDirs: [], dataDir, logger, contextLimits: { globalBytes: 2048 } });
    await first.start();
    expect(await first.writeContext({ scope: 'global' }, 'shift', { crew: 'B', since: 6 })).toEqual({ ok: true });
    expect(await first.writeContext({ scope: 'global' }, 'big', 'x'.repeat(4000))).toMatchObject({
      ok: false,
      code: 'CONTEXT_FULL',
    });
    expect((await first.contextSummary()).limits.globalBytes).toBe(2048);
    await first.shutdown(5000);

    const second = new EngineSupervisor({ searchDirs: [], dataDir, logger });
    await second.start();
    expect(await second.readContext({ scope: 'global' })).toMatchObject({
      entries: [{ key: 'shift', value: { crew: 'B', since: 6 } }],
    });
    await second.shutdown(5000);
  }, 60_000);
});

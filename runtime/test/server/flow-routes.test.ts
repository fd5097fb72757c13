import { defineNode, NodeError } from '@tagflow/node-sdk';
import { flow, until } from '../helpers';
import { startHarness } from './server-harness';
import type { Harness } from './server-harness';

/** Fails 100 ms after start: inside a deploy's health window. */
const lateFail = defineNode({
  type: 'late-fail',
  version: 1,
  category: 'source',
  description: 'fails after a while',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  inputs: [],
  outputs: ['out'],
  create(ctx) {
    return {
      start() {
        ctx.clock.setTimeout(() => ctx.error(new NodeError('SENSOR_GONE', 'sensor 7 stopped answering')), 100);
      },
    };
  },
});

/** A processor whose config has a rule its schema cannot say: low below high. */
const band = defineNode({
  type: 'band',
  version: 1,
  category: 'processor',
  description: 'passes values on',
  configSchema: {
    type: 'object',
    properties: { low: { type: 'number', default: 0 }, high: { type: 'number', default: 10 } },
    additionalProperties: false,
  },
  inputs: ['in'],
  outputs: ['out'],
  check: (config) =>
    config.low < config.high
      ? []
      : [{ path: '/low', message: `low (${config.low}) must be below high (${config.high})`, code: 'BAND_INVALID' }],
  create: (ctx) => ({ onMessage: (msg) => void ctx.send(msg) }),
});

const good = (count: number) =>
  flow(
    [
      { id: 'src', type: 'counter', config: { count } },
      { id: 'loud', type: 'shout' },
      { id: 'out', type: 'sink' },
    ],
    ['src->loud', 'loud->out'],
    'pump',
  );

describe('flow routes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({}, [lateFail, band]);
  });
  afterAll(() => h.close());

  it('answers 404 for GET /api/flow before the first deploy', async () => {
    const res = await h.api('/api/flow', { token: h.token.viewer });
    expect(res.status).toBe(404);
    expect(res.json.error).toMatch(/no flow/);
  });

  it('requires If-Match on PUT (428), refuses a stale one (409), deploys with the right one (200 + ETag)', async () => {
    const missing = await h.api('/api/flow', { method: 'PUT', token: h.token.deployer, body: good(3) });
    expect(missing.status).toBe(428);
    expect(missing.json.error).toMatch(/If-Match/);

    const stale = await h.api('/api/flow', {
      method: 'PUT',
      token: h.token.deployer,
      body: good(3),
      headers: { 'if-match': '"7"' },
    });
    expect(stale.status).toBe(409);
    expect(stale.json).toMatchObject({ status: 'conflict', current: 0 });

    const first = await h.api('/api/flow', {
      method: 'PUT',
      token: h.token.deployer,
      body: good(3),
      headers: { 'if-match': '"0"' },
    });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({
      status: 'deployed',
      version: { version: 1, flowId: 'pump', deployedBy: 'the deployer' },
    });
    expect(first.headers.get('etag')).toBe('"1"');

    const second = await h.api('/api/flow?healthMs=50', {
      method: 'PUT',
      token: h.token.deployer,
      body: good(4),
      headers: { 'if-match': first.headers.get('etag') as string },
    });
    expect(second.status).toBe(200);
    expect(second.headers.get('etag')).toBe('"2"');

    const same = await h.api('/api/flow', {
      method: 'PUT',
      token: h.token.deployer,
      body: good(4),
      headers: { 'if-match': '"2"' },
    });
    expect(same.json).toMatchObject({ status: 'unchanged', version: { version: 2 } });

    const read = await h.api('/api/flow', { token: h.token.viewer });
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe('"2"');
    expect(read.json).toMatchObject({ version: { version: 2 }, flow: { id: 'pump' } });
  });

  it('refuses a bad flow with 422 naming node ids and paths, and keeps the old flow running', async () => {
    const bad = flow(
      [
        { id: 'src', type: 'counter', config: { count: 'many' } },
        { id: 'ghost', type: 'no-such-node' },
      ],
      ['src->ghost'],
    );
    const res = await h.api('/api/flow', {
      method: 'PUT',
      token: h.token.deployer,
      body: bad,
      headers: { 'if-match': '"2"' },
    });
    expect(res.status).toBe(422);
    expect(res.json.status).toBe('rejected');
    expect(res.json.error).toMatch(/refused/);
    expect(res.json.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ nodeId: 'src', path: expect.stringMatching(/^\/nodes\/0/) }),
        expect.objectContaining({ nodeId: 'ghost', path: expect.stringMatching(/^\/nodes\/1/) }),
      ]),
    );
    expect(h.engine.currentFlow?.id).toBe('pump');
    expect(h.flows.current()?.version.version).toBe(2);
  });

  it('answers 400 in plain words for invalid JSON and for a non-object, 413 above 5 MB', async () => {
    const broken = await h.api('/api/flow', {
      method: 'PUT',
      token: h.token.deployer,
      rawBody: '{"nodes": [',
      headers: { 'if-match': '"2"', 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    expect(broken.json.error).toMatch(/not valid JSON/);
    const array = await h.api('/api/flow', {
      method: 'PUT',
      token: h.token.deployer,
      body: [1, 2],
      headers: { 'if-match': '"2"' },
    });
    expect(array.status).toBe(400);
    const badIfMatch = await h.api('/api/flow', {
      method: 'PUT',
      token: h.token.deployer,
      body: good(1),
      headers: { 'if-match': 'latest' },
    });
    expect(badIfMatch.status).toBe(400);
    const badHealth = await h.api('/api/flow?healthMs=soon', {
      method: 'PUT',
      token: h.token.deployer,
      body: good(1),
      headers: { 'if-match': '"2"' },
    });
    expect(badHealth.status).toBe(400);
    const hugeBody = JSON.stringify({ pad: 'x'.repeat(6 * 1024 * 1024) });
    const huge = await h.api('/api/flow', {
      method: 'PUT',
      token: h.token.deployer,
      rawBody: hugeBody,
      headers: { 'if-match': '"2"', 'content-type': 'application/json' },
    });
    expect(huge.status).toBe(413);
    expect(huge.json.error).toBe(
      `the body is 6 MB (${hugeBody.length.toLocaleString('en-US')} bytes); the admin API accepts at most 5 MB (5,242,880 bytes), the size limit of a flow`,
    );
  });

  it('lists versions and reads one', async () => {
    const list = await h.api('/api/flow/versions', { token: h.token.viewer });
    expect(list.json.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    const one = await h.api('/api/flow/versions/1', { token: h.token.viewer });
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({
      version: { version: 1 },
      flow: { nodes: expect.arrayContaining([expect.objectContaining({ id: 'src', config: { count: 3 } })]) },
    });
    expect((await h.api('/api/flow/versions/99', { token: h.token.viewer })).status).toBe(404);
    expect((await h.api('/api/flow/versions/abc', { token: h.token.viewer })).status).toBe(400);
  });

  it('rolls back to the previous version as a new version, honouring If-Match', async () => {
    const stale = await h.api('/api/flow/rollback', {
      method: 'POST',
      token: h.token.deployer,
      body: {},
      headers: { 'if-match': '"1"' },
    });
    expect(stale.status).toBe(409);
    const res = await h.api('/api/flow/rollback', { method: 'POST', token: h.token.deployer, body: {} });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'deployed', version: { version: 3 } });
    expect(res.headers.get('etag')).toBe('"3"');
    expect(await h.flows.get(3)).toEqual(await h.flows.get(1));
    const explicit = await h.api('/api/flow/rollback', {
      method: 'POST',
      token: h.token.deployer,
      body: { version: 2 },
      headers: { 'if-match': '"3"' },
    });
    expect(explicit.json).toMatchObject({ status: 'deployed', version: { version: 4 } });
    const nowhere = await h.api('/api/flow/rollback', {
      method: 'POST',
      token: h.token.deployer,
      body: { version: 42 },
    });
    expect(nowhere.status).toBe(422);
    expect(nowhere.json.status).toBe('rejected');
    expect(
      (await h.api('/api/flow/rollback', { method: 'POST', token: h.token.deployer, body: { version: 'two' } })).status,
    ).toBe(400);
  });

  it('lists registered nodes with their config schema and package for the palette', async () => {
    const res = await h.api('/api/nodes', { token: h.token.viewer });
    expect(res.status).toBe(200);
    expect(res.json.nodes).toEqual(
      expect.arrayContaining([
        {
          type: 'shout',
          version: 1,
          category: 'processor',
          description: 'debug + status per message',
          docs: 'Shows each payload in the debug sidebar.',
          errors: { TOO_LOUD: 'The payload is too loud to show.' },
          inputs: ['in'],
          outputs: ['out'],
          configSchema: {
            type: 'object',
            properties: { loud: { type: 'boolean', default: true } },
            additionalProperties: false,
          },
          resources: {},
          package: { name: '@acme/shout-nodes', version: '1.2.3' },
        },
      ]),
    );
    expect(res.json.resources).toEqual([]);
  });

  it('reports status and Prometheus metrics after messages flowed', async () => {
    // loud and out kept running through the four versions (3 + 4 + 3 + 4 messages); src restarted each time.
    await until(() => (h.engine.stats().out?.in ?? 0) >= 14);
    const status = await h.api('/api/status', { token: h.token.viewer });
    expect(status.json).toMatchObject({
      flow: { id: 'pump', version: 4, hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
      nodes: {
        loud: { status: { state: 'ok', text: '14 seen' }, counters: { in: 14, out: 14 } },
        src: { status: null },
      },
      uptimeSeconds: expect.any(Number),
      runtime: { node: process.version, platform: `${process.platform}-${process.arch}` },
    });
    expect(status.json.runtime.version).toMatch(/^\d+\.\d+\.\d+/);
    const metrics = await h.api('/metrics', { token: h.token.viewer });
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4; charset=utf-8$/);
    // Written as a string with its length in bytes (not through send()): the whole text arrives.
    expect(Number(metrics.headers.get('content-length'))).toBe(Buffer.byteLength(metrics.text));
    expect(metrics.text).toContain('tagflow_messages_in_total{flow="pump",node="loud"} 14');
    expect(metrics.text).toContain('tagflow_messages_out_total{flow="pump",node="src"} 4');
    expect(metrics.text).toContain('tagflow_node_errors_total{flow="pump",node="loud"} 0');
    expect(metrics.text).toContain('tagflow_queue_depth{flow="pump",node="out"} 0');
    expect(metrics.text).toContain('tagflow_buffer_backlog{flow="pump",node="loud"} 140');
    expect(metrics.text).toMatch(/tagflow_deploys_total\{outcome="deployed"\} [4-9]/);
    expect(metrics.text).toMatch(/tagflow_deploys_total\{outcome="rejected"\} [12]/);
    expect(metrics.text).toContain('tagflow_deploys_total{outcome="conflict"}');
    expect(metrics.text).toContain('tagflow_events_dropped_total 0');
    expect(metrics.text).toContain('process_cpu_user_seconds_total');
  });

  it('has deploy, rejected and rollback entries in the audit log, readable by admins with filters', async () => {
    const all = await h.api('/api/audit', { token: h.token.admin });
    expect(all.status).toBe(200);
    const types = all.json.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['deploy', 'deploy-rejected', 'rollback']));
    const deploys = await h.api('/api/audit?type=deploy&limit=1', { token: h.token.admin });
    expect(deploys.json).toHaveLength(1);
    expect(deploys.json[0]).toMatchObject({ type: 'deploy', actor: 'the deployer' });
    const future = await h.api(`/api/audit?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, {
      token: h.token.admin,
    });
    expect(future.json).toEqual([]);
    const sinceMs = await h.api(`/api/audit?since=0`, { token: h.token.admin });
    expect(sinceMs.json.length).toBe(all.json.length);
    expect((await h.api('/api/audit?type=coffee', { token: h.token.admin })).status).toBe(400);
    expect((await h.api('/api/audit?since=yesterday', { token: h.token.admin })).status).toBe(400);
  });

  it('answers 422 rolled-back when the new version fails in its health window, with the old flow restored', async () => {
    const failing = flow(
      [
        { id: 'sensor', type: 'late-fail' },
        { id: 'out', type: 'sink' },
      ],
      ['sensor->out'],
      'failing',
    );
    const res = await h.api('/api/flow?healthMs=3000', {
      method: 'PUT',
      token: h.token.deployer,
      body: failing,
      headers: { 'if-match': '"4"' },
    });
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({
      status: 'rolled-back',
      failedVersion: { version: 5, flowId: 'failing' },
      restored: { version: 6, flowId: 'pump' },
      reason: expect.stringContaining('sensor 7'),
    });
    expect(res.json.error).toMatch(/rolled back/);
    expect(h.engine.currentFlow?.id).toBe('pump');
    const metrics = await h.api('/metrics', { token: h.token.viewer });
    expect(metrics.text).toContain('tagflow_deploys_total{outcome="rolled-back"} 1');
  });

  it('validates a flow without deploying it, with the same errors a deploy gives', async () => {
    const before = await h.api('/api/flow', { token: h.token.viewer });
    const bad = flow(
      [
        { id: 'src', type: 'counter', config: { count: 1 } },
        { id: 'b', type: 'band', config: { low: 5, high: 5 } },
        { id: 'out', type: 'sink' },
      ],
      ['src->b', 'b->out'],
      'pump',
    );
    const checked = await h.api('/api/flow/validate', { method: 'POST', token: h.token.deployer, body: bad });
    expect(checked.status).toBe(200);
    expect(checked.json).toEqual({
      ok: false,
      warnings: [],
      errors: [
        {
          code: 'BAND_INVALID',
          path: '/nodes/1/config/low',
          nodeId: 'b',
          field: 'Low',
          text: 'low (5) must be below high (5)',
          message: 'node "b" (band): Low: low (5) must be below high (5)',
        },
      ],
    });
    const version = before.status === 200 ? (before.json as { version: { version: number } }).version.version : 0;
    const deployed = await h.api('/api/flow', {
      method: 'PUT',
      token: h.token.deployer,
      body: bad,
      headers: { 'if-match': `"${version}"` },
    });
    expect(deployed.status).toBe(422);
    expect(deployed.json.errors).toEqual(checked.json.errors);

    const fine = await h.api('/api/flow/validate', { method: 'POST', token: h.token.deployer, body: good(2) });
    expect(fine.json).toEqual({ ok: true, errors: [], warnings: [] });
    // Validating deployed nothing: the current flow is the one before.
    const after = await h.api('/api/flow', { token: h.token.viewer });
    expect({ status: after.status, json: after.json }).toEqual({ status: before.status, json: before.json });

    const notAFlow = await h.api('/api/flow/validate', { method: 'POST', token: h.token.deployer, body: [1] });
    expect(notAFlow.status).toBe(400);
    expect(notAFlow.json.error).toBe('the body must be a flow: a JSON object');
  });
});

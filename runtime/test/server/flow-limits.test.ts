import { flowErrors, MAX_JSON_DEPTH } from '@tagflow/flow-model';
import { flow } from '../helpers';
import { startHarness } from './server-harness';
import type { Harness } from './server-harness';

const good = flow(
  [
    { id: 'src', type: 'counter', config: { count: 1 } },
    { id: 'out', type: 'sink' },
  ],
  ['src->out'],
  'plant',
);

/** `{"a":{"a":...1...}}` nested `levels` deep, as text: JSON.stringify itself overflows on 10k levels. */
function deepJson(levels: number): string {
  return `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
}

/** The good flow's JSON with `json` as the config of a third node, as raw text. */
function withConfigText(json: string): string {
  const text = JSON.stringify({ ...good, nodes: [...good.nodes, { id: 'deep', type: 'sink', typeVersion: 1 }] });
  return text.replace(
    '"id":"deep","type":"sink","typeVersion":1',
    `"id":"deep","type":"sink","typeVersion":1,"config":${json}`,
  );
}

describe('deploys over the flow limits', () => {
  let h: Harness;
  let version: number;

  beforeAll(async () => {
    h = await startHarness();
    const first = await h.api('/api/flow', {
      method: 'PUT',
      token: h.token.deployer,
      body: good,
      headers: { 'if-match': '"0"' },
    });
    expect(first.status).toBe(200);
    version = first.json.version.version;
  });
  afterAll(() => h.close());

  /** PUTs raw JSON text; the running flow and the history must not change. */
  async function refusedDeploy(rawBody: string) {
    const before = h.flows.list();
    const res = await h.api('/api/flow', {
      method: 'PUT',
      token: h.token.deployer,
      rawBody,
      headers: { 'if-match': `"${version}"`, 'content-type': 'application/json' },
    });
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ status: 'rejected' });
    expect(res.json.error).toMatch(/^the flow was refused \(\d+ errors?\); the running flow is unchanged$/);
    expect(h.flows.list()).toEqual(before);
    expect(h.engine.currentFlow?.id).toBe('plant');
    expect((await h.api('/healthz')).status).toBe(200);
    return res.json.errors as Array<{ code: string; path: string; message: string; nodeId?: string }>;
  }

  it('refuses 10,000 levels of nesting in a node config with 422 in plain words, not a 500', async () => {
    const errors = await refusedDeploy(withConfigText(deepJson(10_000)));
    expect(errors).toEqual([
      {
        code: flowErrors.code.NESTED_TOO_DEEP,
        nodeId: 'deep',
        path: `/nodes/2/config${'/a'.repeat(MAX_JSON_DEPTH - 3)}`,
        message: expect.stringMatching(
          /^node "deep" \(sink\): \/nodes\/2\/config\/a\/a.* is nested more than 64 levels deep \(objects and lists inside each other\); a flow may nest at most 64 levels$/,
        ),
      },
    ]);
    expect(h.logger.lines.some((r) => r.level === 'error')).toBe(false);
  });

  it('refuses 10,000 levels of lists in the flow ui', async () => {
    const text = JSON.stringify(good).replace(/}$/, `,"ui":${'['.repeat(10_000)}${']'.repeat(10_000)}}`);
    const errors = await refusedDeploy(text);
    expect(errors.map((e) => e.code)).toEqual([flowErrors.code.NESTED_TOO_DEEP]);
    expect(errors[0].path).toBe(`/ui${'/0'.repeat(MAX_JSON_DEPTH - 1)}`);
  });

  it('refuses "count": 1e400 with the node and the path, and saves nothing (not null)', async () => {
    const text = JSON.stringify(good).replace('"count":1', '"count":1e400');
    const errors = await refusedDeploy(text);
    expect(errors).toEqual([
      {
        code: flowErrors.code.NUMBER_NOT_FINITE,
        nodeId: 'src',
        path: '/nodes/0/config/count',
        message:
          'node "src" (counter): /nodes/0/config/count is too large for a number (a value like 1e400 reads as Infinity); numbers may be at most about 1.8e308',
      },
    ]);
    const audit = await h.audit.query({ type: 'deploy-rejected' });
    expect(audit.at(-1)).toMatchObject({
      actor: 'the deployer',
      detail: expect.stringContaining('/nodes/0/config/count is too large for a number'),
    });
  });

  it('refuses 100,000 debug nodes by their count alone, while /healthz answers', async () => {
    const nodes = Array.from({ length: 100_000 }, (_, i) => ({ id: `d${i}`, type: 'sink', typeVersion: 1 }));
    const text = JSON.stringify({ ...good, nodes });
    const [errors, health] = await Promise.all([refusedDeploy(text), h.api('/healthz')]);
    expect(health.status).toBe(200);
    expect(errors).toEqual([
      {
        code: flowErrors.code.TOO_MANY_NODES,
        path: '/nodes',
        message: 'flow "plant": /nodes has 100,000 nodes; a flow may have at most 10,000',
      },
    ]);
  });

  it('refuses a 1 MB node id without echoing it', async () => {
    const id = 'n'.repeat(1024 * 1024);
    const text = JSON.stringify({ ...good, nodes: [...good.nodes, { id, type: 'sink', typeVersion: 1 }] });
    const errors = await refusedDeploy(text);
    expect(errors).toEqual([
      {
        code: flowErrors.code.ID_TOO_LONG,
        path: '/nodes/2/id',
        message: 'node #3 (sink): /nodes/2/id is 1,048,576 characters long; ids may be at most 128 characters',
      },
    ]);
  });

  it('refuses over the limits in the deployer too, before it compares with the running flow', async () => {
    const deep = JSON.parse(withConfigText(deepJson(10_000))) as unknown;
    const outcome = await h.deps().deployer!.deploy(deep, { by: 'boot' });
    expect(outcome).toMatchObject({ status: 'rejected', errors: [{ code: flowErrors.code.NESTED_TOO_DEEP }] });
    expect(h.flows.list().map((v) => v.version)).toEqual([version]);
  });
});

describe('rolling back to a version saved with null where a number was', () => {
  let h: Harness;
  afterAll(() => h.close());

  it('is refused in plain words naming the node and the path, and the running flow stays', async () => {
    h = await startHarness();
    // What an older tagflow saved for "count": 1e400: JSON.stringify writes Infinity as null.
    await h.flows.save(
      JSON.parse(JSON.stringify(flow([{ id: 'src', type: 'counter', config: { count: Infinity } }], [], 'plant'))),
      'old',
    );
    const deployed = await h.api('/api/flow', {
      method: 'PUT',
      token: h.token.deployer,
      body: good,
      headers: { 'if-match': '"1"' },
    });
    expect(deployed.status).toBe(200);

    const res = await h.api('/api/flow/rollback', { method: 'POST', token: h.token.deployer, body: { version: 1 } });
    expect(res.status).toBe(422);
    expect(res.json.status).toBe('rejected');
    expect(res.json.errors).toEqual([
      {
        code: flowErrors.code.CONFIG_INVALID,
        nodeId: 'src',
        path: '/nodes/0/config/count',
        field: 'Count',
        text: 'Count must be a whole number (got null; a number too large for JSON, such as 1e400, was saved as null by older versions of tagflow)',
        message:
          'node "src" (counter): Count must be a whole number (got null; a number too large for JSON, such as 1e400, was saved as null by older versions of tagflow)',
      },
    ]);
    expect(h.engine.currentFlow?.nodes.map((n) => n.id)).toEqual(['src', 'out']);
  });
});

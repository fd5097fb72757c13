import { defineNode } from '@tagflow/node-sdk';
import { startHarness } from './server-harness';
import type { Harness } from './server-harness';

/** Shows its configured text and the LINE variable it reads itself as its status, once started. */
const sign = defineNode({
  type: 'sign',
  version: 1,
  category: 'source',
  description: 'shows a text as status',
  configSchema: {
    type: 'object',
    properties: { text: { type: 'string', default: '' }, times: { type: 'integer', default: 1 } },
    additionalProperties: false,
  },
  inputs: [],
  outputs: ['out'],
  create(ctx) {
    return {
      start() {
        ctx.status({
          state: 'ok',
          text: `${ctx.config.text} x${ctx.config.times} line ${ctx.variable('LINE') ?? '-'}`,
        });
      },
    };
  },
});

const flow = {
  schemaVersion: 1,
  id: 'site',
  nodes: [{ id: 'board', type: 'sign', typeVersion: 1, config: { text: 'site ${SITE}', times: '${TIMES}' } }],
  edges: [],
};

describe('runtime variables through the admin API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({}, [sign]);
  });
  afterAll(() => h.close());

  const put = (name: string, value: unknown, token = h.token.deployer) =>
    h.api(`/api/variables/${name}`, { method: 'PUT', token, body: { value } });
  const deploy = (version: number) =>
    h.api('/api/flow', { method: 'PUT', token: h.token.deployer, body: flow, headers: { 'If-Match': `"${version}"` } });

  it('refuses a flow whose variables are not set, at validate and deploy alike, naming every one', async () => {
    const validated = await h.api('/api/flow/validate', { method: 'POST', token: h.token.deployer, body: flow });
    const expected = [
      {
        code: 'VARIABLE_UNRESOLVED',
        path: '/nodes/0/config/text',
        nodeId: 'board',
        message:
          'node "board" (sign): /nodes/0/config/text: variable SITE is not set on this runtime (set it with: tagflow var set SITE VALUE)',
      },
      expect.objectContaining({ code: 'VARIABLE_UNRESOLVED', path: '/nodes/0/config/times', nodeId: 'board' }),
    ];
    expect(validated.json).toEqual({ ok: false, errors: expected, warnings: [] });
    const refused = await deploy(0);
    expect(refused.status).toBe(422);
    expect(refused.json).toMatchObject({ status: 'rejected', errors: expected });
    expect(h.engine.currentFlow).toBeUndefined();
  });

  it('sets variables as a deployer, lists them to a viewer, audits the change, and deploys with the values', async () => {
    expect((await put('SITE', 'north')).status).toBe(200);
    expect((await put('TIMES', '3')).status).toBe(200);
    expect((await put('LINE', '7')).status).toBe(200);
    expect((await put('SITE', 'x', h.token.viewer)).status).toBe(403);
    expect((await put('bad name', 'x')).status).toBe(400);
    const listed = await h.api('/api/variables', { token: h.token.viewer });
    expect(listed.json).toEqual({ variables: { LINE: '7', SITE: 'north', TIMES: '3' } });
    expect((await h.api('/api/variables/SITE', { token: h.token.viewer })).json).toEqual({
      name: 'SITE',
      value: 'north',
    });

    const deployed = await deploy(0);
    expect(deployed.status).toBe(200);
    expect(deployed.json.status).toBe('deployed');
    // The running config has the values (times converted to the integer its schema wants)...
    expect(h.engine.currentFlow?.nodes[0].config).toEqual({ text: 'site north', times: 3 });
    expect(h.engine.statuses().board.text).toBe('site north x3 line 7');
    // ...and the stored flow keeps the ${...} text, so the same file serves every site.
    const stored = await h.api('/api/flow', { token: h.token.viewer });
    expect(stored.json.flow.nodes[0].config).toEqual({ text: 'site ${SITE}', times: '${TIMES}' });

    const audit = await h.api('/api/audit?type=variable-set', { token: h.token.admin });
    expect(audit.json.map((e: { detail: string; actor: string }) => [e.actor, e.detail])).toEqual([
      ['the deployer', 'set variable SITE to "north"'],
      ['the deployer', 'set variable TIMES to "3"'],
      ['the deployer', 'set variable LINE to "7"'],
    ]);
  });

  it('applies a new value at the next deploy of the same flow, and says so when it is set', async () => {
    const changed = await put('SITE', 'south');
    expect(changed.json.note).toBe(
      'the running flow (version 1) uses SITE in "board" and keeps its old value until the next deploy (deploy the flow again to apply it)',
    );
    expect(h.engine.statuses().board.text).toBe('site north x3 line 7');
    const again = await deploy(1);
    expect(again.json.status).toBe('deployed');
    expect(h.engine.statuses().board.text).toBe('site south x3 line 7');
    // Nothing changed since: the same flow with the same values is unchanged.
    expect((await deploy(2)).json.status).toBe('unchanged');
  });

  it('refuses a value that does not convert, and a rollback resolves with the values of now', async () => {
    await put('TIMES', 'many');
    const validated = await h.api('/api/flow/validate', { method: 'POST', token: h.token.deployer, body: flow });
    expect(validated.json.errors).toEqual([
      expect.objectContaining({
        code: 'VARIABLE_TYPE',
        path: '/nodes/0/config/times',
        message: expect.stringContaining('variable TIMES is "many", which is not an integer as this field needs'),
      }),
    ]);
    const rollback = await h.api('/api/flow/rollback', { method: 'POST', token: h.token.deployer, body: {} });
    expect(rollback.status).toBe(422);
    expect(rollback.json.errors[0].code).toBe('VARIABLE_TYPE');
    await put('TIMES', '2');
    const back = await h.api('/api/flow/rollback', { method: 'POST', token: h.token.deployer, body: {} });
    expect(back.json.status).toBe('deployed');
    expect(h.engine.statuses().board.text).toBe('site south x2 line 7');
  });

  it('unsets a variable as a deployer; the next deploy names it', async () => {
    const removed = await h.api('/api/variables/SITE', { method: 'DELETE', token: h.token.deployer });
    expect(removed.status).toBe(204);
    expect((await h.api('/api/variables/SITE', { method: 'DELETE', token: h.token.deployer })).status).toBe(404);
    const validated = await h.api('/api/flow/validate', { method: 'POST', token: h.token.deployer, body: flow });
    expect(validated.json.errors.map((e: { message: string }) => e.message)).toEqual([
      expect.stringContaining('variable SITE is not set on this runtime'),
    ]);
  });
});

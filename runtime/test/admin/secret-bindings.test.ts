import { defineNode, defineResource } from '@tagflow/node-sdk';
import { flow } from '../helpers';
import { startHarness } from '../server/server-harness';
import type { Harness } from '../server/server-harness';

/** Connects to `host:port` with the secret `passwordEnv` names, and says so. */
const link = defineResource({
  type: 'test-link',
  version: 1,
  description: 'A connection that sends its password to host:port.',
  configSchema: {
    type: 'object',
    properties: {
      host: { type: 'string' },
      port: { type: 'integer', default: 7000 },
      passwordEnv: { type: 'string', 'x-secret': true },
    },
    required: ['host'],
  },
  secretDestinations: (c) => [{ host: c.host, port: c.port }],
  create: () => ({}),
});

/** Reads a secret from a field it does not mark, and does not say where it goes. */
const opaque = defineResource({
  type: 'test-opaque',
  version: 1,
  description: 'A connection whose secrets go who knows where.',
  configSchema: { type: 'object', properties: { options: { type: 'object' } } },
  create: () => ({}),
});

/** A node naming a secret in a marked field, without secretDestinations. */
const notifier = defineNode({
  type: 'test-notifier',
  version: 1,
  category: 'publisher',
  description: 'Names a token.',
  configSchema: { type: 'object', properties: { tokenEnv: { type: 'string', 'x-secret': true } } },
  inputs: ['in'],
  outputs: [],
  create: () => ({}),
});

const linkFlow = (config: Record<string, unknown>) => ({
  ...flow([{ id: 'user', type: 'test-notifier' }], []),
  resources: [{ id: 'plc', type: 'test-link', config }],
});

describe('secret bindings at deploy and in the validate route', () => {
  let h: Harness;
  let version = 0;
  const deploy = async (body: object) => {
    const res = await h.api('/api/flow', {
      method: 'PUT',
      token: h.token.deployer,
      body,
      headers: { 'if-match': `"${version}"` },
    });
    if (res.status === 200) version = res.json.version.version as number;
    return res;
  };
  const validate = (body: object) => h.api('/api/flow/validate', { method: 'POST', token: h.token.deployer, body });

  beforeAll(async () => {
    h = await startHarness({}, [notifier]);
    h.registry.registerResource(link);
    h.registry.registerResource(opaque);
    await h.secrets.set('PLC_PASSWORD', 'pw-1', ['plc.plant:7000']);
    await h.secrets.set('OPEN_PASSWORD', 'pw-2');
  });
  afterAll(() => h.close());

  it('deploys a bound secret sent to an allowed host, case aside, and an unbound one anywhere', async () => {
    expect((await deploy(linkFlow({ host: 'PLC.plant', passwordEnv: 'PLC_PASSWORD' }))).status).toBe(200);
    expect((await deploy(linkFlow({ host: 'elsewhere', passwordEnv: 'OPEN_PASSWORD' }))).status).toBe(200);
  });

  it('refuses the same words in validate and deploy, naming secret, resource, type and host; the flow is unchanged', async () => {
    const leaking = linkFlow({ host: 'plc.plant', port: 7001, passwordEnv: 'PLC_PASSWORD' });
    const error = {
      code: 'SECRET_NOT_ALLOWED',
      path: '/resources/0/config/passwordEnv',
      resourceId: 'plc',
      message:
        'resource "plc" (test-link) would send secret PLC_PASSWORD to plc.plant:7001; it may be sent only to plc.plant:7000 (to allow it, an admin runs: tagflow secret set PLC_PASSWORD --allow plc.plant:7000,plc.plant:7001)',
    };
    expect((await validate(leaking)).json).toEqual({ ok: false, errors: [error], warnings: expect.any(Array) });
    const before = h.flows.current()?.version.version;
    const refused = await deploy(leaking);
    expect(refused.status).toBe(422);
    expect(refused.json).toMatchObject({ status: 'rejected', errors: [error] });
    expect(h.flows.current()?.version.version).toBe(before);
    expect((await h.audit.query({ type: 'deploy-rejected' })).at(-1)?.detail).toBe(
      'deploy refused: 1 secret binding broken, the running flow is unchanged',
    );
  });

  it('checks bindings on the flow as it runs: a variable cannot send a bound secret elsewhere, nor choose the secret', async () => {
    await h.variables.set('PLC_HOST', 'evil.example');
    await h.variables.set('WHICH', 'PLC_PASSWORD');
    const redirected = linkFlow({ host: '${PLC_HOST}', passwordEnv: 'PLC_PASSWORD' });
    const refused = await deploy(redirected);
    expect(refused.status).toBe(422);
    expect(refused.json.errors).toEqual([
      expect.objectContaining({
        code: 'SECRET_NOT_ALLOWED',
        message: expect.stringContaining('would send secret PLC_PASSWORD to evil.example:7000'),
      }),
    ]);
    expect((await validate(redirected)).json.errors).toEqual(refused.json.errors);
    const chosen = await deploy(linkFlow({ host: 'plc.plant', passwordEnv: '${WHICH}' }));
    expect(chosen.status).toBe(422);
    expect(chosen.json.errors).toEqual([
      expect.objectContaining({ code: 'VARIABLE_IN_SECRET_FIELD', path: '/resources/0/config/passwordEnv' }),
    ]);
    await h.variables.set('PLC_HOST', 'plc.plant');
    expect((await deploy(redirected)).status).toBe(200);
  });

  it('refuses a bound secret in a type that does not declare where its secrets go, marked field or not', async () => {
    const viaResource = {
      ...flow([], []),
      resources: [{ id: 'x', type: 'test-opaque', config: { options: { key: 'PLC_PASSWORD' } } }],
    };
    expect((await validate(viaResource)).json.errors).toEqual([
      {
        code: 'SECRET_NOT_ALLOWED',
        path: '/resources/0/config/options/key',
        resourceId: 'x',
        message:
          'resource "x" (test-opaque) names secret PLC_PASSWORD, which may be sent only to plc.plant:7000; type test-opaque does not say where it sends secrets, so it cannot use a bound secret (unbind it with tagflow secret set PLC_PASSWORD without --allow, or use a type that declares secretDestinations)',
      },
    ]);
    expect((await deploy(viaResource)).status).toBe(422);
    const viaNode = flow([{ id: 'n', type: 'test-notifier', config: { tokenEnv: 'PLC_PASSWORD' } }], []);
    expect((await validate(viaNode)).json.errors).toEqual([
      expect.objectContaining({ nodeId: 'n', path: '/nodes/0/config/tokenEnv', code: 'SECRET_NOT_ALLOWED' }),
    ]);
    // Unbound, neither is any business of the check.
    const open = {
      ...viaResource,
      resources: [{ ...viaResource.resources[0], config: { options: { key: 'OPEN_PASSWORD' } } }],
    };
    expect((await validate(open)).json).toMatchObject({ ok: true, errors: [] });
  });

  it('refuses a rollback to a version that would now send a secret where its new binding forbids', async () => {
    await h.secrets.set('OPEN_PASSWORD', 'pw-2');
    expect((await deploy(linkFlow({ host: 'old.plant', passwordEnv: 'OPEN_PASSWORD' }))).status).toBe(200);
    expect((await deploy(linkFlow({ host: 'new.plant', passwordEnv: 'OPEN_PASSWORD' }))).status).toBe(200);
    await h.secrets.set('OPEN_PASSWORD', 'pw-2', ['new.plant']);
    const rollback = await h.api('/api/flow/rollback', { method: 'POST', token: h.token.deployer, body: {} });
    expect(rollback.status).toBe(422);
    expect(rollback.json.errors[0].message).toMatch(
      /^resource "plc" \(test-link\) would send secret OPEN_PASSWORD to old\.plant:7000; it may be sent only to new\.plant /,
    );
  });
});

describe('binding a secret the running flow sends elsewhere', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    h.registry.registerResource(link);
  });
  afterAll(() => h.close());

  it('answers with a warning that the running flow keeps sending it until the next deploy', async () => {
    await h.secrets.set('PLC_PASSWORD', 'pw');
    const running = {
      ...flow([], []),
      resources: [{ id: 'plc', type: 'test-link', config: { host: 'old.plant', passwordEnv: 'PLC_PASSWORD' } }],
    };
    const deployed = await h.api('/api/flow', {
      method: 'PUT',
      token: h.token.deployer,
      body: running,
      headers: { 'if-match': '"0"' },
    });
    expect(deployed.status).toBe(200);
    const bound = await h.api('/api/secrets/PLC_PASSWORD', {
      method: 'PUT',
      token: h.token.admin,
      body: { value: 'pw', allow: ['new.plant:7000'] },
    });
    expect(bound.json).toEqual({
      name: 'PLC_PASSWORD',
      allow: ['new.plant:7000'],
      warning:
        'the running flow (version 1) still sends secret PLC_PASSWORD where it is not allowed, until a deploy replaces it: resource "plc" (test-link) would send secret PLC_PASSWORD to old.plant:7000; it may be sent only to new.plant:7000 (to allow it, an admin runs: tagflow secret set PLC_PASSWORD --allow new.plant:7000,old.plant:7000)',
    });
    const allowed = await h.api('/api/secrets/PLC_PASSWORD', {
      method: 'PUT',
      token: h.token.admin,
      body: { value: 'pw', allow: ['old.plant'] },
    });
    expect(allowed.json).toEqual({ name: 'PLC_PASSWORD', allow: ['old.plant'] });
  });
});

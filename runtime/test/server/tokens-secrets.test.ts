import { flow } from '../helpers';
import { startHarness } from './server-harness';
import type { Harness } from './server-harness';

describe('tokens and secrets routes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('creates a token (value once), lists without values, revokes it for good', async () => {
    const created = await h.api('/api/tokens', {
      method: 'POST',
      token: h.token.admin,
      body: { role: 'deployer', name: 'ci pipeline' },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(created.json).toMatchObject({
      info: { name: 'ci pipeline', role: 'deployer', id: expect.any(String) },
      token: expect.stringMatching(/^tf_/),
    });
    const { info, token } = created.json as { info: { id: string }; token: string };
    const creationBody = h.bodies.at(-1) as string;

    // The new token works at its role, and not above.
    expect((await h.api('/api/flow/versions', { token })).status).toBe(200);
    expect((await h.api('/api/tokens', { token })).status).toBe(403);

    const list = await h.api('/api/tokens', { token: h.token.admin });
    expect(list.json).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: info.id, name: 'ci pipeline', role: 'deployer' })]),
    );
    expect(Object.keys(list.json[0]).sort()).toEqual(['createdAt', 'id', 'name', 'role']);

    expect((await h.api(`/api/tokens/${info.id}`, { method: 'DELETE', token: h.token.admin })).status).toBe(204);
    expect((await h.api(`/api/tokens/${info.id}`, { method: 'DELETE', token: h.token.admin })).status).toBe(404);
    expect((await h.api('/api/flow/versions', { token })).status).toBe(401);

    const audit = await h.api('/api/audit', { token: h.token.admin });
    expect(audit.json).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'token-created', actor: 'the admin' }),
        expect.objectContaining({ type: 'token-revoked', actor: 'the admin' }),
      ]),
    );
    // After the 201 that created it, the value appears in no answer.
    const later = h.bodies.filter((b) => b !== creationBody);
    for (const body of later) expect(body).not.toContain(token);
  });

  it('refuses a malformed token request with 400', async () => {
    expect(
      (await h.api('/api/tokens', { method: 'POST', token: h.token.admin, body: { role: 'root', name: 'x' } })).status,
    ).toBe(400);
    const badName = await h.api('/api/tokens', {
      method: 'POST',
      token: h.token.admin,
      body: { role: 'viewer', name: ' padded ' },
    });
    expect(badName.status).toBe(400);
    expect(badName.json.error).toMatch(/name/);
  });

  it('sets, lists and deletes secrets; values never come back in any answer', async () => {
    const value = 'hunter2-super-secret-value';
    const unbound = await h.api('/api/secrets/MQTT_PASSWORD', { method: 'PUT', token: h.token.admin, body: { value } });
    expect(unbound.status).toBe(200);
    expect(unbound.json).toEqual({
      name: 'MQTT_PASSWORD',
      allow: null,
      warning:
        'secret MQTT_PASSWORD is not bound to any host: anyone allowed to deploy can make a flow send it to a host of their choosing. Bind it to the hosts it may go to: --allow host[:port] (CLI), "allow" (API), "may be sent to" (editor)',
    });
    const bound = await h.api('/api/secrets/API_KEY', {
      method: 'PUT',
      token: h.token.admin,
      body: { value: `${value}-2`, allow: ['Api.Plant:443', '10.0.0.9'] },
    });
    expect(bound.status).toBe(200);
    expect(bound.json).toEqual({ name: 'API_KEY', allow: ['api.plant:443', '10.0.0.9'] });
    expect(h.secrets.get('MQTT_PASSWORD')).toBe(value);
    const names = await h.api('/api/secrets', { token: h.token.admin });
    expect(names.json).toEqual({
      names: ['API_KEY', 'MQTT_PASSWORD'],
      secrets: [
        { name: 'API_KEY', allow: ['api.plant:443', '10.0.0.9'] },
        { name: 'MQTT_PASSWORD', allow: null },
      ],
    });
    for (const token of [h.token.viewer, h.token.deployer]) {
      expect((await h.api('/api/secrets', { token })).status).toBe(403);
    }
    const badAllow = await h.api('/api/secrets/API_KEY', {
      method: 'PUT',
      token: h.token.admin,
      body: { value: 'other', allow: ['api.plant:https'] },
    });
    expect(badAllow.status).toBe(400);
    expect(badAllow.json.error).toBe(
      '"api.plant:https" is not a host[:port] a secret may go to: the port must be a number from 1 to 65535 (got "https")',
    );
    expect(
      (await h.api('/api/secrets/API_KEY', { method: 'PUT', token: h.token.admin, body: { value: 'x', allow: [] } }))
        .status,
    ).toBe(400);
    expect(h.secrets.get('API_KEY')).toBe(`${value}-2`);
    expect((await h.api('/api/secrets/API_KEY', { method: 'DELETE', token: h.token.admin })).status).toBe(204);
    expect((await h.api('/api/secrets/API_KEY', { method: 'DELETE', token: h.token.admin })).status).toBe(404);
    expect(
      (await h.api('/api/secrets/bad%20name', { method: 'PUT', token: h.token.admin, body: { value } })).status,
    ).toBe(400);
    expect(
      (await h.api('/api/secrets/OK_NAME', { method: 'PUT', token: h.token.admin, body: { value: 42 } })).status,
    ).toBe(400);

    // Read everything a caller can read after that, then search every answer ever given.
    await h.api('/api/flow/rollback', { method: 'POST', token: h.token.deployer, body: {} });
    await h.api('/api/flow', {
      method: 'PUT',
      token: h.token.deployer,
      body: flow([{ id: 'o', type: 'sink' }], []),
      headers: { 'if-match': '"0"' },
    });
    for (const path of [
      '/api/audit',
      '/api/tokens',
      '/api/secrets',
      '/api/status',
      '/api/flow',
      '/api/flow/versions',
      '/api/openapi.json',
      '/metrics',
      '/api/nodes',
    ]) {
      await h.api(path, { token: h.token.admin });
    }
    const everything = h.bodies.join('\n');
    expect(everything).not.toContain(value);
    expect(JSON.stringify(h.logger.lines)).not.toContain(value);
    const audit = (await h.audit.query()).map((e) => e.type);
    expect(audit).toEqual(expect.arrayContaining(['secret-set', 'secret-deleted']));
    for (const role of ['viewer', 'deployer', 'admin'] as const) expect(everything).not.toContain(h.token[role]);
  });
});

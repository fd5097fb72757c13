import { createMessage, defineNode } from '@tagflow/node-sdk';
import { received } from '../helpers';
import { startHarness } from './server-harness';
import type { Harness } from './server-harness';

/** A source that sends only when a person presses its inject button: the count of presses. */
const kick = defineNode({
  type: 'kick',
  version: 1,
  category: 'source',
  description: 'sends on inject',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  inputs: [],
  outputs: ['out'],
  manualTrigger: true,
  create(ctx) {
    let presses = 0;
    return {
      onTrigger() {
        presses++;
        ctx.send(createMessage(presses));
      },
    };
  },
});

const flow = {
  schemaVersion: 1,
  id: 'line',
  name: 'Line 1',
  nodes: [
    { id: 'button', type: 'kick', typeVersion: 1, name: 'Start batch', config: {} },
    { id: 'counter', type: 'counter', typeVersion: 1, name: 'Counter', config: { count: 0 } },
    { id: 'off', type: 'kick', typeVersion: 1, name: 'Spare', config: {}, disabled: true },
    { id: 'out', type: 'sink', typeVersion: 1, config: {} },
  ],
  edges: [
    { source: 'button', sourcePort: 'out', target: 'out', targetPort: 'in' },
    { source: 'counter', sourcePort: 'out', target: 'out', targetPort: 'in' },
  ],
};

describe('POST /api/flows/:id/nodes/:nodeId/inject', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({}, [kick]);
  });
  afterAll(() => h.close());

  const inject = (flowId: string, nodeId: string, token = h.token.deployer) =>
    h.api(`/api/flows/${flowId}/nodes/${nodeId}/inject`, { method: 'POST', token });

  it('says the flow is not deployed yet (404) before the first deploy', async () => {
    expect(await inject('line', 'button')).toMatchObject({
      status: 404,
      json: { error: 'flow "line" is not running here: deploy it (or enable it) first' },
    });
  });

  it('lists manualTrigger in GET /api/nodes for the types that have it', async () => {
    const nodes = (await h.api('/api/nodes', { token: h.token.viewer })).json as {
      nodes: Array<{ type: string; manualTrigger?: true }>;
    };
    expect(nodes.nodes.find((n) => n.type === 'kick')?.manualTrigger).toBe(true);
    expect(nodes.nodes.find((n) => n.type === 'counter')).not.toHaveProperty('manualTrigger');
  });

  it('makes a deployed node send one message per press, for a deployer only', async () => {
    const deployed = await h.api('/api/flow', {
      method: 'PUT',
      token: h.token.deployer,
      body: flow,
      headers: { 'if-match': '"0"' },
    });
    expect(deployed.status).toBe(200);
    expect(received.get('out') ?? []).toEqual([]);

    expect(await inject('line', 'button')).toMatchObject({ status: 200, json: { status: 'sent', nodeId: 'button' } });
    expect(await inject('line', 'button')).toMatchObject({ status: 200 });
    await h.engine.idle();
    expect((received.get('out') ?? []).map((m) => m.payload)).toEqual([1, 2]);

    expect((await inject('line', 'button', h.token.viewer)).status).toBe(403);
    expect((received.get('out') ?? []).length).toBe(2);
  });

  it('refuses in plain words a node that is not deployed, disabled, or cannot be triggered', async () => {
    expect(await inject('line', 'nope')).toMatchObject({
      status: 404,
      json: { error: 'the running flow "Line 1" has no node "nope": deploy the flow with it first' },
    });
    expect(await inject('line', 'off')).toMatchObject({
      status: 409,
      json: { error: '"Spare" (kick) is disabled in the running flow, so it cannot send' },
    });
    expect(await inject('line', 'counter')).toMatchObject({
      status: 409,
      json: {
        error:
          '"Counter" (counter) cannot be triggered by hand: only sources such as a timer or a simulator have an inject button',
      },
    });
    expect(await inject('other', 'button')).toMatchObject({ status: 404 });
    expect((await inject('line', 'bad%20id')).status).toBe(400);
  });
});

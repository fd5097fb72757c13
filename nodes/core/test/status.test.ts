import { defineNode, defineResource } from '@tagflow/node-sdk';
import type { NodeStatus } from '@tagflow/node-sdk';
import { runFlow } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import statusNode from '../src/status.node';
import flow from './fixtures/status-flow.flow.json';

/** Sets the status it is sent: `msg.payload` is a NodeStatus, or a text shown with state ok. */
const reporter = defineNode({
  type: 'reporter',
  version: 1,
  category: 'processor',
  description: 'sets the status it is sent (test helper)',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  inputs: ['in'],
  outputs: ['out'],
  create(ctx) {
    return {
      onMessage(msg) {
        ctx.status(typeof msg.payload === 'string' ? { state: 'ok', text: msg.payload } : (msg.payload as NodeStatus));
        ctx.send(msg);
      },
    };
  },
});

/** A status watcher that shows how many changes it got in its own status: the self-feed risk. */
const countingWatcher = defineNode({
  type: 'counting-watcher',
  version: 1,
  category: 'utility',
  description: 'counts status changes in its own status (test helper)',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  inputs: [],
  outputs: ['out'],
  watchesStatus: () => 'all',
  create(ctx) {
    let seen = 0;
    return {
      onMessage(msg) {
        seen++;
        ctx.status({ state: 'ok', text: `${seen} seen` });
        ctx.send(msg);
      },
    };
  },
});

/** Sets the status of the last panel-link opened, as its connection would. */
let linkStatus: ((status: NodeStatus) => void) | undefined;

/** A connection that opens at once. */
const panelLink = defineResource({
  type: 'panel-link',
  version: 1,
  description: 'test connection that always opens',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  create(ctx) {
    linkStatus = (status) => ctx.status(status);
    return {};
  },
});

/** A node using a panel-link. */
const panelWriter = defineNode({
  type: 'panel-writer',
  version: 1,
  category: 'publisher',
  description: 'test node using a panel-link',
  inputs: ['in'],
  outputs: [],
  resources: { link: 'panel-link' },
  configSchema: {
    type: 'object',
    properties: { link: { type: 'string' } },
    required: ['link'],
    additionalProperties: false,
  },
  create() {
    return {};
  },
});

let running: FlowUnderTest | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function report(nodeId: string, status: NodeStatus): Promise<void> {
  await running?.inject(nodeId, { payload: status });
  await running?.idle();
}

describe('status', () => {
  it('sends each status change of any node when the scope is empty, in Node-RED shape', async () => {
    running = await runFlow(flow, { nodes: [reporter, statusNode] });
    await report('valve', { state: 'connecting', text: 'connecting to 10.0.0.5' });
    await report('pump', { state: 'ok', text: 'running', backlog: 2 });
    const sent = running.outputs('status-all');
    expect(sent.map((m) => m.payload)).toEqual(['connecting to 10.0.0.5', 'running']);
    expect(sent[0].status).toEqual({
      state: 'connecting',
      text: 'connecting to 10.0.0.5',
      fill: 'yellow',
      shape: 'ring',
      source: { id: 'valve', type: 'reporter', name: 'Main valve' },
    });
    expect(sent[1].status).toEqual({
      state: 'ok',
      text: 'running',
      backlog: 2,
      fill: 'green',
      shape: 'dot',
      source: { id: 'pump', type: 'reporter' },
    });
    expect(sent[0]).toMatchObject({ quality: 'good' });
    expect(typeof sent[0].timestamp).toBe('number');
  });

  it("receives the connection status of a node's resource, as that node's status", async () => {
    running = await runFlow(
      {
        schemaVersion: 1,
        id: 'status-resource',
        resources: [{ id: 'hmi', type: 'panel-link' }],
        nodes: [
          { id: 'watch', type: 'status', typeVersion: 1, config: { scope: ['writer'] } },
          { id: 'writer', type: 'panel-writer', typeVersion: 1, config: { link: 'hmi' } },
        ],
        edges: [],
      },
      { nodes: [panelWriter, statusNode], resources: [panelLink] },
    );
    await running.idle();
    linkStatus?.({ state: 'disconnected', text: 'cable pulled' });
    await running.idle();
    expect(running.outputs('watch').map((m) => m.status)).toEqual([
      {
        state: 'disconnected',
        text: 'cable pulled',
        fill: 'red',
        shape: 'ring',
        source: { id: 'writer', type: 'panel-writer' },
      },
    ]);
  });

  it('receives only the nodes in its scope', async () => {
    running = await runFlow(flow, { nodes: [reporter, statusNode] });
    await report('valve', { state: 'error', text: 'stuck' });
    await report('pump', { state: 'disconnected' });
    expect(running.outputs('status-pump').map((m) => m.status)).toEqual([
      { state: 'disconnected', text: '', fill: 'red', shape: 'ring', source: { id: 'pump', type: 'reporter' } },
    ]);
    expect(running.outputs('status-pump')[0].payload).toBe('');
    expect(running.outputs('status-all')).toHaveLength(2);
  });

  it('sends nothing while no status changes', async () => {
    running = await runFlow(flow, { nodes: [reporter, statusNode] });
    expect(running.outputs('status-all')).toEqual([]);
  });

  it('a watcher never receives its own status', async () => {
    running = await runFlow(
      {
        schemaVersion: 1,
        id: 'self-watch',
        nodes: [
          { id: 'w', type: 'counting-watcher', typeVersion: 1 },
          { id: 'r', type: 'reporter', typeVersion: 1 },
        ],
        edges: [],
      },
      { nodes: [reporter, countingWatcher] },
    );
    await report('r', { state: 'ok', text: 'once' });
    expect(running.outputs('w').map((m) => m.payload)).toEqual(['once']);
    expect(running.statuses('w').map((s) => s.text)).toEqual(['1 seen']);
  });

  it('two status nodes watching everything do not feed each other', async () => {
    // Two status nodes watching everything, each wired to a reporter: their statuses would echo.
    running = await runFlow(
      {
        schemaVersion: 1,
        id: 'status-pair',
        nodes: [
          { id: 'a', type: 'status', typeVersion: 1 },
          { id: 'b', type: 'status', typeVersion: 1 },
          { id: 'r', type: 'reporter', typeVersion: 1 },
        ],
        edges: [],
      },
      { nodes: [reporter, statusNode] },
    );
    await report('r', { state: 'ok', text: 'once' });
    expect(running.outputs('a').map((m) => m.payload)).toEqual(['once']);
    expect(running.outputs('b').map((m) => m.payload)).toEqual(['once']);
  });

  it('a loop through a node whose status changes with every message is cut by maxHops', async () => {
    running = await runFlow(
      {
        schemaVersion: 1,
        id: 'status-loop',
        settings: { maxHops: 20 },
        nodes: [
          { id: 'watch', type: 'status', typeVersion: 1, config: { scope: ['r'] } },
          { id: 'r', type: 'reporter', typeVersion: 1 },
        ],
        edges: [{ source: 'watch', target: 'r' }],
      },
      { nodes: [reporter, statusNode] },
    );
    // r's status becomes the payload `watch` sends back to r, which sets it again, and so on.
    await report('r', { state: 'ok', text: 'spin' });
    const round = running.outputs('watch').length;
    expect(round).toBeGreaterThan(1);
    expect(round).toBeLessThanOrEqual(20);
    expect(running.errors.map((e) => e.code)).toContain('HOP_LIMIT');
  });
});

import { NodeError, defineNode } from '@tagflow/node-sdk';
import { runFlow } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import catchNode from '../src/catch.node';
import flow from './fixtures/catch-flow.flow.json';

/** Fails on demand: `bad` is a user error, `crash` an unexpected one, `late` a rejected promise. */
const fragile = defineNode({
  type: 'fragile',
  version: 1,
  category: 'processor',
  description: 'fails on demand (test helper)',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  inputs: ['in'],
  outputs: [],
  create() {
    return {
      onMessage(msg) {
        if (msg.payload === 'bad') throw new NodeError('BROKEN', `cannot handle ${String(msg.payload)}`);
        if (msg.payload === 'crash') throw new TypeError('x is undefined');
        if (msg.payload === 'late') return Promise.reject(new NodeError('TIMEOUT', 'the device did not answer'));
        return undefined;
      },
    };
  },
});

let running: FlowUnderTest;
beforeEach(async () => {
  running = await runFlow(flow, { nodes: [fragile, catchNode] });
});
afterEach(async () => {
  await running.stop();
});

async function inject(nodeId: string, payload: unknown): Promise<void> {
  await running.inject(nodeId, { payload, topic: `${nodeId}/cmd` });
  await running.idle();
}

describe('catch', () => {
  it('forwards the failed message with its error, from any node when the scope is empty', async () => {
    await inject('valve', 'bad');
    await inject('pump', 'crash');
    const caught = running.outputs('catch-all');
    expect(caught.map((m) => [m.payload, m.topic])).toEqual([
      ['bad', 'valve/cmd'],
      ['crash', 'pump/cmd'],
    ]);
    expect(caught[0].error).toMatchObject({
      code: 'BROKEN',
      message: 'cannot handle bad',
      nodeId: 'valve',
      nodeType: 'fragile',
    });
    expect(caught[1].error).toMatchObject({ code: 'UNEXPECTED', nodeId: 'pump' });
    expect(caught[1].error?.message).toContain('x is undefined');
  });

  it('receives only the errors of the nodes in its scope', async () => {
    await inject('valve', 'bad');
    await inject('pump', 'bad');
    await inject('pump', 'late');
    expect(running.outputs('catch-pump').map((m) => [m.error?.nodeId, m.error?.code])).toEqual([
      ['pump', 'BROKEN'],
      ['pump', 'TIMEOUT'],
    ]);
    expect(running.outputs('catch-all')).toHaveLength(3);
  });

  it('sends nothing while nothing fails', async () => {
    await inject('valve', 'fine');
    await inject('pump', 42);
    expect(running.outputs('catch-all')).toEqual([]);
    expect(running.outputs('catch-pump')).toEqual([]);
  });

  it('counts what it caught in its status, with the last error', async () => {
    await inject('valve', 'bad');
    await inject('valve', 'late');
    expect(running.statuses('catch-all').at(-1)).toEqual({
      state: 'ok',
      text: '2 caught, last: the device did not answer',
    });
  });

  it("declares its scope to the engine, 'all' when empty", () => {
    expect(catchNode.catches?.({ scope: [] })).toBe('all');
    expect(catchNode.catches?.({ scope: ['pump', 'valve'] })).toEqual(['pump', 'valve']);
  });
});

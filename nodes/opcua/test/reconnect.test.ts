import { runFlow } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import { opcuaServer, opcuaSubscribe } from '../src';
import { NODES, OpcuaTestServer, until } from './opcua-test-server';

let server: OpcuaTestServer;
let f: FlowUnderTest | undefined;

beforeAll(async () => {
  server = await OpcuaTestServer.start();
});
afterAll(async () => {
  await f?.stop();
  await server.down();
});

describe('opcua-server reconnection', () => {
  it('re-creates the subscription after the server restarts on the same port, without duplicates', async () => {
    f = await runFlow(
      {
        schemaVersion: 1,
        id: 'opcua-restart',
        resources: [{ id: 'plc', type: 'opcua-server', config: { endpointUrl: server.endpointUrl } }],
        nodes: [
          {
            id: 'sub',
            type: 'opcua-subscribe',
            typeVersion: 1,
            config: {
              server: 'plc',
              items: [{ nodeId: NODES.counter, name: 'count' }],
              publishingIntervalMs: 50,
              samplingIntervalMs: 0,
            },
          },
        ],
        edges: [],
      },
      { nodes: [opcuaSubscribe], resources: [opcuaServer], fakeTime: false },
    );
    const flow = f;
    await until(() => flow.outputs('sub').length >= 5, 15_000, 'values before the restart');

    await server.down();
    await until(() => flow.statuses('sub').some((s) => s.state === 'reconnecting'), 15_000, 'the loss to be noticed');
    const lostStatus = flow.statuses('sub').find((s) => s.state === 'reconnecting')?.text ?? '';
    expect(lostStatus).toMatch(
      new RegExp(`connection to ${server.endpointUrl} lost|cannot connect to ${server.endpointUrl}`),
    );
    const before = flow.outputs('sub').length;
    // The server stays down until the runtime has tried again and failed: nothing arrives meanwhile.
    await until(
      () =>
        flow
          .statuses('sub')
          .some((s) => s.state === 'reconnecting' && s.text?.includes(`cannot connect to ${server.endpointUrl}`)),
      15_000,
      'a failed reconnect while the server is down',
    );
    expect(flow.outputs('sub').length).toBe(before);
    await server.up();

    await until(
      () => flow.statuses('sub').filter((s) => s.text?.startsWith('monitoring')).length >= 2,
      30_000,
      'a second subscription',
    );
    const afterRestart = flow.outputs('sub').length;
    await until(() => flow.outputs('sub').length >= afterRestart + 10, 15_000, 'values after the restart');

    // The counter went on from where it was; each server value arrives exactly once.
    const values = flow.payloads('sub') as number[];
    expect(values.length).toBe(new Set(values).size);
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1]);
    expect(server.monitoredItemCount()).toBe(1);
    expect(flow.errors).toEqual([]);
    expect(flow.statuses('sub').at(-1)).toMatchObject({ state: 'ok' });
  }, 60_000);
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatusCodes, Variant, DataType } from 'node-opcua';
import { freePort, runFlow } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import { opcuaServer } from '../src';
import type { BrowseAnswer } from '../src/browse-tool';
import { NODES, OpcuaTestServer } from './opcua-test-server';

// The `browse` tool of opcua-server, run by the runtime's engine as the admin API runs it for the
// editor's OPC UA browser, against a real node-opcua server.
let server: OpcuaTestServer;
const dataDir = mkdtempSync(join(tmpdir(), 'tagflow-opcua-browse-'));
const open: FlowUnderTest[] = [];

beforeAll(async () => {
  server = await OpcuaTestServer.start();
});
afterEach(async () => {
  for (const f of open.splice(0)) await f.stop();
});
afterAll(async () => {
  await server.down();
});

async function flowWith(endpointUrl: string): Promise<FlowUnderTest> {
  const f = await runFlow(
    {
      schemaVersion: 1,
      id: 'browse-test',
      resources: [{ id: 'plc', type: 'opcua-server', config: { endpointUrl, requestTimeoutMs: 2000 } }],
      nodes: [],
      edges: [],
    },
    { nodes: [], resources: [opcuaServer], fakeTime: false, dataDir },
  );
  open.push(f);
  return f;
}

describe('the browse tool of opcua-server', () => {
  it('lists the Objects folder by default, with folders marked expandable', async () => {
    const f = await flowWith(server.endpointUrl);
    const answer = (await f.tool('plc', 'browse', {})) as BrowseAnswer;
    expect(answer.nodeId).toBe('i=85');
    expect(answer.children).toContainEqual(
      expect.objectContaining({ nodeId: NODES.folder, displayName: 'Plant', nodeClass: 'Object', expandable: true }),
    );
  });

  it('shows each variable with its data type, value now, status and engineering unit', async () => {
    server.set(NODES.sensor, new Variant({ dataType: DataType.Double, value: 1 }), StatusCodes.BadSensorFailure);
    const f = await flowWith(server.endpointUrl);
    const { children } = (await f.tool('plc', 'browse', { nodeId: NODES.folder })) as BrowseAnswer;
    const byId = new Map(children.map((c) => [c.nodeId, c]));
    const counter = byId.get(NODES.counter);
    expect(counter).toMatchObject({
      displayName: 'Counter',
      nodeClass: 'Variable',
      dataType: 'Double',
      unit: 'm³/h',
      status: 'Good',
      expandable: false,
    });
    expect(typeof counter?.value).toBe('number');
    expect(byId.get(NODES.int32)).toMatchObject({ dataType: 'Int32', value: -42, status: 'Good' });
    expect(byId.get(NODES.int32)?.unit).toBeUndefined();
    expect(byId.get(NODES.string)).toMatchObject({ dataType: 'String', value: 'hello' });
    expect(byId.get(NODES.dateTime)).toMatchObject({ dataType: 'DateTime', value: '2026-01-02T03:04:05.678Z' });
    // A Bad value is shown as none, with the status saying why.
    expect(byId.get(NODES.sensor)).toMatchObject({ value: null, status: 'BadSensorFailure' });
    // The answer is plain JSON, as it crosses the engine process's channel and HTTP.
    expect(JSON.parse(JSON.stringify(children))).toEqual(children);
  });

  it('refuses a node id that is not one, in plain words', async () => {
    const f = await flowWith(server.endpointUrl);
    await expect(f.tool('plc', 'browse', { nodeId: 'Pump 3 flow' })).rejects.toMatchObject({
      code: 'TOOL_FAILED',
      message: expect.stringContaining('"Pump 3 flow" is not a valid OPC UA node id'),
    });
  });

  it('says that a server that is not there cannot be reached, opening a connection for the call', async () => {
    const port = await freePort();
    const f = await flowWith(`opc.tcp://127.0.0.1:${port}`);
    const started = Date.now();
    await expect(f.tool('plc', 'browse', {}, 8000)).rejects.toMatchObject({
      code: expect.stringMatching(/^TOOL_(CONNECT|TIMEOUT)$/),
      message: expect.stringContaining(`127.0.0.1:${port}`),
    });
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

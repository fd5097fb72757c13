import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataType, StatusCodes, Variant } from 'node-opcua';
import { resourceFiles, runFlow } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import type { ResourceContext } from '@tagflow/node-sdk';
import { browse, opcuaRead, opcuaServer, opcuaSubscribe, opcuaWrite } from '../src';
import type { OpcuaConnection } from '../src';
import { FIXED_DATE, NODES, OpcuaTestServer, TEST_USER, until } from './opcua-test-server';

let server: OpcuaTestServer;
// One client PKI for the whole file: the client certificate is made once.
const dataDir = mkdtempSync(join(tmpdir(), 'tagflow-opcua-client-'));
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

async function flow(nodes: object[], resourceConfig: object = {}): Promise<FlowUnderTest> {
  const f = await runFlow(
    {
      schemaVersion: 1,
      id: 'opcua-test',
      resources: [{ id: 'plc', type: 'opcua-server', config: { endpointUrl: server.endpointUrl, ...resourceConfig } }],
      nodes,
      edges: [],
    },
    { nodes: [opcuaSubscribe, opcuaRead, opcuaWrite], resources: [opcuaServer], fakeTime: false, dataDir },
  );
  open.push(f);
  return f;
}

const subscribe = (id: string, config: object) => ({
  id,
  type: 'opcua-subscribe',
  typeVersion: 1,
  config: { server: 'plc', publishingIntervalMs: 50, samplingIntervalMs: 0, ...config },
});
const monitoring = (f: FlowUnderTest, id: string) =>
  f.statuses(id).some((s) => s.text?.startsWith('monitoring') && s.state === 'ok');

describe('opcua-subscribe', () => {
  it('sends each change with its source timestamp and good quality', async () => {
    const f = await flow([subscribe('sub', { items: [{ nodeId: NODES.counter, name: 'pump/count' }] })]);
    await until(() => f.outputs('sub').length >= 5, 15_000, '5 changes');
    const messages = f.outputs('sub');
    const values = messages.map((m) => m.payload as number);
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1]);
    for (const m of messages) {
      expect(m).toMatchObject({ topic: 'pump/count', quality: 'good', statusCode: 'Good', nodeId: NODES.counter });
      expect(typeof m.payload).toBe('number');
      expect(Math.abs(m.timestamp - Date.now())).toBeLessThan(10_000);
    }
    // Source timestamps: the server stamps each value when it changes, ~100 ms apart.
    const last = messages.slice(-3).map((m) => m.timestamp);
    expect(last[2] - last[1]).toBeGreaterThan(30);
  });

  it('subscribes again by itself when the server ends the subscription but keeps the session', async () => {
    const f = await flow([subscribe('sub', { items: [{ nodeId: NODES.counter, name: 'pump/count' }] })]);
    await until(() => f.outputs('sub').length >= 2, 15_000, 'the first changes');
    expect(server.dropSubscriptions()).toBe(1);
    await until(
      () => f.statuses('sub').some((s) => /subscribing again$/.test(s.text ?? '')),
      20_000,
      'the new subscription',
    );
    const before = f.outputs('sub').length;
    await until(
      () => f.outputs('sub').length >= before + 3 && server.monitoredItemCount() === 1,
      15_000,
      'changes again, from one monitored item',
    );
  });

  it('delivers a Bad status as quality bad with no value, and recovers to good', async () => {
    const f = await flow([subscribe('sub', { items: [{ nodeId: NODES.sensor, name: 'sensor' }] })]);
    await until(() => f.outputs('sub').length >= 1, 15_000, 'the first value');
    server.set(NODES.sensor, new Variant({ dataType: DataType.Double, value: 99.9 }), StatusCodes.BadSensorFailure);
    await until(() => f.outputs('sub').some((m) => m.quality === 'bad'), 10_000, 'the bad value');
    server.set(
      NODES.sensor,
      new Variant({ dataType: DataType.Double, value: 21.5 }),
      StatusCodes.UncertainLastUsableValue,
    );
    await until(() => f.outputs('sub').some((m) => m.quality === 'uncertain'), 10_000, 'the uncertain value');
    server.set(NODES.sensor, new Variant({ dataType: DataType.Double, value: 22.5 }));
    await until(() => f.outputs('sub').some((m) => m.payload === 22.5), 10_000, 'the good value');
    const seen = f.outputs('sub').map((m) => [m.payload, m.quality, m.statusCode]);
    expect(seen).toEqual([
      [20.5, 'good', 'Good'],
      [null, 'bad', 'BadSensorFailure'],
      [21.5, 'uncertain', 'UncertainLastUsableValue'],
      [22.5, 'good', 'Good'],
    ]);
  });

  it('applies an absolute deadband on the server', async () => {
    // A server that hands every change to the filter as it is set (no 100 ms folding window, which
    // paced the values by the wall clock before), so each value below meets the band on its own.
    const own = await OpcuaTestServer.start({ everyChange: true });
    const setpoint = (value: number) => own.set(NODES.setpoint, new Variant({ dataType: DataType.Double, value }));
    try {
      setpoint(10);
      const f = await flow(
        [subscribe('sub', { items: [{ nodeId: NODES.setpoint }], deadbandType: 'Absolute', deadbandValue: 1 })],
        { endpointUrl: own.endpointUrl },
      );
      await until(() => f.outputs('sub').length >= 1, 15_000, 'the first value');
      for (const value of [10.4, 10.9, 11.5, 11.9, 9.0, 9.5]) setpoint(value);
      // One item's changes arrive in order: once a last change beyond the band (20) is here,
      // whatever the values before it caused is here too.
      setpoint(20);
      await until(() => f.payloads('sub').includes(20), 10_000, 'the last change beyond the band');
      expect(f.payloads('sub')).toEqual([10, 11.5, 9, 20]);
    } finally {
      for (const f of open.splice(0)) await f.stop();
      await own.down();
    }
  });

  it('reports an unknown node id as an error and still monitors the others', async () => {
    const f = await flow([
      subscribe('sub', { items: [{ nodeId: 'ns=1;s=NoSuchThing' }, { nodeId: NODES.int32, name: 'int' }] }),
    ]);
    await until(() => f.outputs('sub').length >= 1 && f.errors.length >= 1, 15_000, 'a value and an error');
    expect(f.outputs('sub')[0]).toMatchObject({ topic: 'int', payload: -42, quality: 'good' });
    expect(f.errors[0]).toMatchObject({ code: 'OPCUA_MONITOR', nodeId: 'sub' });
    expect(f.errors[0].message).toMatch(/ns=1;s=NoSuchThing.*BadNodeIdUnknown/);
    expect(f.statuses('sub').at(-1)).toMatchObject({ state: 'error', text: 'monitoring 1 of 2 items' });
  });

  it('refuses a malformed node id at deploy', async () => {
    await expect(flow([subscribe('sub', { items: [{ nodeId: 'Pump.Flow' }] })])).rejects.toThrow(
      /not a valid OPC UA node id/,
    );
  });

  it('deletes its subscription on the server when the flow stops', async () => {
    const f = await flow([subscribe('sub', { items: [{ nodeId: NODES.counter }, { nodeId: NODES.int32 }] })]);
    await until(() => monitoring(f, 'sub'), 15_000, 'monitoring');
    expect(server.monitoredItemCount()).toBe(2);
    await f.stop();
    open.splice(open.indexOf(f), 1);
    expect(server.monitoredItemCount()).toBe(0);
  });
});

const read = (id: string, config: object = {}) => ({
  id,
  type: 'opcua-read',
  typeVersion: 1,
  config: { server: 'plc', ...config },
});
const write = (id: string, config: object = {}) => ({
  id,
  type: 'opcua-write',
  typeVersion: 1,
  config: { server: 'plc', ...config },
});
const connected = (f: FlowUnderTest, id: string) =>
  until(() => f.statuses(id).some((s) => s.text === 'connected'), 15_000, 'the connection');

describe('opcua-read', () => {
  it('reads the configured variables on each message, one message per variable', async () => {
    server.set(NODES.sensor, new Variant({ dataType: DataType.Double, value: 20.5 }));
    const f = await flow([
      read('r', {
        items: [
          { nodeId: NODES.int32, name: 'int' },
          { nodeId: NODES.boolean },
          { nodeId: NODES.string },
          { nodeId: NODES.dateTime },
          { nodeId: NODES.doubleArray },
          { nodeId: NODES.sensor },
          { nodeId: 'ns=1;s=NoSuchThing' },
        ],
      }),
    ]);
    await connected(f, 'r');
    await f.inject('r', { payload: 'go', requestId: 7 });
    const out = f.outputs('r');
    expect(out.map((m) => [m.topic, m.payload, m.quality, m.statusCode])).toEqual([
      ['int', -42, 'good', 'Good'],
      [NODES.boolean, true, 'good', 'Good'],
      [NODES.string, 'hello', 'good', 'Good'],
      [NODES.dateTime, FIXED_DATE.toISOString(), 'good', 'Good'],
      [NODES.doubleArray, [1.5, 2.5, 3.5], 'good', 'Good'],
      [NODES.sensor, 20.5, 'good', 'Good'],
      ['ns=1;s=NoSuchThing', null, 'bad', 'BadNodeIdUnknown'],
    ]);
    expect(out.every((m) => m.requestId === 7)).toBe(true); // the request's other fields are kept
    expect(out[0].nodeId).toBe(NODES.int32);
    expect(Math.abs(out[0].timestamp - Date.now())).toBeLessThan(60_000);
  });

  it('reads the node id given in msg.payload, else msg.topic', async () => {
    const f = await flow([read('r')]);
    await connected(f, 'r');
    await f.inject('r', NODES.string);
    await f.inject('r', { payload: 1, topic: NODES.int32 });
    await f.inject('r', { payload: 'not a node id' });
    expect(f.outputs('r').map((m) => [m.topic, m.payload])).toEqual([
      [NODES.string, 'hello'],
      [NODES.int32, -42],
    ]);
    expect(f.errors).toEqual([expect.objectContaining({ code: 'OPCUA_NODE_ID', nodeId: 'r' })]);
  });
});

describe('opcua-write', () => {
  it('writes values of several types, checked on the server side', async () => {
    const f = await flow([write('w'), write('w-float', { nodeId: NODES.setpoint, dataType: 'Double' })]);
    await connected(f, 'w');
    const cases: Array<[string, unknown]> = [
      [NODES.setpoint, 42.25],
      [NODES.int32, -1234567],
      [NODES.boolean, false],
      [NODES.string, 'written by tagflow'],
      [NODES.byte, 255],
      [NODES.doubleArray, [9, 8.5]],
      [NODES.dateTime, '2026-05-06T07:08:09.010Z'],
    ];
    for (const [nodeId, payload] of cases) await f.inject('w', { payload, topic: nodeId });
    expect(f.errors).toEqual([]);
    expect(server.value(NODES.setpoint)).toBe(42.25);
    expect(server.value(NODES.int32)).toBe(-1234567);
    expect(server.value(NODES.boolean)).toBe(false);
    expect(server.value(NODES.string)).toBe('written by tagflow');
    expect(server.value(NODES.byte)).toBe(255);
    expect(Array.from(server.value(NODES.doubleArray) as Float64Array)).toEqual([9, 8.5]);
    expect((server.value(NODES.dateTime) as Date).toISOString()).toBe('2026-05-06T07:08:09.010Z');
    expect(f.outputs('w').map((m) => [m.nodeId, m.statusCode])).toEqual(cases.map(([nodeId]) => [nodeId, 'Good']));

    await f.inject('w-float', 7.5);
    expect(server.value(NODES.setpoint)).toBe(7.5);
  });

  it('refuses a value of the wrong type or out of range before writing, naming what was expected', async () => {
    const f = await flow([write('w')]);
    await connected(f, 'w');
    await f.inject('w', { payload: 300, topic: NODES.byte });
    await f.inject('w', { payload: 'abc', topic: NODES.int32 });
    await f.inject('w', { payload: 1.5, topic: NODES.int32 });
    await f.inject('w', { payload: 1, topic: NODES.boolean });
    await f.inject('w', { payload: [1, 2], topic: NODES.setpoint });
    await f.inject('w', { payload: 5, topic: NODES.byte, quality: 'bad' });
    expect(f.errors.map((e) => e.code)).toEqual([
      'OPCUA_WRITE_VALUE',
      'OPCUA_WRITE_VALUE',
      'OPCUA_WRITE_VALUE',
      'OPCUA_WRITE_VALUE',
      'OPCUA_WRITE_VALUE',
      'OPCUA_WRITE_BAD_QUALITY',
    ]);
    expect(f.errors[0].message).toBe(`cannot write 300 to ${NODES.byte}: expected Byte in the range 0..255`);
    expect(f.errors[1].message).toBe(`cannot write "abc" to ${NODES.int32}: expected an integer (Int32)`);
    expect(server.value(NODES.byte)).not.toBe(300);
    expect(f.outputs('w')).toEqual([]);
  });

  it('reports a write the server refuses as an error with its status', async () => {
    const f = await flow([write('w', { nodeId: NODES.readOnly, dataType: 'Double' })]);
    await connected(f, 'w');
    await f.inject('w', 5);
    expect(f.errors).toEqual([expect.objectContaining({ code: 'OPCUA_WRITE', nodeId: 'w' })]);
    expect(f.errors[0].message).toMatch(
      /the server refused to write 5 to ns=1;s=Plant.ReadOnly: Bad(NotWritable|UserAccessDenied)/,
    );
    expect(server.value(NODES.readOnly)).toBe(1);
  });
});

/** A resource context for using the resource without a flow (as the editor's browse will). */
function resourceContext(config: Record<string, unknown>): ResourceContext & { lostReasons: unknown[] } {
  const lostReasons: unknown[] = [];
  const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  return {
    id: 'plc',
    type: 'opcua-server',
    config,
    log,
    signal: new AbortController().signal,
    status: () => undefined,
    secret: (name) => process.env[name],
    lost: (r) => lostReasons.push(r),
    dataDir,
    files: resourceFiles(join(dataDir, 'files'), 'plc'),
    lostReasons,
  };
}

describe('browse', () => {
  it('lists the children of a folder, with the data type of each variable', async () => {
    const connection = (await opcuaServer.create(
      resourceContext({
        endpointUrl: server.endpointUrl,
        securityMode: 'None',
        autoAcceptServerCertificate: false,
        sessionTimeoutMs: 60000,
        requestTimeoutMs: 5000,
      }),
    )) as OpcuaConnection;
    try {
      const children = await browse(connection, NODES.folder);
      const byName = new Map(children.map((c) => [c.browseName, c]));
      expect(byName.get('1:Counter')).toEqual({
        nodeId: NODES.counter,
        browseName: '1:Counter',
        displayName: 'Counter',
        nodeClass: 'Variable',
        dataType: 'Double',
      });
      expect([...byName.keys()].sort()).toEqual([
        '1:Boolean',
        '1:Byte',
        '1:Counter',
        '1:DateTime',
        '1:DoubleArray',
        '1:Int32',
        '1:ReadOnly',
        '1:Sensor',
        '1:Setpoint',
        '1:String',
      ]);
      expect(byName.get('1:DateTime')?.dataType).toBe('DateTime');
      const top = await browse(connection.session);
      expect(top).toContainEqual(
        expect.objectContaining({ nodeId: NODES.folder, browseName: '1:Plant', nodeClass: 'Object' }),
      );
      expect(top.find((n) => n.browseName === 'Server')?.dataType).toBeUndefined();
    } finally {
      await connection.close();
    }
  });
});

describe('opcua-server login', () => {
  const env = 'TAGFLOW_TEST_OPCUA_PASSWORD';
  afterEach(() => {
    delete process.env[env];
  });

  it('logs in with the right user name and password', async () => {
    process.env[env] = TEST_USER.password;
    const f = await flow([subscribe('sub', { items: [{ nodeId: NODES.int32 }] })], {
      userName: TEST_USER.userName,
      passwordEnv: env,
    });
    await until(() => f.outputs('sub').length >= 1, 15_000, 'a value');
    expect(f.outputs('sub')[0]).toMatchObject({ payload: expect.any(Number), quality: 'good' });
  });

  it('shows a refused login in the status, in plain words', async () => {
    process.env[env] = 'wrong-password';
    const f = await flow([subscribe('sub', { items: [{ nodeId: NODES.int32 }] })], {
      userName: TEST_USER.userName,
      passwordEnv: env,
    });
    await until(() => f.statuses('sub').some((s) => s.state === 'reconnecting'), 15_000, 'the refusal');
    const status = f.statuses('sub').find((s) => s.state === 'reconnecting');
    expect(status?.text).toMatch(
      new RegExp(`refused the login of "operator" \\(wrong user name or password\\?\\): .*BadUserAccessDenied`),
    );
    expect(f.outputs('sub')).toEqual([]);
  });

  it('says which variable is missing when the password is not set', async () => {
    const f = await flow([subscribe('sub', { items: [{ nodeId: NODES.int32 }] })], {
      userName: TEST_USER.userName,
      passwordEnv: env,
    });
    await until(() => f.statuses('sub').some((s) => s.state === 'reconnecting'), 15_000, 'the refusal');
    expect(f.statuses('sub').find((s) => s.state === 'reconnecting')?.text).toContain(
      `is to come from "${env}", which is not set`,
    );
  });
});

import { mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttributeIds,
  BrowseDirection,
  DataType,
  makeBrowsePath,
  MessageSecurityMode,
  OPCUAClient,
  SecurityPolicy,
  StatusCodes,
  UserTokenType,
  Variant,
} from 'node-opcua';
import type { ClientSession, DataValue, UserIdentityInfo } from 'node-opcua';
import { OPCUACertificateManager } from 'node-opcua-certificate-manager';
import { freePort, runFlow, until } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import { opcuaHost, opcuaRead, opcuaServe, opcuaServer, opcuaSubscribe } from '../src';

const PASSWORD_ENV = 'TAGFLOW_TEST_OPCUA_HOST_PASSWORD';
const USER = { userName: 'scada', password: 'control-room-3' };
const T0 = Date.parse('2026-12-03T10:00:00.000Z');

const TAGS = [
  { name: 'Pump3/Flow', dataType: 'Double', unit: 'm³/h', range: { low: 0, high: 120 }, description: 'Outlet flow' },
  { name: 'Pump3/Running', dataType: 'Boolean' },
  { name: 'Pump3/Mode', dataType: 'Byte' },
  { name: 'Pump3/Setpoint', dataType: 'Double', unit: '°C', range: { low: 0, high: 90 }, writable: true },
  { name: 'Pump3/Label', dataType: 'String', writable: true },
  { name: 'Pump3/LastService', dataType: 'DateTime' },
  { name: 'Hall/Count', dataType: 'Int32' },
  { name: 'Hall/Total', dataType: 'UInt64' },
];

let port: number;
let gateway: FlowUnderTest;
let endpointUrl: string;
const dataDir = mkdtempSync(join(tmpdir(), 'tagflow-opcua-host-'));
const clientPki = new OPCUACertificateManager({
  rootFolder: join(mkdtempSync(join(tmpdir(), 'tagflow-opcua-host-client-')), 'pki'),
  automaticallyAcceptUnknownCertificate: true,
});
const open: FlowUnderTest[] = [];

function hostFlow(hostConfig: object, tags: object[] = TAGS, extraNodes: object[] = []) {
  return runFlow(
    {
      schemaVersion: 1,
      id: 'opcua-gateway',
      resources: [{ id: 'gw', type: 'opcua-host', config: hostConfig }],
      nodes: [{ id: 'serve', type: 'opcua-serve', typeVersion: 1, config: { host: 'gw', tags } }, ...extraNodes],
      edges: [],
    },
    { nodes: [opcuaServe], resources: [opcuaHost], fakeTime: false, dataDir },
  );
}

beforeAll(async () => {
  process.env[PASSWORD_ENV] = USER.password;
  await clientPki.initialize();
  port = await freePort();
  endpointUrl = `opc.tcp://127.0.0.1:${port}`;
  gateway = await hostFlow({
    port,
    securityModes: ['None', 'SignAndEncrypt'],
    allowAnonymous: true,
    users: [{ userName: USER.userName, passwordEnv: PASSWORD_ENV }],
    autoAcceptClientCertificates: true,
  });
  await until(() => gateway.statuses('serve').some((s) => s.text?.startsWith('serving 8 tags')), 20_000, 'serving');
  await set('Pump3/Flow', 42.5, { timestamp: T0 });
  await set('Pump3/Running', true);
  await set('Pump3/Mode', 3);
  await set('Pump3/Setpoint', 20);
  await set('Pump3/LastService', '2026-11-30T08:00:00.000Z');
  await set('Hall/Count', -7);
  await set('Hall/Total', 2 ** 40 + 5);
}, 60_000);
afterEach(async () => {
  for (const f of open.splice(0)) await f.stop();
});
afterAll(async () => {
  await gateway?.stop();
  await clientPki.dispose();
  delete process.env[PASSWORD_ENV];
});

async function set(topic: string, payload: unknown, fields: object = {}): Promise<void> {
  await gateway.inject('serve', { topic, payload, ...fields });
}

/** Opens a node-opcua client session on the gateway: an independent client, as a SCADA would be. */
async function withSession<T>(
  use: (session: ClientSession, ns: number) => Promise<T>,
  options: { identity?: UserIdentityInfo; secure?: boolean } = {},
): Promise<T> {
  const client = OPCUAClient.create({
    endpointMustExist: false,
    securityMode: options.secure ? MessageSecurityMode.SignAndEncrypt : MessageSecurityMode.None,
    securityPolicy: options.secure ? SecurityPolicy.Basic256Sha256 : SecurityPolicy.None,
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
    clientCertificateManager: clientPki,
  });
  await client.connect(endpointUrl);
  try {
    const session = await client.createSession(options.identity);
    try {
      // What a client does to find the tags: look the namespace URI up in the NamespaceArray.
      const namespaces = (await session.read({ nodeId: 'ns=0;i=2255', attributeId: AttributeIds.Value })).value
        .value as string[];
      return await use(session, namespaces.indexOf('urn:tagflow:tags'));
    } finally {
      await session.close();
    }
  } finally {
    await client.disconnect();
  }
}

/** Whether a TCP connection to `address`:`port` is accepted. */
function accepts(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, address);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const readValue = (session: ClientSession, nodeId: string): Promise<DataValue> =>
  session.read({ nodeId, attributeId: AttributeIds.Value });

describe('opcua-host with opcua-serve, seen by node-opcua clients', () => {
  it('puts the tags in folders under Objects, browseable', async () => {
    await withSession(async (session, ns) => {
      expect(ns).toBeGreaterThan(0);
      const objects = await session.browse({
        nodeId: 'ns=0;i=85',
        browseDirection: BrowseDirection.Forward,
        referenceTypeId: 'Organizes',
        resultMask: 0x3f,
      });
      const folders = objects.references?.map((r) => r.browseName.toString()) ?? [];
      expect(folders).toEqual(expect.arrayContaining([`${ns}:Pump3`, `${ns}:Hall`]));
      const pump = await session.browse({
        nodeId: `ns=${ns};s=Pump3`,
        browseDirection: BrowseDirection.Forward,
        referenceTypeId: 'Organizes',
        resultMask: 0x3f,
      });
      const names = pump.references?.map((r) => r.browseName.name).sort();
      expect(names).toEqual(['Flow', 'Label', 'LastService', 'Mode', 'Running', 'Setpoint']);
      expect(pump.references?.find((r) => r.browseName.name === 'Flow')?.nodeId.toString()).toBe(
        `ns=${ns};s=Pump3/Flow`,
      );
    });
  });

  it('serves values with their data type, description, unit, range, source timestamp and status', async () => {
    await withSession(async (session, ns) => {
      const flow = `ns=${ns};s=Pump3/Flow`;
      const value = await readValue(session, flow);
      expect(value.value.value).toBe(42.5);
      expect(value.value.dataType).toBe(DataType.Double);
      expect(value.statusCode.name).toBe('Good');
      expect(value.sourceTimestamp?.getTime()).toBe(T0);

      const dataType = await session.read({ nodeId: flow, attributeId: AttributeIds.DataType });
      expect(dataType.value.value.toString()).toBe('ns=0;i=11'); // Double
      const description = await session.read({ nodeId: flow, attributeId: AttributeIds.Description });
      expect(description.value.value.text).toBe('Outlet flow');

      const property = async (name: string) => {
        const path = await session.translateBrowsePath(makeBrowsePath(flow, `.${name}`));
        const target = path.targets?.[0]?.targetId;
        if (!target) throw new Error(`no ${name} under ${flow}`);
        return (await readValue(session, target.toString())).value.value as Record<string, unknown>;
      };
      const units = await property('EngineeringUnits');
      expect((units.displayName as { text: string }).text).toBe('m³/h');
      const range = await property('EURange');
      expect([range.low, range.high]).toEqual([0, 120]);
      // A unit node-opcua knows gets its UNECE code: °C is CEL.
      const setpointUnits = await session.translateBrowsePath(
        makeBrowsePath(`ns=${ns};s=Pump3/Setpoint`, '.EngineeringUnits'),
      );
      const celsius = (await readValue(session, setpointUnits.targets![0].targetId.toString())).value.value as {
        unitId: number;
      };
      expect(celsius.unitId).toBe(4408652); // "CEL" as the OPC UA unit id

      const typed = await session.read(
        ['Running', 'Mode', 'LastService'].map((t) => ({ nodeId: `ns=${ns};s=Pump3/${t}`, attributeId: 13 })),
      );
      expect(typed.map((v) => [DataType[v.value.dataType], v.value.value])).toEqual([
        ['Boolean', true],
        ['Byte', 3],
        ['DateTime', new Date('2026-11-30T08:00:00.000Z')],
      ]);
      expect((await readValue(session, `ns=${ns};s=Hall/Count`)).value.value).toBe(-7);
      const total = await readValue(session, `ns=${ns};s=Hall/Total`);
      expect([DataType[total.value.dataType], total.value.value]).toEqual(['UInt64', [256, 5]]); // [high, low] words
      // Not set by the flow yet: no made-up value.
      expect((await readValue(session, `ns=${ns};s=Pump3/Label`)).statusCode.name).toBe('BadWaitingForInitialData');
    });
  });

  it('turns uncertain and bad quality into status codes, keeping the last value when bad has none', async () => {
    await withSession(async (session, ns) => {
      const count = `ns=${ns};s=Hall/Count`;
      await set('Hall/Count', 5, { quality: 'uncertain' });
      expect((await readValue(session, count)).statusCode.name).toBe('Uncertain');
      await set('Hall/Count', null, { quality: 'bad', statusCode: 'BadSensorFailure' });
      const bad = await readValue(session, count);
      expect([bad.statusCode.name, bad.value.value]).toEqual(['BadSensorFailure', 5]);
      await set('Hall/Count', 6, { quality: 'bad' });
      expect((await readValue(session, count)).statusCode.name).toBe('Bad');
      await set('Hall/Count', 7);
      const good = await readValue(session, count);
      expect([good.statusCode.name, good.value.value]).toEqual(['Good', 7]);
    });
  });

  it('notifies subscribed clients of each value the flow sets', async () => {
    await withSession(async (session, ns) => {
      const subscription = await session.createSubscription2({
        requestedPublishingInterval: 50,
        publishingEnabled: true,
        requestedMaxKeepAliveCount: 20,
        requestedLifetimeCount: 600,
      });
      const seen: unknown[] = [];
      const item = await subscription.monitor(
        { nodeId: `ns=${ns};s=Pump3/Flow`, attributeId: AttributeIds.Value },
        { samplingInterval: 0, queueSize: 100, discardOldest: false },
        2, // TimestampsToReturn.Both
      );
      item.on('changed', (value: DataValue) => seen.push(value.value.value));
      await until(() => seen.length >= 1, 10_000, 'the current value');
      for (const [i, v] of [50, 51.5, 53].entries()) {
        await set('Pump3/Flow', v, { timestamp: T0 + 1000 * (i + 1) });
        await until(() => seen.includes(v), 10_000, `value ${v}`);
      }
      expect(seen.slice(-3)).toEqual([50, 51.5, 53]);
      await subscription.terminate();
    });
  });

  it("sends a client's write to a writable tag into the flow, and refuses read-only and mistyped writes", async () => {
    gateway.clear();
    await withSession(async (session, ns) => {
      const write = (tag: string, dataType: DataType, value: unknown) =>
        session.write({
          nodeId: `ns=${ns};s=${tag}`,
          attributeId: AttributeIds.Value,
          value: { value: new Variant({ dataType, value }) },
        });
      expect((await write('Pump3/Setpoint', DataType.Double, 55.5)).name).toBe('Good');
      expect((await write('Pump3/Label', DataType.String, 'north')).name).toBe('Good');
      expect(await write('Pump3/Flow', DataType.Double, 1)).toBe(StatusCodes.BadNotWritable);
      expect(await write('Pump3/Setpoint', DataType.String, 'hot')).toBe(StatusCodes.BadTypeMismatch);
      expect(await write('Pump3/Setpoint', DataType.Double, 95)).toBe(StatusCodes.BadOutOfRange);
      expect((await readValue(session, `ns=${ns};s=Pump3/Setpoint`)).value.value).toBe(55.5);
      await until(() => gateway.outputs('serve').length >= 2, 10_000, 'the writes in the flow');
      expect(gateway.outputs('serve').map((m) => [m.topic, m.payload, m.quality, m.nodeId])).toEqual([
        ['Pump3/Setpoint', 55.5, 'good', `ns=${ns};s=Pump3/Setpoint`],
        ['Pump3/Label', 'north', 'good', `ns=${ns};s=Pump3/Label`],
      ]);
      expect(Math.abs(gateway.outputs('serve')[0].timestamp - Date.now())).toBeLessThan(60_000);
      // The flow setting a writable tag is not taken for a client's write.
      await set('Pump3/Setpoint', 21);
      expect(gateway.outputs('serve')).toHaveLength(2);
    });
  });

  it('refuses a value that does not fit its tag, or a topic that is no tag, in plain words, keeping the value', async () => {
    gateway.clear();
    const errorsBefore = gateway.engine.stats().serve.errors;
    await set('Pump3/Mode', 300);
    await set('Pump3/Running', 'yes');
    await set('Pump3/Speed', 1);
    expect(gateway.errors.map((e) => [e.code, e.message])).toEqual([
      [
        'OPCUA_SERVE_VALUE',
        'tag "Pump3/Mode" (Byte) cannot hold 300: expected Byte in the range 0..255; it keeps its last value',
      ],
      [
        'OPCUA_SERVE_VALUE',
        'tag "Pump3/Running" (Boolean) cannot hold "yes": expected true or false (Boolean); it keeps its last value',
      ],
      ['OPCUA_SERVE_UNKNOWN_TAG', expect.stringContaining('topic "Pump3/Speed" is not one of the served tags')],
    ]);
    // Counted on the node, where the operator looks.
    expect(gateway.engine.stats().serve.errors).toBe(errorsBefore + 3);
    await withSession(async (session, ns) => {
      expect((await readValue(session, `ns=${ns};s=Pump3/Mode`)).value.value).toBe(3);
    });
  });

  it('lets a user in with the right password only', async () => {
    const identity = (password: string): UserIdentityInfo => ({
      type: UserTokenType.UserName,
      userName: USER.userName,
      password,
    });
    await withSession(
      async (session, ns) => {
        expect((await readValue(session, `ns=${ns};s=Pump3/Running`)).value.value).toBe(true);
      },
      { identity: identity(USER.password) },
    );
    await expect(withSession(async () => undefined, { identity: identity('guess') })).rejects.toThrow(
      /BadUserAccessDenied|BadIdentityTokenRejected/,
    );
  });

  it('refuses an X.509 user certificate it was not told to trust', async () => {
    const own = join(clientPki.rootDir, 'own');
    const pem = readFileSync(join(own, 'certs', 'client_certificate.pem'), 'utf8');
    const certificateData = Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
    const privateKey = readFileSync(join(own, 'private', 'private_key.pem'), 'utf8');
    await expect(
      withSession(async () => undefined, {
        identity: { type: UserTokenType.Certificate, certificateData, privateKey },
      }),
    ).rejects.toThrow(/Bad(IdentityTokenRejected|UserAccessDenied|CertificateUntrusted|IdentityTokenInvalid)/);
  });

  it('serves over SignAndEncrypt / Basic256Sha256', async () => {
    await withSession(
      async (session, ns) => {
        expect((await readValue(session, `ns=${ns};s=Pump3/Running`)).value.value).toBe(true);
      },
      { secure: true },
    );
  });

  it("is read by tagflow's own opcua-read and opcua-subscribe", async () => {
    const ns = await withSession(async (_, index) => index);
    const reader = await runFlow(
      {
        schemaVersion: 1,
        id: 'opcua-gateway-reader',
        resources: [{ id: 'gw', type: 'opcua-server', config: { endpointUrl } }],
        nodes: [
          {
            id: 'read',
            type: 'opcua-read',
            typeVersion: 1,
            config: { server: 'gw', items: [{ nodeId: `ns=${ns};s=Pump3/Running`, name: 'running' }] },
          },
          {
            id: 'sub',
            type: 'opcua-subscribe',
            typeVersion: 1,
            config: {
              server: 'gw',
              publishingIntervalMs: 50,
              samplingIntervalMs: 0,
              items: [{ nodeId: `ns=${ns};s=Hall/Count`, name: 'count' }],
            },
          },
        ],
        edges: [],
      },
      {
        nodes: [opcuaRead, opcuaSubscribe],
        resources: [opcuaServer],
        fakeTime: false,
        dataDir: mkdtempSync(join(tmpdir(), 'tagflow-opcua-host-reader-')),
      },
    );
    open.push(reader);
    await until(() => reader.statuses('read').some((s) => s.text === 'connected'), 20_000, 'connected');
    await reader.inject('read', 'go');
    expect(reader.outputs('read').map((m) => [m.topic, m.payload, m.quality])).toEqual([['running', true, 'good']]);
    await until(() => reader.outputs('sub').length >= 1, 15_000, 'the first value');
    await set('Hall/Count', 99, { timestamp: T0 + 99_000 });
    await until(() => reader.outputs('sub').some((m) => m.payload === 99), 15_000, 'the new count');
    expect(reader.outputs('sub').find((m) => m.payload === 99)).toMatchObject({
      topic: 'count',
      quality: 'good',
      timestamp: T0 + 99_000,
    });
  });

  it('follows a redeploy that changes the tags: removed ones leave the address space, new ones appear', async () => {
    const own = await freePort();
    const config = { port: own, securityModes: ['None'], allowAnonymous: true };
    const f = await hostFlow(config, [{ name: 'Line/Speed' }, { name: 'Line/Old' }]);
    open.push(f);
    await until(() => f.statuses('serve').some((s) => s.text?.startsWith('serving 2 tags')), 20_000, 'serving');
    const result = await f.engine.deploy({
      schemaVersion: 1,
      id: 'opcua-gateway',
      resources: [{ id: 'gw', type: 'opcua-host', config }],
      nodes: [
        {
          id: 'serve',
          type: 'opcua-serve',
          typeVersion: 1,
          config: { host: 'gw', tags: [{ name: 'Line/Speed' }, { name: 'Line/New', dataType: 'Int32' }] },
        },
      ],
      edges: [],
    });
    expect(result).toMatchObject({ ok: true });
    await until(
      () => f.statuses('serve').filter((s) => s.text?.startsWith('serving 2 tags')).length >= 2,
      20_000,
      'serving again',
    );
    await f.inject('serve', { topic: 'Line/New', payload: 12 });
    expect(f.errors).toEqual([]);
    const client = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { maxRetry: 0 } });
    await client.connect(`opc.tcp://127.0.0.1:${own}`);
    try {
      const session = await client.createSession();
      const ns = ((await session.read({ nodeId: 'ns=0;i=2255', attributeId: 13 })).value.value as string[]).indexOf(
        'urn:tagflow:tags',
      );
      const line = await session.browse({
        nodeId: `ns=${ns};s=Line`,
        browseDirection: BrowseDirection.Forward,
        referenceTypeId: 'Organizes',
        resultMask: 0x3f,
      });
      expect(line.references?.map((r) => r.browseName.name).sort()).toEqual(['New', 'Speed']);
      expect((await readValue(session, `ns=${ns};s=Line/New`)).value.value).toBe(12);
      await session.close();
    } finally {
      await client.disconnect();
    }
  });

  it('refuses a second node serving a tag another node serves, on the node', async () => {
    // A second host on its own port with two nodes claiming the same tag.
    const f = await hostFlow(
      { port: await freePort(), securityModes: ['None'], allowAnonymous: true },
      [{ name: 'Line/Speed' }],
      [{ id: 'again', type: 'opcua-serve', typeVersion: 1, config: { host: 'gw', tags: [{ name: 'Line/Speed' }] } }],
    );
    open.push(f);
    await until(() => f.errors.some((e) => e.code === 'OPCUA_SERVE_TAKEN'), 20_000, 'the refusal');
    const refusal = f.errors.find((e) => e.code === 'OPCUA_SERVE_TAKEN');
    expect(refusal?.message).toMatch(/^tag "Line\/Speed" is already served by node "(serve|again)"/);
  });
});

describe('opcua-host defaults', () => {
  it('listen on loopback only, offer SignAndEncrypt only, and let no anonymous client in', async () => {
    const own = await freePort();
    const f = await hostFlow({ port: own, users: [{ userName: USER.userName, passwordEnv: PASSWORD_ENV }] }, [
      { name: 'Line/Speed' },
    ]);
    open.push(f);
    await until(() => f.statuses('serve').some((s) => s.text?.startsWith('serving')), 20_000, 'serving');
    // Discovery (GetEndpoints) is open on an unsecured channel, as OPC UA requires.
    const client = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { maxRetry: 0 } });
    await client.connect(`opc.tcp://127.0.0.1:${own}`);
    const endpoints = await client.getEndpoints();
    await client.disconnect();
    expect(endpoints.length).toBeGreaterThan(0);
    for (const endpoint of endpoints) {
      expect(MessageSecurityMode[endpoint.securityMode]).toBe('SignAndEncrypt');
      expect(endpoint.securityPolicyUri).toBe(SecurityPolicy.Basic256Sha256);
      expect(endpoint.endpointUrl).toBe(`opc.tcp://127.0.0.1:${own}`);
      // node-opcua always offers X.509 user certificates: only those trusted in opcua-host-pki/users log in (none by default).
      expect(endpoint.userIdentityTokens?.map((t) => UserTokenType[t.tokenType])).toEqual(['UserName', 'Certificate']);
    }
    // Not reachable on the machine's other addresses.
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && a.family === 'IPv4' && !a.internal)
      .map((a) => a!.address);
    for (const address of others) await expect(accepts(address, own)).resolves.toBe(false);
  });
});

describe('opcua-host start-up problems', () => {
  it('says so in plain words when its port is taken, and when a password is not set', async () => {
    const taken = await hostFlow({ port, allowAnonymous: true }, [{ name: 'Line/Speed' }]);
    open.push(taken);
    await until(() => taken.statuses('serve').some((s) => s.state === 'reconnecting'), 20_000, 'the port refusal');
    expect(taken.statuses('serve').find((s) => s.state === 'reconnecting')?.text).toContain(
      `cannot serve OPC UA on 127.0.0.1:${port}: the port is in use by another program (another OPC UA server?): choose another port`,
    );

    const unset = await hostFlow(
      { port: await freePort(), users: [{ userName: 'hmi', passwordEnv: 'TAGFLOW_TEST_OPCUA_HOST_UNSET' }] },
      [{ name: 'Line/Speed' }],
    );
    open.push(unset);
    await until(() => unset.statuses('serve').some((s) => s.state === 'reconnecting'), 20_000, 'the secret refusal');
    expect(unset.statuses('serve').find((s) => s.state === 'reconnecting')?.text).toContain(
      'the password of OPC UA user "hmi" is to come from "TAGFLOW_TEST_OPCUA_HOST_UNSET", which is not set',
    );
  });
});

describe('opcua-host and opcua-serve refusals', () => {
  it('refuses a server nobody could log in to, before starting it', async () => {
    await expect(hostFlow({ port: 4840 })).rejects.toThrow(
      /\/resources\/0\/config\/users: .*: nobody could log in: turn allowAnonymous on, or add users.*\[OPCUA_HOST_CONFIG\]/,
    );
  });

  it('refuses a tag listed twice, a tag that is also a folder, and a unit on a text', async () => {
    await expect(
      hostFlow({ allowAnonymous: true }, [
        { name: 'A/B' },
        { name: 'A/B' },
        { name: 'A' },
        { name: 'C', dataType: 'String', unit: 'bar' },
      ]),
    ).rejects.toThrow(
      /tags\/1\/name: .*Name: tag "A\/B" is listed twice[\s\S]*tags\/2\/name: .*Name: tag "A" is also the folder of tag "A\/B"[\s\S]*tags\/3\/unit: .*Unit: tag "C" is String: only a number has a unit/,
    );
  });

  it('says that user passwords are sent nowhere, so bound secrets may be used', () => {
    expect(
      opcuaHost.secretDestinations?.({ users: [{ userName: 'scada', passwordEnv: 'SCADA_PW' }], host: '0.0.0.0' }),
    ).toEqual([]);
  });

  it('does not load node-opcua when the definitions are required', () => {
    jest.isolateModules(() => {
      jest.doMock('node-opcua', () => {
        throw new Error('node-opcua was loaded');
      });
      jest.doMock('node-opcua-certificate-manager', () => {
        throw new Error('node-opcua-certificate-manager was loaded');
      });
      expect(() => {
        require('../src/opcua-host.resource');
        require('../src/opcua-serve.node');
      }).not.toThrow();
    });
  });
});

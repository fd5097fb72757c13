import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataType, OPCUAServer, Variant } from 'node-opcua';
import type { UAVariable } from 'node-opcua';
import { OPCUACertificateManager } from 'node-opcua-certificate-manager';
import { freePort, until } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import { opcuaRead, opcuaServer, opcuaSubscribe, opcuaWrite } from '@tagflow/nodes-opcua';
import { CORE_NODES, oneTab, runConverted } from './helpers';

// node-red-contrib-opcua's Item + Client converted and run against a real node-opcua server.

let server: OPCUAServer;
let temp: UAVariable;
let setpoint: UAVariable;
let endpoint: string;
let running: FlowUnderTest[] = [];

beforeAll(async () => {
  const port = await freePort();
  const pki = new OPCUACertificateManager({
    rootFolder: mkdtempSync(join(tmpdir(), 'tagflow-nr-opcua-')),
    automaticallyAcceptUnknownCertificate: true,
  });
  await pki.initialize();
  server = new OPCUAServer({ port, hostname: '127.0.0.1', serverCertificateManager: pki, allowAnonymous: true });
  await server.initialize();
  const addressSpace = server.engine.addressSpace!;
  const namespace = addressSpace.getOwnNamespace();
  const folder = namespace.addFolder(addressSpace.rootFolder.objects, { browseName: 'Press', nodeId: 's=Press' });
  temp = namespace.addVariable({ organizedBy: folder, browseName: 'Temp', nodeId: 's=Press.Temp', dataType: 'Double' });
  temp.setValueFromSource(new Variant({ dataType: DataType.Double, value: 21.5 }));
  setpoint = namespace.addVariable({
    organizedBy: folder,
    browseName: 'Setpoint',
    nodeId: 's=Press.Setpoint',
    dataType: 'Double',
    accessLevel: 'CurrentRead | CurrentWrite',
    userAccessLevel: 'CurrentRead | CurrentWrite',
  });
  setpoint.setValueFromSource(new Variant({ dataType: DataType.Double, value: 0 }));
  await server.start();
  endpoint = `opc.tcp://127.0.0.1:${port}`;
}, 60_000);
afterAll(async () => server?.shutdown(0));
afterEach(async () => {
  await Promise.all(running.map((f) => f.stop()));
  running = [];
});

it('reads, writes and subscribes as the Node-RED flow did', async () => {
  const { f } = await runConverted(
    oneTab(
      [
        {
          id: 'temp',
          type: 'OpcUa-Item',
          item: 'ns=1;s=Press.Temp',
          datatype: 'Double',
          value: '',
          wires: [['read', 'sub']],
        },
        { id: 'read', type: 'OpcUa-Client', endpoint: 'ep', action: 'read', wires: [['d1']] },
        { id: 'd1', type: 'debug' },
        {
          id: 'sp',
          type: 'OpcUa-Item',
          item: 'ns=1;s=Press.Setpoint',
          datatype: 'Double',
          value: '',
          wires: [['write']],
        },
        { id: 'write', type: 'OpcUa-Client', endpoint: 'ep', action: 'write', wires: [[]] },
        {
          id: 'sub',
          type: 'OpcUa-Client',
          endpoint: 'ep',
          action: 'subscribe',
          time: '100',
          timeUnit: 'ms',
          wires: [['d2']],
        },
        { id: 'd2', type: 'debug' },
      ],
      [{ id: 'ep', type: 'OpcUa-Endpoint', name: 'press', endpoint, secpol: 'None', secmode: 'None', login: false }],
    ),
    { nodes: [...CORE_NODES, opcuaRead, opcuaWrite, opcuaSubscribe], resources: [opcuaServer], fakeTime: false },
  ).then((r) => {
    running.push(r.f);
    return r;
  });
  await until(() => f.payloads('sub').length > 0, 20_000, 'the first value of the subscription');
  expect(f.payloads('sub')[0]).toBe(21.5);
  await f.inject('temp', 'go');
  await until(() => f.payloads('read').length > 0, 20_000, 'the read');
  expect(f.outputs('read')[0]).toMatchObject({ payload: 21.5, topic: 'ns=1;s=Press.Temp', quality: 'good' });
  await f.inject('sp', 42.5);
  await until(() => setpoint.readValue().value.value === 42.5, 20_000, 'the write');
  expect(f.errors).toEqual([]);
});

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AttributeIds, MessageSecurityMode, OPCUAClient, SecurityPolicy } from 'node-opcua';
import type { ClientSession, DataValue } from 'node-opcua';
import { OPCUACertificateManager } from 'node-opcua-certificate-manager';
import { runFlow } from '@tagflow/node-test';
import { finished } from '@tagflow/test-support';
import { scale } from '@tagflow/nodes-core';
import { modbusDevice, modbusRead } from '@tagflow/nodes-modbus';
import { opcuaHost, opcuaServe } from '@tagflow/nodes-opcua';
import { Peer, freePort, until } from './servers';

const here = resolve(__dirname, '..');
const FULL_SCALE = 27648;
const TAGS = ['tank1/level', 'tank1/outlet-valve', 'pump1/running'];

const cleanup: Array<() => Promise<void> | void> = [];
const clientPki = new OPCUACertificateManager({
  rootFolder: join(mkdtempSync(join(tmpdir(), 'tagflow-modbus-to-opcua-client-')), 'pki'),
  automaticallyAcceptUnknownCertificate: true,
});

beforeAll(async () => {
  await clientPki.initialize();
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});
afterAll(async () => {
  await clientPki.dispose();
});

/** The example's flow with this test's ports. */
function exampleFlow(modbusPort: number, opcuaPort: number) {
  const flow = JSON.parse(readFileSync(resolve(here, 'flow.json'), 'utf8'));
  flow.resources.find((r: { id: string }) => r.id === 'plc').config.port = modbusPort;
  flow.resources.find((r: { id: string }) => r.id === 'gateway').config.port = opcuaPort;
  return flow;
}

/** An independent OPC UA client (node-opcua's), as a SCADA would connect; retried until the server is up. */
async function session(opcuaPort: number): Promise<{ session: ClientSession; ns: number }> {
  const client = OPCUAClient.create({
    endpointMustExist: false,
    securityMode: MessageSecurityMode.None,
    securityPolicy: SecurityPolicy.None,
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
    clientCertificateManager: clientPki,
  });
  let connected = false;
  await until(
    () => {
      if (!connected)
        client.connect(`opc.tcp://127.0.0.1:${opcuaPort}`).then(
          () => (connected = true),
          () => undefined, // not listening yet: tried again on the next round
        );
      return connected;
    },
    30_000,
    'the OPC UA server of the flow',
  );
  const s = await client.createSession();
  cleanup.push(async () => {
    // After run.sh the server is gone, and the session with it: closing it then fails, as expected.
    await s.close().catch((err: unknown) => expect(String(err)).toMatch(/./));
    await client.disconnect();
  });
  const namespaces = (await s.read({ nodeId: 'ns=0;i=2255', attributeId: AttributeIds.Value })).value.value as string[];
  return { session: s, ns: namespaces.indexOf('urn:tagflow:tags') };
}

/** Monitors the served tags, recording every value the server reports, per tag. */
async function watch(s: ClientSession, ns: number): Promise<Map<string, DataValue[]>> {
  const subscription = await s.createSubscription2({
    requestedPublishingInterval: 100,
    publishingEnabled: true,
    requestedMaxKeepAliveCount: 20,
    requestedLifetimeCount: 600,
  });
  const seen = new Map<string, DataValue[]>(TAGS.map((t) => [t, []]));
  for (const tag of TAGS) {
    const item = await subscription.monitor(
      { nodeId: `ns=${ns};s=${tag}`, attributeId: AttributeIds.Value },
      { samplingInterval: 0, queueSize: 100, discardOldest: false },
      2,
    );
    item.on('changed', (value: DataValue) => seen.get(tag)?.push(value));
  }
  return seen;
}

const good = (values: DataValue[]) => values.filter((v) => v.statusCode.name === 'Good');

describe('examples/modbus-to-opcua', () => {
  it("serves the PLC's values over OPC UA, scaled, as they follow the device", async () => {
    const plc = await Peer.simulator();
    cleanup.push(() => plc.stop());
    const opcuaPort = await freePort();
    const f = await runFlow(exampleFlow(plc.port, opcuaPort), {
      nodes: [scale, modbusRead, opcuaServe],
      resources: [modbusDevice, opcuaHost],
      fakeTime: false,
    });
    cleanup.push(() => f.stop());
    const { session: s, ns } = await session(opcuaPort);
    const seen = await watch(s, ns);
    await until(
      () => good(seen.get('tank1/level') ?? []).length >= 8 && good(seen.get('pump1/running') ?? []).length >= 3,
      30_000,
      '8 levels and a pump start or stop',
    );

    const written = plc.lines as Array<{ level: number; valve: number; running: boolean }>;
    const level = good(seen.get('tank1/level') ?? []);
    // Every level served is one the simulator wrote, scaled to percent; and it moves.
    for (const v of level) {
      const raw = (v.value.value as number) * (FULL_SCALE / 100);
      expect(written.some((w) => Math.abs(w.level - raw) < 1e-6)).toBe(true);
      expect(v.sourceTimestamp).toBeInstanceOf(Date);
    }
    expect(new Set(level.map((v) => v.value.value)).size).toBeGreaterThanOrEqual(3);
    for (const v of good(seen.get('tank1/outlet-valve') ?? [])) {
      const raw = (v.value.value as number) * (FULL_SCALE / 100);
      expect(written.some((w) => Math.abs(w.valve - raw) < 1e-6)).toBe(true);
    }
    // The pump's coil is served as a Boolean that follows it (on 3 s, off 3 s).
    const running = good(seen.get('pump1/running') ?? []).map((v) => v.value.value as boolean);
    expect(new Set(running)).toEqual(new Set([true, false]));
    // What the flow computed is what the server serves: each value with its source timestamp.
    const computed = f.outputs('percent').filter((m) => m.topic === 'tank1/level');
    for (const v of level)
      expect(computed).toContainEqual(
        expect.objectContaining({ payload: v.value.value, timestamp: v.sourceTimestamp?.getTime() }),
      );
  }, 60_000);

  it('runs with the one command from the README (bash run.sh), serving OPC UA while it runs', async () => {
    const modbusPort = await freePort();
    const opcuaPort = await freePort();
    // From a plain folder: run.sh names no --nodes-dir, the Modbus and OPC UA nodes come with tagflow.
    const child = spawn('bash', [resolve(here, 'run.sh')], {
      cwd: mkdtempSync(join(tmpdir(), 'modbus-to-opcua-cwd-')),
      env: { ...process.env, MODBUS_PORT: String(modbusPort), OPCUA_PORT: String(opcuaPort), RUN_FOR: '12s' },
    });
    const done = finished(child);
    const { session: s, ns } = await session(opcuaPort);
    const seen = await watch(s, ns);
    await until(() => good(seen.get('tank1/level') ?? []).length >= 3, 20_000, '3 levels');
    for (const v of good(seen.get('tank1/level') ?? [])) {
      expect(v.value.value).toBeGreaterThanOrEqual(0);
      expect(v.value.value).toBeLessThanOrEqual(100);
    }
    const { code, stderr } = await done;
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
  }, 60_000);
});

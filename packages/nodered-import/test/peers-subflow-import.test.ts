import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { modbusDevice, modbusRead } from '@tagflow/nodes-modbus';
import { mqttBroker, mqttIn, mqttOut } from '@tagflow/nodes-mqtt';
import { acceptsConnections, freePort, Mosquitto, runFlow, startPeer, until } from '@tagflow/node-test';
import type { FlowUnderTest, PeerProcess } from '@tagflow/node-test';
import type { NodeRedObject } from '../src';
import { convert, CORE_NODES, entryOf } from './helpers';

// Issue 17's done criterion end to end: a Node-RED export with two tabs, a subflow with env
// properties used by two instances, a function, MQTT and Modbus nodes converts with a report and
// runs in the real engine (deploy validates with the real node catalog) against a real Mosquitto
// and a pymodbus PLC. The same export is the CLI's fixture (packages/cli/test/import-nodered.test.ts).

const EXPORT = join(__dirname, 'fixtures', 'plant-subflow.nodered.json');

/** The fixture export with the broker and PLC ports of this run. */
function plantExport(brokerPort: number, plcPort: number): NodeRedObject[] {
  const objects = JSON.parse(readFileSync(EXPORT, 'utf8')) as NodeRedObject[];
  for (const o of objects) {
    if (o.type === 'mqtt-broker') o.port = String(brokerPort);
    if (o.type === 'modbus-client') o.tcpPort = String(plcPort);
  }
  return objects;
}

describe('a plant export with a "scale and limit" subflow used twice, against real peers', () => {
  let broker: Mosquitto;
  let plc: PeerProcess;
  let plcPort: number;
  const running: FlowUnderTest[] = [];
  beforeAll(async () => {
    broker = await Mosquitto.start();
    plcPort = await freePort();
    plc = await startPeer('/usr/bin/python3', [join(__dirname, 'plc-server.py'), String(plcPort)], {
      name: 'the pymodbus PLC',
      ready: () => acceptsConnections(plcPort),
    });
  });
  afterAll(async () => {
    await Promise.all(running.map((f) => f.stop()));
    await plc?.stop();
    await broker?.down();
  });

  it('converts with a report listing the subflow, and each instance runs with its own parameters', async () => {
    const { flows, report } = convert(plantExport(broker.port, plcPort));
    expect(flows.map((f) => f.id)).toEqual(['collect', 'watch']);
    const [collectFlow, watchFlowAsConverted] = flows;
    // The subflow travels with the flow using it, its env properties as parameters with defaults.
    expect(collectFlow.subflows).toBeUndefined();
    expect(watchFlowAsConverted.subflows?.map((s) => s.id)).toEqual(['scale-and-limit']);
    const sub = watchFlowAsConverted.subflows![0];
    expect(sub.params.properties).toMatchObject({
      SCALE: { type: 'number', default: 1, title: 'Scale factor' },
      LIMIT: { type: 'number', default: 500 },
    });
    // The function reads LIMIT with env.get: a change before it puts the instance's values on the message.
    expect(sub.nodes.map((n) => [n.id, n.type])).toEqual([
      ['sf-params', 'change'],
      ['sf-calc-env', 'change'],
      ['sf-calc', 'function'],
    ]);
    const instances = watchFlowAsConverted.nodes.filter((n) => n.type.startsWith('subflow:'));
    expect(instances.map((n) => [n.id, n.type, n.config])).toEqual([
      ['double', 'subflow:scale-and-limit', { SCALE: 2, LIMIT: 1000 }],
      ['tenfold', 'subflow:scale-and-limit', { SCALE: 10 }],
    ]);

    // The report: the subflow's nodes where they live, the instances on their tab, with outcomes.
    expect(entryOf(report, 'sf-params')).toMatchObject({
      where: 'subflow "Scale and limit"',
      outcome: 'exact',
      flowId: 'scale-and-limit',
      tagflowTypes: ['change'],
    });
    expect(entryOf(report, 'sf-calc')).toMatchObject({
      where: 'subflow "Scale and limit"',
      outcome: 'different',
      flowId: 'scale-and-limit',
      tagflowIds: ['sf-calc-env', 'sf-calc'],
      tagflowTypes: ['change', 'function'],
      notes: [expect.stringMatching(/^line 1: env\.get: reads the subflow instance's properties/)],
    });
    for (const id of ['double', 'tenfold'])
      expect(entryOf(report, id)).toMatchObject({
        nodeRedType: 'subflow:scale-limit',
        where: 'tab "Watch"',
        outcome: 'exact',
        flowId: 'watch',
        tagflowIds: [id],
        tagflowTypes: ['subflow:scale-and-limit'],
      });
    expect(report.counts).toEqual({ exact: 11, different: 3, 'not-converted': 0, 'out-of-scope': 0 });

    const options = {
      nodes: [...CORE_NODES, modbusRead, mqttIn, mqttOut],
      resources: [modbusDevice, mqttBroker],
      fakeTime: false,
    };
    // One engine per flow (a runtime shares the broker between its flows): two engines with the
    // same resource would connect with the same client id, and the broker drops one of them.
    const watchFlow = {
      ...watchFlowAsConverted,
      resources: watchFlowAsConverted.resources?.map((r) => ({ ...r, config: { ...r.config, clientId: 'watch' } })),
    };
    const watch = await runFlow(watchFlow, options);
    running.push(watch);
    const collect = await runFlow(collectFlow, options);
    running.push(collect);

    // Registers 0 and 1 hold 100 and 101: the sum, 201, passes the switch; "x2" doubles it under
    // its limit of 1000; "x10" makes 2010, capped at the subflow's default limit, 500.
    await until(
      () => ['dbg', 'dbg-double', 'dbg-tenfold'].every((id) => watch.debug.some((d) => d.nodeId === id)),
      15_000,
      'the sum through Mosquitto and both subflow instances',
    );
    const first = (id: string) => watch.debug.find((d) => d.nodeId === id)?.data;
    expect(first('dbg')).toBe(201);
    expect(first('dbg-double')).toBe(402);
    expect(first('dbg-tenfold')).toBe(500);
    // Each instance ran its own copy of the inner nodes (ids `instance~inner`), with its own values.
    expect(watch.outputs('double~sf-params')[0]).toMatchObject({ payload: 201, scale: 2 });
    expect(watch.outputs('tenfold~sf-params')[0]).toMatchObject({ payload: 201, scale: 10 });
    expect(watch.outputs('double~sf-calc-env')[0]).toMatchObject({ _nrEnv: { SCALE: 2, LIMIT: 1000 } });
    expect(watch.outputs('tenfold~sf-calc-env')[0]).toMatchObject({ _nrEnv: { SCALE: 10, LIMIT: 500 } });
    // What leaves the subflow is what Node-RED sends: the helper fields are gone.
    expect(watch.outputs('double~sf-calc')[0]).not.toHaveProperty('scale');
    expect(watch.outputs('double~sf-calc')[0]).not.toHaveProperty('_nrEnv');
    expect(collect.errors).toEqual([]);
    expect(watch.errors).toEqual([]);
  });
});

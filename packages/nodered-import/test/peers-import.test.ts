import { join } from 'node:path';
import { modbusDevice, modbusRead, modbusWrite } from '@tagflow/nodes-modbus';
import { mqttBroker, mqttIn, mqttOut } from '@tagflow/nodes-mqtt';
import { acceptsConnections, freePort, Mosquitto, startPeer, until } from '@tagflow/node-test';
import type { FlowUnderTest, PeerProcess } from '@tagflow/node-test';
import { runFlow } from '@tagflow/node-test';
import { convert, CORE_NODES, entryOf, oneTab, runConverted } from './helpers';

// MQTT and Modbus conversions against real peers: a Mosquitto with a password on a free port, and a
// pymodbus PLC (Debian's python3-pymodbus). A missing peer fails the test.

let running: FlowUnderTest[] = [];
afterEach(async () => {
  await Promise.all(running.map((f) => f.stop()));
  running = [];
});

describe('mqtt in / out and the broker config, against Mosquitto', () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await Mosquitto.start({ users: { edge: 's3cret' } });
  });
  afterAll(async () => {
    delete process.env.MQTT_PLANT_BROKER_PASSWORD;
    await broker?.down();
  });

  it('subscribes, transforms and publishes through the broker, the password from a secret', async () => {
    const objects = oneTab(
      [
        { id: 'feed', type: 'mqtt out', topic: 'plant/in/pump3', qos: '1', retain: 'false', broker: 'br' },
        {
          id: 'sub',
          type: 'mqtt in',
          topic: 'plant/in/#',
          qos: '1',
          datatype: 'auto-detect',
          broker: 'br',
          inputs: 0,
          wires: [['double']],
        },
        {
          id: 'double',
          type: 'function',
          func: 'msg.payload = msg.payload * 2;\nmsg.topic = "plant/out";\nreturn msg;',
          outputs: 1,
          wires: [['pub']],
        },
        { id: 'pub', type: 'mqtt out', topic: '', qos: '1', retain: 'false', broker: 'br' },
        {
          id: 'back',
          type: 'mqtt in',
          topic: 'plant/out',
          qos: '1',
          datatype: 'json',
          broker: 'br',
          inputs: 0,
          wires: [['dbg']],
        },
        { id: 'dbg', type: 'debug', active: true, complete: 'false' },
      ],
      [
        {
          id: 'br',
          type: 'mqtt-broker',
          name: 'Plant broker',
          broker: '127.0.0.1',
          port: String(broker.port),
          clientid: '',
          usetls: false,
          protocolVersion: '4',
          keepalive: '30',
          cleansession: true,
          credentials: { user: 'edge', password: 's3cret' },
        },
      ],
    );
    process.env.MQTT_PLANT_BROKER_PASSWORD = 's3cret';
    const { f, flow, report } = await runConverted(objects, {
      nodes: [...CORE_NODES, mqttIn, mqttOut],
      resources: [mqttBroker],
      fakeTime: false,
    });
    running.push(f);
    expect(JSON.stringify(flow)).not.toContain('s3cret');
    expect(flow.resources?.[0].config).toMatchObject({ username: 'edge', passwordEnv: 'MQTT_PLANT_BROKER_PASSWORD' });
    expect(entryOf(report, 'pub').outcome).toBe('different');
    // Publish until the subscriptions are in place: the first messages may precede them.
    for (let i = 1; f.payloads('back').length === 0; i++) {
      if (i > 100) throw new Error('nothing came back through Mosquitto');
      await f.inject('feed', 21);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(f.errors).toEqual([]);
    expect(f.payloads('back')[0]).toBe(42);
    expect(f.outputs('back')[0].topic).toBe('plant/out');
  });
});

describe('node-red-contrib-modbus read and write, against a pymodbus PLC', () => {
  let plc: PeerProcess;
  let port: number;
  const writes: unknown[] = [];
  beforeAll(async () => {
    port = await freePort();
    plc = await startPeer('/usr/bin/python3', [join(__dirname, 'plc-server.py'), String(port)], {
      name: 'the pymodbus PLC',
      ready: () => acceptsConnections(port),
      onLine: (line) => {
        if (line.startsWith('{')) writes.push(JSON.parse(line));
      },
    });
  });
  afterAll(async () => plc?.stop());

  it('polls registers into a list as Node-RED does, and writes a register', async () => {
    const objects = oneTab(
      [
        {
          id: 'poll',
          type: 'modbus-read',
          name: 'levels',
          dataType: 'HoldingRegister',
          adr: '3',
          quantity: '3',
          rate: '200',
          rateUnit: 'ms',
          server: 'plc',
          unitid: '',
          wires: [['dbg'], []],
        },
        { id: 'dbg', type: 'debug', active: true },
        {
          id: 'set',
          type: 'modbus-write',
          name: 'setpoint',
          dataType: 'HoldingRegister',
          adr: '10',
          quantity: '1',
          server: 'plc',
          unitid: '',
          wires: [[], []],
        },
      ],
      [
        {
          id: 'plc',
          type: 'modbus-client',
          name: 'PLC',
          clienttype: 'tcp',
          tcpHost: '127.0.0.1',
          tcpPort: String(port),
          tcpType: 'DEFAULT',
          unit_id: '1',
          commandDelay: '1',
          clientTimeout: '1000',
        },
      ],
    );
    const { f, report } = await runConverted(objects, {
      nodes: [...CORE_NODES, modbusRead, modbusWrite],
      resources: [modbusDevice],
      fakeTime: false,
    });
    running.push(f);
    expect(entryOf(report, 'poll').tagflowTypes).toEqual(['modbus-read', 'change']);
    await until(() => f.payloads('poll-values').length > 0, 10_000, 'a poll');
    expect(f.payloads('poll-values')[0]).toEqual([103, 104, 105]);
    await f.inject('set', 777);
    await until(() => writes.length > 0, 10_000, 'the write');
    expect(writes).toEqual([{ write: 10, values: [777] }]);
    expect(f.errors).toEqual([]);
  });
});

describe('a plant export: Modbus on one tab, MQTT on another, a function between', () => {
  let broker: Mosquitto;
  let plc: PeerProcess;
  let plcPort: number;
  beforeAll(async () => {
    broker = await Mosquitto.start();
    plcPort = await freePort();
    plc = await startPeer('/usr/bin/python3', [join(__dirname, 'plc-server.py'), String(plcPort)], {
      name: 'the pymodbus PLC',
      ready: () => acceptsConnections(plcPort),
    });
  });
  afterAll(async () => {
    await plc?.stop();
    await broker?.down();
  });

  it('converts with a report, and both flows run side by side', async () => {
    const objects = [
      { id: 'collect', type: 'tab', label: 'Collect' },
      { id: 'watch', type: 'tab', label: 'Watch' },
      {
        id: 'poll',
        type: 'modbus-read',
        z: 'collect',
        name: 'flow',
        dataType: 'HoldingRegister',
        adr: '0',
        quantity: '2',
        rate: '250',
        rateUnit: 'ms',
        server: 'plc',
        x: 100,
        y: 80,
        wires: [['sum'], []],
      },
      {
        id: 'sum',
        type: 'function',
        z: 'collect',
        name: 'sum',
        func: 'const [a, b] = msg.payload;\nreturn { topic: "line1/sum", payload: a + b };',
        outputs: 1,
        x: 260,
        y: 80,
        wires: [['pub']],
      },
      {
        id: 'pub',
        type: 'mqtt out',
        z: 'collect',
        topic: '',
        qos: '1',
        retain: 'false',
        broker: 'br',
        x: 420,
        y: 80,
        wires: [],
      },
      {
        id: 'sub',
        type: 'mqtt in',
        z: 'watch',
        topic: 'line1/#',
        qos: '1',
        datatype: 'auto-detect',
        broker: 'br',
        inputs: 0,
        x: 100,
        y: 80,
        wires: [['high']],
      },
      {
        id: 'high',
        type: 'switch',
        z: 'watch',
        property: 'payload',
        propertyType: 'msg',
        rules: [{ t: 'gt', v: '200', vt: 'num' }],
        checkall: 'true',
        outputs: 1,
        x: 260,
        y: 80,
        wires: [['dbg']],
      },
      { id: 'dbg', type: 'debug', z: 'watch', active: true, complete: 'false', x: 420, y: 80, wires: [] },
      {
        id: 'br',
        type: 'mqtt-broker',
        name: 'broker',
        broker: '127.0.0.1',
        port: String(broker.port),
        protocolVersion: '4',
        keepalive: '30',
        cleansession: true,
      },
      {
        id: 'plc',
        type: 'modbus-client',
        name: 'PLC',
        clienttype: 'tcp',
        tcpHost: '127.0.0.1',
        tcpPort: String(plcPort),
        tcpType: 'DEFAULT',
        unit_id: '1',
      },
    ];
    const { flows, report } = convert(objects);
    expect(flows.map((f) => f.id)).toEqual(['collect', 'watch']);
    expect(report.counts).toEqual({ exact: 6, different: 2, 'not-converted': 0, 'out-of-scope': 0 });
    const options = {
      nodes: [...CORE_NODES, modbusRead, mqttIn, mqttOut],
      resources: [modbusDevice, mqttBroker],
      fakeTime: false,
    };
    // One engine per flow here (a runtime shares the broker between its flows): two engines with
    // the same resource would connect with the same client id, and the broker drops one of them.
    const watchFlow = {
      ...flows[1],
      resources: flows[1].resources?.map((r) => ({ ...r, config: { ...r.config, clientId: 'watch' } })),
    };
    const watch = await runFlow(watchFlow, options);
    running.push(watch);
    const collect = await runFlow(flows[0], options);
    running.push(collect);
    // Registers 0 and 1 hold 100 and 101: the sum, 201, passes the switch.
    await until(() => watch.debug.length > 0, 15_000, 'the sum through Mosquitto');
    expect(watch.debug[0]).toEqual({ nodeId: 'dbg', data: 201 });
    expect(collect.errors).toEqual([]);
    expect(watch.errors).toEqual([]);
  });
});

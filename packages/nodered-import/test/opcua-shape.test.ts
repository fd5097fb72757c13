import { convert, entryOf, oneTab } from './helpers';

// node-red-contrib-opcua: OpcUa-Item names a variable (msg.topic), OpcUa-Client acts on it.
const endpoint = {
  id: 'ep',
  type: 'OpcUa-Endpoint',
  name: 'Press 4',
  endpoint: 'opc.tcp://10.0.0.9:4840',
  secpol: 'None',
  secmode: 'None',
  login: true,
  credentials: { user: 'operator', password: 'pump-house-7' },
};

describe('OpcUa-Endpoint, OpcUa-Item and OpcUa-Client', () => {
  it('read: the item sets msg.topic, the client reads the node id it names', () => {
    const { flows, report } = convert(
      oneTab(
        [
          { id: 'tick', type: 'inject', repeat: '10', once: true, payloadType: 'date', wires: [['item']] },
          {
            id: 'item',
            type: 'OpcUa-Item',
            item: 'ns=1;s=Press.Temp',
            datatype: 'Double',
            value: '',
            name: 'temp',
            wires: [['read']],
          },
          {
            id: 'read',
            type: 'OpcUa-Client',
            endpoint: 'ep',
            action: 'read',
            time: 10,
            timeUnit: 's',
            wires: [['dbg']],
          },
          { id: 'dbg', type: 'debug' },
        ],
        [endpoint],
      ),
    );
    const flow = flows[0];
    expect(flow.resources).toEqual([
      {
        id: 'press-4',
        type: 'opcua-server',
        name: 'Press 4',
        config: {
          endpointUrl: 'opc.tcp://10.0.0.9:4840',
          securityMode: 'None',
          securityPolicy: 'None',
          userName: 'operator',
          passwordEnv: 'OPCUA_PRESS_4_PASSWORD',
        },
      },
    ]);
    expect(JSON.stringify(flows)).not.toContain('pump-house-7');
    expect(flow.nodes.find((n) => n.id === 'item')?.config).toEqual({
      rules: [
        { action: 'set', property: 'topic', value: { type: 'literal', value: 'ns=1;s=Press.Temp' } },
        { action: 'set', property: 'datatype', value: { type: 'literal', value: 'Double' } },
      ],
    });
    expect(flow.edges).toEqual(
      expect.arrayContaining([
        { source: 'item', sourcePort: 'out', target: 'read-node-id', targetPort: 'in' },
        { source: 'read-node-id', sourcePort: 'out', target: 'read', targetPort: 'in' },
        { source: 'read', sourcePort: 'out', target: 'dbg', targetPort: 'in' },
      ]),
    );
    expect(entryOf(report, 'read').tagflowTypes).toEqual(['opcua-read', 'change']);
    expect(report.secrets.map((s) => s.name)).toEqual(['OPCUA_PRESS_4_PASSWORD']);
  });

  it('subscribe: the variables of the items before it, monitored from the start', () => {
    const { flows, report } = convert(
      oneTab(
        [
          { id: 'go', type: 'inject', once: true, wires: [['i1', 'i2']] },
          {
            id: 'i1',
            type: 'OpcUa-Item',
            item: 'ns=1;s=Press.Temp',
            datatype: 'Double',
            name: 'temp',
            wires: [['sub']],
          },
          { id: 'i2', type: 'OpcUa-Item', item: 'ns=1;s=Press.Count', datatype: 'Int32', name: '', wires: [['sub']] },
          {
            id: 'sub',
            type: 'OpcUa-Client',
            endpoint: 'ep',
            action: 'subscribe',
            time: '500',
            timeUnit: 'ms',
            wires: [['dbg']],
          },
          { id: 'dbg', type: 'debug' },
        ],
        [endpoint],
      ),
    );
    expect(flows[0].nodes.find((n) => n.id === 'sub')).toMatchObject({
      type: 'opcua-subscribe',
      config: {
        server: 'press-4',
        items: [{ nodeId: 'ns=1;s=Press.Temp', name: 'temp' }, { nodeId: 'ns=1;s=Press.Count' }],
        publishingIntervalMs: 500,
      },
    });
    expect(flows[0].edges.some((e) => e.target === 'sub')).toBe(false);
    expect(entryOf(report, 'sub').outcome).toBe('different');
  });

  it('write: the item data type, the node id from msg.topic; browse is not converted', () => {
    const { flows } = convert(
      oneTab(
        [
          { id: 'i', type: 'OpcUa-Item', item: 'ns=1;s=Press.Setpoint', datatype: 'Float', wires: [['w']] },
          { id: 'w', type: 'OpcUa-Client', endpoint: 'ep', action: 'write', wires: [[]] },
          { id: 'b', type: 'OpcUa-Client', endpoint: 'ep', action: 'browse', wires: [[]] },
        ],
        [endpoint],
      ),
    );
    expect(flows[0].nodes.find((n) => n.id === 'w')).toMatchObject({
      type: 'opcua-write',
      config: { server: 'press-4', dataType: 'Float' },
    });
    expect(flows[0].nodes.find((n) => n.id === 'b')).toMatchObject({
      type: 'nodered-placeholder',
      config: { nodeRedType: 'OpcUa-Client' },
    });
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { convertNodeRedFlows, renderReportMarkdown, summarizeReport } from '../src';
import { convert, entryOf } from './helpers';

const plant = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'plant.nodered.json'), 'utf8')) as unknown;

describe('a Node-RED export with tabs, a subflow, groups, config and dashboard nodes', () => {
  const { flows, report } = convert(plant);
  const [pumps, alarms, second] = flows;

  it('makes one flow per tab, ids from the labels, unique', () => {
    expect(flows.map((f) => [f.id, f.name])).toEqual([
      ['line-1-pumps', 'Line 1 – Pumps'],
      ['alarms', 'Alarms'],
      ['line-1-pumps-2', 'Line 1 – Pumps'],
    ]);
    expect(pumps.description).toBe('Pump monitoring');
    expect(pumps.nodes.map((n) => n.id)).toEqual(
      expect.arrayContaining(['inj1', 'fn1', 'sfi1', 'mqo1', 'lo1', 'exec1', 'dbg1', 'mbr1', 'mbr1-values']),
    );
    expect(alarms.nodes.map((n) => n.id).sort()).toEqual(['dbg2', 'mqi2', 'sw2', 'li2'].sort());
  });

  it('keeps positions and groups as layout data, comments as notes', () => {
    expect(pumps.nodes.find((n) => n.id === 'inj1')?.ui).toEqual({ x: 140, y: 120 });
    expect(pumps.ui?.groups).toEqual([
      {
        id: 'g1',
        name: 'Pump 3',
        color: '#e3f3d3',
        stroke: '#92d04f',
        nodes: ['inj1', 'fn1'],
        x: 54,
        y: 79,
        w: 352,
        h: 82,
      },
    ]);
    expect(pumps.ui?.comments).toEqual([{ id: 'c1', text: 'Pump 3 level\n\n4-20 mA transmitter', x: 120, y: 40 }]);
  });

  it('turns wires into edges with port names', () => {
    expect(pumps.edges).toEqual(
      expect.arrayContaining([
        { source: 'inj1', sourcePort: 'out', target: 'fn1', targetPort: 'in' },
        { source: 'fn1', sourcePort: 'out', target: 'sfi1', targetPort: 'in' },
        { source: 'sfi1', sourcePort: 'out', target: 'mqo1', targetPort: 'in' },
        { source: 'mbr1', sourcePort: 'out', target: 'mbr1-values', targetPort: 'in' },
        { source: 'mbr1-values', sourcePort: 'out', target: 'dbg1', targetPort: 'in' },
        { source: 'exec1', sourcePort: 'out1', target: 'dbg1', targetPort: 'in' },
      ]),
    );
    // The dashboard gauge is left out, and so are its wires.
    expect(pumps.edges.some((e) => e.target === 'ui1')).toBe(false);
  });

  it('makes the subflow a contract-B subflow placed in the flow using it, env as params', () => {
    expect(pumps.subflows).toHaveLength(1);
    const sub = pumps.subflows![0];
    expect(sub).toMatchObject({
      id: 'scale-and-filter',
      name: 'Scale and filter',
      description: '4-20 mA to %, then report changes',
      inputs: [{ port: 'in', to: [{ node: 'sf1-range', port: 'in' }] }],
      outputs: [{ port: 'out', from: [{ node: 'sf1-rbe', port: 'out' }] }],
      status: 'sf1-rbe',
      params: {
        type: 'object',
        properties: {
          MAXOUT: { type: 'number', title: 'MAXOUT', default: 100 },
          UNIT: { type: 'string', title: 'UNIT', default: '%' },
        },
      },
    });
    expect(sub.nodes.map((n) => n.type)).toEqual(['scale', 'change', 'deadband']);
    // An env typed input inside a subflow reads the instance's parameter.
    expect(sub.nodes[1].config).toEqual({
      rules: [{ action: 'set', property: 'unit', value: { type: 'literal', value: '${UNIT}' } }],
    });
    expect(pumps.nodes.find((n) => n.id === 'sfi1')).toMatchObject({
      type: 'subflow:scale-and-filter',
      config: { UNIT: 'percent' },
    });
    expect(alarms.subflows).toBeUndefined();
  });

  it('turns config nodes into resources, credentials into secret names', () => {
    expect(pumps.resources).toEqual([
      {
        id: 'plant-broker',
        type: 'mqtt-broker',
        name: 'Plant broker',
        config: {
          url: 'mqtt://10.0.0.5:1883',
          protocolVersion: 4,
          username: 'edge',
          passwordEnv: 'MQTT_PLANT_BROKER_PASSWORD',
          keepaliveSeconds: 60,
          cleanSession: true,
        },
      },
      {
        id: 'plc-3',
        type: 'modbus-device',
        name: 'PLC 3',
        config: { transport: 'tcp', host: '10.0.0.7', port: 502, unitId: 1, timeoutMs: 1000, minGapMs: 1 },
      },
    ]);
    expect(alarms.resources?.map((r) => r.id)).toEqual(['plant-broker']);
    expect(JSON.stringify(flows)).not.toContain('s3cret');
    expect(report.secrets).toEqual([{ name: 'MQTT_PLANT_BROKER_PASSWORD', for: expect.stringContaining('10.0.0.5') }]);
    expect(entryOf(report, 'br1')).toMatchObject({ outcome: 'different', tagflowIds: ['plant-broker'] });
  });

  it('keeps unconvertible nodes as placeholders with their config, and says why', () => {
    const exec = pumps.nodes.find((n) => n.id === 'exec1');
    expect(exec).toMatchObject({
      type: 'nodered-placeholder',
      name: 'ping',
      config: { nodeRedType: 'exec', original: { command: 'ping', addpay: false, name: 'ping' } },
    });
    expect(entryOf(report, 'exec1')).toMatchObject({ outcome: 'not-converted' });
    expect(entryOf(report, 'inj3').notes[0]).toMatch(/schedule.*00 08/);
    expect(second.nodes.find((n) => n.id === 'inj3')?.type).toBe('nodered-placeholder');
  });

  it('counts dashboard nodes (and their config nodes) as out of scope', () => {
    expect(report.dashboardNodes).toBe(3);
    expect(entryOf(report, 'ui1').outcome).toBe('out-of-scope');
    expect(summarizeReport(report)).toMatch(/3 dashboard nodes left out/);
  });

  it('reports every node with counts, and notes dropped links between tabs', () => {
    expect(report.entries).toHaveLength(23);
    expect(report.counts['not-converted']).toBe(2);
    expect(entryOf(report, 'li2').notes.join()).toMatch(/no longer receives from 1 link-out/);
    expect(entryOf(report, 'lo1').notes.join()).toMatch(/another tab are dropped/);
    expect(entryOf(report, 'mbr1').notes.join()).toMatch(/second output/);
    const markdown = renderReportMarkdown(report);
    expect(markdown).toMatch(/## Not converted \(placeholder\) \(2\)/);
    expect(markdown).toMatch(/tagflow secret set MQTT_PLANT_BROKER_PASSWORD/);
  });
});

describe('what is not a Node-RED export', () => {
  it.each([
    [{ schemaVersion: 1, id: 'x', nodes: [], edges: [] }, /already a tagflow flow/],
    [{ hello: 1 }, /not a Node-RED export/],
    [[], /empty/],
    [[{ id: 'a' }], /item 1 .* not a node/],
    [[{ id: 'c', type: 'mqtt-broker', broker: 'x' }], /no flow/],
  ])('%j is refused in plain words', (input, problem) => {
    const result = convertNodeRedFlows(input);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toMatch(problem);
  });

  it('reads the admin API v2 form { rev, flows }', () => {
    const result = convertNodeRedFlows({
      rev: 'abc',
      flows: [
        { id: 't', type: 'tab', label: 'A' },
        { id: 'd', type: 'debug', z: 't', wires: [] },
      ],
    });
    expect(result.ok && result.flows[0].nodes.map((n) => n.type)).toEqual(['debug']);
  });
});

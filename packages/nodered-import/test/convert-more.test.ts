import { convert, entryOf, oneTab } from './helpers';

describe('wiring details', () => {
  it('joins wires through Node-RED 3 junctions', () => {
    const { flows } = convert(
      oneTab([
        { id: 'a', type: 'change', rules: [], wires: [['j']] },
        { id: 'j', type: 'junction', wires: [['b', 'c']] },
        { id: 'b', type: 'debug' },
        { id: 'c', type: 'debug' },
      ]),
    );
    expect(flows[0].nodes.map((n) => n.id)).toEqual(['a', 'b', 'c']);
    expect(flows[0].edges).toEqual([
      { source: 'a', sourcePort: 'out', target: 'b', targetPort: 'in' },
      { source: 'a', sourcePort: 'out', target: 'c', targetPort: 'in' },
    ]);
  });

  it("routes a function's outputs through a switch, port i for output i", () => {
    const { flows, report } = convert(
      oneTab([
        { id: 'f', type: 'function', func: 'return [msg, null, msg];', outputs: 3, wires: [['a'], [], ['b']] },
        { id: 'a', type: 'debug' },
        { id: 'b', type: 'debug' },
      ]),
    );
    expect(flows[0].nodes.find((n) => n.id === 'f-outputs')).toMatchObject({
      type: 'switch',
      config: { property: '_nrOutput', outputs: 3, checkAll: false },
    });
    expect(flows[0].edges).toEqual([
      { source: 'f', sourcePort: 'out', target: 'f-outputs', targetPort: 'in' },
      { source: 'f-outputs', sourcePort: 'out1', target: 'a', targetPort: 'in' },
      { source: 'f-outputs', sourcePort: 'out3', target: 'b', targetPort: 'in' },
    ]);
    expect(entryOf(report, 'f').outcome).toBe('different');
  });

  it('reads the change node of Node-RED before 0.12 (one rule in action/property/to)', () => {
    const { flows } = convert(
      oneTab([{ id: 'c', type: 'change', action: 'replace', property: 'payload', from: '', to: 'on', reg: false }]),
    );
    expect(flows[0].nodes[0].config).toEqual({
      rules: [{ action: 'set', property: 'payload', value: { type: 'literal', value: 'on' } }],
    });
  });

  it('reads exports without tabs (Node-RED 0.x) as one flow', () => {
    const { flows } = convert([
      { id: 'a', type: 'inject', x: 10, y: 10, repeat: '1', wires: [['b']] },
      { id: 'b', type: 'debug', x: 100, y: 10, wires: [] },
    ]);
    expect(flows.map((f) => f.id)).toEqual(['imported-flow']);
    expect(flows[0].edges).toHaveLength(1);
  });
});

describe('subflows', () => {
  const objects = [
    { id: 'tab', type: 'tab', label: 'Main' },
    {
      id: 'outer',
      type: 'subflow',
      name: 'Outer',
      in: [{ x: 0, y: 0, wires: [{ id: 'inner-instance' }] }],
      out: [
        { x: 0, y: 0, wires: [{ id: 'inner-instance', port: 0 }] },
        { x: 0, y: 0, wires: [{ id: 'split-by', port: 1 }] },
      ],
      env: [{ name: 'LIMIT', type: 'num', value: '10' }],
    },
    {
      id: 'split-by',
      type: 'switch',
      z: 'outer',
      property: 'payload',
      rules: [{ t: 'lte', v: 'LIMIT', vt: 'env' }, { t: 'else' }],
      checkall: 'false',
      outputs: 2,
      x: 0,
      y: 0,
      wires: [[], []],
    },
    { id: 'inner-instance', type: 'subflow:inner', z: 'outer', x: 0, y: 0, wires: [['split-by']] },
    {
      id: 'inner',
      type: 'subflow',
      name: 'Main',
      in: [{ wires: [{ id: 'pass' }] }],
      out: [{ wires: [{ id: 'pass', port: 0 }] }],
      env: [],
    },
    { id: 'pass', type: 'change', z: 'inner', rules: [], x: 0, y: 0, wires: [[]] },
    {
      id: 'use',
      type: 'subflow:outer',
      z: 'tab',
      env: [{ name: 'LIMIT', type: 'num', value: '5' }],
      x: 0,
      y: 0,
      wires: [['d1'], ['d2']],
    },
    { id: 'd1', type: 'debug', z: 'tab', x: 0, y: 0, wires: [] },
    { id: 'd2', type: 'debug', z: 'tab', x: 0, y: 0, wires: [] },
  ];

  it('places nested subflows in the flow using them, outputs out1..outN, env in rules as ${NAME}', () => {
    const { flows } = convert(objects);
    const [main] = flows;
    // The tab gets the plain slug; a subflow with the same name gets the next one.
    expect(main.id).toBe('main');
    expect(main.subflows?.map((s) => s.id)).toEqual(['outer', 'main-2']);
    const outer = main.subflows![0];
    expect(outer.outputs).toEqual([
      { port: 'out1', from: [{ node: 'inner-instance', port: 'out' }] },
      { port: 'out2', from: [{ node: 'split-by', port: 'out2' }] },
    ]);
    expect(outer.nodes.find((n) => n.id === 'split-by')?.config).toMatchObject({
      rules: [{ op: 'lte', value: '${LIMIT}' }, { op: 'else' }],
    });
    expect(outer.nodes.find((n) => n.id === 'inner-instance')?.type).toBe('subflow:main-2');
    expect(main.nodes.find((n) => n.id === 'use')).toMatchObject({ type: 'subflow:outer', config: { LIMIT: 5 } });
    expect(main.edges).toEqual([
      { source: 'use', sourcePort: 'out1', target: 'd1', targetPort: 'in' },
      { source: 'use', sourcePort: 'out2', target: 'd2', targetPort: 'in' },
    ]);
  });
});

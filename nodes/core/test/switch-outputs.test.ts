import { runFlow, testNode } from '@tagflow/node-test';
import debug from '../src/debug.node';
import switchNode from '../src/switch.node';

/** A switch with one rule per value 1..12 (rule N matches value N), its out12 and out1 wired to debug nodes. */
function flow(outputs: number | undefined, rules = Array.from({ length: 12 }, (_, i) => ({ op: 'eq', value: i + 1 }))) {
  return {
    schemaVersion: 1,
    id: 'many-outputs',
    nodes: [
      { id: 'sw', type: 'switch', typeVersion: 1, config: { ...(outputs === undefined ? {} : { outputs }), rules } },
      { id: 'twelve', type: 'debug', typeVersion: 1 },
      { id: 'one', type: 'debug', typeVersion: 1 },
    ],
    edges: [
      { source: 'sw', sourcePort: 'out12', target: 'twelve' },
      { source: 'sw', sourcePort: 'out1', target: 'one' },
    ],
  };
}

/** Rules that would be fine with six outputs, so that only the edge from out12 is wrong. */
const sixPortRules = Array.from({ length: 12 }, (_, i) => ({ op: 'eq', value: i + 1, port: `out${(i % 6) + 1}` }));

describe('switch with as many outputs as its config says', () => {
  it('routes rule 12 to out12 and on along its edge, end to end', async () => {
    const f = await runFlow(flow(16), { nodes: [switchNode, debug] });
    for (const value of [12, 1, 7]) await f.inject('sw', value);
    await f.idle();
    expect(f.errors).toEqual([]);
    expect(f.payloads('sw', 'out12')).toEqual([12]);
    expect(f.payloads('sw', 'out7')).toEqual([7]);
    expect(f.debug).toEqual([
      { nodeId: 'twelve', data: 12 },
      { nodeId: 'one', data: 1 },
    ]);
    await f.stop();
  });

  it('refuses the deploy of an edge from out12 while the switch has 6 outputs, in plain words', async () => {
    await expect(runFlow(flow(6, sixPortRules), { nodes: [switchNode, debug] })).rejects.toThrow(
      '"out12" is not an output port of node "sw" (switch); its output ports are "out1" to "out6" (config field "outputs" is 6); set config field "outputs" to 12 or more to add it',
    );
    // A switch saved before `outputs` existed keeps its six.
    await expect(runFlow(flow(undefined, sixPortRules), { nodes: [switchNode, debug] })).rejects.toThrow(
      '(config field "outputs" is 6)',
    );
  });

  it('keeps its old meaning without the field: six outputs, rule N on outN', async () => {
    const h = await testNode(switchNode, { config: { rules: [{ op: 'true' }, { op: 'true', port: 'out6' }] } });
    await h.send(true);
    expect([h.payloads('out1'), h.payloads('out6')]).toEqual([[true], [true]]);
    await h.close();
  });
});

import { flowErrors, loopingGroups, shortestCycle, validateFlow } from '../src';
import type { Flow, NodeCatalog, NodeTypeInfo } from '../src';
import { mapCatalog } from './test-catalog';

const limiter: NodeTypeInfo = {
  type: 'limiter',
  version: 1,
  category: 'processor',
  inputs: ['in'],
  outputs: ['out'],
  configSchema: { type: 'object' },
  breaksCycles: true,
};

function catalog(): NodeCatalog {
  const base = mapCatalog();
  return { ...base, nodes: new Map([...(base.nodes as Map<string, NodeTypeInfo>), ['limiter', limiter]]) };
}

/** `sensor -> a -> b -> a`, the classic wiring loop, plus any extra nodes and edges. */
function loopFlow(extraNodes: Flow['nodes'] = [], extraEdges: Flow['edges'] = []): Flow {
  const scale = (id: string) => ({ id, type: 'scale', typeVersion: 3, config: { gain: 2 } });
  return {
    schemaVersion: 1,
    id: 'loop',
    nodes: [{ id: 'sensor', type: 'simulate', typeVersion: 1 }, scale('a'), scale('b'), ...extraNodes],
    edges: [
      { source: 'sensor', target: 'a' },
      { source: 'a', target: 'b' },
      { source: 'b', target: 'a' },
      ...extraEdges,
    ],
  };
}

function cycleWarnings(flow: unknown) {
  const result = validateFlow(flow, catalog());
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.errors)}`);
  return result.warnings.filter((w) => w.code === flowErrors.code.UNBROKEN_CYCLE);
}

describe('cycle check', () => {
  it('warns about a loop with no node that delays or limits, naming its nodes, and still accepts the flow', () => {
    const warnings = cycleWarnings(loopFlow());
    expect(warnings).toEqual([
      {
        code: flowErrors.code.UNBROKEN_CYCLE,
        path: '/nodes/1',
        nodeId: 'a',
        text:
          'On a loop with no node that delays or limits: a → b → a. A message sent into it goes round at full ' +
          'speed until it has passed 1000 nodes, then it is dropped; add a node that delays or limits it (such as ' +
          'delay or rate-limit), or make sure a switch ends the loop.',
        message:
          'node "a" (scale) is on a loop with no node that delays or limits: a → b → a. A message sent into it goes ' +
          'round at full speed until it has passed 1000 nodes, then it is dropped; add a node that delays or limits ' +
          'it (such as delay or rate-limit), or make sure a switch ends the loop.',
      },
    ]);
  });

  it('says the flow limit when the flow sets settings.maxHops', () => {
    const [warning] = cycleWarnings({ ...loopFlow(), settings: { maxHops: 50 } });
    expect(warning.message).toContain('until it has passed 50 nodes,');
  });

  it('stays quiet when a node on the loop breaks cycles, or is disabled', () => {
    const withLimiter = loopFlow(
      [{ id: 'slow', type: 'limiter', typeVersion: 1 }],
      [
        { source: 'b', target: 'slow' },
        { source: 'slow', target: 'b' },
      ],
    );
    // a <-> b still loops without the limiter: one warning, for that loop only.
    expect(cycleWarnings(withLimiter).map((w) => w.message)).toEqual([expect.stringContaining(': a → b → a.')]);
    const onlyThroughLimiter: Flow = {
      ...withLimiter,
      edges: withLimiter.edges.filter((e) => !(e.source === 'b' && e.target === 'a')),
    };
    expect(cycleWarnings(onlyThroughLimiter)).toEqual([]);
    const disabled = loopFlow();
    disabled.nodes[2] = { ...disabled.nodes[2], disabled: true };
    expect(cycleWarnings(disabled)).toEqual([]);
  });

  it('warns about a node wired to itself, and once per group of nodes that loop into each other', () => {
    const flow = loopFlow(
      [{ id: 'c', type: 'scale', typeVersion: 3, config: { gain: 1 } }],
      [
        { source: 'b', target: 'c' },
        { source: 'c', target: 'a' },
      ],
    );
    const [warning, ...rest] = cycleWarnings(flow);
    expect(rest).toEqual([]);
    expect(warning.message).toContain(': a → b → a (3 nodes loop into each other there).');
    // A wire from a node into itself is refused (SELF_LOOP), but the loop finder still knows one.
    expect(loopingGroups(['a', 'b'], (id) => (id === 'a' ? ['a', 'b'] : []))).toEqual([['a']]);
    expect(shortestCycle('a', () => ['a'])).toEqual(['a', 'a']);
  });

  it('finds loops in a 30,000-node line without overflowing the stack', () => {
    const ids = Array.from({ length: 30_000 }, (_, i) => `n${i}`);
    const next = (id: string) => {
      const i = Number(id.slice(1));
      return i + 1 < ids.length ? [`n${i + 1}`] : ['n0'];
    };
    const groups = loopingGroups(ids, next);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toHaveLength(30_000);
    expect(shortestCycle('n0', next)).toHaveLength(30_001);
    expect(loopingGroups(ids, (id) => next(id).filter((n) => n !== 'n0'))).toEqual([]);
  });
});

import { normalizeEdge, validateFlow } from '../src';
import { errorsOf, smallFlow } from './helpers';
import { mapCatalog } from './test-catalog';

const catalog = mapCatalog();

describe('edge checks', () => {
  it('reports both ends of an edge that joins nodes that do not exist', () => {
    const flow = smallFlow();
    flow.edges.push({ source: 'sensr', target: 'nowhere' });
    expect(errorsOf(validateFlow(flow, catalog))).toEqual([
      {
        code: 'DANGLING_EDGE',
        path: '/edges/1/source',
        edgeId: 'sensr:out->nowhere:in',
        message:
          'edge "sensr:out->nowhere:in": /edges/1/source "sensr" is not the id of a node in this flow; did you mean "sensor"?',
      },
      {
        code: 'DANGLING_EDGE',
        path: '/edges/1/target',
        edgeId: 'sensr:out->nowhere:in',
        message: 'edge "sensr:out->nowhere:in": /edges/1/target "nowhere" is not the id of a node in this flow',
      },
    ]);
  });

  it('lists the available ports when a port does not exist', () => {
    const flow = smallFlow();
    flow.nodes.push({ id: 'limit', type: 'threshold', typeVersion: 1, config: { above: 1 } });
    flow.edges.push({ id: 'bad-port', source: 'limit', sourcePort: 'high', target: 'avg' });
    expect(errorsOf(validateFlow(flow, catalog))).toEqual([
      {
        code: 'UNKNOWN_PORT',
        path: '/edges/1/sourcePort',
        edgeId: 'bad-port',
        nodeId: 'limit',
        message:
          'edge "bad-port": /edges/1/sourcePort "high" is not an output port of node "limit" (threshold); its output ports are "above" and "below"',
      },
    ]);
  });

  it('says when a defaulted port is the one missing', () => {
    const flow = smallFlow();
    flow.edges.push({ source: 'avg', target: 'sensor' });
    expect(errorsOf(validateFlow(flow, catalog))).toEqual([
      expect.objectContaining({
        code: 'UNKNOWN_PORT',
        path: '/edges/1/targetPort',
        nodeId: 'sensor',
        message:
          'edge "avg:out->sensor:in": /edges/1/targetPort "in" (targetPort defaults to "in" when left out) is not an input port of node "sensor" (simulate); it has no input ports',
      }),
    ]);
  });

  it('refuses the same connection twice, spelled with or without default ports', () => {
    const flow = smallFlow();
    flow.edges.push({ id: 'again', source: 'sensor', sourcePort: 'out', target: 'avg', targetPort: 'in' });
    expect(errorsOf(validateFlow(flow, catalog))).toEqual([
      {
        code: 'DUPLICATE_EDGE',
        path: '/edges/1',
        edgeId: 'again',
        message: 'edge "again": /edges/1 connects the same ports as the edge at /edges/0; remove one of them',
      },
    ]);
  });

  it('refuses two different edges with the same id', () => {
    const flow = smallFlow();
    flow.nodes.push({ id: 'log', type: 'debug', typeVersion: 1 });
    flow.edges = [
      { id: 'wire', source: 'sensor', target: 'avg' },
      { id: 'wire', source: 'avg', target: 'log' },
    ];
    expect(errorsOf(validateFlow(flow, catalog))).toEqual([
      expect.objectContaining({ code: 'DUPLICATE_EDGE_ID', path: '/edges/1/id', edgeId: 'wire' }),
    ]);
  });

  it('does not check edge ends when the node list itself is missing', () => {
    const { nodes: _nodes, ...flow } = smallFlow();
    expect(errorsOf(validateFlow(flow, catalog)).map((e) => e.code)).toEqual(['MISSING_FIELD']);
  });
});

describe('normalizeEdge', () => {
  it('fills in ports and id without touching the input', () => {
    const edge = Object.freeze({ source: 'a', target: 'b', targetPort: 'reset' });
    expect(normalizeEdge(edge)).toEqual({
      id: 'a:out->b:reset',
      source: 'a',
      sourcePort: 'out',
      target: 'b',
      targetPort: 'reset',
    });
    expect(normalizeEdge({ ...edge, id: 'mine' }).id).toBe('mine');
  });
});

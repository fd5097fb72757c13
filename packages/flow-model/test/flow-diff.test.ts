import { diffFlows, resourceIdsOf } from '../src';
import type { Flow, FlowNode } from '../src';

/** A pump-monitor-like flow: a simulator, a moving average, an alarm, a historian resource with two users. */
function plant(): Flow {
  return {
    schemaVersion: 1,
    id: 'plant',
    resources: [
      { id: 'history', type: 'historian', name: 'Local history', config: { backend: 'local', retentionDays: 30 } },
      { id: 'broker', type: 'mqtt-broker', config: { url: 'mqtt://127.0.0.1:1883' } },
    ],
    nodes: [
      { id: 'sensor', type: 'simulate', typeVersion: 1, name: 'Sensor', config: { tag: 'p/flow' }, ui: { x: 0, y: 0 } },
      { id: 'avg', type: 'moving-average', typeVersion: 1, config: { window: { count: 10 } } },
      { id: 'alarm', type: 'threshold', typeVersion: 1, config: { threshold: 42.5 } },
      { id: 'record-avg', type: 'historian-out', typeVersion: 1, config: { historian: 'history' } },
      { id: 'record-alarm', type: 'historian-out', typeVersion: 1, config: { historian: 'history' } },
    ],
    edges: [
      { source: 'sensor', target: 'avg' },
      { source: 'avg', target: 'alarm' },
      { source: 'avg', target: 'record-avg' },
      { source: 'alarm', sourcePort: 'high', target: 'record-alarm' },
    ],
  };
}

/** Resource fields as node types declare them: historian-out uses `config.historian`. */
const DECLARED: Record<string, Record<string, string>> = { 'historian-out': { historian: 'historian' } };
const resourcesOf = (node: FlowNode) => resourceIdsOf(node, DECLARED[node.type]);

function node(flow: Flow, id: string): FlowNode {
  const found = flow.nodes.find((n) => n.id === id);
  if (!found) throw new Error(`no node ${id}`);
  return found;
}

describe('diffFlows', () => {
  it('lists everything as added when nothing runs', () => {
    const next = plant();
    const diff = diffFlows(undefined, next, resourcesOf);
    expect(diff.added).toStrictEqual(['sensor', 'avg', 'alarm', 'record-avg', 'record-alarm']);
    expect(diff.resourcesAdded).toStrictEqual(['history', 'broker']);
    expect(diff.edgesAdded).toStrictEqual([
      'sensor:out->avg:in',
      'avg:out->alarm:in',
      'avg:out->record-avg:in',
      'alarm:high->record-alarm:in',
    ]);
    expect([...diff.changed, ...diff.unchanged, ...diff.removed, ...diff.edgesRemoved]).toStrictEqual([]);
  });

  it('reports identical flows, and copies of them, as unchanged', () => {
    const diff = diffFlows(plant(), plant(), resourcesOf);
    expect(diff.unchanged).toStrictEqual(['sensor', 'avg', 'alarm', 'record-avg', 'record-alarm']);
    expect(diff.resourcesUnchanged).toStrictEqual(['history', 'broker']);
    expect([
      ...diff.added,
      ...diff.changed,
      ...diff.removed,
      ...diff.resourcesAdded,
      ...diff.resourcesChanged,
      ...diff.resourcesRemoved,
      ...diff.edgesAdded,
      ...diff.edgesRemoved,
    ]).toStrictEqual([]);
  });

  it('sorts each node into added, removed, changed or unchanged, in the order of its flow', () => {
    const next = plant();
    node(next, 'avg').config = { window: { count: 20 } };
    node(next, 'alarm').typeVersion = 2;
    node(next, 'record-alarm').disabled = true;
    next.nodes = next.nodes.filter((n) => n.id !== 'sensor');
    next.nodes.push({ id: 'scale', type: 'scale', typeVersion: 1 });
    const diff = diffFlows(plant(), next, resourcesOf);
    expect(diff).toMatchObject({
      added: ['scale'],
      removed: ['sensor'],
      changed: ['avg', 'alarm', 'record-alarm'],
      unchanged: ['record-avg'],
    });
  });

  it('restarts a node for a new type or queue setting', () => {
    const next = plant();
    node(next, 'avg').type = 'aggregate';
    node(next, 'alarm').queue = { size: 10 };
    expect(diffFlows(plant(), next, resourcesOf).changed).toStrictEqual(['avg', 'alarm']);
  });

  it('does not restart a node for a new label, position or wiring', () => {
    const next = plant();
    node(next, 'sensor').name = 'Flow sensor';
    node(next, 'sensor').ui = { x: 100, y: 40 };
    next.edges = [{ source: 'sensor', target: 'alarm' }];
    const diff = diffFlows(plant(), next, resourcesOf);
    expect(diff.changed).toStrictEqual([]);
    expect(diff.unchanged).toHaveLength(5);
    expect(diff.edgesAdded).toStrictEqual(['sensor:out->alarm:in']);
    expect(diff.edgesRemoved).toStrictEqual([
      'sensor:out->avg:in',
      'avg:out->alarm:in',
      'avg:out->record-avg:in',
      'alarm:high->record-alarm:in',
    ]);
  });

  it('treats what JSON cannot tell apart as unchanged: absent or undefined fields, empty config and queue, disabled false', () => {
    const next = plant();
    node(next, 'avg').config = { window: { count: 10, ms: undefined } };
    node(next, 'alarm').queue = {};
    node(next, 'alarm').disabled = false;
    node(next, 'record-avg').config = { historian: 'history', topic: undefined };
    const previous = plant();
    delete node(previous, 'sensor').config;
    node(next, 'sensor').config = {};
    expect(diffFlows(previous, next, resourcesOf).changed).toStrictEqual([]);
  });

  it('restarts the users of a resource whose config or type changed, not for a new name', () => {
    const next = plant();
    next.resources![0].config = { backend: 'local', retentionDays: 7 };
    const diff = diffFlows(plant(), next, resourcesOf);
    expect(diff.resourcesChanged).toStrictEqual(['history']);
    expect(diff.resourcesUnchanged).toStrictEqual(['broker']);
    expect(diff.changed).toStrictEqual(['record-avg', 'record-alarm']);

    const retyped = plant();
    retyped.resources![0].type = 'historian-v2';
    expect(diffFlows(plant(), retyped, resourcesOf).changed).toStrictEqual(['record-avg', 'record-alarm']);

    const renamed = plant();
    renamed.resources![0].name = 'History';
    const quiet = diffFlows(plant(), renamed, resourcesOf);
    expect(quiet.resourcesChanged).toStrictEqual([]);
    expect(quiet.resourcesUnchanged).toStrictEqual(['history', 'broker']);
    expect(quiet.changed).toStrictEqual([]);
  });

  it('restarts a node moved onto a new resource, and lists a resource no longer in the flow as removed', () => {
    const next = plant();
    next.resources = [{ id: 'history-2', type: 'historian', config: { backend: 'local' } }];
    node(next, 'record-avg').config = { historian: 'history-2' };
    const diff = diffFlows(plant(), next, resourcesOf);
    expect(diff.resourcesAdded).toStrictEqual(['history-2']);
    expect(diff.resourcesRemoved).toStrictEqual(['history', 'broker']);
    expect(diff.changed).toStrictEqual(['record-avg']);
    expect(diff.unchanged).toContain('record-alarm');
  });

  it('asks resourcesOf which resources a node uses: without it a resource change restarts nobody', () => {
    const next = plant();
    next.resources![0].config = { backend: 'local', retentionDays: 7 };
    expect(diffFlows(plant(), next, () => []).changed).toStrictEqual([]);
  });
});

describe('resourceIdsOf', () => {
  it('reads the declared fields that hold a string, and nothing without declarations', () => {
    const n: FlowNode = { id: 'n', type: 't', typeVersion: 1, config: { broker: 'b1', db: 'h1', other: 'x', n: 3 } };
    expect(resourceIdsOf(n, { broker: 'mqtt-broker', db: 'historian' })).toStrictEqual(['b1', 'h1']);
    expect(resourceIdsOf({ ...n, config: { broker: 7 } }, { broker: 'mqtt-broker' })).toStrictEqual([]);
    expect(resourceIdsOf(n, undefined)).toStrictEqual([]);
    expect(resourceIdsOf({ id: 'n', type: 't', typeVersion: 1 }, { broker: 'mqtt-broker' })).toStrictEqual([]);
  });
});

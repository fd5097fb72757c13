import { deployDiff, FlowDocument } from '../src/state';
import { coreCatalog, pumpMonitor } from './load-fixtures';

// The runtime's rules (what restarts a node) are tested with diffFlows in packages/flow-model;
// these tests cover what the editor adds for the review: labels, moves, resource names.
describe('deployDiff', () => {
  const running = pumpMonitor();

  it('sorts each node into added, removed, changed, moved or unchanged', () => {
    let doc = FlowDocument.fromFlow(running);
    doc = doc.updateConfig('avg', { window: { count: 20 } }) as FlowDocument;
    doc = doc.rename('high-flow', 'Alarm above 42.5') as FlowDocument;
    doc = doc.moveNodes({ 'show-alarm': { x: 0, y: 0 } });
    doc = doc.removeElements(['show-average']);
    doc = doc.addNode('scale', 1, { x: 0, y: 0 });
    const diff = deployDiff(running, doc.toFlow());
    expect(diff).toStrictEqual({
      added: ['scale-1'],
      removed: ['show-average'],
      changed: ['avg', 'high-flow'],
      relabeled: ['high-flow'],
      moved: ['show-alarm'],
      unchanged: ['flow-sensor', 'record-average', 'record-alarm'],
      resourcesAdded: [],
      resourcesRemoved: [],
      resourcesChanged: [],
      edgesAdded: [],
      edgesRemoved: ['avg:out->show-average:in'],
    });
  });

  it('marks the nodes using a changed resource as changed, but not for a resource rename', () => {
    const edited = pumpMonitor();
    edited.resources![0].config = { backend: 'local', retentionDays: 7 };
    const diff = deployDiff(running, edited, coreCatalog());
    expect(diff.resourcesChanged).toStrictEqual(['pump-history']);
    expect(diff.changed).toStrictEqual(['record-average', 'record-alarm']);

    const renamed = pumpMonitor();
    renamed.resources![0].name = 'History';
    const quiet = deployDiff(running, renamed);
    expect(quiet.resourcesChanged).toStrictEqual(['pump-history']);
    expect(quiet.changed).toStrictEqual([]);
  });

  it('without a catalog, counts any node whose config names the changed resource as its user', () => {
    const edited = pumpMonitor();
    edited.resources![0].config = { backend: 'local', retentionDays: 7 };
    const users = running.nodes.filter((n) => Object.values(n.config ?? {}).includes('pump-history')).map((n) => n.id);
    expect(users).toStrictEqual(['record-average', 'record-alarm']);
    expect(deployDiff(running, edited).changed).toStrictEqual(users);
  });

  it('reports identical flows as unchanged', () => {
    const diff = deployDiff(running, FlowDocument.fromFlow(running).toFlow());
    expect(diff.unchanged).toHaveLength(running.nodes.length);
    expect([
      ...diff.added,
      ...diff.removed,
      ...diff.changed,
      ...diff.moved,
      ...diff.edgesAdded,
      ...diff.edgesRemoved,
    ]).toStrictEqual([]);
  });
});

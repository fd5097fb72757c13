import { FlowDocument, validate } from '../src/state';
import type { EditResult } from '../src/state';
import { coreCatalog } from './load-fixtures';

const catalog = coreCatalog();

function done(result: EditResult): FlowDocument {
  if (!result.ok) throw new Error(`edit refused: ${result.reason}`);
  return result;
}

/** A switch with 16 outputs, its out12 and out1 wired to debug nodes. */
function wired(): FlowDocument {
  let doc = FlowDocument.empty('routing');
  doc = doc.addNode('switch', 1, { x: 0, y: 0 }, { outputs: 16 }); // switch-1
  doc = doc.addNode('debug', 1, { x: 300, y: 0 }); // debug-1
  doc = doc.addNode('debug', 1, { x: 300, y: 200 }); // debug-2
  doc = done(doc.connect({ source: 'switch-1', sourcePort: 'out12', target: 'debug-1', targetPort: 'in' }, catalog));
  return done(doc.connect({ source: 'switch-1', sourcePort: 'out1', target: 'debug-2', targetPort: 'in' }, catalog));
}

describe('output ports numbered by the config, in the editor', () => {
  it('reads numberedOutputs from GET /api/nodes', () => {
    expect(catalog.nodes.get('switch')).toMatchObject({
      outputs: [],
      numberedOutputs: { prefix: 'out', countField: 'outputs' },
    });
  });

  it('lets a wire start at out12 only while the config has 12 outputs or more', () => {
    const doc = wired();
    expect(doc.edges.map((e) => e.sourcePort)).toStrictEqual(['out12', 'out1']);
    const six = FlowDocument.empty('f').addNode('switch', 1, { x: 0, y: 0 }).addNode('debug', 1, { x: 300, y: 0 });
    const refused = six.connect(
      { source: 'switch-1', sourcePort: 'out12', target: 'debug-1', targetPort: 'in' },
      catalog,
    );
    expect(refused).toStrictEqual({
      ok: false,
      reason:
        '"out12" is not an output port of node "switch-1" (switch); its output ports are "out1", "out2", "out3", "out4", "out5" and "out6"',
    });
  });

  it('drops the wires of the outputs a lower count takes away, in one undo step', () => {
    const doc = wired();
    const lowered = done(doc.updateConfig('switch-1', { outputs: 6 }, catalog));
    expect(lowered.edges.map((e) => e.id)).toStrictEqual(['switch-1:out1->debug-2:in']);
    expect(validate(lowered, catalog).errors).toStrictEqual([]);
    const undone = lowered.undo();
    expect(undone.node('switch-1')?.config).toStrictEqual({ outputs: 16 });
    expect(undone.edges).toHaveLength(2);
  });

  it('flags a wire from a port past the count when the config changes without the catalog (e.g. as JSON)', () => {
    const lowered = done(wired().updateConfig('switch-1', { outputs: 6 }));
    expect(lowered.edges).toHaveLength(2);
    const result = validate(lowered, catalog);
    expect(result.errors).toMatchObject([{ code: 'UNKNOWN_PORT', nodeId: 'switch-1' }]);
    expect(result.errors[0].message).toContain('set config field "outputs" to 12 or more to add it');
  });
});

import { FlowDocument, validate } from '../src/state';
import { coreCatalog, pumpMonitor } from './load-fixtures';

const catalog = coreCatalog();

describe('validate', () => {
  it('passes examples/pump-monitor with the real node definitions', () => {
    const result = validate(pumpMonitor(), catalog);
    expect(result.issues).toStrictEqual([]);
    expect(result.ok).toBe(true);
  });

  it('finds a moving-average window count of 0 with its field path, from a document', () => {
    const doc = FlowDocument.fromFlow(pumpMonitor()).updateConfig('avg', { window: { count: 0 } });
    if (!doc.ok) throw new Error(doc.reason);
    const result = validate(doc, catalog);
    expect(result.ok).toBe(false);
    expect(result.errors).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({ code: 'CONFIG_INVALID', nodeId: 'avg', severity: 'error' });
    expect(result.byNode.get('avg')).toHaveLength(1);
    expect([...result.byField('avg')]).toStrictEqual([
      ['window.count', 'Window size must be at least 1 (you typed 0)'],
    ]);
    expect(result.byField('high-flow').size).toBe(0);
  });

  it('maps plain field errors (no oneOf) straight from the issue path', () => {
    const flow = pumpMonitor();
    flow.nodes[2].config = { above: 'high', hysteresis: 1 };
    const fields = validate(flow, catalog).byField('high-flow');
    expect([...fields.keys()]).toStrictEqual(['above']);
    expect(fields.get('above')).toBe('High limit must be a number, e.g. 42.5 (you typed "high")');
  });

  it('indexes edge and resource issues, and keeps warnings apart from errors', () => {
    const flow = pumpMonitor();
    flow.edges.push({ source: 'avg', sourcePort: 'nope', target: 'show-alarm' });
    flow.nodes.push({ id: 'lonely', type: 'scale', typeVersion: 2 });
    flow.resources![0].config = { backend: 'local', retentionDays: -1 };
    const result = validate(flow, catalog);
    expect(result.byEdge.get('avg:nope->show-alarm:in')?.[0].code).toBe('UNKNOWN_PORT');
    expect(result.byResource.get('pump-history')?.[0].code).toBe('RESOURCE_CONFIG_INVALID');
    expect([...result.byResourceField('pump-history').keys()]).toStrictEqual(['retentionDays']);
    expect(result.warnings.map((w) => w.code)).toStrictEqual(['UNCONNECTED_NODE']);
    expect(result.issues.at(-1)).toMatchObject({ nodeId: 'lonely', severity: 'warning' });
  });

  it('lists a loop with no node that delays or limits as a warning on its node, and none through rate-limit', () => {
    const flow = pumpMonitor();
    flow.nodes.push(
      { id: 'a', type: 'scale', typeVersion: 2, config: { in: { min: 0, max: 1 }, out: { min: 0, max: 2 } } },
      { id: 'b', type: 'scale', typeVersion: 2, config: { in: { min: 0, max: 1 }, out: { min: 0, max: 2 } } },
    );
    flow.edges.push({ source: 'a', target: 'b' }, { source: 'b', target: 'a' });
    const result = validate(flow, catalog);
    expect(result.ok).toBe(true);
    expect(result.warnings.map((w) => w.code)).toStrictEqual(['UNBROKEN_CYCLE']);
    expect(result.byNode.get('a')).toMatchObject([{ severity: 'warning', code: 'UNBROKEN_CYCLE' }]);
    expect(result.byNode.get('a')![0].message).toContain('is on a loop with no node that delays or limits: a → b → a.');

    flow.nodes.push({ id: 'limit', type: 'rate-limit', typeVersion: 1, config: { rate: 1, perSeconds: 1 } });
    flow.edges.splice(-1, 1, { source: 'b', target: 'limit' }, { source: 'limit', target: 'a' });
    expect(validate(flow, catalog).warnings).toStrictEqual([]);
  });
});

import { selfLoopReason } from '@tagflow/flow-model';
import { checkConnection, FlowDocument } from '../src/state';
import type { Connection } from '../src/state';
import { coreCatalog } from './load-fixtures';

const catalog = coreCatalog();
let doc = FlowDocument.empty('wiring');
doc = doc.addNode('simulate', 1, { x: 0, y: 0 }); // simulate-1: outputs out
doc = doc.addNode('threshold', 1, { x: 200, y: 0 }); // threshold-1: in -> out, samples
doc = doc.addNode('debug', 1, { x: 400, y: 0 }); // debug-1: in, no outputs
doc = doc.addNode('no-such-type', 1, { x: 400, y: 200 });

const conn = (source: string, sourcePort: string, target: string, targetPort: string): Connection => ({
  source,
  sourcePort,
  target,
  targetPort,
});

describe('connect', () => {
  it('wires an output to an input; the edge id is its key', () => {
    const result = doc.connect(conn('threshold-1', 'samples', 'debug-1', 'in'), catalog);
    if (!result.ok) throw new Error(result.reason);
    expect(result.edges).toStrictEqual([
      {
        id: 'threshold-1:samples->debug-1:in',
        source: 'threshold-1',
        sourcePort: 'samples',
        target: 'debug-1',
        targetPort: 'in',
      },
    ]);
  });

  const refusals: Array<[string, Connection, string]> = [
    [
      'unknown output port',
      conn('simulate-1', 'alarm', 'threshold-1', 'in'),
      '"alarm" is not an output port of node "simulate-1" (simulate); its only output port is "out"',
    ],
    [
      'unknown input port',
      conn('simulate-1', 'out', 'threshold-1', 'reset'),
      '"reset" is not an input port of node "threshold-1" (threshold); its only input port is "in"',
    ],
    [
      'source port that is an input',
      conn('threshold-1', 'in', 'debug-1', 'in'),
      '"in" is an input port of node "threshold-1" (threshold); connect from an output port instead (its output ports are "out" and "samples")',
    ],
    [
      'target port that is an output',
      conn('simulate-1', 'out', 'threshold-1', 'samples'),
      '"samples" is an output port of node "threshold-1" (threshold); connect to an input port instead (its only input port is "in")',
    ],
    [
      'from a node without outputs',
      conn('debug-1', 'out', 'threshold-1', 'in'),
      'node "debug-1" (debug) has no output ports, so a connection cannot start there',
    ],
    [
      'into a node without inputs',
      conn('threshold-1', 'out', 'simulate-1', 'in'),
      'node "simulate-1" (simulate) has no input ports, so a connection cannot end there',
    ],
    ['missing node', conn('ghost', 'out', 'debug-1', 'in'), 'there is no node "ghost" in this flow'],
    [
      'node of an uninstalled type',
      conn('simulate-1', 'out', 'no-such-type-1', 'in'),
      'node "no-such-type-1" (no-such-type) is of a type that is not installed, so its ports are unknown',
    ],
  ];

  it.each(refusals)('refuses %s, saying why', (_name, c, reason) => {
    expect(doc.connect(c, catalog)).toStrictEqual({ ok: false, reason });
    expect(checkConnection(doc, c, catalog)).toBe(reason);
  });

  it('refuses a duplicate edge', () => {
    const once = doc.connect(conn('simulate-1', 'out', 'threshold-1', 'in'), catalog);
    if (!once.ok) throw new Error(once.reason);
    expect(once.connect(conn('simulate-1', 'out', 'threshold-1', 'in'), catalog)).toStrictEqual({
      ok: false,
      reason: 'port "out" of node "simulate-1" is already connected to port "in" of node "threshold-1"',
    });
  });

  it('refuses a wire from a node into itself, in the words of tagflow validate (SELF_LOOP)', () => {
    const result = doc.connect(conn('threshold-1', 'out', 'threshold-1', 'in'), catalog);
    const words = selfLoopReason('threshold-1', 'threshold');
    expect(result).toStrictEqual({ ok: false, reason: `this wire ${words}` });
    expect(words).toContain('to itself');
  });
});

import {
  deployDiff,
  deployRefusal,
  diffEdgeWords,
  diffNodeNames,
  FlowDocument,
  issueText,
  NO_REFUSAL,
  problemEntries,
  standingRefusals,
  validate,
} from '../src/state';
import type { RefusalIssue } from '../src/state';
import { coreCatalog, pumpMonitor } from './load-fixtures';

// Issue 18: plain words everywhere, warnings that are warnings, and a fixed refusal that clears.

const catalog = coreCatalog();

describe('plain words beside the fields', () => {
  it('says a wrong High limit with its label and what was typed', () => {
    const flow = pumpMonitor();
    flow.nodes[2].config = { above: 'abc', hysteresis: 1 };
    const result = validate(flow, catalog);
    expect(result.byField('high-flow').get('above')).toBe('High limit must be a number, e.g. 42.5 (you typed "abc")');
    expect(result.errors[0].message).toBe(
      'node "High flow alarm" (threshold): High limit must be a number, e.g. 42.5 (you typed "abc")',
    );
  });

  it('asks for a limit when the threshold has none, on the form as a whole', () => {
    const flow = pumpMonitor();
    flow.nodes[2].config = {};
    const fields = validate(flow, catalog).byField('high-flow');
    expect([...fields]).toStrictEqual([['', 'Set at least one limit: High limit or Low limit']]);
  });

  it('makes the first node dropped a warning (not connected yet), not an error', () => {
    const doc = FlowDocument.empty('new-flow').addNode('simulate', 1, { x: 0, y: 0 });
    const result = validate(doc, catalog);
    expect(result.ok).toBe(true);
    expect(result.errors).toStrictEqual([]);
    expect(result.warnings).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({ severity: 'warning', code: 'UNCONNECTED_NODE', nodeId: 'simulate-1' });
    expect(issueText(result.issues[0])).toBe(
      'Not connected to any other node yet: wire it to another node, or remove it if it is not needed',
    );
  });
});

describe('problemEntries', () => {
  it('lists errors, then warnings, each named by the node label, with the path only as a detail', () => {
    const flow = pumpMonitor();
    flow.nodes[2].config = { above: 'abc', hysteresis: 1 };
    flow.nodes.push({ id: 'spare', type: 'debug', typeVersion: 1, name: 'Spare display' });
    const doc = FlowDocument.fromFlow(flow);
    const entries = problemEntries(validate(doc, catalog), new Map(), doc);
    expect(entries.map(({ severity, nodeId, owner, text, path }) => ({ severity, nodeId, owner, text, path }))).toEqual(
      [
        {
          severity: 'error',
          nodeId: 'high-flow',
          owner: 'High flow alarm',
          text: 'High limit must be a number, e.g. 42.5 (you typed "abc")',
          path: '/nodes/2/config/above',
        },
        {
          severity: 'warning',
          nodeId: 'spare',
          owner: 'Spare display',
          text: 'Not connected to any other node yet: wire it to another node, or remove it if it is not needed',
          path: '/nodes/7',
        },
      ],
    );
  });

  it("puts a standing refusal first, in the runtime's words without the subject", () => {
    const doc = FlowDocument.fromFlow(pumpMonitor());
    const refusals = new Map<string, RefusalIssue[]>([
      [
        'record-alarm',
        [
          {
            code: 'RESOURCE_START_FAILED',
            nodeId: 'record-alarm',
            path: '/nodes/6',
            message: 'node "Record alarms" (historian-out) could not open its database',
          },
        ],
      ],
    ]);
    const [first] = problemEntries(validate(doc, catalog), refusals, doc);
    expect(first).toMatchObject({ refused: true, severity: 'error', owner: 'Record alarms' });
    expect(first.text).toBe('Could not open its database');
  });
});

describe('a refused deploy', () => {
  const refusedIssue: RefusalIssue = {
    code: 'CONFIG_INVALID',
    nodeId: 'high-flow',
    path: '/nodes/2/config/above',
    message: 'node "High flow alarm" (threshold): High limit must be a number, e.g. 42.5 (you typed "abc")',
  };
  const sent = () => {
    const flow = pumpMonitor();
    flow.nodes[2].config = { above: 'abc', hysteresis: 1 };
    return flow;
  };

  it('stands while the refused node is unchanged (moved or relabelled included)', () => {
    const refusal = deployRefusal([refusedIssue, { message: 'the flow was refused' }], sent());
    const moved = sent();
    moved.nodes[2].ui = { x: 500, y: 20 };
    moved.nodes[2].name = 'Renamed';
    expect([...standingRefusals(refusal, moved)]).toStrictEqual([['high-flow', [refusedIssue]]]);
  });

  it('clears as soon as the user changes the refused setting', () => {
    const refusal = deployRefusal([refusedIssue], sent());
    const fixed = sent();
    fixed.nodes[2].config = { above: 45, hysteresis: 1 };
    expect(standingRefusals(refusal, fixed).size).toBe(0);
  });

  it('clears when the node is removed, and there is none before any deploy', () => {
    const refusal = deployRefusal([refusedIssue], sent());
    const without = sent();
    without.nodes.splice(2, 1);
    expect(standingRefusals(refusal, without).size).toBe(0);
    expect(standingRefusals(NO_REFUSAL, sent()).size).toBe(0);
  });
});

describe('the deploy diff in names', () => {
  it('names changed nodes by label, with the id as a detail, and wires by node names', () => {
    const running = pumpMonitor();
    const edited = pumpMonitor();
    edited.nodes[2].config = { above: 45, hysteresis: 1 };
    edited.nodes.push({ id: 'simulate-1', type: 'simulate', typeVersion: 1 });
    edited.edges.push({ source: 'simulate-1', target: 'high-flow' });
    const diff = deployDiff(running, edited, catalog);
    const name = diffNodeNames(running, edited);
    expect(diff.changed.map(name)).toStrictEqual([{ name: 'High flow alarm', id: 'high-flow' }]);
    expect(diff.added.map(name)).toStrictEqual([{ name: 'simulate-1' }]);
    expect(diff.edgesAdded.map((key) => diffEdgeWords(key, name))).toStrictEqual(['simulate-1 → High flow alarm']);
    const removed = pumpMonitor();
    removed.nodes.splice(3, 1);
    expect(diffNodeNames(running, removed)('show-average')).toStrictEqual({ name: 'Average flow', id: 'show-average' });
  });
});

import { flowsJson, formatFlows } from '../../src/fleet/flows-output';
import type { FlowsResult } from '../../src/fleet/flows-output';

const summary = (id: string, version: number, state: 'running' | 'disabled' | 'failed', name?: string) => ({
  id,
  ...(name ? { name } : {}),
  state,
  version,
  hash: 'h',
  deployedAt: '2026-12-04T10:00:00.000Z',
  deployedBy: 'ci',
  nodes: 4,
  counters: { in: 1200, out: 1180, errors: state === 'failed' ? 3 : 0, dropped: 0 },
  ...(state === 'failed' ? { reason: 'node "avg" failed twice in a row; no healthy version to go back to' } : {}),
});

describe('tagflow flows output', () => {
  const results: FlowsResult[] = [
    {
      runtime: 'plant-a-l1',
      url: 'http://a',
      ok: true,
      flows: [
        summary('pump-monitor', 3, 'running', 'Pump 3 flow sensor'),
        summary('alarms', 1, 'failed'),
        summary('report', 0, 'disabled', 'Shift report'),
      ],
    },
    { runtime: 'b', url: 'http://b', ok: true, flows: [] },
    { runtime: 'c', url: 'http://c', ok: false, reachable: false, error: 'connection refused' },
  ];

  it('lists each flow of each runtime with state, version and counters, the name last', () => {
    expect(formatFlows(results)).toBe(
      [
        'runtime     flow          state     version  in    out   errors  dropped  name',
        'plant-a-l1  pump-monitor  running   v3       1200  1180  0       0        Pump 3 flow sensor',
        'plant-a-l1  alarms        failed    v1       1200  1180  3       0',
        '    node "avg" failed twice in a row; no healthy version to go back to',
        'plant-a-l1  report        disabled  none     1200  1180  0       0        Shift report',
        'b           no flow',
        'c           unreachable: connection refused',
        '',
      ].join('\n'),
    );
  });

  it('gives scripts every summary as the runtime sent it', () => {
    expect(flowsJson(results)).toEqual({
      ok: false,
      runtimes: [
        {
          runtime: 'plant-a-l1',
          url: 'http://a',
          ok: true,
          reachable: true,
          flows: (results[0] as { flows: unknown }).flows,
        },
        { runtime: 'b', url: 'http://b', ok: true, reachable: true, flows: [] },
        { runtime: 'c', url: 'http://c', ok: false, reachable: false, error: 'connection refused' },
      ],
    });
  });
});

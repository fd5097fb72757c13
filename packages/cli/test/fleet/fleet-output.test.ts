import type { RuntimeStatus } from '../../src/fleet/admin-client';
import {
  formatResults,
  formatStatus,
  formatUptime,
  nodesInError,
  statusJson,
  totalBacklog,
} from '../../src/fleet/fleet-output';
import type { StatusResult } from '../../src/fleet/fleet-output';

const version = (n: number, note?: string) => ({
  version: n,
  flowId: 'pump',
  hash: 'h',
  deployedAt: '2026-01-01T00:00:00.000Z',
  deployedBy: 'ci',
  ...(note ? { note } : {}),
});

describe('formatResults', () => {
  it('shows one row per runtime, with reasons on the lines below', () => {
    const text = formatResults([
      { runtime: 'plant-a-l1', flow: 'pump', url: 'http://a', outcome: { status: 'deployed', version: version(4) } },
      { runtime: 'b', flow: 'pump', url: 'http://b', outcome: { status: 'unchanged', version: version(2) } },
      {
        runtime: 'c',
        flow: 'pump',
        url: 'http://c',
        outcome: {
          status: 'rejected',
          errors: [
            {
              code: 'UNKNOWN_NODE_TYPE',
              message: 'node "x" (mystery): /nodes/0/type: no node type "mystery"',
              path: '/nodes/0/type',
            },
          ],
        },
      },
      {
        runtime: 'd',
        flow: 'pump',
        url: 'http://d',
        outcome: {
          status: 'rolled-back',
          failedVersion: version(3),
          restored: version(2),
          reason: 'node "fn" (function): boom',
        },
      },
      { runtime: 'e', flow: 'pump', url: 'http://e', outcome: { status: 'conflict', current: 9 } },
      { runtime: 'f', flow: 'pump', url: 'http://f', outcome: { status: 'unreachable', error: 'connection refused' } },
      { runtime: 'g', flow: 'pump', url: 'http://g', outcome: { status: 'skipped', reason: 'canary failed' } },
    ]);
    expect(text).toBe(
      [
        'runtime     flow  result',
        'plant-a-l1  pump  deployed v4',
        'b           pump  unchanged v2',
        'c           pump  rejected (1 error)',
        '    node "x" (mystery): /nodes/0/type: no node type "mystery" [UNKNOWN_NODE_TYPE]',
        'd           pump  rolled back: node "fn" (function): boom',
        '    v3 failed in its health window; v2 runs again',
        'e           pump  conflict: it was changed meanwhile (now v9); check and deploy again',
        'f           pump  unreachable: connection refused',
        'g           pump  skipped (canary failed)',
        '',
      ].join('\n'),
    );
  });

  it('shows the note of a rollback version', () => {
    expect(
      formatResults([
        {
          runtime: 'a',
          flow: 'pump',
          url: 'http://a',
          outcome: { status: 'deployed', version: version(6, 'rollback to 4') },
        },
      ]),
    ).toBe('runtime  flow  result\na        pump  deployed v6\n    rollback to 4\n');
  });

  it('shows one row per flow of each runtime', () => {
    expect(
      formatResults([
        {
          runtime: 'plant-a-l1',
          flow: 'pump-monitor',
          url: 'http://a',
          outcome: { status: 'deployed', version: version(2) },
        },
        {
          runtime: 'plant-a-l1',
          flow: 'alarms',
          url: 'http://a',
          outcome: { status: 'unchanged', version: version(1) },
        },
        {
          runtime: 'b',
          flow: 'pump-monitor',
          url: 'http://b',
          outcome: { status: 'skipped', reason: 'canary failed' },
        },
        { runtime: 'b', flow: 'alarms', url: 'http://b', outcome: { status: 'skipped', reason: 'canary failed' } },
      ]),
    ).toBe(
      [
        'runtime     flow          result',
        'plant-a-l1  pump-monitor  deployed v2',
        'plant-a-l1  alarms        unchanged v1',
        'b           pump-monitor  skipped (canary failed)',
        'b           alarms        skipped (canary failed)',
        '',
      ].join('\n'),
    );
  });
});

describe('status', () => {
  const counters = (errors = 0) => ({ in: 10, out: 10, errors, dropped: 0, queued: 0 });
  const status: RuntimeStatus = {
    flow: { id: 'pump', version: 3, hash: 'h' },
    nodes: {
      sensor: { status: { state: 'ok' }, counters: counters() },
      out: { status: { state: 'disconnected', text: 'broker down', backlog: 40 }, counters: counters(2) },
      fn: { status: { state: 'error', text: 'boom' }, counters: counters(5) },
      store: { status: { state: 'ok', backlog: 2 }, counters: counters() },
    },
    uptimeSeconds: 3700,
  };

  it('finds nodes in error (state or counted errors) and sums the backlog', () => {
    expect(nodesInError(status).map((n) => n.id)).toEqual(['fn', 'out']);
    expect(totalBacklog(status)).toBe(42);
  });

  it('lays out reachable and unreachable runtimes', () => {
    const results: StatusResult[] = [
      { runtime: 'plant-a-l1', url: 'http://a', ok: true, status },
      { runtime: 'b', url: 'http://b', ok: true, status: { flow: null, nodes: {}, uptimeSeconds: 5 } },
      {
        runtime: 'e',

        url: 'http://e',
        ok: true,
        status: {
          flow: { id: 'pump', version: 4, hash: 'h' },
          nodes: {},
          uptimeSeconds: 65,
          engine: {
            state: 'safe-mode',
            pid: 4242,
            lastEnd: {
              at: '2026-12-03T08:03:03.182Z',
              kind: 'watchdog',
              reason: 'the engine sent no heartbeat for 5012 ms (limit 5000 ms, --watchdog-ms): it was stuck',
              nodeId: 'a',
              nodeType: 'scale',
              version: 4,
            },
            safeMode: {
              reason: 'version 4 was ended; no version ran healthily before it',
              since: '2026-12-03T08:03:04.108Z',
            },
          },
        },
      },
      { runtime: 'c', url: 'http://c', ok: false, reachable: false, error: 'connection refused' },
      {
        runtime: 'd',

        url: 'http://d',
        ok: false,
        reachable: true,
        error: 'the token was refused (401); check T_D',
      },
    ];
    expect(formatStatus(results)).toBe(
      [
        'runtime     state      flow     nodes in error  backlog  up',
        'plant-a-l1  ok         pump v3  2               42       1h 1m',
        '    fn: state error (boom), 5 errors',
        '    out: state disconnected (broker down), 2 errors',
        'b           ok         no flow  none            0        5s',
        'e           safe-mode  pump v4  none            0        1m 5s',
        '    safe mode since 2026-12-03T08:03:04.108Z: version 4 was ended; no version ran healthily before it',
        '    engine ended at 2026-12-03T08:03:03.182Z (version 4) while node "a" (scale) ran: the engine sent no heartbeat for 5012 ms (limit 5000 ms, --watchdog-ms): it was stuck',
        'c           unreachable: connection refused',
        'd           failed: the token was refused (401); check T_D',
        '',
      ].join('\n'),
    );
    expect(statusJson(results)).toMatchObject({
      ok: false,
      runtimes: [
        {
          runtime: 'plant-a-l1',
          ok: true,
          flow: { id: 'pump', version: 3 },
          backlog: 42,
          nodesInError: [{ id: 'fn', errors: 5 }, { id: 'out' }],
        },
        { runtime: 'b', ok: true, flow: null, engine: null },
        { runtime: 'e', ok: true, engine: { state: 'safe-mode', safeMode: { reason: expect.any(String) } } },
        { runtime: 'c', ok: false, reachable: false, error: 'connection refused' },
        { runtime: 'd', ok: false, reachable: true },
      ],
    });
  });

  it('shows each flow of a runtime running several, and their nodes in error as flow/node', () => {
    const summary = (id: string, version: number, state: 'running' | 'disabled', errors = 0) => ({
      id,
      state,
      version,
      hash: 'h',
      deployedAt: '2026-12-04T10:00:00.000Z',
      deployedBy: 'ci',
      nodes: 3,
      counters: { in: 100 + version, out: 90, errors, dropped: 1 },
    });
    const flows = [summary('pump', 3, 'running', 2), summary('alarms', 1, 'running'), summary('report', 2, 'disabled')];
    const results: StatusResult[] = [
      {
        runtime: 'plant-a-l1',
        url: 'http://a',
        ok: true,
        status: { ...status, flows },
        flowNodes: {
          pump: status.nodes,
          alarms: { high: { status: { state: 'ok', backlog: 5 }, counters: counters() } },
          report: {},
        },
      },
      {
        runtime: 'b',
        url: 'http://b',
        ok: true,
        status: {
          flow: { id: 'pump', version: 1, hash: 'h' },
          flows: [{ ...summary('pump', 1, 'disabled'), reason: 'disabled by ci' }],
          nodes: {},
          uptimeSeconds: 5,
        },
      },
      { runtime: 'c', url: 'http://c', ok: true, status: { flow: null, flows: [], nodes: {}, uptimeSeconds: 5 } },
    ];
    expect(formatStatus(results)).toBe(
      [
        'runtime     state  flow                nodes in error  backlog  up',
        'plant-a-l1  ok     3 flows             2               47       1h 1m',
        '    flow pump v3: running, 103 in, 90 out, 2 errors, 1 dropped',
        '    flow alarms v1: running, 101 in, 90 out, 0 errors, 1 dropped',
        '    flow report v2: disabled, 102 in, 90 out, 0 errors, 1 dropped',
        '    pump/fn: state error (boom), 5 errors',
        '    pump/out: state disconnected (broker down), 2 errors',
        'b           ok     pump v1 (disabled)  none            0        5s',
        '    flow pump: disabled by ci',
        'c           ok     no flow             none            0        5s',
        '',
      ].join('\n'),
    );
    expect(statusJson(results).runtimes[0]).toMatchObject({
      flow: { id: 'pump', version: 3 },
      flows: [{ id: 'pump', version: 3, state: 'running' }, { id: 'alarms' }, { id: 'report', state: 'disabled' }],
      nodesInError: [
        { flow: 'pump', id: 'fn' },
        { flow: 'pump', id: 'out' },
      ],
      backlog: 47,
    });
  });

  it('formats uptimes', () => {
    expect([0, 59, 61, 3599, 3600, 86_399, 90_000].map(formatUptime)).toEqual([
      '0s',
      '59s',
      '1m 1s',
      '59m 59s',
      '1h 0m',
      '23h 59m',
      '1d 1h',
    ]);
  });
});

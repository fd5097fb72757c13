import { ago, endNoticeText, engineActivity, EngineWatch, safeModeText } from '../src/state';
import type { EngineStateInfo } from '../src/api/types';

const NOW = Date.parse('2026-12-03T10:00:00Z');
const minutesAgo = (m: number) => new Date(NOW - m * 60_000).toISOString();

const safeStart: EngineStateInfo = {
  state: 'safe-mode',
  safeMode: {
    reason: 'started with --safe: no flow runs until a deploy or rollback through the API',
    since: minutesAgo(5),
  },
};

const loopEnd = {
  at: minutesAgo(10),
  kind: 'watchdog' as const,
  reason: 'no heartbeat for 5000 ms (the engine was stuck)',
  nodeId: 'loop',
  nodeType: 'function',
  version: 4,
  uptimeMs: 1200,
};

describe('EngineWatch: the safe-mode banner', () => {
  it('says no flow runs, why, how to leave, and since when', () => {
    const watch = new EngineWatch();
    expect(watch.fromStatus(safeStart, NOW)).toBe(true);
    const banner = safeModeText(watch.view, NOW);
    expect(banner?.text).toBe(
      'Safe mode: no flow is running. The runtime was started with --safe. Deploy a flow or roll back to a version to leave safe mode.',
    );
    expect(banner?.since).toMatch(/^Since \d\d:\d\d \(5 min ago\)\.$/);
  });

  it("gives the runtime's own reason as a sentence", () => {
    const watch = new EngineWatch();
    watch.fromStatus(
      {
        state: 'safe-mode',
        safeMode: {
          reason:
            'version 3 ended 3 times in a row within a minute of starting; no version ran healthily before it, so no flow runs',
          since: minutesAgo(0),
        },
      },
      NOW,
    );
    expect(safeModeText(watch.view, NOW)?.text).toBe(
      'Safe mode: no flow is running. Version 3 ended 3 times in a row within a minute of starting; no version ran healthily before it, so no flow runs. Deploy a flow or roll back to a version to leave safe mode.',
    );
  });

  it('goes away after a deploy: at once on the deploy frame, and on the next status', () => {
    const watch = new EngineWatch();
    watch.fromStatus(safeStart, NOW);
    expect(watch.handle({ type: 'deploy', flowId: 'f', version: 2 })).toBe(true);
    expect(safeModeText(watch.view, NOW)).toBeUndefined();

    const again = new EngineWatch();
    again.fromStatus(safeStart, NOW);
    again.fromStatus({ state: 'running', flowVersion: 2 }, NOW);
    expect(safeModeText(again.view, NOW)).toBeUndefined();
  });

  it('comes from a safe-mode frame, with the time of the frame', () => {
    const watch = new EngineWatch();
    watch.fromStatus({ state: 'running', flowVersion: 1 }, NOW);
    expect(safeModeText(watch.view, NOW)).toBeUndefined();
    watch.handle({ type: 'safe-mode', reason: 'the engine crashed', time: NOW - 2 * 3_600_000 });
    expect(safeModeText(watch.view, NOW)).toMatchObject({
      text: 'Safe mode: no flow is running. The engine crashed. Deploy a flow or roll back to a version to leave safe mode.',
      since: expect.stringMatching(/\(2 h ago\)\.$/) as string,
    });
  });

  it('is absent when the runtime does not report its engine', () => {
    const watch = new EngineWatch();
    watch.fromStatus(undefined, NOW);
    expect(watch.view.state).toBe('unknown');
    expect(safeModeText(watch.view, NOW)).toBeUndefined();
  });
});

describe('EngineWatch: the end notice', () => {
  it('from the frames: ended, then restored as a new version', () => {
    const watch = new EngineWatch();
    watch.fromStatus({ state: 'running', flowVersion: 4 }, NOW);
    watch.handle({ type: 'engine-ended', ...loopEnd });
    expect(engineActivity(watch.view)).toBe('engine restarting…');
    expect(endNoticeText(watch.view.notice!)).toBe(
      'The flow (version 4) was stopped because node "loop" (function) ran too long (no heartbeat for 5000 ms (the engine was stuck)); the runtime is restoring a version.',
    );
    watch.handle({ type: 'engine-restored', version: 5, restored: 3, failedVersion: 4, reason: 'x' });
    expect(engineActivity(watch.view)).toBeUndefined();
    expect(endNoticeText(watch.view.notice!)).toBe(
      'The flow (version 4) was stopped because node "loop" (function) ran too long (no heartbeat for 5000 ms (the engine was stuck)); version 3 was restored (saved as version 5).',
    );
    // A later status answer with the same end keeps what the frames said.
    watch.fromStatus({ state: 'running', flowVersion: 5, lastEnd: loopEnd }, NOW);
    expect(endNoticeText(watch.view.notice!)).toMatch(/version 3 was restored \(saved as version 5\)\.$/);
  });

  it('names memory and crashes in plain words, and a restart of the same version', () => {
    const watch = new EngineWatch();
    watch.handle({ type: 'engine-ended', ...loopEnd, kind: 'memory', reason: 'RSS 700 MB passed the 512 MB cap' });
    watch.handle({ type: 'engine-restored', version: 4, restarted: true, reason: 'x' });
    expect(endNoticeText(watch.view.notice!)).toBe(
      'The flow (version 4) was stopped because node "loop" (function) used too much memory (RSS 700 MB passed the 512 MB cap); version 4 was started again.',
    );
    watch.handle({
      type: 'engine-ended',
      at: minutesAgo(0),
      kind: 'crash',
      reason: 'the engine process exited with code 134',
    });
    watch.handle({ type: 'safe-mode', reason: 'the engine crashed' });
    expect(endNoticeText(watch.view.notice!)).toBe(
      'The flow was stopped because the engine crashed (the engine process exited with code 134); no earlier version had run healthily, so no flow runs (safe mode).',
    );
  });

  it('from lastEnd on load when it is less than an hour old, with the version running now', () => {
    const recent = new EngineWatch();
    recent.fromStatus({ state: 'running', flowVersion: 5, lastEnd: loopEnd }, NOW);
    expect(endNoticeText(recent.view.notice!)).toMatch(/ran too long .*; version 5 runs now\.$/);

    const old = new EngineWatch();
    old.fromStatus({ state: 'running', flowVersion: 5, lastEnd: { ...loopEnd, at: minutesAgo(61) } }, NOW);
    expect(old.view.notice).toBeUndefined();
  });

  it('stays dismissed, also for a new watch told what was dismissed (a reload)', () => {
    const watch = new EngineWatch();
    const status: EngineStateInfo = { state: 'running', flowVersion: 5, lastEnd: loopEnd };
    watch.fromStatus(status, NOW);
    watch.dismiss();
    expect(watch.view.notice).toBeUndefined();
    watch.fromStatus(status, NOW);
    expect(watch.view.notice).toBeUndefined();
    const reloaded = new EngineWatch(watch.dismissedAt);
    reloaded.fromStatus(status, NOW);
    expect(reloaded.view.notice).toBeUndefined();
    // A newer end shows again.
    reloaded.fromStatus({ ...status, lastEnd: { ...loopEnd, at: minutesAgo(1) } }, NOW);
    expect(reloaded.view.notice).toBeDefined();
  });

  it('stops saying that a version is being restored once the status shows no flow runs', () => {
    const watch = new EngineWatch();
    watch.handle({
      type: 'engine-ended',
      at: minutesAgo(0),
      kind: 'crash',
      reason: 'the engine process exited with code 1',
    });
    expect(endNoticeText(watch.view.notice!)).toMatch(/; the runtime is restoring a version\.$/);
    watch.fromStatus({ state: 'stopped' }, NOW);
    expect(endNoticeText(watch.view.notice!)).toMatch(/\(the engine process exited with code 1\); no flow runs now\.$/);
  });

  it('says that the runtime died without a clean stop, without a node', () => {
    const watch = new EngineWatch();
    watch.fromStatus(
      {
        state: 'running',
        flowVersion: 2,
        lastEnd: {
          at: minutesAgo(2),
          kind: 'unclean-stop',
          reason: 'the runtime ended without a clean stop…',
          version: 2,
        },
      },
      NOW,
    );
    expect(endNoticeText(watch.view.notice!)).toBe(
      'The flow (version 2) was stopped because the runtime ended without a clean stop soon after the flow started; version 2 runs now.',
    );
  });
});

describe('EngineWatch: the live indicator and other frames', () => {
  it('shows a restart only while the engine starts or restarts', () => {
    const watch = new EngineWatch();
    watch.fromStatus({ state: 'starting' }, NOW);
    expect(engineActivity(watch.view)).toBe('engine starting…');
    watch.fromStatus({ state: 'restarting' }, NOW);
    expect(engineActivity(watch.view)).toBe('engine restarting…');
    watch.fromStatus({ state: 'running', flowVersion: 1 }, NOW);
    expect(engineActivity(watch.view)).toBeUndefined();
  });

  it('ignores frames that are not about the engine, and reports no change for a same status', () => {
    const watch = new EngineWatch();
    expect(watch.handle({ type: 'debug', nodeId: 'a', data: 1 })).toBe(false);
    expect(watch.handle({ type: 'deploy' })).toBe(false);
    expect(watch.fromStatus({ state: 'running', flowVersion: 1 }, NOW)).toBe(true);
    expect(watch.fromStatus({ state: 'running', flowVersion: 1 }, NOW)).toBe(false);
  });

  it('words durations', () => {
    expect([ago(10_000), ago(59 * 60_000), ago(60 * 60_000), ago(200 * 60_000), ago(50 * 3_600_000)]).toStrictEqual([
      'just now',
      '59 min ago',
      '1 h ago',
      '3 h 20 min ago',
      '2 days ago',
    ]);
  });
});

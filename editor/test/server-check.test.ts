import type { Flow, FlowIssue } from '@tagflow/flow-model';
import { ServerCheck, validate, withServerIssues } from '../src/state';
import type { ServerValidation } from '../src/state';
import { coreCatalog, pumpMonitor } from './load-fixtures';

const catalog = coreCatalog();

/** Timers driven by the test: `fire()` runs what is due, as if the delay had passed. */
function manualTimers() {
  const due = new Map<number, () => void>();
  let next = 0;
  return {
    timers: {
      setTimeout: (fn: () => void) => {
        due.set(++next, fn);
        return next;
      },
      clearTimeout: (handle: unknown) => void due.delete(handle as number),
    },
    pending: () => due.size,
    fire() {
      const fns = [...due.values()];
      due.clear();
      for (const fn of fns) fn();
    },
  };
}

/** An ask whose answers the test releases one by one. */
function deferredAsk() {
  const asked: Array<{ flow: Flow; answer(a: ServerValidation): void; fail(e: unknown): void }> = [];
  const ask = (flow: Flow) =>
    new Promise<ServerValidation>((resolve, reject) => asked.push({ flow, answer: resolve, fail: reject }));
  return { ask, asked };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

const checkError: FlowIssue = {
  code: 'INVALID_LIMITS',
  path: '/nodes/2/config/below',
  nodeId: 'high-flow',
  message: 'node "high-flow" (threshold): /nodes/2/config/below: the low limit (50) must be at most the high limit',
};

describe('the runtime check merged into the problem list', () => {
  it("adds what only the runtime's check found, indexed for the canvas and the form", () => {
    const flow = pumpMonitor();
    const local = validate(flow, catalog);
    expect(local.ok).toBe(true);
    const merged = withServerIssues(local, flow, catalog, { ok: false, errors: [checkError], warnings: [] });
    expect(merged.ok).toBe(false);
    expect(merged.errors).toEqual([checkError]);
    expect(merged.byNode.get('high-flow')).toEqual([{ ...checkError, severity: 'error' }]);
    expect([...merged.byField('high-flow')]).toEqual([['below', 'the low limit (50) must be at most the high limit']]);
  });

  it('lists once what both found', () => {
    const flow = pumpMonitor();
    flow.nodes[1].config = { window: { count: 0 } };
    const local = validate(flow, catalog);
    expect(local.errors).toHaveLength(1);
    const merged = withServerIssues(local, flow, catalog, {
      ok: false,
      errors: [...local.errors, checkError],
      warnings: local.warnings,
    });
    expect(merged.errors).toEqual([...local.errors, checkError]);
    expect(merged.warnings).toEqual(local.warnings);
  });
});

describe('ServerCheck', () => {
  it('asks once editing pauses, for the latest flow only', async () => {
    const t = manualTimers();
    const { ask, asked } = deferredAsk();
    const answers: number[] = [];
    const check = new ServerCheck(ask, (revision) => answers.push(revision), fail, 400, t.timers);
    const flow = pumpMonitor();
    check.schedule(1, { ...flow, name: 'one' });
    check.schedule(2, { ...flow, name: 'two' });
    check.schedule(3, { ...flow, name: 'three' });
    expect(asked).toHaveLength(0);
    expect(t.pending()).toBe(1);
    t.fire();
    expect(asked.map((a) => a.flow.name)).toEqual(['three']);
    asked[0].answer({ ok: true, errors: [], warnings: [] });
    await settle();
    expect(answers).toEqual([3]);
  });

  it('drops an answer that arrives after a newer edit', async () => {
    const t = manualTimers();
    const { ask, asked } = deferredAsk();
    const answers: number[] = [];
    const check = new ServerCheck(ask, (revision) => answers.push(revision), fail, 400, t.timers);
    check.schedule(1, pumpMonitor());
    t.fire();
    check.schedule(2, pumpMonitor());
    t.fire();
    asked[1].answer({ ok: true, errors: [], warnings: [] });
    asked[0].answer({ ok: false, errors: [checkError], warnings: [] });
    await settle();
    expect(answers).toEqual([2]);
  });

  it('asks at once before a deploy, instead of the pending ask', async () => {
    const t = manualTimers();
    const { ask, asked } = deferredAsk();
    const answers: number[] = [];
    const check = new ServerCheck(ask, (revision) => answers.push(revision), fail, 400, t.timers);
    check.schedule(4, pumpMonitor());
    const answer = check.now(4, pumpMonitor());
    expect(t.pending()).toBe(0);
    asked[0].answer({ ok: false, errors: [checkError], warnings: [] });
    await expect(answer).resolves.toEqual({ ok: false, errors: [checkError], warnings: [] });
    expect(answers).toEqual([4]);
    // Overtaken by an edit: no answer for a flow no longer on screen.
    const late = check.now(5, pumpMonitor());
    check.schedule(6, pumpMonitor());
    asked[1].answer({ ok: true, errors: [], warnings: [] });
    await expect(late).resolves.toBeUndefined();
  });

  it('reports a failed ask, and asks nothing more once disposed', async () => {
    const t = manualTimers();
    const { ask, asked } = deferredAsk();
    const failures: unknown[] = [];
    const check = new ServerCheck(
      ask,
      () => undefined,
      (err) => failures.push(err),
      400,
      t.timers,
    );
    check.schedule(1, pumpMonitor());
    t.fire();
    asked[0].fail(new Error('runtime unreachable'));
    await settle();
    expect(failures).toEqual([new Error('runtime unreachable')]);
    check.schedule(2, pumpMonitor());
    check.dispose();
    expect(t.pending()).toBe(0);
  });
});

function fail(err: unknown): never {
  throw err;
}

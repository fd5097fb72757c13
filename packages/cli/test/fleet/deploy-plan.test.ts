import { isSuccess, planDeploy, runDeployPlan } from '../../src/fleet/deploy-plan';
import type { RuntimeOutcome } from '../../src/fleet/deploy-plan';

const version = (n: number) => ({
  version: n,
  flowId: 'f',
  hash: 'h',
  deployedAt: '2026-01-01T00:00:00.000Z',
  deployedBy: 'test',
});
const deployed = (n: number): RuntimeOutcome => ({ status: 'deployed', version: version(n) });

describe('planDeploy', () => {
  it('puts every target in one wave without --canary', () => {
    expect(planDeploy(['a', 'b', 'c'])).toEqual({ canaries: [], rest: ['a', 'b', 'c'] });
  });

  it('takes the first N targets as canaries', () => {
    expect(planDeploy(['a', 'b', 'c'], 1)).toEqual({ canaries: ['a'], rest: ['b', 'c'] });
    expect(planDeploy(['a', 'b', 'c'], 2)).toEqual({ canaries: ['a', 'b'], rest: ['c'] });
    expect(planDeploy(['a', 'b'], 5)).toEqual({ canaries: ['a', 'b'], rest: [] });
  });
});

describe('isSuccess', () => {
  it.each<[RuntimeOutcome, boolean]>([
    [deployed(2), true],
    [{ status: 'unchanged', version: version(2) }, true],
    [{ status: 'rejected', errors: [] }, false],
    [{ status: 'conflict', current: 3 }, false],
    [{ status: 'rolled-back', failedVersion: version(3), restored: version(2), reason: 'x' }, false],
    [{ status: 'unreachable', error: 'connection refused' }, false],
    [{ status: 'failed', error: 'the token was refused (401)' }, false],
    [{ status: 'skipped', reason: 'canary failed' }, false],
  ])('%j -> %s', (outcome, expected) => expect(isSuccess(outcome)).toBe(expected));
});

describe('runDeployPlan', () => {
  /** A fake deploy that records the order of calls and answers from a table. */
  function fakeDeploy(answers: Record<string, RuntimeOutcome>) {
    const events: string[] = [];
    const deployOne = async (name: string) => {
      events.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
      events.push(`end ${name}`);
      return [answers[name] ?? deployed(1)];
    };
    return { events, deployOne };
  }

  it('deploys every target in parallel without canaries', async () => {
    const { events, deployOne } = fakeDeploy({});
    const results = await runDeployPlan(planDeploy(['a', 'b', 'c']), deployOne);
    expect(results.map((r) => r.target)).toEqual(['a', 'b', 'c']);
    expect(events.slice(0, 3)).toEqual(['start a', 'start b', 'start c']);
  });

  it('deploys the rest only after all canaries succeeded', async () => {
    const { events, deployOne } = fakeDeploy({ a: { status: 'unchanged', version: version(4) } });
    const results = await runDeployPlan(planDeploy(['a', 'b', 'c', 'd'], 2), deployOne);
    expect(events).toEqual(['start a', 'start b', 'end a', 'end b', 'start c', 'start d', 'end c', 'end d']);
    expect(results.map((r) => [r.target, r.outcomes[0]?.status])).toEqual([
      ['a', 'unchanged'],
      ['b', 'deployed'],
      ['c', 'deployed'],
      ['d', 'deployed'],
    ]);
  });

  it('skips the rest, never touching them, when a canary fails', async () => {
    const rolledBack: RuntimeOutcome = {
      status: 'rolled-back',
      failedVersion: version(2),
      restored: version(1),
      reason: 'node "fn" failed',
    };
    const { events, deployOne } = fakeDeploy({ b: rolledBack });
    const results = await runDeployPlan(planDeploy(['a', 'b', 'c', 'd'], 2), deployOne);
    expect(events).toEqual(['start a', 'start b', 'end a', 'end b']);
    expect(results.map((r) => r.outcomes)).toEqual([
      [deployed(1)],
      [rolledBack],
      [{ status: 'skipped', reason: 'canary failed' }],
      [{ status: 'skipped', reason: 'canary failed' }],
    ]);
  });

  it('counts a canary with several flows as failed when one of them fails, and skips each flow of the rest', async () => {
    const flows: Record<string, number> = { a: 2, b: 3 };
    const results = await runDeployPlan(
      planDeploy(['a', 'b'], 1),
      async (name) => (name === 'a' ? [deployed(1), { status: 'conflict', current: 4 }] : [deployed(1)]),
      (name) => flows[name] ?? 1,
    );
    expect(results.map((r) => [r.target, r.outcomes.map((o) => o.status)])).toEqual([
      ['a', ['deployed', 'conflict']],
      ['b', ['skipped', 'skipped', 'skipped']],
    ]);
  });
});

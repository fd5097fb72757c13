import { AdminClient, AdminError } from './admin-client';
import type { AdminClientOptions, DeployOutcome } from './admin-client';
import type { Target } from './select-targets';

/** How a deploy (or rollback) ended on one runtime: the runtime's answer, or why there was none. */
export type RuntimeOutcome =
  | DeployOutcome
  /** No HTTP answer: network, DNS, TLS or timeout. */
  | { status: 'unreachable'; error: string }
  /** An answer that is not a deploy result: refused token (401), too small a role (403), server error. */
  | { status: 'failed'; error: string }
  /** Not attempted: a canary before it did not deploy. */
  | { status: 'skipped'; reason: string };

/** One line of a deploy's (or rollback's) result: one flow on one runtime. */
export interface FlowResult {
  runtime: string;
  url: string;
  /** The flow's id. */
  flow: string;
  outcome: RuntimeOutcome;
}

/** A flow to deploy: its id (what the runtime knows it by), its content and the file it came from. */
export interface FlowToDeploy {
  id: string;
  flow: unknown;
  file: string;
}

/** The waves of a deploy: the canaries first (all of them at once), then the rest (at once). */
export interface DeployPlan<T> {
  canaries: T[];
  rest: T[];
}

/**
 * Splits the targets (in fleet-file order) into canaries and the rest. Without `canary` every
 * target is in one wave; with more canaries than targets every target is a canary.
 */
export function planDeploy<T>(targets: readonly T[], canary?: number): DeployPlan<T> {
  if (canary === undefined) return { canaries: [], rest: [...targets] };
  return { canaries: targets.slice(0, canary), rest: targets.slice(canary) };
}

/** True when the runtime now runs the flow: the only outcomes that let a canary deploy go on. */
export function isSuccess(outcome: RuntimeOutcome): boolean {
  return outcome.status === 'deployed' || outcome.status === 'unchanged';
}

/**
 * Runs a plan: every canary in parallel, then, only when all of them succeeded (every one of their
 * outcomes), the rest in parallel; otherwise the rest are `skipped`, once per flow (`flowsOf`).
 * Results come back in plan order (canaries first). `deployOne` must not throw: it turns failures
 * into outcomes, one per flow it deploys.
 */
export async function runDeployPlan<T>(
  plan: DeployPlan<T>,
  deployOne: (target: T) => Promise<RuntimeOutcome[]>,
  flowsOf: (target: T) => number = () => 1,
): Promise<{ target: T; outcomes: RuntimeOutcome[] }[]> {
  const wave = (targets: T[]) =>
    Promise.all(targets.map(async (target) => ({ target, outcomes: await deployOne(target) })));
  const canaries = await wave(plan.canaries);
  const failed = canaries.filter((r) => !r.outcomes.every(isSuccess)).length;
  if (failed > 0) {
    const skipped: RuntimeOutcome = { status: 'skipped', reason: 'canary failed' };
    return [
      ...canaries,
      ...plan.rest.map((target) => ({ target, outcomes: Array.from({ length: flowsOf(target) }, () => skipped) })),
    ];
  }
  return [...canaries, ...(await wave(plan.rest))];
}

/**
 * Deploys flows to one runtime, each by its id, one after the other in the given order (a health
 * window is waited for each): installs the bundles first (the node packages the runtime lacks),
 * sets the variables the fleet file gives it (those that differ), then, per flow, reads that
 * flow's version there (none: 0) and sends the flow with it as If-Match, so a deploy someone
 * else made in between comes back as `conflict`. The runtime's other flows are not touched. A
 * refused bundle or variable means no flow is sent: every flow gets that outcome. One outcome per flow.
 */
export async function deployFlowsToRuntime(
  target: Target,
  flows: readonly FlowToDeploy[],
  options: { healthMs?: number; client?: AdminClientOptions; bundles?: readonly Buffer[] },
): Promise<RuntimeOutcome[]> {
  const client = new AdminClient(target, options.client);
  const all = (outcome: RuntimeOutcome) => flows.map(() => outcome);
  try {
    for (const bundle of options.bundles ?? []) await client.installBundle(bundle);
  } catch (err) {
    if (!(err instanceof AdminError)) throw err;
    return all(
      err.kind === 'unreachable'
        ? { status: 'unreachable', error: err.reason }
        : { status: 'failed', error: `the bundle was not installed, so no flow was sent: ${err.reason}` },
    );
  }
  try {
    await setVariables(client, target.variables ?? {});
  } catch (err) {
    if (!(err instanceof AdminError)) throw err;
    return all(
      err.kind === 'unreachable'
        ? { status: 'unreachable', error: err.reason }
        : { status: 'failed', error: `its variables were not set, so no flow was sent: ${err.reason}` },
    );
  }
  const outcomes: RuntimeOutcome[] = [];
  for (const { id, flow } of flows) {
    outcomes.push(
      await asOutcome(async () => {
        const current = await client.flowVersion(id);
        return client.deployFlow(id, flow, { expectedVersion: current?.version ?? 0, healthMs: options.healthMs });
      }),
    );
  }
  return outcomes;
}

/**
 * Sets on the runtime each of `variables` whose value differs there (none differs: no request
 * changes anything, and the audit log stays quiet). They count from the deploy that follows.
 */
async function setVariables(client: AdminClient, variables: Readonly<Record<string, string>>): Promise<void> {
  const names = Object.keys(variables);
  if (names.length === 0) return;
  const there = await client.variables();
  for (const name of names) if (there[name] !== variables[name]) await client.setVariable(name, variables[name]);
}

/** Runs a request and turns an AdminError into an `unreachable` or `failed` outcome; other errors are bugs and propagate. */
export async function asOutcome(request: () => Promise<DeployOutcome>): Promise<RuntimeOutcome> {
  try {
    return await request();
  } catch (err) {
    if (!(err instanceof AdminError)) throw err;
    return { status: err.kind === 'unreachable' ? 'unreachable' : 'failed', error: err.reason };
  }
}

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

/** One runtime's line of the result. */
export interface RuntimeResult {
  runtime: string;
  url: string;
  outcome: RuntimeOutcome;
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
 * Runs a plan: every canary in parallel, then, only when all of them succeeded, the rest in
 * parallel; otherwise the rest are `skipped`. Results come back in plan order (canaries first).
 * `deployOne` must not throw: it turns failures into outcomes.
 */
export async function runDeployPlan<T>(
  plan: DeployPlan<T>,
  deployOne: (target: T) => Promise<RuntimeOutcome>,
): Promise<{ target: T; outcome: RuntimeOutcome }[]> {
  const wave = (targets: T[]) =>
    Promise.all(targets.map(async (target) => ({ target, outcome: await deployOne(target) })));
  const canaries = await wave(plan.canaries);
  const failed = canaries.filter((r) => !isSuccess(r.outcome)).length;
  if (failed > 0) {
    const reason = `canary failed`;
    return [...canaries, ...plan.rest.map((target) => ({ target, outcome: { status: 'skipped', reason } as const }))];
  }
  return [...canaries, ...(await wave(plan.rest))];
}

/**
 * Deploys to one runtime: sets the variables the fleet file gives it (those that differ), reads
 * its current version (none: 0) and sends the flow with it as If-Match, so a deploy that someone
 * else made in between comes back as `conflict`. The runtime resolves the flow's `${NAME}` with
 * its variables, and refuses it naming each one it has no value for.
 */
export async function deployToRuntime(
  target: Target,
  flow: unknown,
  options: { healthMs?: number; client?: AdminClientOptions },
): Promise<RuntimeOutcome> {
  const client = new AdminClient(target, options.client);
  try {
    await setVariables(client, target.variables ?? {});
  } catch (err) {
    if (!(err instanceof AdminError)) throw err;
    return err.kind === 'unreachable'
      ? { status: 'unreachable', error: err.reason }
      : { status: 'failed', error: `its variables were not set, so the flow was not sent: ${err.reason}` };
  }
  return asOutcome(async () => {
    const current = await client.currentVersion();
    return client.deploy(flow, { expectedVersion: current?.version ?? 0, healthMs: options.healthMs });
  });
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

/**
 * Deploys a bundle's flow to one runtime: first the bundle (the runtime installs the node packages
 * it lacks, checking each tarball's sha512), then the flow as `deployToRuntime` does. A refused
 * bundle is a `failed` outcome, and the flow is not sent.
 */
export async function deployBundleToRuntime(
  target: Target,
  bundle: Buffer,
  flow: unknown,
  options: { healthMs?: number; client?: AdminClientOptions },
): Promise<RuntimeOutcome> {
  try {
    await new AdminClient(target, options.client).installBundle(bundle);
  } catch (err) {
    if (!(err instanceof AdminError)) throw err;
    return err.kind === 'unreachable'
      ? { status: 'unreachable', error: err.reason }
      : { status: 'failed', error: `the bundle was not installed: ${err.reason}` };
  }
  return deployToRuntime(target, flow, options);
}

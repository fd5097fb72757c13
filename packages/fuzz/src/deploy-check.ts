import { catalogNodeTypes, flowErrors, validateFlow } from '@tagflow/flow-model';
import type { Flow, FlowIssue, ResourceTypeInfo } from '@tagflow/flow-model';
import type { Message } from '@tagflow/node-sdk';
import { FakeClock, RecordingLogger } from '@tagflow/node-test';
import { deployErrors, Engine } from '@tagflow/runtime/engine';
import type { NodeRegistry } from '@tagflow/runtime/engine';
import type { GeneratedFlow } from './flow-arbitrary';
import { expectPlainWords } from './plain-words';

/** How long a deploy or a stop may take before the property calls it a hang. */
export const DEPLOY_DEADLINE_MS = 10_000;

/** Rejects with `what` when `promise` has not settled within `ms`. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms (a hang)`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Two nodes every baseline flow carries, to show after a refusal that the running flow still passes messages. */
export const PROBE_NODES = [
  {
    id: 'probe-in',
    type: 'scale',
    typeVersion: 1,
    config: { in: { min: 0, max: 1 }, out: { min: 0, max: 100 } },
  },
  {
    id: 'probe-out',
    type: 'scale',
    typeVersion: 1,
    config: { in: { min: 0, max: 1 }, out: { min: 0, max: 1 }, clamp: false },
  },
];
const PROBE_EDGE = { source: 'probe-in', sourcePort: 'out', target: 'probe-out', targetPort: 'in' };

/** `flow` with the probe nodes added (the running flow before the candidate is deployed). */
export function withProbe(flow: GeneratedFlow | undefined): GeneratedFlow {
  return {
    schemaVersion: 1,
    id: flow?.id ?? 'baseline',
    resources: flow?.resources ?? [],
    nodes: [...(flow?.nodes ?? []), ...PROBE_NODES],
    edges: [...(flow?.edges ?? []), PROBE_EDGE],
  };
}

/**
 * Every issue has a code of the catalogues (flow-model's, the deployer's, and those the node and
 * resource types of `registry` list, which their `check` refuses with), a JSON pointer and a
 * message in plain words.
 */
export function expectPlainIssues(issues: readonly FlowIssue[], where: string, registry?: NodeRegistry): void {
  const codes = new Set([...Object.keys(flowErrors.meanings), ...Object.keys(deployErrors.meanings)]);
  if (registry) {
    const catalog = registry.catalog();
    const resources = catalog.resources ?? {};
    const resourceTypes: ResourceTypeInfo[] =
      resources instanceof Map
        ? [...(resources as ReadonlyMap<string, ResourceTypeInfo>).values()]
        : Object.values(resources as Record<string, ResourceTypeInfo>);
    for (const info of [...catalogNodeTypes(catalog), ...resourceTypes])
      for (const code of Object.keys(info.errors ?? {})) codes.add(code);
  }
  for (const issue of issues) {
    if (typeof issue.code !== 'string' || !codes.has(issue.code))
      throw new Error(`${where}: issue code ${JSON.stringify(issue.code)} is in no catalogue`);
    if (typeof issue.path !== 'string' || (issue.path !== '' && !issue.path.startsWith('/')))
      throw new Error(`${where}: issue path ${JSON.stringify(issue.path)} is not a JSON pointer`);
    expectPlainWords(issue.message, `${where} (${issue.code} at ${issue.path})`);
  }
}

/** Fails when a flow or config put `__proto__` to work: every object would now carry its fields. */
export function expectNoPollution(where: string): void {
  const polluted = Object.getOwnPropertyNames(Object.prototype).filter((k) => !ORIGINAL_PROTO_KEYS.has(k));
  if (polluted.length > 0) {
    for (const key of polluted) delete (Object.prototype as Record<string, unknown>)[key];
    throw new Error(`${where}: Object.prototype gained ${polluted.join(', ')} (prototype pollution)`);
  }
}
const ORIGINAL_PROTO_KEYS = new Set(Object.getOwnPropertyNames(Object.prototype));

/** What a deploy scenario saw, for the properties that look further. */
export interface DeployOutcome {
  validated: boolean;
  deployed: boolean;
  errors: FlowIssue[];
}

/**
 * Deploys `baseline` (with the probe) into a fresh engine, then `candidate`, each under a deadline,
 * and checks what every deploy must honour: it settles (never throws, never hangs); a refusal
 * names its reasons in plain words and leaves the running flow as it was, still passing messages;
 * and validate and deploy agree (`agreement`): what `validateFlow` accepts deploys, what deploy
 * refuses `validateFlow` refused. Throws the first broken rule.
 */
export async function checkDeploy(
  registry: NodeRegistry,
  baseline: GeneratedFlow | undefined,
  candidate: unknown,
  options: { dataDir: string; agreement: boolean },
): Promise<DeployOutcome> {
  const engine = new Engine({
    registry,
    logger: new RecordingLogger(),
    clock: new FakeClock(),
    closeTimeoutMs: 500,
    dataDir: options.dataDir,
  });
  try {
    // A generated baseline that deploy refuses (a cross-field rule: the agreement property's
    // business) is left out: the probe alone runs then.
    let first = await withDeadline(engine.deploy(withProbe(baseline)), DEPLOY_DEADLINE_MS, 'the baseline deploy');
    if (!first.ok && baseline !== undefined)
      first = await withDeadline(engine.deploy(withProbe(undefined)), DEPLOY_DEADLINE_MS, 'the probe deploy');
    if (!first.ok) throw new Error(`the probe flow was refused:\n${first.errors.map((e) => e.message).join('\n')}`);
    const before = engine.currentFlow as Flow;
    const validation = validateFlow(candidate, registry.catalog(), { migrations: registry.migrations });
    let result;
    try {
      result = await withDeadline(engine.deploy(candidate), DEPLOY_DEADLINE_MS, 'the deploy');
    } catch (err) {
      throw new Error(`deploy threw instead of answering: ${err instanceof Error ? err.stack : String(err)}`);
    }
    expectNoPollution('after the deploy');
    if (!result.ok) {
      if (result.errors.length === 0) throw new Error('deploy refused the flow without saying why');
      expectPlainIssues(result.errors, 'deploy refusal', registry);
      if (engine.currentFlow !== before) throw new Error('a refused deploy changed the running flow');
      await expectProbePasses(engine);
    } else if (engine.currentFlow === before) {
      throw new Error('an accepted deploy left the previous flow running');
    }
    if (options.agreement && validation.ok !== result.ok) {
      const why = result.ok ? validation.ok || validation.errors.map((e) => `${e.code}: ${e.message}`).join('\n') : '';
      throw new Error(
        result.ok
          ? `validate refused a flow that deploy accepted:\n${String(why)}`
          : `validate accepted a flow that deploy refused:\n${result.errors.map((e) => `${e.code}: ${e.message}`).join('\n')}`,
      );
    }
    return { validated: validation.ok, deployed: result.ok, errors: result.ok ? [] : result.errors };
  } finally {
    await withDeadline(engine.stop(), DEPLOY_DEADLINE_MS, 'stopping the engine');
  }
}

/** A value injected at probe-in comes out of probe-out, scaled (both answer synchronously). */
async function expectProbePasses(engine: Engine): Promise<void> {
  const seen: Message[] = [];
  const untap = engine.tap('probe-out', 'out', (msg) => seen.push(msg));
  try {
    await withDeadline(
      engine.inject('probe-in', { payload: 0.5, timestamp: 0, quality: 'good' }),
      DEPLOY_DEADLINE_MS,
      'a message through the running flow',
    );
  } finally {
    untap();
  }
  if (seen.length !== 1 || seen[0].payload !== 50)
    throw new Error(
      `after a refused deploy the running flow no longer passes messages (got ${JSON.stringify(seen.map((m) => m.payload))})`,
    );
}

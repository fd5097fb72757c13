import fc from 'fast-check';
import { ensureCliBuilt, startTagflow, stopAllTagflow } from '@tagflow/test-support';
import type { TagflowProcess } from '@tagflow/test-support';
import { checkProperty, timeoutFor } from '../src/budget';
import { RAW_BODIES } from '../src/admin-bodies';
import type { RawBody } from '../src/admin-bodies';
import { flowArbitrary } from '../src/flow-arbitrary';
import { expectPlainWords } from '../src/plain-words';
import { mutate, mutationArbitrary } from '../src/flow-mutations';
import { renderText } from '../src/flow-template';
import { catalogNodes, catalogResources, installedRegistry, typesOf } from '../src/installed-types';

// Generated, mutated and raw request bodies through the admin API of a real `tagflow start`
// (issue 14, "a fuzz suite"): never a 500, /healthz answers within 1 s throughout, and a refused
// deploy leaves the current version as it was.

/** How fast /healthz must answer, all the time. */
const HEALTH_MS = 1000;
let rt: TagflowProcess;
// Relative to the files folder of the engine's data dir.
const fileDir = 'fuzz';
let bodies: fc.Arbitrary<RawBody>;

beforeAll(async () => {
  ensureCliBuilt();
  rt = await startTagflow();
  const registry = await installedRegistry();
  const allTypes = catalogNodes(registry).map((t) => t.type);
  // Core types only: a deployed flow runs for real here, and other types would open connections.
  const flows = flowArbitrary({
    nodes: typesOf(registry, '@tagflow/nodes-core'),
    resources: catalogResources(registry),
    fileDir,
  });
  bodies = fc.oneof(
    flows.map((flow) => ({ name: 'generated', text: renderText(flow) })),
    fc
      .tuple(flows, fc.array(mutationArbitrary, { minLength: 1, maxLength: 3 }))
      .map(([flow, mutations]) => ({ name: 'mutated', text: renderText(mutate(flow, mutations, allTypes)) })),
  );
}, 120_000);

afterAll(stopAllTagflow);

/** Polls /healthz every 100 ms until stopped; resolves with every poll that failed or took over HEALTH_MS. */
function watchHealth(): { stop(): Promise<string[]> } {
  const failures: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = Date.now();
      try {
        const res = await fetch(`${rt.url}/healthz`, { signal: AbortSignal.timeout(HEALTH_MS) });
        await res.arrayBuffer();
        if (res.status !== 200) failures.push(`/healthz answered ${res.status}`);
      } catch (err) {
        failures.push(
          `/healthz did not answer within ${HEALTH_MS} ms (${err instanceof Error ? err.message : String(err)})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 100 - (Date.now() - started))));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return failures;
    },
  };
}

async function currentFlow(): Promise<{ version: number; body: string }> {
  const res = await rt.api('/api/flow', { signal: AbortSignal.timeout(30_000) });
  if (res.status === 404) return { version: 0, body: '' };
  if (res.status !== 200) throw new Error(`GET /api/flow answered ${res.status}: ${await res.text()}`);
  const { version, flow } = (await res.json()) as { version: { version: number }; flow: unknown };
  return { version: version.version, body: JSON.stringify(flow) };
}

it(
  'never answers a deploy with a 500, keeps /healthz answering within 1 s, and a refusal changes nothing',
  async () => {
    await checkProperty(
      'admin API deploys',
      fc.asyncProperty(bodies, async (body) => {
        const before = await currentFlow();
        const health = watchHealth();
        let status: number;
        let answer: string;
        let failures: string[];
        try {
          const res = await rt.api('/api/flow', {
            method: 'PUT',
            headers: { 'Content-Type': 'application/json', 'If-Match': `"${before.version}"` },
            body: body.text,
            signal: AbortSignal.timeout(60_000),
          });
          status = res.status;
          answer = await res.text();
          await new Promise((resolve) => setTimeout(resolve, 300)); // the new flow's first moments
        } finally {
          failures = await health.stop();
        }
        if (failures.length > 0) throw new Error(`during a deploy of ${body.name}: ${failures[0]}`);
        if (status >= 500) throw new Error(`${body.name}: PUT /api/flow answered ${status}: ${answer.slice(0, 500)}`);
        if (status >= 400)
          expectPlainWords((JSON.parse(answer) as { error?: unknown }).error, `${body.name}: ${status}`);
        const after = await currentFlow();
        if (status === 200) {
          if (after.version < before.version) throw new Error(`${body.name}: the version went back after a deploy`);
        } else if (after.version !== before.version || after.body !== before.body) {
          throw new Error(
            `${body.name}: a refused deploy (${status}) changed the current flow: ${answer.slice(0, 300)}`,
          );
        }
      }),
      { runs: 15, examples: RAW_BODIES.map((make) => [make()]) },
    );
  },
  timeoutFor(180_000),
);

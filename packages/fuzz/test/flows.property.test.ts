import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { validateFlow } from '@tagflow/flow-model';
import type { NodeRegistry } from '@tagflow/runtime/engine';
import { checkProperty, timeoutFor } from '../src/budget';
import { checkDeploy, expectNoPollution, expectPlainIssues } from '../src/deploy-check';
import { flowArbitrary } from '../src/flow-arbitrary';
import type { GeneratedFlow } from '../src/flow-arbitrary';
import { mutate, mutationArbitrary } from '../src/flow-mutations';
import { hasDeep, materialize } from '../src/flow-template';
import { catalogNodes, catalogResources, installedRegistry, typesOf } from '../src/installed-types';

// Generated and mutated flows through validateFlow and a real Engine's deploy (issue 14, "a fuzz
// suite"). The flows are built from the real registry (package discovery, as `tagflow start`
// does); deploys use the core node types only, which open no connection.

let registry: NodeRegistry;
let allTypes: string[];
// Relative to the files folder of the engine's data dir.
const fileDir = 'fuzz';
const dataDir = mkdtempSync(path.join(tmpdir(), 'tagflow-fuzz-data-'));

beforeAll(async () => {
  registry = await installedRegistry();
  allTypes = catalogNodes(registry).map((t) => t.type);
}, 60_000);

/** Valid flows of the given types, and the same with 1-3 mutations. */
function anyFlow(nodes: ReturnType<typeof catalogNodes>): fc.Arbitrary<{ base: GeneratedFlow; flow: unknown }> {
  return flowArbitrary({ nodes, resources: catalogResources(registry), fileDir }).chain((base) =>
    fc.oneof(
      { weight: 1, arbitrary: fc.constant({ base, flow: base }) },
      {
        weight: 3,
        arbitrary: fc
          .array(mutationArbitrary, { minLength: 1, maxLength: 3 })
          .map((mutations) => ({ base, flow: mutate(base, mutations, allTypes) })),
      },
    ),
  );
}

describe('validateFlow, with generated and mutated flows', () => {
  it(
    'never throws, and answers with issues that have a code, a path and plain words',
    async () => {
      await checkProperty(
        'validate answers',
        fc.property(anyFlow(catalogNodes(registry)), ({ flow }) => {
          const input = materialize(flow);
          const result = validateFlow(input, registry.catalog(), { migrations: registry.migrations });
          expectNoPollution('after validateFlow');
          if (!result.ok) {
            if (result.errors.length === 0) throw new Error('refused with no error');
            expectPlainIssues(result.errors, 'validate error', registry);
          }
          expectPlainIssues(result.warnings, 'validate warning', registry);
          // validateFlow promises not to modify its input: a second copy must still equal it.
          if (!hasDeep(flow) && fc.stringify(input) !== fc.stringify(materialize(flow)))
            throw new Error('validateFlow modified its input');
        }),
        { runs: 100 },
      );
    },
    timeoutFor(60_000),
  );
});

describe('deploy into a real engine, with generated and mutated flows', () => {
  it(
    'settles under a deadline; a refusal is in plain words and leaves the running flow unchanged and passing messages',
    async () => {
      await checkProperty(
        'deploy answers, a refusal changes nothing',
        fc.asyncProperty(
          anyFlow(typesOf(registry, '@tagflow/nodes-core')),
          fc.boolean(),
          async ({ base, flow }, fromRunning) => {
            // Half the time the candidate is an edit of the running flow (a redeploy by diff).
            await checkDeploy(registry, fromRunning ? base : undefined, materialize(flow), {
              dataDir,
              agreement: false,
            });
          },
        ),
        { runs: 40 },
      );
    },
    timeoutFor(90_000),
  );

  it(
    'agrees with validate: what validate accepts deploys, what deploy refuses validate refused',
    async () => {
      await checkProperty(
        'validate = deploy',
        fc.asyncProperty(anyFlow(typesOf(registry, '@tagflow/nodes-core')), async ({ flow }) => {
          await checkDeploy(registry, undefined, materialize(flow), { dataDir, agreement: true });
        }),
        { runs: 40 },
      );
    },
    timeoutFor(90_000),
  );
});

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatIssues, isRecord, validateFlow } from '@tagflow/flow-model';
import type { FlowIssue } from '@tagflow/flow-model';
import { Engine } from '@tagflow/runtime/engine';
import type { EngineLogger } from '@tagflow/runtime/engine';
import { repoNodePackageDirs } from '../src';
import { loadRepoRegistry, readPackageJson } from './repo-registry';

/**
 * "validate = deploy", made mechanical: every error code a package's catalogue marks as a
 * configuration refusal, for every node or resource type that lists it, needs a bad config under
 * that package's `test/refusals/`; `validateFlow` with the real registry (what `tagflow validate`
 * and the admin API run) and a real deploy must both refuse it, with that code and the same words.
 */

interface Refusal {
  code: string;
  /** Pointer of the refused value, from the flow's root. */
  path: string;
  /** Words the message must hold. */
  says: string;
}

interface Fixture {
  name: string;
  packageName: string;
  about: string;
  refusal: Refusal;
  flow: Record<string, unknown>;
  /** The type of the node or resource the refusal points at. */
  type: string;
}

const registry = loadRepoRegistry({ template: false });
const catalog = registry.catalog();

const packages = repoNodePackageDirs().map((dir) => {
  const name = String(readPackageJson(dir).name);
  return { dir, name, refusals: refusalCodes(dir), fixtures: readFixtures(dir, name) };
});
const fixtures = packages.flatMap((p) => p.fixtures);

/** The refusal codes of the catalogues a package's `dist/error-codes.js` exports. */
function refusalCodes(dir: string): Set<string> {
  const file = path.join(dir, 'dist', 'error-codes.js');
  if (!existsSync(file)) return new Set();
  const exported = require(file) as Record<string, unknown>;
  const codes = new Set<string>();
  for (const value of Object.values(exported))
    if (isRecord(value) && Array.isArray(value.refusals)) for (const code of value.refusals) codes.add(String(code));
  return codes;
}

function readFixtures(dir: string, packageName: string): Fixture[] {
  const folder = path.join(dir, 'test', 'refusals');
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const data = JSON.parse(readFileSync(path.join(folder, file), 'utf8')) as Omit<Fixture, 'name' | 'type'>;
      const owner = /^\/(nodes|resources)\/(\d+)/.exec(data.refusal.path);
      const list = owner ? (data.flow[owner[1]] as Array<{ type: string }> | undefined) : undefined;
      const type = owner && list ? list[Number(owner[2])]?.type : undefined;
      return {
        ...data,
        name: `${packageName} ${file}`,
        packageName,
        type: type ?? '(no node or resource at the path)',
      };
    });
}

const quiet: EngineLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

describe('every configuration refusal of every node and resource type', () => {
  it('has a fixture refusing that type with that code', () => {
    const covered = new Set(fixtures.map((f) => `${f.packageName} ${f.type} ${f.refusal.code}`));
    const missing: string[] = [];
    for (const p of packages) {
      const types = [
        ...registry.nodeTypes().filter((n) => n.package.name === p.name),
        ...registry.resourceTypes().filter((r) => r.package.name === p.name),
      ];
      for (const { definition } of types)
        for (const code of Object.keys(definition.errors ?? {}))
          if (p.refusals.has(code) && !covered.has(`${p.name} ${definition.type} ${code}`))
            missing.push(
              `${p.name}: ${definition.type} lists ${code}, and no fixture in test/refusals/ refuses it with it`,
            );
    }
    expect(missing).toEqual([]);
    // The enumeration finds what the repo has: not a vacuous pass.
    expect(fixtures.length).toBeGreaterThanOrEqual(20);
    expect(packages.filter((p) => p.refusals.size > 0).map((p) => p.name)).toEqual(
      expect.arrayContaining([
        '@tagflow/nodes-core',
        '@tagflow/nodes-modbus',
        '@tagflow/nodes-mqtt',
        '@tagflow/nodes-opcua',
      ]),
    );
  });

  it('gives every type with a check a refusal code of its package in its errors', () => {
    const wrong: string[] = [];
    for (const p of packages) {
      const types = [
        ...registry.nodeTypes().filter((n) => n.package.name === p.name),
        ...registry.resourceTypes().filter((r) => r.package.name === p.name),
      ];
      for (const { definition } of types)
        if (definition.check && !Object.keys(definition.errors ?? {}).some((code) => p.refusals.has(code)))
          wrong.push(`${p.name}: ${definition.type} has a check but lists no refusal code in errors`);
    }
    expect(wrong).toEqual([]);
  });

  it('uses only refusal codes of the package the fixture is in', () => {
    const wrong = fixtures
      .filter((f) => !packages.find((p) => p.name === f.packageName)?.refusals.has(f.refusal.code))
      .map((f) => `${f.name}: ${f.refusal.code} is not a refusal code of ${f.packageName}`);
    expect(wrong).toEqual([]);
  });

  describe.each(fixtures.map((f) => [f.name, f] as const))('%s', (_name, fixture) => {
    let dataDir: string;
    beforeAll(() => {
      dataDir = mkdtempSync(path.join(tmpdir(), 'tagflow-refusal-'));
    });
    afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

    let validated: FlowIssue[] = [];

    it('is refused by validate with its code, at its path, in its words', () => {
      const result = validateFlow(fixture.flow, catalog, { migrations: registry.migrations });
      if (result.ok) throw new Error(`${fixture.name} (${fixture.about}) passed validate`);
      validated = result.errors;
      const match = result.errors.find((e) => e.code === fixture.refusal.code && e.path === fixture.refusal.path);
      if (!match)
        throw new Error(`no ${fixture.refusal.code} at ${fixture.refusal.path} among:\n${formatIssues(result.errors)}`);
      expect(match.message).toContain(fixture.refusal.says);
      // Only the mistake the fixture is about: its other nodes and resources are good.
      expect(result.errors.filter((e) => e !== match)).toEqual([]);
    });

    it('is refused by a deploy with the same code and words, before any connection', async () => {
      const engine = new Engine({ registry, dataDir, logger: quiet });
      try {
        const result = await engine.deploy(fixture.flow);
        if (result.ok) throw new Error(`${fixture.name} (${fixture.about}) was deployed`);
        expect(result.errors).toEqual(validated);
        expect(engine.currentFlow).toBeUndefined();
      } finally {
        await engine.stop();
      }
    });
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ErrorCatalogue } from '../src';
import {
  CATALOGUE_FILE,
  definitions,
  literalCodes,
  parse,
  REPO,
  sourceFiles,
  usedCodes,
  workspacePackages,
} from './error-code-scan';
import type { ParsedFile } from './error-code-scan';

// The rules of issue 13 ("error codes as data") over the whole repository: every package declares
// its codes once, with a meaning, in src/error-codes.ts; code elsewhere uses `catalogue.code.X`;
// each node and resource definition lists the codes it raises; the README lists the catalogue.

/** One package's catalogue file and what it exports. */
interface CatalogueFile {
  /** The package's folder (the scaffold template counts as one), relative to the repository. */
  root: string;
  file: string;
  catalogues: Map<string, ErrorCatalogue<string>>;
}

const isCatalogue = (value: unknown): value is ErrorCatalogue<string> =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as ErrorCatalogue<string>).pick === 'function' &&
  typeof (value as ErrorCatalogue<string>).meanings === 'object';

const files: ParsedFile[] = workspacePackages()
  .flatMap(sourceFiles)
  .map((file) => parse(file));
const catalogueFiles: CatalogueFile[] = files
  .filter((f) => f.file.endsWith(`/${CATALOGUE_FILE}`))
  .map(({ file }) => {
    const exported = require(path.join(REPO, file)) as Record<string, unknown>;
    const catalogues = new Map(
      Object.entries(exported).filter((entry): entry is [string, ErrorCatalogue<string>] => isCatalogue(entry[1])),
    );
    return { root: file.slice(0, -CATALOGUE_FILE.length - 1), file, catalogues };
  });
const isCatalogueFile = (file: string) => catalogueFiles.some((c) => c.file === file);
const codesOf = (c: CatalogueFile) => [...c.catalogues.values()].flatMap((cat) => Object.keys(cat.meanings));

/** Each declared code, with the catalogues that declare it (`coreErrors or modbusErrors`). */
const declared = new Map<string, string>();
for (const c of catalogueFiles) {
  for (const [name, catalogue] of c.catalogues) {
    for (const code of Object.keys(catalogue.meanings)) {
      const before = declared.get(code);
      declared.set(code, before === undefined ? name : `${before} or ${name}`);
    }
  }
}

describe('error codes', () => {
  it('are declared by a catalogue in each package that raises them', () => {
    // A catalogue moved or renamed would drop out of every check below: the list is explicit.
    // The CLI, the editor, node-test and the benchmark raise no codes of their own.
    expect(catalogueFiles.map((c) => c.root).sort()).toEqual([
      'examples/custom-node',
      'nodes/core',
      'nodes/historian',
      'nodes/modbus',
      'nodes/mqtt',
      'nodes/nats',
      'nodes/opcua',
      'packages/cli/templates/node-package',
      'packages/flow-model',
      'packages/node-sdk',
      'runtime',
    ]);
    for (const c of catalogueFiles) expect(c.catalogues.size).toBeGreaterThan(0);
  });

  it('are never written as strings outside their catalogue (file:line of each)', () => {
    const found = files.filter((f) => !isCatalogueFile(f.file)).flatMap((f) => literalCodes(f, declared));
    expect(found).toEqual([]);
  });

  it('are each raised somewhere: no catalogue lists a code nothing uses', () => {
    const unused: string[] = [];
    for (const c of catalogueFiles) {
      // The SDK's codes are raised by the runtime and by node packages; the others by their own package.
      const scope = files.filter(
        (f) => !isCatalogueFile(f.file) && (c.root === 'packages/node-sdk' || f.file.startsWith(`${c.root}/`)),
      );
      const used = new Set(scope.flatMap((f) => [...usedCodes(f)]));
      for (const code of codesOf(c)) if (!used.has(code)) unused.push(`${c.file}: ${code}`);
    }
    expect(unused).toEqual([]);
  });

  it("are listed in each node and resource definition's errors, at least those its own file raises", () => {
    const problems: string[] = [];
    let count = 0;
    // The types a package ships live in `*.node.ts` and `*.resource.ts` (the benchmark's and the
    // tests' own little nodes are fixtures).
    for (const f of files.filter((file) => /\.(node|resource)\.ts$/.test(file.file))) {
      const found = definitions(f);
      if (found.length === 0) continue;
      const used = usedCodes(f);
      for (const d of found) {
        count++;
        if (d.listed === undefined) {
          problems.push(`${d.at}: ${d.type} has no errors: catalogue.pick(...) (pick() when it raises none)`);
          continue;
        }
        for (const code of used) if (!d.listed.includes(code)) problems.push(`${d.at}: ${d.type} raises ${code}`);
      }
    }
    expect(problems).toEqual([]);
    expect(count).toBeGreaterThan(25);
  });

  it("are listed with their meanings, and the types raising them, in each package README's Error codes section", () => {
    const problems: string[] = [];
    for (const c of catalogueFiles) {
      const readme = path.join(c.root, 'README.md');
      const text = readFileSync(path.join(REPO, readme), 'utf8');
      const section = /^## Error codes\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(text);
      if (!section) {
        problems.push(`${readme}: no "## Error codes" section`);
        continue;
      }
      // | `CODE` | meaning | `type`, `type` |: the third column, in packages that define types, lists those raising it.
      const rows = new Map(
        [...section[1].matchAll(/^\| `([A-Z][A-Z0-9_]*)`[^|]*\|\s*(.*?)\s*\|(?:(.*)\|)?$/gm)].map((m) => [
          m[1],
          { meaning: m[2], types: [...(m[3] ?? '').matchAll(/`([^`]+)`/g)].map((t) => t[1]).sort() },
        ]),
      );
      const definitionFiles = files.filter(
        (file) => file.file.startsWith(`${c.root}/`) && /\.(node|resource)\.ts$/.test(file.file),
      );
      const raisedBy = new Map<string, string[]>();
      for (const d of definitionFiles.flatMap(definitions))
        for (const code of d.listed ?? []) raisedBy.set(code, [...(raisedBy.get(code) ?? []), d.type]);
      for (const catalogue of c.catalogues.values()) {
        for (const [code, meaning] of Object.entries(catalogue.meanings)) {
          const row = rows.get(code);
          rows.delete(code);
          if (!row) {
            problems.push(`${readme}: ${code} is missing`);
            continue;
          }
          if (row.meaning !== meaning) problems.push(`${readme}: ${code} says "${row.meaning}", not "${meaning}"`);
          const types = (raisedBy.get(code) ?? []).sort();
          if (definitionFiles.length > 0 && types.join() !== row.types.join())
            problems.push(
              `${readme}: ${code} is raised by ${types.join(', ') || 'no type'}, not ${row.types.join(', ') || 'no type'}`,
            );
        }
      }
      for (const code of rows.keys()) problems.push(`${readme}: ${code} is not in ${c.file}`);
    }
    expect(problems).toEqual([]);
  });
});

describe('the error-code scan', () => {
  const declaredHere = new Map([['NOT_A_NUMBER', 'coreErrors']]);
  const check = (text: string) => literalCodes(parse('nodes/x/src/x.node.ts', text), declaredHere);

  it('finds a declared code written as a string, and a code-like string where a code goes', () => {
    expect(check("throw new NodeError('NOT_A_NUMBER', 'no');")).toEqual([
      "nodes/x/src/x.node.ts:1: 'NOT_A_NUMBER' is written as a string; use coreErrors.code.NOT_A_NUMBER",
    ]);
    expect(check("const a = 1;\nthrow new PackageError('REFUSED', 'no');")).toEqual([
      "nodes/x/src/x.node.ts:2: 'REFUSED' looks like an error code but no catalogue declares it",
    ]);
    expect(check("if (issue.code === 'GONE') x();\nconst i = { code: 'LOST', path: '' };")).toHaveLength(2);
    expect(check("const codes = new Set(['DEVICE_GONE']);")).toHaveLength(1);
  });

  it('leaves alone comments, pick arguments, other text, environment variable names and the platform error codes', () => {
    const text = [
      "// throw new NodeError('NOT_A_NUMBER', ...)",
      "const errors = coreErrors.pick('NOT_A_NUMBER');",
      "const docs = 'an error `NOT_A_NUMBER` when it is not a number';",
      "if (err.code === 'ENOENT' || err.code === 'ERR_REQUIRE_ESM' || err.code === 'CERT_HAS_EXPIRED') x();",
      "const order = 'ABCD'; const method = 'POST';",
      "const level = process.env['TAGFLOW_LOG_LEVEL']; option.env('PLANT_MQTT_PASSWORD');",
    ].join('\n');
    expect(check(text)).toEqual([]);
  });

  it('reads the errors a definition lists and the codes a file raises', () => {
    const parsed = parse(
      'nodes/x/src/x.node.ts',
      [
        "export default defineNode({ type: 'x', errors: coreErrors.pick('A_B', 'C_D'), create() {} });",
        "export const y = defineResource({ type: 'y', create() {} });",
        'throw new NodeError(coreErrors.code.E_F, "no");',
      ].join('\n'),
    );
    expect(definitions(parsed)).toEqual([
      { at: 'nodes/x/src/x.node.ts:1', type: 'x', listed: ['A_B', 'C_D'] },
      { at: 'nodes/x/src/x.node.ts:2', type: 'y', listed: undefined },
    ]);
    expect([...usedCodes(parsed)]).toEqual(['E_F']);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildValidatorModule,
  findNodeType,
  flowSchema,
  loadValidatorModule,
  narrowBranch,
  schemaBranches,
  schemaKey,
  validateFlow,
} from '../src';
import type { Flow, JSONSchema, NodeCatalog, PrecompiledValidators } from '../src';
import { createAjv } from '../src/create-ajv';
import { validateFlowSchema } from '../src/flow-validator.generated';
import { FLOW_VALIDATOR_FILE, flowValidatorSource } from '../src/validator-module';
import { smallFlow } from './helpers';
import { mapCatalog, recordCatalog } from './test-catalog';

/** The module's default export, as the editor's `import()` gets it (jest runs CommonJS). */
function importModule(code: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the test stands in for the browser's import()
  return new Function(code.replace('export default function', 'return function'))() as unknown;
}

function catalogSchemas(catalog: NodeCatalog): JSONSchema[] {
  const nodes = catalog.nodes instanceof Map ? [...catalog.nodes.values()] : Object.values(catalog.nodes);
  const resources =
    catalog.resources instanceof Map ? [...catalog.resources.values()] : Object.values(catalog.resources ?? {});
  return [...nodes, ...resources].map((t) => t.configSchema);
}

/** The test catalog as the editor has it: received as JSON, with the runtime's module loaded. */
function precompiledCatalog(): NodeCatalog & { validators: PrecompiledValidators } {
  const { code, leftOut } = buildValidatorModule(catalogSchemas(mapCatalog()));
  expect(leftOut).toEqual([]);
  return { ...recordCatalog(), validators: loadValidatorModule(importModule(code)) };
}

const badFlows: Array<[string, unknown]> = [
  ['the many-mistakes fixture', JSON.parse(readFileSync(join(__dirname, 'fixtures', 'many-mistakes.json'), 'utf8'))],
  ['not an object', 42],
  ['an empty object', {}],
  ['a newer schema version', { ...smallFlow(), schemaVersion: 7 }],
  ['a bad id and an edge without target', { ...smallFlow(), id: '-x', edges: [{ source: 'sensor' }] }],
  ['a node with unknown fields', { ...smallFlow(), nodes: [{ id: 'a', type: 'debug', typeVersion: 0, colour: 1 }] }],
  ['settings of the wrong type', { ...smallFlow(), settings: { maxHops: 'many' }, ui: 3 }],
];

describe('the flow validator compiled at build time', () => {
  it(`is current: ${FLOW_VALIDATOR_FILE} is what \`pnpm --filter @tagflow/flow-model generate\` writes`, () => {
    const written = readFileSync(join(__dirname, '..', 'src', FLOW_VALIDATOR_FILE), 'utf8');
    expect(written).toBe(flowValidatorSource());
  });

  const compiled = createAjv({ validateSchema: false }).compile(flowSchema);

  it.each(badFlows)('gives the errors of a compiled validator on %s', (_name, flow) => {
    expect(validateFlowSchema(flow)).toBe(false);
    expect(compiled(flow)).toBe(false);
    expect(validateFlowSchema.errors).toEqual(compiled.errors);
    expect(validateFlowSchema.errors!.length).toBeGreaterThan(0);
  });

  it('accepts the valid fixture as the compiled validator does', () => {
    const flow: unknown = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'valid-flow.json'), 'utf8'));
    expect(compiled(flow)).toBe(true);
    expect(validateFlowSchema(flow)).toBe(true);
  });
});

describe('config validators compiled ahead of time (buildValidatorModule)', () => {
  const flows: Array<[string, Flow | Record<string, unknown>]> = [
    ['the many-mistakes fixture', JSON.parse(readFileSync(join(__dirname, 'fixtures', 'many-mistakes.json'), 'utf8'))],
    ['a valid flow (defaults filled in)', smallFlow()],
    [
      'bad values in a oneOf and an anyOf',
      {
        ...smallFlow(),
        nodes: [
          { id: 'sensor', type: 'signal', typeVersion: 1, config: { shape: { kind: 'saw' }, label: true } },
          { id: 'avg', type: 'moving-average', typeVersion: 1, config: { window: { count: 'ten' }, field: 3 } },
        ],
      },
    ],
    [
      'a branch with a bad field and a resource without its url',
      {
        ...smallFlow(),
        resources: [{ id: 'b', type: 'mqtt-broker', config: { url: 'not a uri', keepaliveSeconds: 0 } }],
        nodes: [{ id: 'sensor', type: 'signal', typeVersion: 1, config: { shape: { kind: 'random-walk', step: -1 } } }],
        edges: [],
      },
    ],
  ];

  it.each(flows)('gives the same result as compiling, on %s', (_name, flow) => {
    const precompiled = precompiledCatalog();
    expect(validateFlow(flow, precompiled)).toEqual(validateFlow(flow, mapCatalog()));
  });

  it('compiles nothing when the catalog carries validators: a schema it lacks is left unchecked', () => {
    const catalog = precompiledCatalog();
    const flow = {
      ...smallFlow(),
      nodes: [{ id: 'avg', type: 'moving-average', typeVersion: 1, config: { window: { count: 0 } } }],
      edges: [],
    };
    const without = { ...catalog, validators: new Map() };
    const result = validateFlow(flow, without);
    expect(result.ok).toBe(true);
    // The top-level defaults are still filled in (a subflow's parameters rely on them).
    expect(result.ok && result.flow.nodes[0].config).toEqual({ window: { count: 0 }, field: 'payload' });
    expect(validateFlow(flow, catalog).ok).toBe(false);
  });

  it('holds a validator for each branch the editor narrows a oneOf to', () => {
    const catalog = precompiledCatalog();
    const schema = findNodeType(mapCatalog(), 'signal')!.configSchema;
    const narrowed = narrowBranch(JSON.parse(JSON.stringify(schema)) as JSONSchema, ['shape'], ['kind', 'step']);
    expect(narrowed).toBeDefined();
    expect(catalog.validators.has(schemaKey(narrowed!))).toBe(true);
    expect(schemaBranches(schema).map(schemaKey)).toContain(schemaKey(narrowed!));
  });

  it('is the same text for the same schemas, so its hash can name it', () => {
    const schemas = catalogSchemas(mapCatalog());
    expect(buildValidatorModule(schemas).code).toBe(buildValidatorModule(catalogSchemas(mapCatalog())).code);
  });

  it('leaves out a schema that does not compile, saying why', () => {
    const built = buildValidatorModule([{ type: 'nubmer' }, { type: 'number' }]);
    expect(built.leftOut).toHaveLength(1);
    expect(built.leftOut[0]).toMatch(/nubmer/);
    const validators = loadValidatorModule(importModule(built.code));
    expect([...validators.keys()]).toEqual([schemaKey({ type: 'number' })]);
  });
});

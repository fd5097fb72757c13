import {
  nodeConventionProblems,
  repoNodePackageDirs,
  resourceConventionProblems,
  workspaceNodePackageDirs,
} from '../src';
import type { ConventionOptions, ConventionProblem } from '../src';
import { loadRepoRegistry } from './repo-registry';

/** Every rule, including rule 5: every definition lists its error codes in `errors`. */
const options: ConventionOptions = { requireErrors: true };

const lines = (problems: ConventionProblem[]) => problems.map((p) => `${p.path} ${p.message}`);

describe('definition conventions of every registered type', () => {
  const registry = loadRepoRegistry();
  const nodes = registry.nodeTypes().map((n) => [`${n.package.name} ${n.definition.type}`, n.definition] as const);
  const resources = registry
    .resourceTypes()
    .map((r) => [`${r.package.name} ${r.definition.type}`, r.definition] as const);

  it('walks every node package of the repo and the scaffold template', () => {
    expect(repoNodePackageDirs()).toEqual(workspaceNodePackageDirs());
    const packages = new Set(registry.nodeTypes().map((n) => n.package.name));
    expect([...packages].sort()).toEqual([
      '@acme/oee-nodes',
      '@tagflow/nodes-core',
      '@tagflow/nodes-historian',
      '@tagflow/nodes-modbus',
      '@tagflow/nodes-mqtt',
      '@tagflow/nodes-nats',
      '@tagflow/nodes-opcua',
      'tagflow new-node template',
    ]);
    expect(resources.length).toBeGreaterThanOrEqual(4);
  });

  it.each(nodes)('node %s follows them', (_name, definition) => {
    expect(lines(nodeConventionProblems(definition, options))).toEqual([]);
  });

  it.each(resources)('resource %s follows them', (_name, definition) => {
    expect(lines(resourceConventionProblems(definition, options))).toEqual([]);
  });
});

describe('the convention checks', () => {
  const good = {
    type: 'gauge',
    version: 1,
    category: 'processor',
    description: 'Checks a value.',
    docs: '## What it sends\n\nThe value.\n\n## Example\n\n```json\n{ "payload": 1 }\n```',
    inputs: ['in'],
    outputs: ['out'],
    configSchema: {
      type: 'object',
      properties: { limit: { type: 'number', description: 'The limit.', 'x-ui': { label: 'Limit' } } },
    },
    create: () => ({}),
  };

  it('pass a definition that follows them', () => {
    expect(nodeConventionProblems(good, { requireErrors: false })).toEqual([]);
  });

  it('name the JSON path of each broken rule, at any depth', () => {
    const bad = {
      type: 'gauge',
      category: 'processor',
      version: 1,
      description: 'Checks a value',
      docs: 'Prose, no sections.',
      inputs: ['in'],
      outputs: ['out'],
      configSchema: {
        type: 'object',
        properties: {
          qos: { enum: [0, 1, 2], default: 1 },
          window: {
            description: 'Which values.',
            oneOf: [
              {
                type: 'object',
                properties: { count: { type: 'integer', minimum: 1, description: 'How many', 'x-ui': { label: 'N' } } },
              },
            ],
            'x-ui': { label: 'Window' },
          },
          tags: {
            type: 'array',
            description: 'Tags.',
            'x-ui': { label: 'Tags' },
            items: { type: 'object', properties: { name: { 'x-ui': { label: 'Name' }, type: 'string' } } },
          },
        },
        allOf: [{ if: { properties: { qos: { const: 2 } } }, then: { required: ['window'] } }],
      },
      create: () => ({}),
      extra: true,
    };
    expect(lines(nodeConventionProblems(bad, { requireErrors: true }))).toEqual([
      '$.version comes after `category` (order: type, version, category, description, docs, inputs, outputs, numberedOutputs, resources, requiresResourcesAtDeploy, breaksCycles, manualTrigger, link, errors, configSchema, migrations, catches, watchesStatus, check, secretDestinations, create)',
      '$.extra is not a key of a definition (keys, in order: type, version, category, description, docs, inputs, outputs, numberedOutputs, resources, requiresResourcesAtDeploy, breaksCycles, manualTrigger, link, errors, configSchema, migrations, catches, watchesStatus, check, secretDestinations, create)',
      '$.description does not end with a period',
      '$.docs has no `## Example` section with a code block (a flow snippet or a message)',
      '$.errors is missing: list the codes the type may raise (`catalogue.pick(...)`, `{}` when none)',
      '$.configSchema.properties.qos.default comes after a constraints key (order: type/oneOf/anyOf, title, description, default, constraints, x-ui)',
      '$.configSchema.properties.qos.description is missing',
      '$.configSchema.properties.qos.x-ui.label is missing',
      '$.configSchema.properties.window.oneOf comes after a description key (order: type/oneOf/anyOf, title, description, default, constraints, x-ui)',
      '$.configSchema.properties.window.oneOf[0].properties.count.description comes after a constraints key (order: type/oneOf/anyOf, title, description, default, constraints, x-ui)',
      '$.configSchema.properties.window.oneOf[0].properties.count.description does not end with a period',
      '$.configSchema.properties.tags.items comes after a x-ui key (order: type/oneOf/anyOf, title, description, default, constraints, x-ui)',
      '$.configSchema.properties.tags.items.properties.name.type comes after a x-ui key (order: type/oneOf/anyOf, title, description, default, constraints, x-ui)',
      '$.configSchema.properties.tags.items.properties.name.description is missing',
      '$.docs has no `## What it sends` section',
    ]);
  });

  it('check error meanings only when errors are required', () => {
    const { configSchema, create, ...head } = good;
    const withErrors = { ...head, errors: { TOO_HIGH: 'Above the limit' }, configSchema, create };
    expect(lines(nodeConventionProblems(withErrors, { requireErrors: false }))).toEqual([]);
    expect(lines(nodeConventionProblems(withErrors, { requireErrors: true }))).toEqual([
      '$.errors.TOO_HIGH does not end with a period',
    ]);
  });

  it('hold resources to their own key order, without a "What it sends" section', () => {
    const resource = {
      type: 'valve',
      version: 1,
      description: 'A valve.',
      docs: '## Example\n\n```json\n{}\n```',
      configSchema: { type: 'object', properties: {} },
      errors: {},
      create: () => ({}),
    };
    expect(lines(resourceConventionProblems(resource, { requireErrors: true }))).toEqual([
      '$.errors comes after `configSchema` (order: type, version, description, docs, errors, configSchema, check, secretDestinations, create, tools)',
    ]);
  });
});

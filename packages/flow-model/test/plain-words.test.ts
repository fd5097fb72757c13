import { fieldLabel, formatIssue, validateFlow } from '../src';
import type { Flow, FlowIssue, NodeCatalog, NodeTypeInfo } from '../src';

// Issue 18, "plain words everywhere": each problem names the field by its label and the node by
// its label, in a sentence a process engineer understands; the JSON path is only a detail.

const limits: NodeTypeInfo = {
  type: 'threshold',
  version: 1,
  category: 'processor',
  inputs: ['in'],
  outputs: ['out'],
  configSchema: {
    type: 'object',
    anyOf: [
      { title: 'a high limit (above)', required: ['above'] },
      { title: 'a low limit (below)', required: ['below'] },
    ],
    properties: {
      above: { type: 'number', 'x-ui': { label: 'High limit' } },
      below: { type: 'number', 'x-ui': { label: 'Low limit' } },
      hysteresis: { type: 'number', minimum: 0, default: 0, 'x-ui': { label: 'Hysteresis' } },
      window: {
        type: 'object',
        default: {},
        'x-ui': { label: 'Window' },
        properties: { count: { type: 'integer', minimum: 1, default: 10, 'x-ui': { label: 'Values' } } },
      },
      rules: {
        type: 'array',
        items: { type: 'object', properties: { value: { type: 'number', 'x-ui': { label: 'Value' } } } },
      },
      topic: { type: 'string', minLength: 1 },
    },
    additionalProperties: false,
  },
  check: (config) =>
    typeof config.below === 'number' && typeof config.above === 'number' && config.below > config.above
      ? [{ path: '/below', message: 'the low limit must be below the high limit', code: 'INVALID_LIMITS' }]
      : [],
};

const source: NodeTypeInfo = {
  type: 'simulate',
  version: 1,
  category: 'source',
  inputs: [],
  outputs: ['out'],
  configSchema: { type: 'object' },
};

const pass: NodeTypeInfo = {
  type: 'pass',
  version: 1,
  category: 'processor',
  inputs: ['in'],
  outputs: ['out'],
  configSchema: { type: 'object' },
};

const catalog: NodeCatalog = { nodes: { threshold: limits, simulate: source, pass }, resources: {} };

function flowWith(config: Record<string, unknown>, name: string | undefined = 'High flow alarm'): Flow {
  return {
    schemaVersion: 1,
    id: 'words',
    nodes: [
      { id: 'sim', type: 'simulate', typeVersion: 1, config: {} },
      { id: 'high-flow', type: 'threshold', typeVersion: 1, config, ...(name ? { name } : {}) },
    ],
    edges: [{ source: 'sim', target: 'high-flow' }],
  };
}

function errors(config: Record<string, unknown>, name?: string): FlowIssue[] {
  const result = validateFlow(flowWith(config, name), catalog);
  if (result.ok) throw new Error('expected errors');
  return result.errors;
}

describe('plain words for config problems', () => {
  it('says a wrong type with the field label, an example and what was typed; the path is a detail', () => {
    const [issue] = errors({ above: 'abc' });
    expect(issue).toMatchObject({
      code: 'CONFIG_INVALID',
      path: '/nodes/1/config/above',
      nodeId: 'high-flow',
      field: 'High limit',
      text: 'High limit must be a number, e.g. 42.5 (you typed "abc")',
      message: 'node "High flow alarm" (threshold): High limit must be a number, e.g. 42.5 (you typed "abc")',
    });
    expect(issue.message).not.toContain('/nodes/');
    // The CLI's one-line form still says where, for those who edit the file.
    expect(formatIssue(issue)).toBe(
      '/nodes/1/config/above: node "High flow alarm" (threshold): High limit must be a number, e.g. 42.5 (you typed "abc") [CONFIG_INVALID]',
    );
  });

  it('asks for one of the limits when none is set, naming both by label', () => {
    const [issue] = errors({});
    expect(issue.text).toBe('Set at least one limit: High limit or Low limit');
    expect(issue.path).toBe('/nodes/1/config');
    expect(issue.message).not.toMatch(/allowed forms|got an object/);
  });

  it('names a node without a label by its id', () => {
    const [issue] = errors({ above: 1, hysteresis: -1 }, '');
    expect(issue.message).toBe('node "high-flow" (threshold): Hysteresis must be at least 0 (you typed -1)');
  });

  it('names nested fields and rows of lists by their labels', () => {
    const found = errors({ above: 1, window: { count: 0 }, rules: [{ value: 1 }, { value: 'x' }], topic: '' });
    expect(found.map((e) => e.text)).toEqual([
      'Window › Values must be at least 1 (you typed 0)',
      'Rules row 2 › Value must be a number, e.g. 42.5 (you typed "x")',
      'Topic must not be empty: fill it in',
    ]);
  });

  it('says an unknown setting with its key and a guess', () => {
    const [issue] = errors({ above: 1, hysterisis: 2 });
    expect(issue.text).toMatch(/^The setting "hysterisis" is not a known field; did you mean "hysteresis"\?/);
  });

  it("puts a type's own check under the field's label, without the path", () => {
    const [issue] = errors({ above: 10, below: 20 });
    expect(issue).toMatchObject({
      code: 'INVALID_LIMITS',
      path: '/nodes/1/config/below',
      field: 'Low limit',
      text: 'the low limit must be below the high limit',
      message: 'node "High flow alarm" (threshold): Low limit: the low limit must be below the high limit',
    });
  });
});

describe('plain words for warnings', () => {
  it('warns about an unconnected node by its label, with what to do', () => {
    const flow = flowWith({ above: 1 });
    flow.nodes.push({ id: 'spare', type: 'pass', typeVersion: 1, name: 'Spare step' });
    const result = validateFlow(flow, catalog);
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([
      expect.objectContaining({
        code: 'UNCONNECTED_NODE',
        path: '/nodes/2',
        nodeId: 'spare',
        message:
          'node "Spare step" (pass) is not connected to any other node yet: wire it to another node, or remove it if it is not needed',
      }),
    ]);
    expect(result.warnings[0].message).not.toMatch(/edge|\/nodes/);
  });

  it('warns about a loop without a delay, naming its nodes by label', () => {
    const flow: Flow = {
      schemaVersion: 1,
      id: 'loop',
      nodes: [
        { id: 'a', type: 'pass', typeVersion: 1, name: 'Retry' },
        { id: 'b', type: 'pass', typeVersion: 1 },
      ],
      edges: [
        { source: 'a', target: 'b' },
        { source: 'b', target: 'a' },
      ],
    };
    const result = validateFlow(flow, catalog);
    expect(result.ok).toBe(true);
    const [warning] = result.warnings;
    expect(warning.code).toBe('UNBROKEN_CYCLE');
    expect(warning.message).toMatch(
      /^node "Retry" \(pass\) is on a loop with no node that delays or limits: Retry → b → Retry\./,
    );
    expect(warning.message).not.toContain('/nodes/');
  });
});

describe('fieldLabel', () => {
  it('finds x-ui labels, titles and keys in words', () => {
    expect(fieldLabel(limits.configSchema, '/above')).toBe('High limit');
    expect(fieldLabel(limits.configSchema, '/window/count')).toBe('Window › Values');
    expect(fieldLabel({ properties: { passThrough: { type: 'boolean' } } }, '/passThrough')).toBe('Pass through');
    expect(fieldLabel({ properties: { a: { title: 'Alpha' } } }, '/a')).toBe('Alpha');
    const window = { properties: { window: { properties: { count: { 'x-ui': { label: 'Window size' } } } } } };
    expect(fieldLabel(window, '/window/count')).toBe('Window size');
    expect(fieldLabel(limits.configSchema, '')).toBeUndefined();
  });
});

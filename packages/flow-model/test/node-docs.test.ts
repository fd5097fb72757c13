import { configFields, nodeDocsSections, renderNodeDocs, renderResourceDocs, splitDocsExample } from '../src';
import type { NodeTypeInfo, ResourceTypeInfo } from '../src';

const gauge: NodeTypeInfo = {
  type: 'gauge',
  version: 1,
  category: 'processor',
  description: 'Checks a value against a limit.',
  docs: [
    'Sends each value on, with `alarm` set when it is above `limit`.',
    '',
    '## Example',
    '',
    '```json',
    '{ "type": "gauge", "config": { "limit": 5 } }',
    '```',
    '',
    '## What it sends',
    '',
    'The value.',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out', 'error'],
  resources: { broker: 'mqtt-broker' },
  errors: { NOT_A_NUMBER: 'The payload is not a number.' },
  configSchema: {
    type: 'object',
    properties: {
      broker: { type: 'string', minLength: 1, description: 'Broker id.', 'x-ui': { label: 'Broker' } },
      limit: {
        type: 'number',
        description: 'Above this | the alarm.',
        default: 10,
        exclusiveMinimum: 0,
        'x-ui': { label: 'Limit', unit: 'bar' },
      },
    },
    required: ['broker'],
  },
};

describe('renderNodeDocs', () => {
  it('renders a whole page: prose, ports, config table, errors, and the example last', () => {
    expect(renderNodeDocs(gauge)).toBe(
      [
        '# gauge',
        '',
        'Checks a value against a limit.',
        '',
        'Category: `processor`.',
        '',
        'Sends each value on, with `alarm` set when it is above `limit`.',
        '',
        '## What it sends',
        '',
        'The value.',
        '',
        '## Ports',
        '',
        '- Input: `in`.',
        '- Output: `out`.',
        "- `error`: receives this node's errors as messages, when wired (`msg.error` says what failed).",
        '- Resource: `broker` names a `mqtt-broker` resource, shared with the other nodes that name it.',
        '',
        '## Config',
        '',
        '| field | label | type | default | unit | description |',
        '| --- | --- | --- | --- | --- | --- |',
        '| `broker` | Broker | string, not empty | required |  | Broker id. |',
        '| `limit` | Limit | number, > 0 | `10` | bar | Above this \\| the alarm. |',
        '',
        '## Errors',
        '',
        '| code | meaning |',
        '| --- | --- |',
        '| `NOT_A_NUMBER` | The payload is not a number. |',
        '',
        '## Example',
        '',
        '```json',
        '{ "type": "gauge", "config": { "limit": 5 } }',
        '```',
        '',
      ].join('\n'),
    );
  });

  it('says a source has no input and leaves out what the node does not have', () => {
    const source: NodeTypeInfo = {
      type: 'tick',
      version: 1,
      category: 'source',
      inputs: [],
      outputs: ['out'],
      configSchema: { type: 'object', properties: {} },
    };
    const page = renderNodeDocs(source);
    expect(page).toContain('- No input: a source.');
    expect(page).toContain('## Config\n\nNo settings.');
    expect(page).not.toContain('## Errors');
    expect(page).not.toContain('## Example');
    expect(nodeDocsSections(source).map((s) => s.kind)).toEqual(['title', 'description', 'ports', 'config']);
  });

  it('lists outputs numbered by the config as a range, with the count field and its bounds', () => {
    const router: NodeTypeInfo = {
      type: 'router',
      version: 1,
      category: 'processor',
      inputs: ['in'],
      outputs: ['error'],
      numberedOutputs: { prefix: 'out', countField: 'outputs' },
      configSchema: {
        type: 'object',
        properties: { outputs: { type: 'integer', minimum: 1, maximum: 32, default: 6 } },
      },
    };
    expect(renderNodeDocs(router)).toContain(
      "## Ports\n\n- Input: `in`.\n- Outputs `out1` to `outN`: N is config field `outputs` (1 to 32, default 6).\n- `error`: receives this node's errors",
    );
  });
});

describe('renderResourceDocs', () => {
  it('renders a resource page without ports', () => {
    const broker: ResourceTypeInfo = {
      type: 'broker',
      description: 'A connection to a broker.',
      docs: 'Connects once.',
      errors: { NO_BROKER: 'The broker cannot be reached.' },
      configSchema: { type: 'object', properties: { url: { type: 'string', description: 'Where.' } } },
    };
    const page = renderResourceDocs(broker);
    expect(page.startsWith('# broker\n\nA connection to a broker.\n\nA resource: ')).toBe(true);
    expect(page).toContain('Connects once.');
    expect(page).toContain('| `url` |  | string |  |  | Where. |');
    expect(page).toContain('| `NO_BROKER` | The broker cannot be reached. |');
    expect(page).not.toContain('## Ports');
  });
});

describe('configFields', () => {
  it('names nested objects, array items, maps and oneOf branches readably, with their schema paths', () => {
    const fields = configFields({
      type: 'object',
      properties: {
        window: {
          oneOf: [
            { type: 'object', title: 'Last N values', properties: { count: { type: 'integer', minimum: 1 } } },
            { type: 'object', properties: { kind: { const: 'time' }, seconds: { type: 'number' } } },
          ],
        },
        tags: {
          type: 'array',
          items: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
        },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        range: { type: 'object', properties: { min: { type: 'number', maximum: 5 } } },
        value: { oneOf: [{ type: 'string' }, { type: 'number' }] },
      },
    });
    expect(fields.map((f) => [f.path, f.branches.join(' > '), f.type, f.schemaPath])).toEqual([
      ['window', '', 'object, one of: Last N values; kind: "time"', '/properties/window'],
      ['window.count', 'Last N values', 'integer, ≥ 1', '/properties/window/oneOf/0/properties/count'],
      ['window.kind', 'kind: "time"', 'always "time"', '/properties/window/oneOf/1/properties/kind'],
      ['window.seconds', 'kind: "time"', 'number', '/properties/window/oneOf/1/properties/seconds'],
      ['tags', '', 'array of objects', '/properties/tags'],
      ['tags[].name', '', 'string', '/properties/tags/items/properties/name'],
      ['labels', '', 'object: name → string', '/properties/labels'],
      ['range', '', 'object', '/properties/range'],
      ['range.min', '', 'number, ≤ 5', '/properties/range/properties/min'],
      ['value', '', 'string or number', '/properties/value'],
    ]);
    expect(fields.find((f) => f.path === 'tags[].name')?.required).toBe(true);
  });
});

describe('splitDocsExample', () => {
  it('takes the example section out, up to the next heading, ignoring headings in code blocks', () => {
    const docs = ['Intro.', '', '## Examples', '', '```md', '## Not a heading', '```', '', '## Status', '', 'Ok.'];
    expect(splitDocsExample(docs.join('\n'))).toEqual({
      prose: 'Intro.\n\n## Status\n\nOk.',
      example: '## Examples\n\n```md\n## Not a heading\n```',
    });
  });

  it('leaves docs without an example whole', () => {
    expect(splitDocsExample('  Just prose.\n')).toEqual({ prose: 'Just prose.' });
  });
});

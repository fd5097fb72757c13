import { numberedPortsProblems, outputPorts, validateFlow } from '../src';
import type { NodeCatalog, NodeTypeInfo } from '../src';
import { errorsOf } from './helpers';
import { mapCatalog, recordCatalog } from './test-catalog';

// A switch-like router: one fixed `error` output, then `out1` … `outN` with N from `config.outputs`.
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
    additionalProperties: false,
  },
};

/** The test catalog with the router added, as the runtime (Maps) or the editor (JSON records) holds it. */
function catalogs(): Array<[string, NodeCatalog]> {
  const maps = mapCatalog();
  (maps.nodes as Map<string, NodeTypeInfo>).set('router', router);
  const records = recordCatalog();
  (records.nodes as Record<string, NodeTypeInfo>).router = JSON.parse(JSON.stringify(router)) as NodeTypeInfo;
  return [
    ['runtime', maps],
    ['editor', records],
  ];
}

function flow(config: Record<string, unknown> | undefined, sourcePort: string) {
  return {
    schemaVersion: 1,
    id: 'routing',
    nodes: [
      { id: 'sensor', type: 'simulate', typeVersion: 1 },
      { id: 'sw', type: 'router', typeVersion: 1, ...(config ? { config } : {}) },
      { id: 'show', type: 'debug', typeVersion: 1 },
    ],
    edges: [
      { source: 'sensor', target: 'sw' },
      { source: 'sw', sourcePort, target: 'show' },
    ],
  };
}

describe('output ports numbered by the config', () => {
  it.each(catalogs())('accepts an edge from out12 when the config sets 16 outputs (%s catalog)', (_, catalog) => {
    const result = validateFlow(flow({ outputs: 16 }, 'out12'), catalog);
    expect(result.ok).toBe(true);
  });

  it.each(catalogs())('refuses an edge from out12 with 6 outputs, in plain words (%s catalog)', (_, catalog) => {
    const errors = errorsOf(validateFlow(flow({ outputs: 6 }, 'out12'), catalog));
    expect(errors).toEqual([
      expect.objectContaining({ code: 'UNKNOWN_PORT', path: '/edges/1/sourcePort', nodeId: 'sw' }),
    ]);
    expect(errors[0].message).toBe(
      'edge "sw:out12->show:in": /edges/1/sourcePort "out12" is not an output port of node "sw" (router); ' +
        'its output ports are "error", "out1" to "out6" (config field "outputs" is 6); ' +
        'set config field "outputs" to 12 or more to add it',
    );
  });

  it('counts the schema default when the config leaves the count out', () => {
    const [, catalog] = catalogs()[0];
    expect(validateFlow(flow(undefined, 'out6'), catalog).ok).toBe(true);
    expect(errorsOf(validateFlow(flow(undefined, 'out7'), catalog))[0].message).toContain('"out1" to "out6"');
  });

  it('keeps fixed outputs and refuses names that are no port at any count', () => {
    const [, catalog] = catalogs()[0];
    expect(validateFlow(flow({ outputs: 2 }, 'error'), catalog).ok).toBe(true);
    const message = errorsOf(validateFlow(flow({ outputs: 2 }, 'out0'), catalog))[0].message;
    expect(message).toContain('its output ports are "error", "out1" and "out2"');
    expect(message).not.toContain('set config field');
  });

  it('reports only the count when the count itself is out of range', () => {
    const [, catalog] = catalogs()[0];
    const errors = errorsOf(validateFlow(flow({ outputs: 40 }, 'out12'), catalog));
    expect(errors.map((e) => [e.code, e.path])).toEqual([['CONFIG_INVALID', '/nodes/1/config/outputs']]);
  });

  it('lists the ports a config gives', () => {
    expect(outputPorts(router, { outputs: 3 })).toEqual(['error', 'out1', 'out2', 'out3']);
    expect(outputPorts(router, {})).toHaveLength(7);
    expect(outputPorts(router, { outputs: 'many' })).toHaveLength(7);
    expect(outputPorts({ ...router, numberedOutputs: undefined }, { outputs: 3 })).toEqual(['error']);
  });
});

describe('numberedPortsProblems', () => {
  const schema = router.configSchema;
  it('accepts a count field with integer bounds and a default', () => {
    expect(numberedPortsProblems(router.numberedOutputs, schema, ['error'])).toEqual([]);
    expect(numberedPortsProblems(undefined, schema, [])).toEqual([]);
  });

  it.each([
    ['a function', () => ['out1'], /must be \{ prefix: "out", countField: "outputs" \}/],
    ['a missing field', { prefix: 'out', countField: 'count' }, /"count" must be a top-level property/],
    ['a prefix ending in a digit', { prefix: 'out2', countField: 'outputs' }, /not ending in a digit/],
  ])('refuses %s', (_, value, expected) => {
    expect(numberedPortsProblems(value, schema, []).join('\n')).toMatch(expected);
  });

  it('refuses a count without bounds or default, and a fixed port with a numbered name', () => {
    const loose = { type: 'object', properties: { outputs: { type: 'number' } } };
    expect(numberedPortsProblems(router.numberedOutputs, loose, [])).toEqual([
      'config field "outputs" (the count of numbered outputs) must be { "type": "integer", "minimum": 0 or more, "maximum": at most 64, "default": in between }',
    ]);
    expect(numberedPortsProblems(router.numberedOutputs, schema, ['out3'])).toEqual([
      'the fixed output "out3" has the name of a numbered output; rename it',
    ]);
  });
});

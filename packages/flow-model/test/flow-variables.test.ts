import { findVariableRefs, flowErrors, resolveFlowVariables, validateFlow } from '../src';
import type { NodeCatalog } from '../src';
import { mapCatalog } from './test-catalog';

type Item = { config: Record<string, unknown> };
type Configs = { resources: Item[]; nodes: Item[] };

const catalog: NodeCatalog = mapCatalog();

function siteFlow(): Record<string, unknown> {
  return {
    schemaVersion: 1,
    id: 'site',
    resources: [
      { id: 'plc', type: 'modbus-device', config: { host: '${PLC_HOST}', port: '${PLC_PORT}' } },
      { id: 'broker', type: 'mqtt-broker', config: { url: 'mqtt://${BROKER}:1883' } },
    ],
    nodes: [
      { id: 'sim', type: 'simulate', typeVersion: 1, config: { tag: 'site/${SITE}/flow', periodSeconds: '${PERIOD}' } },
      { id: 'gain', type: 'scale', typeVersion: 1, config: { gain: 2 } },
      { id: 'log', type: 'debug', typeVersion: 1, config: { active: '${DEBUG}' } },
    ],
    edges: [
      { source: 'sim', sourcePort: 'out', target: 'gain', targetPort: 'in' },
      { source: 'gain', sourcePort: 'out', target: 'log', targetPort: 'in' },
    ],
  };
}

const values = {
  PLC_HOST: '10.0.3.7',
  PLC_PORT: '5020',
  BROKER: 'broker.site',
  SITE: 'north',
  PERIOD: '0.5',
  DEBUG: 'false',
};

describe('flow variables', () => {
  test('replaces every ${NAME} and converts whole fields to the type the schema wants', () => {
    const input = siteFlow();
    const copy = structuredClone(input);
    const result = resolveFlowVariables(input, catalog, values);
    expect(result.errors).toEqual([]);
    const flow = result.flow as Configs;
    expect(flow.resources[0].config).toEqual({ host: '10.0.3.7', port: 5020 });
    expect(flow.resources[1].config).toEqual({ url: 'mqtt://broker.site:1883' });
    expect(flow.nodes[0].config).toEqual({ tag: 'site/north/flow', periodSeconds: 0.5 });
    expect(flow.nodes[2].config).toEqual({ active: false });
    expect(result.used).toEqual(values);
    // The stored flow keeps its ${...} text: the input is not changed.
    expect(input).toEqual(copy);
    expect(validateFlow(result.flow, catalog).ok).toBe(true);
  });

  test('lists every unresolved variable, naming the node or resource, the JSON path and the variable', () => {
    const result = resolveFlowVariables(siteFlow(), catalog, { PLC_PORT: '502', PERIOD: '1', DEBUG: 'true' });
    expect(result.errors.map((e) => [e.code, e.path, e.nodeId ?? e.resourceId])).toEqual([
      [flowErrors.code.VARIABLE_UNRESOLVED, '/resources/0/config/host', 'plc'],
      [flowErrors.code.VARIABLE_UNRESOLVED, '/resources/1/config/url', 'broker'],
      [flowErrors.code.VARIABLE_UNRESOLVED, '/nodes/0/config/tag', 'sim'],
    ]);
    expect(result.errors[0].message).toBe(
      'resource "plc" (modbus-device): /resources/0/config/host: variable PLC_HOST is not set on this runtime (set it with: tagflow var set PLC_HOST VALUE)',
    );
    expect(result.errors[2].message).toContain('node "sim" (simulate)');
    expect(result.errors[2].message).toContain('variable SITE');
  });

  test('a value that does not convert to the field type is refused in plain words', () => {
    const result = resolveFlowVariables(siteFlow(), catalog, { ...values, PLC_PORT: 'five', DEBUG: 'yes' });
    expect(result.errors.map((e) => e.code)).toEqual([flowErrors.code.VARIABLE_TYPE, flowErrors.code.VARIABLE_TYPE]);
    expect(result.errors[0].message).toContain('variable PLC_PORT is "five", which is not an integer');
    expect(result.errors[1].message).toContain('variable DEBUG is "yes", which is not a boolean');
    const halves = resolveFlowVariables(siteFlow(), catalog, { ...values, PLC_PORT: '502.5' });
    expect(halves.errors[0].message).toContain('not an integer');
  });

  test('$${ is a literal ${, and a malformed reference is an error', () => {
    const flow = siteFlow() as unknown as Configs;
    flow.nodes[0].config.tag = 'cost $${PRICE} at ${SITE}';
    const ok = resolveFlowVariables(flow, catalog, values);
    expect((ok.flow as Configs).nodes[0].config.tag).toBe('cost ${PRICE} at north');
    expect(findVariableRefs(flow, catalog).map((r) => r.name)).not.toContain('PRICE');
    flow.nodes[0].config.tag = 'site ${site name}';
    const bad = resolveFlowVariables(flow, catalog, values);
    expect(bad.errors.map((e) => e.code)).toEqual([flowErrors.code.VARIABLE_SYNTAX]);
    expect(bad.errors[0].message).toContain('${site name} is not a variable reference');
  });

  test('a secret-name field may not use a variable, and code fields are left alone', () => {
    const secretCatalog: NodeCatalog = {
      nodes: {
        fn: {
          type: 'fn',
          version: 1,
          category: 'processor',
          inputs: ['in'],
          outputs: ['out'],
          configSchema: {
            type: 'object',
            properties: {
              code: { type: 'string', 'x-ui': { widget: 'code' } },
              passwordEnv: { type: 'string', 'x-secret': true },
            },
          },
        },
      },
      resources: {},
    };
    const flow = {
      schemaVersion: 1,
      id: 'f',
      nodes: [
        { id: 'a', type: 'fn', typeVersion: 1, config: { code: 'return `${msg.payload}`', passwordEnv: '${WHICH}' } },
      ],
      edges: [],
    };
    const result = resolveFlowVariables(flow, secretCatalog, { WHICH: 'ADMIN_PASSWORD' });
    expect(result.errors.map((e) => [e.code, e.path])).toEqual([
      [flowErrors.code.VARIABLE_IN_SECRET_FIELD, '/nodes/0/config/passwordEnv'],
    ]);
    expect(findVariableRefs(flow, secretCatalog).map((r) => r.path)).toEqual(['/nodes/0/config/passwordEnv']);
  });

  test('findVariableRefs lists each reference with its place', () => {
    const refs = findVariableRefs(siteFlow(), catalog);
    expect(refs.map((r) => `${r.nodeId ?? r.resourceId}:${r.name}:${r.whole}`)).toEqual([
      'plc:PLC_HOST:true',
      'plc:PLC_PORT:true',
      'broker:BROKER:false',
      'sim:SITE:false',
      'sim:PERIOD:true',
      'log:DEBUG:true',
    ]);
  });
});

test('a flow over the limits is left to validation, which names the limit, instead of overflowing the stack', () => {
  let deep: Record<string, unknown> = { v: '${X}' };
  for (let i = 0; i < 10_000; i++) deep = { a: deep };
  const flow = {
    schemaVersion: 1,
    id: 'deep',
    nodes: [{ id: 'n', type: 'debug', typeVersion: 1, config: deep }],
    edges: [],
  };
  const result = resolveFlowVariables(flow, catalog, {});
  expect(result).toEqual({ flow, errors: [], used: {} });
  expect(findVariableRefs(flow, catalog)).toEqual([]);
  const validation = validateFlow(result.flow, catalog);
  expect(validation.ok ? [] : validation.errors.map((e) => e.code)).toEqual([flowErrors.code.NESTED_TOO_DEEP]);
});

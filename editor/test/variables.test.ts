import { flowErrors } from '@tagflow/flow-model';
import type { Flow, NodeCatalog } from '@tagflow/flow-model';
import { fieldVariables, validate, variableNamesIn } from '../src/state';

const catalog: NodeCatalog = {
  nodes: {
    sensor: {
      type: 'sensor',
      version: 1,
      category: 'source',
      inputs: [],
      outputs: ['out'],
      configSchema: {
        type: 'object',
        properties: { host: { type: 'string' }, port: { type: 'integer', minimum: 1 } },
        additionalProperties: false,
      },
    },
  },
  resources: {},
};

const flow: Flow = {
  schemaVersion: 1,
  id: 'f',
  nodes: [{ id: 'plc', type: 'sensor', typeVersion: 1, config: { host: '${PLC_HOST}', port: '${PLC_PORT}' } }],
  edges: [],
};

describe('variables in the editor', () => {
  it('finds the variables a field uses, skipping $${ escapes', () => {
    expect(variableNamesIn('mqtt://${HOST}:${PORT}/$${NOT}/${HOST}')).toEqual(['HOST', 'PORT']);
    expect(variableNamesIn(42)).toEqual([]);
    expect(fieldVariables('${A}-${B}', { A: '1' })).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: undefined },
    ]);
  });

  it("checks the flow with the runtime's values: a ${PORT} field is the number it stands for", () => {
    expect(validate(flow, catalog, { PLC_HOST: '10.0.3.7', PLC_PORT: '502' }).ok).toBe(true);
    const zero = validate(flow, catalog, { PLC_HOST: '10.0.3.7', PLC_PORT: '0' });
    expect(zero.byField('plc').get('port')).toBe('Port must be at least 1 (you typed 0)');
  });

  it('lists each variable not set on the runtime, at its field', () => {
    const result = validate(flow, catalog, { PLC_PORT: '502' });
    expect(result.errors.map((e) => e.code)).toEqual([flowErrors.code.VARIABLE_UNRESOLVED]);
    expect(result.byField('plc').get('host')).toContain('variable PLC_HOST is not set on this runtime');
  });

  it('before the values are known, reports no unset variable and leaves those fields to the runtime', () => {
    expect(validate(flow, catalog).ok).toBe(true);
  });
});

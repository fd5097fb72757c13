import { buildValidatorModule, loadValidatorModule } from '@tagflow/flow-model';
import type { Flow, JSONSchema } from '@tagflow/flow-model';
import { catalogFromApi, validate } from '../src/state';
import type { NodesApiResponse } from '../src/state';
import { nodesApi, pumpMonitor } from './load-fixtures';

// In the browser the editor validates with the runtime's precompiled validators (its CSP forbids
// eval): here they must find what compiling the schemas finds, field by field, in the same words.

/** What the runtime compiles for GET /api/nodes (runtime/src/server/editor-validators.ts). */
function withPrecompiled(api: NodesApiResponse): NodesApiResponse {
  const schemas: JSONSchema[] = [{ type: 'object', properties: {} }];
  for (const n of api.nodes) {
    schemas.push(n.configSchema);
    if (n.subflow?.params) schemas.push(n.subflow.params);
  }
  for (const r of api.resources ?? []) schemas.push(r.configSchema);
  const { code } = buildValidatorModule(schemas);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- stands in for the browser's import() of the module
  const factory = new Function(code.replace('export default function', 'return function'))() as unknown;
  return { ...api, precompiled: loadValidatorModule(factory) };
}

const compiled = catalogFromApi(nodesApi());
const precompiled = catalogFromApi(withPrecompiled(nodesApi()));

function mutated(change: (flow: Flow) => void): Flow {
  const flow = pumpMonitor();
  change(flow);
  return flow;
}

const node = (flow: Flow, id: string) => flow.nodes.find((n) => n.id === id)!;

const cases: Array<[string, Flow]> = [
  ['the pump monitor as it is', pumpMonitor()],
  [
    'a window count of 0 (a oneOf branch, named at its field)',
    mutated((f) => (node(f, 'avg').config = { window: { count: 0 } })),
  ],
  ['an empty window', mutated((f) => (node(f, 'avg').config = { window: {} }))],
  [
    'a threshold limit that is text and a negative hysteresis',
    mutated((f) => (node(f, 'high-flow').config = { above: 'high', hysteresis: -1 })),
  ],
  ['an empty threshold (anyOf)', mutated((f) => (node(f, 'high-flow').config = {}))],
  [
    'an unknown field and a bad flow id',
    mutated(
      (f) => (((f as { id: string }).id = '-bad'), (node(f, 'avg').config = { window: { count: 3 }, colour: 'red' })),
    ),
  ],
];

describe('validation with precompiled validators', () => {
  it('attaches them to the catalog built from GET /api/nodes', () => {
    expect(precompiled.validators?.size).toBeGreaterThan(nodesApi().nodes.length);
    expect(compiled.validators).toBeUndefined();
  });

  it.each(cases)('finds what compiling finds, field by field: %s', (_name, flow) => {
    const a = validate(flow, compiled);
    const b = validate(flow, precompiled);
    expect(b.issues).toStrictEqual(a.issues);
    for (const n of flow.nodes) expect([...b.byField(n.id)]).toStrictEqual([...a.byField(n.id)]);
  });

  it('names the window count, not the window, when the count is 0', () => {
    const flow = cases[1][1];
    expect([...validate(flow, precompiled).byField('avg')]).toStrictEqual([
      ['window.count', 'Window size must be at least 1 (you typed 0)'],
    ]);
  });
});

import { validateFlow } from '../src';
import type { ConfigCheck, FlowIssue, NodeCatalog, NodeTypeInfo, ResourceTypeInfo } from '../src';
import validFlow from './fixtures/valid-flow.json';
import { mapCatalog } from './test-catalog';

/** The test catalog, with `check` added to the threshold node type and the mqtt-broker resource type. */
function catalogWith(nodeCheck: ConfigCheck | undefined, resourceCheck?: ConfigCheck): NodeCatalog {
  const base = mapCatalog();
  const nodes = new Map(base.nodes as ReadonlyMap<string, NodeTypeInfo>);
  nodes.set('threshold', { ...(nodes.get('threshold') as NodeTypeInfo), check: nodeCheck });
  const resources = new Map(base.resources as ReadonlyMap<string, ResourceTypeInfo>);
  if (resourceCheck) {
    resources.set('mqtt-broker', { ...(resources.get('mqtt-broker') as ResourceTypeInfo), check: resourceCheck });
  }
  return { nodes, resources };
}

function flow(): unknown {
  return JSON.parse(JSON.stringify(validFlow));
}

function errorsOf(catalog: NodeCatalog, input: unknown = flow()): FlowIssue[] {
  const result = validateFlow(input, catalog);
  if (result.ok) throw new Error('expected the flow to be refused');
  return result.errors;
}

describe("a type's own check in validateFlow", () => {
  it('turns each problem into an error at the full path, with the code and words of the check', () => {
    const seen: unknown[] = [];
    const check: ConfigCheck = (config) => {
      seen.push(config);
      return [
        { path: '/above', message: 'must not be 42.5 here', code: 'LIMIT_BAD' },
        { path: '', message: 'the whole config is odd', code: 'ODD' },
      ];
    };
    expect(errorsOf(catalogWith(check))).toEqual([
      {
        code: 'LIMIT_BAD',
        path: '/nodes/2/config/above',
        nodeId: 'high-flow',
        field: 'Above',
        text: 'must not be 42.5 here',
        message: 'node "high-flow" (threshold): Above: must not be 42.5 here',
      },
      {
        code: 'ODD',
        path: '/nodes/2/config',
        nodeId: 'high-flow',
        text: 'the whole config is odd',
        message: 'node "high-flow" (threshold): the whole config is odd',
      },
    ]);
    // After the schema, with its defaults filled in.
    expect(seen).toEqual([{ above: 42.5, hysteresis: 0 }]);
  });

  it('accepts the flow when the check finds nothing', () => {
    expect(
      validateFlow(
        flow(),
        catalogWith(() => []),
      ).ok,
    ).toBe(true);
  });

  it('is not called when the config already fails its schema', () => {
    const check = jest.fn(() => []);
    const input = flow() as { nodes: Array<{ config: Record<string, unknown> }> };
    input.nodes[2].config.above = 'high';
    const errors = errorsOf(catalogWith(check), input);
    expect(errors.map((e) => e.code)).toEqual(['CONFIG_INVALID']);
    expect(check).not.toHaveBeenCalled();
  });

  it('reports a check that throws or answers nonsense as a problem of that node, not a crash', () => {
    const throwing = errorsOf(
      catalogWith(() => {
        throw new TypeError('boom');
      }),
    );
    expect(throwing).toEqual([
      {
        code: 'CONFIG_CHECK_FAILED',
        path: '/nodes/2/config',
        nodeId: 'high-flow',
        message:
          'node "high-flow" (threshold): /nodes/2/config cannot be checked: the config check of node type "threshold" failed (TypeError: boom); report this to the package\'s author',
      },
    ]);
    const nonsense = errorsOf(catalogWith((() => 'fine') as unknown as ConfigCheck));
    expect(nonsense.map((e) => [e.code, e.message])).toEqual([
      [
        'CONFIG_CHECK_FAILED',
        expect.stringContaining('the config check of node type "threshold" did not answer a list of problems'),
      ],
    ]);
    const badProblem = errorsOf(catalogWith(() => [{ path: 'above', message: 'x', code: 'X' }]));
    expect(badProblem.map((e) => e.code)).toEqual(['CONFIG_CHECK_FAILED']);
  });

  it("runs a resource type's check too", () => {
    const errors = errorsOf(
      catalogWith(undefined, () => [{ path: '/url', message: 'names no host', code: 'NO_HOST' }]),
    );
    expect(errors).toEqual([
      {
        code: 'NO_HOST',
        path: '/resources/0/config/url',
        resourceId: 'plant-broker',
        field: 'URL',
        text: 'names no host',
        message: 'resource "plant-broker" (mqtt-broker): URL: names no host',
      },
    ]);
  });

  it('leaves the catalog JSON-safe: JSON drops the check', () => {
    const info = (catalogWith(() => []).nodes as ReadonlyMap<string, NodeTypeInfo>).get('threshold');
    expect(JSON.parse(JSON.stringify(info))).not.toHaveProperty('check');
  });
});

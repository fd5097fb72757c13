import { flowErrors, flowSchema, validateFlow } from '../src';
import type { Flow } from '../src';
import { errorsOf, smallFlow } from './helpers';
import { mapCatalog } from './test-catalog';

const catalog = mapCatalog();

function grouped(groups: unknown): Flow {
  return { ...smallFlow(), groups } as unknown as Flow;
}

describe('groups', () => {
  it('accepts named, coloured groups and keeps them in the validated flow (the runtime ignores them)', () => {
    const groups = [{ id: 'pump', name: 'Pump 3', nodes: ['sensor', 'avg'], color: '#3b82f6' }];
    const result = validateFlow(grouped(groups), catalog);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.flow.groups).toEqual(groups);
    expect(result.warnings).toEqual([]);
    expect(flowSchema.properties.groups).toBeDefined();
  });

  it('refuses a group naming a node the flow does not have, in plain words with a guess', () => {
    const errors = errorsOf(
      validateFlow(grouped([{ id: 'pump', name: 'Pump 3', nodes: ['sensor', 'avgg'] }]), catalog),
    );
    expect(errors).toEqual([
      {
        code: flowErrors.code.GROUP_NODE_NOT_FOUND,
        path: '/groups/0/nodes/1',
        message:
          'group "pump" ("Pump 3"): /groups/0/nodes/1 names node "avgg", which is not a node of this flow; did you mean "avg"? (remove it from the group, or add the node)',
      },
    ]);
  });

  it('refuses a node in two groups and two groups with one id', () => {
    const errors = errorsOf(
      validateFlow(
        grouped([
          { id: 'a', nodes: ['sensor'] },
          { id: 'b', nodes: ['sensor', 'avg', 'avg'] },
          { id: 'a', nodes: [] },
        ]),
        catalog,
      ),
    );
    expect(errors.map((e) => [e.code, e.path])).toEqual([
      [flowErrors.code.GROUP_INVALID, '/groups/1/nodes/0'],
      [flowErrors.code.GROUP_INVALID, '/groups/1/nodes/2'],
      [flowErrors.code.GROUP_INVALID, '/groups/2/id'],
    ]);
    expect(errors[0].message).toBe(
      'group "b": /groups/1/nodes/0 node "sensor" is already in group "a"; a node can be in one group only',
    );
    expect(errors[2].message).toBe(
      'group "a": /groups/2/id "a" is already the id of the group at /groups/0; group ids must be unique',
    );
    expect(errors[1].message).toContain('node "avg" is listed twice in this group');
  });

  it('refuses a badly shaped group, naming it', () => {
    const errors = errorsOf(validateFlow(grouped([{ id: 'pump', nodes: 'sensor', color: 'blue' }]), catalog));
    expect(errors.map((e) => [e.code, e.path])).toEqual([
      [flowErrors.code.INVALID_FIELD, '/groups/0/nodes'],
      [flowErrors.code.INVALID_FIELD, '/groups/0/color'],
    ]);
    expect(errors[1].message).toMatch(/^group "pump": \/groups\/0\/color/);
  });
});

describe('self-loops', () => {
  it('refuses a wire from a node back into itself, in the words the editor uses', () => {
    const flow = smallFlow();
    flow.edges.push({ source: 'avg', target: 'avg' });
    const errors = errorsOf(validateFlow(flow, catalog));
    expect(errors).toEqual([
      {
        code: flowErrors.code.SELF_LOOP,
        path: '/edges/1',
        edgeId: 'avg:out->avg:in',
        nodeId: 'avg',
        message:
          'edge "avg:out->avg:in": /edges/1 connects node "avg" (moving-average) to itself: a node\'s output cannot be wired back into its own input. To send a message round again, pass it through another node (such as a delay or a switch that ends the loop)',
      },
    ]);
  });
});

import { PLACEHOLDER_TYPE, validateFlow } from '../src';
import { errorsOf, smallFlow } from './helpers';
import { mapCatalog } from './test-catalog';

describe('Node-RED placeholders', () => {
  const withPlaceholder = () => {
    const flow = smallFlow();
    flow.nodes.push({
      id: 'ping',
      type: PLACEHOLDER_TYPE,
      typeVersion: 1,
      config: {
        nodeRedType: 'exec',
        reason: 'tagflow has no "exec" node',
        useInstead: 'a function node',
        original: { command: 'ping' },
      },
    });
    flow.edges.push({ source: 'avg', target: 'ping' });
    return flow;
  };

  it('refuse the flow in plain words: the Node-RED type, why, and what to use instead', () => {
    const errors = errorsOf(validateFlow(withPlaceholder(), mapCatalog()));
    expect(errors).toEqual([
      {
        code: 'NODERED_PLACEHOLDER',
        path: '/nodes/2/type',
        nodeId: 'ping',
        message:
          'node "ping" (nodered-placeholder): /nodes/2 is a Node-RED "exec" node that was not converted (tagflow has no "exec" node): use a function node instead, then deploy again',
      },
    ]);
  });

  it('say so even without the reason fields', () => {
    const flow = withPlaceholder();
    flow.nodes[2].config = {};
    expect(errorsOf(validateFlow(flow, mapCatalog()))[0].message).toMatch(
      /Node-RED "unknown" node that was not converted: replace it with a tagflow node/,
    );
  });
});

import { ID_PATTERN } from '@tagflow/flow-model';
import { EngineCallError } from '../../supervisor/engine-rpc';
import type { TriggerOutcome } from '../../supervisor/engine-contract';
import { HttpError } from '../http-error';
import type { RouteContext, RouteDef } from '../route-types';

const ID = new RegExp(ID_PATTERN);

/**
 * The inject button of the editor (Node-RED's inject): a person makes one node of a deployed flow
 * send one message now. Only node types that declare `manualTrigger` (a timer, a simulator) can;
 * the node sends what a scheduled run would. A deployer's act: it feeds the running flow.
 */
export function injectRoutes(ctx: RouteContext): RouteDef[] {
  return [
    {
      method: 'POST',
      path: '/api/flows/:id/nodes/:nodeId/inject',
      role: 'deployer',
      summary:
        "Makes a node of the running flow send one message now (the editor's inject button), for node types that can be triggered by hand (GET /api/nodes: manualTrigger).",
      responses: {
        '200': '{status: sent, nodeId}',
        '400': 'a malformed flow or node id',
        '404': 'the flow is not deployed (or is disabled or stopped), or the node is not in the running flow',
        '409': 'the node is disabled, or its type cannot be triggered by hand',
        '503': 'the engine cannot answer now (restarting)',
      },
      async handler(req, res) {
        const flowId = String(req.params.id);
        const nodeId = String(req.params.nodeId);
        if (!ID.test(flowId) || !ID.test(nodeId))
          throw new HttpError(
            400,
            'the flow and node ids are letters, digits, . _ - (starting with a letter or digit)',
          );
        const engine = ctx.runtime.get(flowId)?.engine;
        const running = engine?.currentFlow;
        if (!engine || !running)
          throw new HttpError(404, `flow "${flowId}" is not running here: deploy it (or enable it) first`);
        const node = running.nodes.find((n) => n.id === nodeId);
        if (!node)
          throw new HttpError(
            404,
            `the running flow "${running.name ?? flowId}" has no node "${nodeId}": deploy the flow with it first`,
          );
        const named = `"${node.name ?? node.id}" (${node.type})`;
        if (node.disabled) throw new HttpError(409, `${named} is disabled in the running flow, so it cannot send`);
        if (!ctx.registry.node(node.type)?.definition.manualTrigger)
          throw new HttpError(
            409,
            `${named} cannot be triggered by hand: only sources such as a timer or a simulator have an inject button`,
          );
        if (!engine.triggerNode) throw new HttpError(503, 'this runtime cannot trigger nodes');
        let outcome: TriggerOutcome;
        try {
          outcome = await engine.triggerNode(nodeId);
        } catch (err) {
          if (err instanceof EngineCallError)
            throw new HttpError(503, `the engine cannot answer now: ${err.message}`, { 'Retry-After': '2' });
          throw err;
        }
        if (!outcome.ok) {
          const status = outcome.reason === 'not-running' ? 404 : 409;
          throw new HttpError(status, `${named} did not send: ${outcome.message}`);
        }
        res.json({ status: 'sent', nodeId });
      },
    },
  ];
}

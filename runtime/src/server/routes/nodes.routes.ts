import type { RouteContext, RouteDef } from '../route-types';

/** The editor palette: every installed node and resource type, with the schema its form is drawn from. */
export function nodesRoutes(ctx: RouteContext): RouteDef[] {
  return [
    {
      method: 'GET',
      path: '/api/nodes',
      role: 'viewer',
      summary: 'Installed node and resource types with their config schemas, docs, error codes and packages.',
      responses: { '200': '{nodes: [...], resources: [...]}' },
      handler(_req, res) {
        res.json(ctx.registry.paletteJson());
      },
    },
  ];
}

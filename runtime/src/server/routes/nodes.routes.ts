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
        const nodes = ctx.registry.nodeTypes().map(({ definition: d, package: pkg }) => ({
          type: d.type,
          version: d.version,
          category: d.category,
          description: d.description,
          docs: d.docs ?? null,
          errors: d.errors ?? {},
          inputs: d.inputs,
          outputs: d.outputs,
          configSchema: d.configSchema,
          // Which config fields name a resource, and of which type: the editor offers resource pickers from it.
          resources: d.resources ?? {},
          package: pkg,
        }));
        const resources = ctx.registry.resourceTypes().map(({ definition: d, package: pkg }) => ({
          type: d.type,
          version: d.version,
          description: d.description,
          docs: d.docs ?? null,
          errors: d.errors ?? {},
          configSchema: d.configSchema,
          package: pkg,
        }));
        res.json({ nodes, resources });
      },
    },
  ];
}

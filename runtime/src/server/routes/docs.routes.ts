import type { RouteContext, RouteDef } from '../route-types';
import { buildOpenApi } from '../openapi';

/** The OpenAPI document, generated from the route table itself so it cannot drift from it. */
export function docsRoutes(ctx: RouteContext, table: () => RouteDef[]): RouteDef[] {
  let document: object | undefined;
  return [
    {
      method: 'GET',
      path: '/api/openapi.json',
      role: 'viewer',
      summary: 'This API, as an OpenAPI 3.1 document.',
      responses: { '200': 'OpenAPI 3.1 document' },
      handler(_req, res) {
        document ??= buildOpenApi(table(), ctx.version);
        res.json(document);
      },
    },
  ];
}

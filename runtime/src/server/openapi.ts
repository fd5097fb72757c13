import type { RouteDef } from './route-types';

/** Express `/a/:id` → OpenAPI `/a/{id}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

const errorSchema = { $ref: '#/components/schemas/Error' };

/**
 * Builds the OpenAPI 3.1 document from the route table: one operation per route, its role as
 * `x-tagflow-role` and its security, and the auth answers every protected route can give.
 */
export function buildOpenApi(routes: RouteDef[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    const params = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const query = (route.query ?? []).map((q) => ({
      name: q.name,
      in: 'query',
      required: false,
      description: q.description,
      schema: q.schema,
    }));
    const responses: Record<string, unknown> = {};
    for (const [code, description] of Object.entries(route.responses)) {
      const json =
        code.startsWith('2') && code !== '204'
          ? { [route.produces ?? 'application/json']: { schema: {} } }
          : { 'application/json': { schema: errorSchema } };
      responses[code] =
        code === '204' || code === '304' || code === '101' ? { description } : { description, content: json };
    }
    if (route.role !== 'public') {
      responses['401'] ??= {
        description: 'missing, unknown or revoked token',
        content: { 'application/json': { schema: errorSchema } },
      };
      responses['403'] ??= {
        description: `the token's role is below ${route.role}`,
        content: { 'application/json': { schema: errorSchema } },
      };
      responses['429'] ??= {
        description: 'too many failed logins from this address (see Retry-After)',
        content: { 'application/json': { schema: errorSchema } },
      };
    }
    if (route.jsonBody)
      responses['400'] ??= {
        description: 'the body is not valid JSON',
        content: { 'application/json': { schema: errorSchema } },
      };
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = {
      operationId: operationId(route),
      summary: route.summary,
      'x-tagflow-role': route.role,
      security: route.role === 'public' ? [] : [{ bearer: [] }],
      ...(params.length + query.length > 0 ? { parameters: [...params, ...query] } : {}),
      ...(route.jsonBody
        ? {
            requestBody: {
              required: true,
              description: route.jsonBody.description,
              content: { 'application/json': { schema: route.jsonBody.schema } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'tagflow runtime admin API',
      version,
      description: 'Every route but /healthz needs a bearer token; roles: viewer < deployer < admin.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: { type: 'object', required: ['error'], properties: { error: { type: 'string' } } } },
    },
    paths,
  };
}

function operationId(route: RouteDef): string {
  const words = route.path.split(/[/.{}:-]+/).filter(Boolean);
  return [route.method.toLowerCase(), ...words.map((w) => w[0].toUpperCase() + w.slice(1))].join('');
}

import type { Role } from '../../store/types';
import { ROLES } from '../auth';
import { HttpError, sendError } from '../http-error';
import type { RouteContext, RouteDef } from '../route-types';
import { recordAudit } from './record-audit';

/** Token management, for admins. A token's value leaves the server once: in the 201 that creates it. */
export function tokensRoutes(ctx: RouteContext): RouteDef[] {
  const audit = (event: Parameters<typeof recordAudit>[1]) => recordAudit(ctx, event);
  return [
    {
      method: 'GET',
      path: '/api/tokens',
      role: 'admin',
      summary: 'Every token (id, name, role, creation time); never a value.',
      responses: { '200': 'TokenInfo[]' },
      handler(_req, res) {
        res.json(ctx.tokens.list());
      },
    },
    {
      method: 'POST',
      path: '/api/tokens',
      role: 'admin',
      summary: 'Creates a token; its value is in this answer only.',
      jsonBody: {
        description: '{role, name}',
        schema: {
          type: 'object',
          required: ['role', 'name'],
          properties: { role: { enum: [...ROLES] }, name: { type: 'string', minLength: 1, maxLength: 100 } },
        },
      },
      responses: { '201': '{info, token}', '400': 'role or name is missing or malformed' },
      async handler(req, res, caller) {
        const { role, name } = (req.body ?? {}) as { role?: unknown; name?: unknown };
        if (typeof role !== 'string' || !ROLES.includes(role as Role))
          throw new HttpError(400, `role must be one of ${ROLES.join(', ')}`);
        // The token store's own rule, checked here so a bad name is a 400 and not a 500.
        if (typeof name !== 'string' || !/^[^\p{Cc}]{1,100}$/u.test(name) || name.trim() !== name) {
          throw new HttpError(
            400,
            'name must be 1 to 100 characters, without control characters or surrounding spaces',
          );
        }
        const created = await ctx.tokens.create(role as Role, name);
        await audit({
          type: 'token-created',
          actor: caller?.name ?? 'unknown',
          detail: `created token "${name}" with role ${role}`,
          data: { id: created.info.id, role },
        });
        // The value must not linger in caches or proxies.
        res.setHeader('Cache-Control', 'no-store');
        res.status(201).json({ info: created.info, token: created.token });
      },
    },
    {
      method: 'DELETE',
      path: '/api/tokens/:id',
      role: 'admin',
      summary: 'Revokes a token at once.',
      responses: { '204': 'revoked', '404': 'no such token' },
      async handler(req, res, caller) {
        const id = String(req.params.id);
        const info = ctx.tokens.list().find((t) => t.id === id);
        if (!(await ctx.tokens.revoke(id)))
          return sendError(res, 404, `there is no token with id "${id.slice(0, 64)}"`);
        await audit({
          type: 'token-revoked',
          actor: caller?.name ?? 'unknown',
          detail: `revoked token "${info?.name ?? id}"`,
          data: { id },
        });
        res.status(204).end();
      },
    },
  ];
}

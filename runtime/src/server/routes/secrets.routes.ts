import { SECRET_NAME } from '../../store/secret-store';
import { HttpError, sendError } from '../http-error';
import type { RouteContext, RouteDef } from '../route-types';
import { recordAudit } from './record-audit';

const MAX_NAME_CHARS = 128;
const MAX_VALUE_CHARS = 64 * 1024;

/** Secret management, for admins: names in, names out; values go in and never come back. */
export function secretsRoutes(ctx: RouteContext): RouteDef[] {
  const nameOf = (raw: unknown): string => {
    const name = String(raw);
    // The secret store's own rule, checked here so a bad name is a 400 and not a 500.
    if (!SECRET_NAME.test(name) || name.length > MAX_NAME_CHARS) {
      throw new HttpError(
        400,
        `a secret name starts with a letter or _, then letters, digits or . _ - (at most ${MAX_NAME_CHARS})`,
      );
    }
    return name;
  };
  return [
    {
      method: 'GET',
      path: '/api/secrets',
      role: 'admin',
      summary: 'The names of the stored secrets; never their values.',
      responses: { '200': '{names: string[]}' },
      handler(_req, res) {
        res.json({ names: ctx.secrets.names() });
      },
    },
    {
      method: 'PUT',
      path: '/api/secrets/:name',
      role: 'admin',
      summary: 'Sets a secret (encrypted at rest).',
      jsonBody: {
        description: '{value}',
        schema: {
          type: 'object',
          required: ['value'],
          properties: { value: { type: 'string', maxLength: MAX_VALUE_CHARS } },
        },
      },
      responses: { '204': 'stored', '400': 'the name or value is malformed' },
      async handler(req, res, caller) {
        const name = nameOf(req.params.name);
        const value = (req.body as { value?: unknown } | undefined)?.value;
        if (typeof value !== 'string' || value.length > MAX_VALUE_CHARS)
          throw new HttpError(400, `value must be a string of at most ${MAX_VALUE_CHARS} characters`);
        await ctx.secrets.set(name, value);
        await recordAudit(ctx, {
          type: 'secret-set',
          actor: caller?.name ?? 'unknown',
          detail: `set secret "${name}"`,
        });
        res.status(204).end();
      },
    },
    {
      method: 'DELETE',
      path: '/api/secrets/:name',
      role: 'admin',
      summary: 'Deletes a secret.',
      responses: { '204': 'deleted', '400': 'the name is malformed', '404': 'no such secret' },
      async handler(req, res, caller) {
        const name = nameOf(req.params.name);
        if (!(await ctx.secrets.delete(name))) return sendError(res, 404, `there is no secret named "${name}"`);
        await recordAudit(ctx, {
          type: 'secret-deleted',
          actor: caller?.name ?? 'unknown',
          detail: `deleted secret "${name}"`,
        });
        res.status(204).end();
      },
    },
  ];
}

import { flowSecretProblems } from '../../admin/secret-bindings';
import { parseAllowList, unboundWarning } from '../../store/secret-destinations';
import { SECRET_NAME } from '../../store/secret-store';
import { HttpError, sendError } from '../http-error';
import type { RouteContext, RouteDef } from '../route-types';
import { recordAudit } from './record-audit';

const MAX_NAME_CHARS = 128;
const MAX_VALUE_CHARS = 64 * 1024;
const MAX_ALLOW_ENTRIES = 64;

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
      summary:
        'The stored secrets: each name and the hosts it may be sent to (allow: null when unbound); never their values.',
      responses: { '200': '{names: string[], secrets: {name, allow: string[] | null}[]}' },
      handler(_req, res) {
        const secrets = ctx.secrets.list();
        res.json({ names: secrets.map((s) => s.name), secrets });
      },
    },
    {
      method: 'PUT',
      path: '/api/secrets/:name',
      role: 'admin',
      summary:
        'Sets a secret (encrypted at rest), bound to the host[:port] entries of allow, or unbound (a warning says so) without it.',
      jsonBody: {
        description: '{value, allow?: ["host[:port]", ...]}',
        schema: {
          type: 'object',
          required: ['value'],
          properties: {
            value: { type: 'string', maxLength: MAX_VALUE_CHARS },
            allow: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: MAX_ALLOW_ENTRIES },
          },
        },
      },
      responses: {
        '200':
          '{name, allow: string[] | null, warning?}: stored; warning when it is bound to no host, or when the running flow sends it elsewhere',
        '400': 'the name, value or an allow entry is malformed',
      },
      async handler(req, res, caller) {
        const name = nameOf(req.params.name);
        const body = (req.body ?? {}) as { value?: unknown; allow?: unknown };
        const { value } = body;
        if (typeof value !== 'string' || value.length > MAX_VALUE_CHARS)
          throw new HttpError(400, `value must be a string of at most ${MAX_VALUE_CHARS} characters`);
        const allow = allowOf(body.allow);
        await ctx.secrets.set(name, value, allow);
        const stored = ctx.secrets.list().find((s) => s.name === name)?.allow ?? null;
        await recordAudit(ctx, {
          type: 'secret-set',
          actor: caller?.name ?? 'unknown',
          detail: stored ? `set secret "${name}", allowed to ${stored.join(', ')}` : `set secret "${name}", unbound`,
        });
        const warning = stored ? runningFlowWarning(ctx, name) : unboundWarning(name);
        res.json({ name, allow: stored, ...(warning ? { warning } : {}) });
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

/** The allow list of a request, checked: absent stays absent; a bad entry is a 400 naming it. */
function allowOf(raw: unknown): string[] | undefined {
  if (raw === undefined) return undefined;
  const usage = `allow must be a list of 1 to ${MAX_ALLOW_ENTRIES} "host[:port]" strings, e.g. ["broker.plant:1883"]; leave it out to leave the secret unbound`;
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_ALLOW_ENTRIES) throw new HttpError(400, usage);
  if (raw.some((e) => typeof e !== 'string')) throw new HttpError(400, usage);
  try {
    parseAllowList(raw as string[]);
  } catch (err) {
    throw new HttpError(400, (err as Error).message);
  }
  return raw as string[];
}

/**
 * A binding counts from the next deploy: say so when the running flow sends the secret where the
 * new binding forbids (it keeps doing so, on every reconnect, until a deploy replaces it).
 */
function runningFlowWarning(ctx: RouteContext, name: string): string | undefined {
  const allow = ctx.secrets.allowList(name);
  if (!allow) return undefined;
  const several = ctx.runtime.ids().length > 1;
  const warnings: string[] = [];
  for (const id of ctx.runtime.ids()) {
    const current = ctx.runtime.get(id)?.history.current();
    if (!current) continue;
    const problems = flowSecretProblems(current.flow, ctx.registry, new Map([[name, allow]]));
    if (problems.length === 0) continue;
    const flow = several ? `flow "${id}"` : 'the running flow';
    warnings.push(
      `${flow} (version ${current.version.version}) still sends secret ${name} where it is not allowed, until a deploy replaces it: ${problems.map((p) => p.message).join('; ')}`,
    );
  }
  return warnings.length === 0 ? undefined : warnings.join('; ');
}

import type { AuditEvent } from '../../store/types';
import { HttpError } from '../http-error';
import type { RouteContext, RouteDef } from '../route-types';

const AUDIT_TYPES: ReadonlyArray<AuditEvent['type']> = [
  'deploy',
  'deploy-rejected',
  'rollback',
  'token-created',
  'token-revoked',
  'secret-set',
  'secret-deleted',
  'login-failed',
  'package-installed',
  'package-removed',
  'start',
  'stop',
  'engine-ended',
];
const MAX_LIMIT = 10_000;

/** The audit log, for admins: who deployed what, who failed to log in. */
export function auditRoutes(ctx: RouteContext): RouteDef[] {
  return [
    {
      method: 'GET',
      path: '/api/audit',
      role: 'admin',
      summary: 'Audit events, newest last.',
      query: [
        { name: 'since', description: 'epoch milliseconds or ISO 8601 time', schema: { type: 'string' } },
        { name: 'type', description: 'only events of this type', schema: { type: 'string', enum: [...AUDIT_TYPES] } },
        {
          name: 'limit',
          description: `the newest N (default 1000, at most ${MAX_LIMIT})`,
          schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT },
        },
      ],
      responses: { '200': 'AuditEvent[]', '400': 'a query parameter is malformed' },
      async handler(req, res) {
        const { since, type, limit } = req.query;
        const filter: { since?: number; type?: AuditEvent['type']; limit?: number } = {};
        if (since !== undefined) filter.since = parseSince(since);
        if (type !== undefined) {
          if (typeof type !== 'string' || !AUDIT_TYPES.includes(type as AuditEvent['type']))
            throw new HttpError(400, `type must be one of ${AUDIT_TYPES.join(', ')}`);
          filter.type = type as AuditEvent['type'];
        }
        if (limit !== undefined) {
          if (typeof limit !== 'string' || !/^\d{1,6}$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_LIMIT)
            throw new HttpError(400, `limit must be a whole number from 1 to ${MAX_LIMIT}`);
          filter.limit = Number(limit);
        }
        res.json(await ctx.audit.query(filter));
      },
    },
  ];
}

function parseSince(value: unknown): number {
  if (typeof value === 'string') {
    if (/^\d{1,15}$/.test(value)) return Number(value);
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new HttpError(400, 'since must be epoch milliseconds or an ISO 8601 time');
}

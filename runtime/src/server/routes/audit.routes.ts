import { AuditCursorError } from '../../store/audit-log-reader';
import type { AuditEvent, AuditFilter } from '../../store/types';
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
  'variable-set',
  'variable-deleted',
  'context-set',
  'context-deleted',
  'login-failed',
  'package-installed',
  'package-removed',
  'start',
  'stop',
  'engine-ended',
];
const MAX_LIMIT = 10_000;

/**
 * The audit log, for admins: who deployed what, who failed to log in. Pages go from the newest
 * events back: each page is the newest `limit` matching events before its cursor, oldest first
 * (so the first page is what the route always answered), and `X-Next-Cursor` (also a `Link`
 * rel="next") leads to the page before it.
 */
export function auditRoutes(ctx: RouteContext): RouteDef[] {
  return [
    {
      method: 'GET',
      path: '/api/audit',
      role: 'admin',
      summary:
        'Audit events, a page at a time from the newest back: the newest `limit` events before `before`, oldest first. ' +
        'The X-Next-Cursor header (and Link rel="next") gives the `before` of the next, older page; no header, no older events. ' +
        'Repeated failed logins are summed into one event with a `count`.',
      query: [
        { name: 'since', description: 'epoch milliseconds or ISO 8601 time', schema: { type: 'string' } },
        { name: 'type', description: 'only events of this type', schema: { type: 'string', enum: [...AUDIT_TYPES] } },
        {
          name: 'limit',
          description: `the newest N (default 1000, at most ${MAX_LIMIT})`,
          schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT },
        },
        {
          name: 'before',
          description: 'the X-Next-Cursor of the previous page: only events older than it',
          schema: { type: 'string' },
        },
      ],
      responses: {
        '200': 'AuditEvent[], oldest first; header X-Next-Cursor when older events may follow',
        '400': 'a query parameter or the cursor is malformed',
        '410': 'the cursor points at events rotated out of the log',
      },
      async handler(req, res) {
        const { since, type, limit, before } = req.query;
        const filter: AuditFilter & { before?: string } = {};
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
        if (before !== undefined) {
          if (typeof before !== 'string') throw new HttpError(400, 'before must be given once');
          filter.before = before;
        }
        let page;
        try {
          page = await ctx.audit.page(filter);
        } catch (err) {
          if (err instanceof AuditCursorError) throw new HttpError(err.kind === 'gone' ? 410 : 400, err.message);
          throw err;
        }
        if (page.next !== undefined) {
          const query = new URLSearchParams();
          for (const [name, value] of Object.entries(req.query))
            if (name !== 'before' && typeof value === 'string') query.set(name, value);
          query.set('before', page.next);
          res.setHeader('X-Next-Cursor', page.next);
          res.setHeader('Link', `</api/audit?${query.toString()}>; rel="next"`);
        }
        res.json(page.events);
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

import type { AuditEvent } from '../../store/types';
import type { RouteContext } from '../route-types';

/**
 * Appends to the audit log after an action already happened. A failed append is logged as an
 * error rather than failing the request: the action cannot be undone, and for a new token the
 * answer is the only copy of its value.
 */
export async function recordAudit(ctx: RouteContext, event: Omit<AuditEvent, 'time'>): Promise<void> {
  try {
    await ctx.audit.append(event);
  } catch (err) {
    ctx.logger.error(
      { err, audit: { type: event.type, actor: event.actor, detail: event.detail } },
      'could not write to the audit log',
    );
  }
}

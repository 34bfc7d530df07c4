import { sql, type Expression, type ExpressionBuilder, type Selectable, type SqlBool } from 'kysely';
import type { AuditEvent, AuditFilters, ListAuditQuery } from '../contract/audit.ts';
import { invalid } from '../domain/errors.ts';
import { rowToChained } from '../store/audit-store.ts';
import { decodeCursor, pageOf, type Page } from '../store/paging.ts';
import type { AuditEventsTable, Database } from '../store/schema.ts';
import type { ServiceContext } from './context.ts';

export type AuditWhere = (eb: ExpressionBuilder<Database, 'audit_events'>) => Expression<SqlBool>;

/** Stored row → contract shape. The hash fields are included so a reader can re-check the chain. */
export function toAuditEvent(r: Selectable<AuditEventsTable>): AuditEvent {
  const e = rowToChained(r);
  return {
    seq: e.seq, id: e.id, at: e.at,
    actor: { id: e.actorId, type: e.actorType },
    action: e.action,
    target: e.targetType === null && e.targetId === null ? null : { type: e.targetType, id: e.targetId },
    roleId: e.roleId, before: e.before, after: e.after, justification: e.justification,
    ticket: e.ticketNumber === null ? null : { number: e.ticketNumber, system: e.ticketSystem },
    requestId: e.requestId, outcome: e.outcome, clientAddress: e.clientAddress, prevHash: e.prevHash, hash: r.hash,
  };
}

function instantMs(value: string | undefined, field: 'from' | 'to'): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  // The HTTP schema already checks the format; the CLI passes raw text, so check again here.
  if (!Number.isFinite(ms)) throw invalid('audit.invalid_filter', `"${field}" must be an ISO-8601 date-time, e.g. 2026-01-05T09:00:00Z.`, { [field]: value });
  return ms;
}

/**
 * Validates the filters and returns the WHERE clause for them. Validation happens here, when
 * called, not when the query runs: the export streams, and a bad filter must still get a 400
 * before the first byte is sent. `involving` restricts to events the principal did or was the
 * target of ("my audit"); null means a caller without an id, who is involved in nothing.
 */
export function auditWhere(f: AuditFilters, involving?: string | null): AuditWhere {
  const fromMs = instantMs(f.from, 'from');
  const toMs = instantMs(f.to, 'to');
  if (fromMs !== undefined && toMs !== undefined && toMs <= fromMs) {
    throw invalid('audit.invalid_range', '"to" must be later than "from".', { from: f.from, to: f.to });
  }
  const action = f.action;
  if (action !== undefined && action.indexOf('*') !== -1 && action.indexOf('*') !== action.length - 1) {
    throw invalid('audit.invalid_filter', '"action" may contain * only at its end (a prefix match, e.g. schedule.*).', { action });
  }
  return (eb) => {
    const c: Expression<SqlBool>[] = [];
    if (fromMs !== undefined) c.push(eb('at_ms', '>=', fromMs));
    if (toMs !== undefined) c.push(eb('at_ms', '<', toMs));
    if (f.actorId !== undefined) c.push(eb('actor_id', '=', f.actorId));
    if (f.targetId !== undefined) c.push(eb('target_id', '=', f.targetId));
    if (f.targetType !== undefined) c.push(eb('target_type', '=', f.targetType));
    if (f.roleId !== undefined) c.push(eb('role_id', '=', f.roleId));
    if (f.outcome !== undefined) c.push(eb('outcome', '=', f.outcome));
    if (action !== undefined) {
      // substr, not LIKE: no wildcard escaping, and case-sensitive on both engines alike.
      const prefix = action.endsWith('*') ? action.slice(0, -1) : undefined;
      c.push(prefix === undefined ? eb('action', '=', action) : sql<SqlBool>`substr(action, 1, ${sql.lit(prefix.length)}) = ${prefix}`);
    }
    if (involving === null) c.push(sql<SqlBool>`1 = 0`);
    else if (involving !== undefined) c.push(eb.or([eb('actor_id', '=', involving), eb('target_id', '=', involving)]));
    return eb.and(c);
  };
}

async function pageAudit(ctx: ServiceContext, q: ListAuditQuery, involving?: string | null): Promise<Page<AuditEvent>> {
  const limit = Math.min(q.limit ?? 100, 500);
  const cursor = decodeCursor(q.cursor);
  if (cursor !== undefined && !(typeof cursor.k === 'number' && Number.isSafeInteger(cursor.k))) {
    throw invalid('request.invalid_cursor', 'The cursor is not one this server issued.');
  }
  let query = ctx.db.selectFrom('audit_events').selectAll().where(auditWhere(q, involving));
  // Keyset on seq alone: it is unique and orders the chain, so pages never skip or repeat.
  if (cursor !== undefined) query = query.where('seq', '<', Number(cursor.k));
  const rows = await query.orderBy('seq', 'desc').limit(limit + 1).execute();
  const page = pageOf(rows, limit, (r) => ({ k: Number(r.seq), id: r.id }));
  return { items: page.items.map(toAuditEvent), nextCursor: page.nextCursor };
}

/** The audit log, newest first, for audit readers (the route checks the role). */
export function listAudit(ctx: ServiceContext, q: ListAuditQuery): Promise<Page<AuditEvent>> {
  return pageAudit(ctx, q);
}

/** "My audit" (PIM-REFERENCE §8.1): events the caller did or was the target of, newest first. */
export function listMyAudit(ctx: ServiceContext, q: ListAuditQuery): Promise<Page<AuditEvent>> {
  return pageAudit(ctx, q, ctx.actor.id);
}

import type { CreateRequest, ListRequestsQuery, PimRequest } from '../contract/requests.ts';
import { notFound } from '../domain/errors.ts';
import { ASSIGNMENT_ADMINS, AUDIT_READERS, GROUP_ADMINS, isGroupRole } from '../domain/roles.ts';
import { groupOfScope } from '../domain/scope.ts';
import { isGroupOwner } from './group-owners.ts';
import { decodeCursor, pageOf, type Page } from '../store/paging.ts';
import type { RequestsTable } from '../store/schema.ts';
import { adminAssign } from './admin-assign.ts';
import { adminRemove } from './admin-remove.ts';
import { adminUpdate } from './admin-update.ts';
import { actorHoldsRole, requireRoles } from './authorize.ts';
import type { ServiceContext } from './context.ts';
import { decisionsOf, toRequest, toRequests } from './request-records.ts';
import { mayDecide } from './decide-request.ts';
import { selfActivate, type Submitted } from './self-activate.ts';
import { selfDeactivate } from './self-deactivate.ts';
import { adminExtend, adminRenew, selfExtend, selfRenew } from './extend-renew.ts';
import { withRequestMfa } from './sign-in.ts';
import { inTransaction, type Tx } from './transaction.ts';

type Handler = (ctx: ServiceContext, tx: Tx, input: CreateRequest) => Promise<Submitted>;
const admin = (f: (ctx: ServiceContext, tx: Tx, input: CreateRequest) => Promise<RequestsTable>): Handler => async (ctx, tx, input) => ({ row: await f(ctx, tx, input) });

const HANDLERS: Record<CreateRequest['action'], Handler> = {
  adminAssign: admin(adminAssign), adminUpdate: admin(adminUpdate), adminRemove: admin(adminRemove),
  adminExtend: admin(adminExtend), adminRenew: admin(adminRenew),
  selfActivate, selfDeactivate, selfExtend, selfRenew,
};

/** Thrown to roll back a dry run after every check has passed. */
class DryRun extends Error {
  constructor(readonly result: Submitted) { super('dry run'); }
}

/**
 * POST /requests: the only way schedules are created, changed or ended. Admin actions need an
 * active Privileged Role or Global Administrator; self actions are made by a principal for
 * itself. `validateOnly` runs every check inside the transaction and rolls it back, so the
 * answer is exactly what a real request would get.
 */
export async function submitRequest(outer: ServiceContext, input: CreateRequest): Promise<PimRequest> {
  const ctx = input.mfa !== undefined ? await withRequestMfa(outer, input.mfa.totp) : outer;
  const handler = HANDLERS[input.action];
  if (input.action.startsWith('admin')) await authorizeAdmin(ctx, input);
  try {
    const result = await inTransaction(ctx, async (tx) => {
      const r = await handler(ctx, tx, input);
      if (input.validateOnly === true) throw new DryRun(r);
      return r;
    });
    return toRequest(result.row, [], result.requirements !== undefined ? { requirements: result.requirements } : {});
  } catch (err) {
    if (err instanceof DryRun) {
      const { row, requirements } = err.result;
      return toRequest({ ...row, status: 'Validated', completed_at: null }, [], { validateOnly: true, ...(requirements !== undefined ? { requirements } : {}) });
    }
    throw err;
  }
}

/**
 * Admin actions need an active Privileged Role or Global Administrator. For PIM for Groups
 * (PIM-REFERENCE §1.5) a group's owners may manage its member and owner assignments too, and
 * Groups / User Administrators those of groups that are not role-assignable.
 */
async function authorizeAdmin(ctx: ServiceContext, input: CreateRequest): Promise<void> {
  // A request naming a schedule acts at that schedule's scope, whatever scope it states.
  const target = input.targetScheduleId === undefined ? undefined
    : await ctx.db.selectFrom('schedules').select(['scope', 'role_id']).where('id', '=', input.targetScheduleId).executeTakeFirst();
  const scope = target?.scope ?? input.scope ?? '/';
  const roleId = target?.role_id ?? input.roleId;
  const groupId = isGroupRole(roleId) && isGroupRole(input.roleId) ? groupOfScope(scope) : undefined;
  if (groupId !== undefined && ctx.actor.type === 'user' && ctx.actor.id !== null && !actorHoldsRole(ctx, ASSIGNMENT_ADMINS)) {
    const g = await ctx.db.selectFrom('groups').select('role_assignable').where('id', '=', groupId).where('deleted_at', 'is', null).executeTakeFirst();
    if (g && g.role_assignable === 0 && actorHoldsRole(ctx, GROUP_ADMINS)) return;
    if (g && (await isGroupOwner({ db: ctx.db, nowMs: ctx.clock.nowMs() }, groupId, ctx.actor.id))) return;
  }
  await requireRoles(ctx, ASSIGNMENT_ADMINS, `request.${input.action}`);
}

function mayRead(ctx: ServiceContext, r: RequestsTable): boolean {
  return r.created_by === ctx.actor.id || r.principal_id === ctx.actor.id || actorHoldsRole(ctx, AUDIT_READERS);
}

export async function getRequest(ctx: ServiceContext, id: string): Promise<PimRequest> {
  const r = await ctx.db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirst();
  // Not-found looks like not-allowed for requests the caller may not see; approvers see what they decide.
  if (!r || !(mayRead(ctx, r) || (await isApproverOf(ctx, r)))) throw notFound('request.not_found', 'No such request.', { id });
  return toRequest(r, (await decisionsOf(ctx.db, [r.id])).get(r.id) ?? []);
}

/** Someone who decided on the request, or may decide it now. */
async function isApproverOf(ctx: ServiceContext, r: RequestsTable): Promise<boolean> {
  const me = ctx.actor.id;
  if (me === null || r.approval_stage === null) return false;
  const decided = await ctx.db.selectFrom('approval_decisions').select('id').where('request_id', '=', r.id).where('approver_id', '=', me).executeTakeFirst();
  return decided !== undefined || (await mayDecide(ctx, r));
}

/** Readers see everyone's requests; others see the ones they made or that are about them. */
export async function listRequests(ctx: ServiceContext, q: ListRequestsQuery): Promise<Page<PimRequest>> {
  const limit = q.limit ?? 100;
  const cursor = decodeCursor(q.cursor);
  let query = ctx.db.selectFrom('requests').selectAll();
  if (!actorHoldsRole(ctx, AUDIT_READERS)) {
    const me = ctx.actor.id ?? '';
    query = query.where((eb) => eb.or([eb('created_by', '=', me), eb('principal_id', '=', me)]));
  }
  if (q.principalId !== undefined) query = query.where('principal_id', '=', q.principalId);
  if (q.roleId !== undefined) query = query.where('role_id', '=', q.roleId);
  if (q.status !== undefined) query = query.where('status', '=', q.status);
  if (q.action !== undefined) query = query.where('action', '=', q.action);
  if (cursor) query = query.where((eb) => eb.or([eb('created_at', '<', Number(cursor.k)), eb.and([eb('created_at', '=', Number(cursor.k)), eb('id', '<', cursor.id)])]));
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
  const page = pageOf(rows, limit, (r) => ({ k: r.created_at, id: r.id }));
  return { items: await toRequests(ctx.db, page.items), nextCursor: page.nextCursor };
}

import type { ApprovalsQuery, PimRequest } from '../contract/requests.ts';
import { applyDecision, entitled, grantedWindow, isExpired, type ApprovalState } from '../domain/approval.ts';
import { conflict, forbidden, invalid, mfaRequired, notFound } from '../domain/errors.ts';
import { mfaFresh, type RolePolicy } from '../domain/policy.ts';
import { ASSIGNMENT_ADMINS } from '../domain/roles.ts';
import { MIN_ASSIGNMENT_MS } from '../domain/schedule-rules.ts';
import { decodeCursor, pageOf, type Page } from '../store/paging.ts';
import type { RequestsTable } from '../store/schema.ts';
import { escalationDueAt, resolveStage, stagesOf, type Reader } from './approvers.ts';
import { actorHoldsRole } from './authorize.ts';
import type { ServiceContext } from './context.ts';
import { coveringEligibilities } from './eligibility.ts';
import { grantExtendOrRenew, type ApproverChanges } from './extend-renew.ts';
import { decisionsOf, toRequest, toRequests } from './request-records.ts';
import { enqueue } from './outbox.ts';
import { insertSchedule } from './schedule-writes.ts';
import { withRequestMfa } from './sign-in.ts';
import { inTransaction, type Tx } from './transaction.ts';

function policyOf(r: RequestsTable): RolePolicy {
  if (r.policy === null) throw conflict('request.already_decided', 'This request does not wait for approval.');
  return JSON.parse(r.policy) as RolePolicy;
}

async function stateOf(db: Reader['db'], r: RequestsTable): Promise<ApprovalState> {
  const decisions = await db.selectFrom('approval_decisions').select(['stage', 'approver_id', 'decision']).where('request_id', '=', r.id).execute();
  return {
    status: r.status, stage: r.approval_stage ?? 0, stageStartedAt: r.stage_started_at ?? r.created_at, expiresAt: r.approval_expires_at ?? Number.POSITIVE_INFINITY,
    parties: [r.created_by, r.principal_id, ...(r.token_issuer !== null ? [r.token_issuer] : [])], decisions: decisions.map((d) => ({ stage: d.stage, approverId: d.approver_id, decision: d.decision })),
  };
}

/** True when the caller may decide this pending request now. */
export async function mayDecide(ctx: ServiceContext, r: RequestsTable, nowMs = ctx.clock.nowMs()): Promise<boolean> {
  const me = ctx.actor.id;
  if (me === null || ctx.actor.type !== 'user' || r.status !== 'PendingApproval' || r.policy === null) return false;
  const state = await stateOf(ctx.db, r);
  if (isExpired(state, nowMs) || state.decisions.some((d) => d.approverId === me)) return false;
  const stage = stagesOf(policyOf(r))[state.stage];
  if (stage === undefined) return false;
  return entitled(state, stage, await resolveStage({ db: ctx.db, nowMs }, stage), nowMs).has(me);
}

async function expire(ctx: ServiceContext, tx: Tx, r: RequestsTable): Promise<void> {
  await tx.db.updateTable('requests').set({ status: 'Canceled', status_reason: 'Approval expired: no decision within the approval window.', completed_at: tx.nowMs })
    .where('id', '=', r.id).where('status', '=', 'PendingApproval').execute();
  await tx.audit({ action: 'request.expired', targetType: 'request', targetId: r.id, roleId: r.role_id, requestId: r.id, before: { status: r.status }, after: { status: 'Canceled' } });
  await enqueue(tx, ctx.ids, { eventType: 'request.expired', key: `request.expired:${r.id}`, payload: { requestId: r.id, principalId: r.principal_id, roleId: r.role_id, scope: r.scope, createdBy: r.created_by } });
}

/** Turns an approved activation into its schedule; Failed when the eligibility is gone by now. */
async function grant(ctx: ServiceContext, tx: Tx, r: RequestsTable): Promise<void> {
  const principalType = r.principal_type === 'servicePrincipal' ? 'servicePrincipal' : 'user';
  const requested = { startAt: r.requested_start_at ?? tx.nowMs, endAt: r.requested_end_at ?? tx.nowMs };
  const startAt = Math.max(requested.startAt, tx.nowMs);
  const eligs = await coveringEligibilities(tx, r.principal_id, r.role_id, r.scope, startAt);
  const elig = eligs.find((e) => e.schedule.id === r.linked_eligibility_id) ?? eligs[0];
  const window = elig === undefined ? null : grantedWindow(requested, tx.nowMs, elig.endsBy);
  if (elig === undefined || window === null || window.endAt - window.startAt < MIN_ASSIGNMENT_MS) {
    const reason = elig === undefined ? 'The eligibility ended before the request was approved.' : 'The eligibility ends less than 5 minutes after the approved start.';
    await tx.db.updateTable('requests').set({ status: 'Failed', status_reason: reason, completed_at: tx.nowMs }).where('id', '=', r.id).execute();
    await tx.audit({ action: 'request.failed', targetType: 'request', targetId: r.id, roleId: r.role_id, requestId: r.id, outcome: 'failure', after: { reason } });
    return;
  }
  const scheduleId = ctx.ids.uuid();
  await insertSchedule(tx, {
    id: scheduleId, kind: 'active', principal_id: r.principal_id, principal_type: principalType, role_id: r.role_id, scope: r.scope,
    start_at: window.startAt, end_at: window.endAt, assignment_type: 'Activated', linked_eligibility_id: elig.schedule.id, created_by_request_id: r.id,
  }, { requestId: r.id, justification: r.justification, ticketNumber: r.ticket_number, ticketSystem: r.ticket_system });
  await tx.db.updateTable('requests').set({
    status: window.startAt > tx.nowMs ? 'Granted' : 'Provisioned', target_schedule_id: scheduleId, linked_eligibility_id: elig.schedule.id,
    requested_start_at: window.startAt, requested_end_at: window.endAt, completed_at: tx.nowMs,
  }).where('id', '=', r.id).execute();
}

/**
 * An approver approves or denies (PIM-REFERENCE §4, DESIGN invariant 2). Writers are
 * serialized and the request is re-read inside the transaction, so however many approvers
 * click at once there is exactly one outcome; the others get 409 `request.already_decided`.
 */
export async function decideRequest(outer: ServiceContext, id: string, decision: 'approve' | 'deny', justification: string | undefined, changes: ApproverChanges = {}, mfa?: { totp: string }): Promise<PimRequest> {
  const ctx = mfa !== undefined ? await withRequestMfa(outer, mfa.totp) : outer;
  const me = ctx.actor.id;
  if (me === null || ctx.actor.type !== 'user') throw forbidden('request.not_an_approver', 'Only people decide on requests.');
  const expired = await inTransaction(ctx, async (tx) => {
    const r = await tx.db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw notFound('request.not_found', 'No such request.', { id });
    const state = await stateOf(tx.db, r);
    if (isExpired(state, tx.nowMs)) { await expire(ctx, tx, r); return true; }
    const policy = policyOf(r);
    const fresh = mfaFresh(policy, ctx.actor.mfaAt, tx.nowMs);
    if (policy.activation.approverMfaRequired && r.status === 'PendingApproval' && fresh !== 'ok') {
      throw mfaRequired('Deciding on requests for this role', fresh === 'stale' ? 'stale' : 'missing', policy.activation.mfaMaxAgeMinutes);
    }
    const changing = changes.kind !== undefined || changes.schedule !== undefined;
    if (changing && (decision !== 'approve' || (r.action !== 'selfExtend' && r.action !== 'selfRenew'))) {
      throw invalid('request.changes_not_allowed', 'Only an approval of an extension or renewal may set kind or schedule.');
    }
    const stages = stagesOf(policy);
    const stage = stages[state.stage];
    const resolved = stage === undefined ? { approvers: new Set<string>(), escalationApprovers: new Set<string>() } : await resolveStage(tx, stage);
    const outcome = applyDecision(state, stages, resolved, { approverId: me, decision, justification, justificationRequired: policy.activation.approverJustificationRequired, at: tx.nowMs });
    if (changing && outcome.kind !== 'approved') throw invalid('request.changes_not_allowed', 'Changes to kind or schedule come with the approval that completes the request.');
    await tx.db.insertInto('approval_decisions').values({ id: ctx.ids.uuid(), request_id: r.id, stage: state.stage, approver_id: me, decision, justification: justification ?? null, decided_at: tx.nowMs }).execute();
    await tx.audit({
      action: decision === 'approve' ? 'request.approved' : 'request.denied', targetType: 'request', targetId: r.id, roleId: r.role_id, requestId: r.id,
      justification: justification ?? null, after: { stage: state.stage + 1, outcome: outcome.kind },
    });
    if (outcome.kind === 'approved' || outcome.kind === 'denied') {
      await enqueue(tx, ctx.ids, { eventType: 'request.decided', key: `request.decided:${r.id}`, payload: { requestId: r.id, decision, approverId: me, justification: justification ?? null, stage: state.stage } });
    }
    if (outcome.kind === 'denied') {
      await tx.db.updateTable('requests').set({ status: 'Denied', status_reason: 'Denied by an approver.', completed_at: tx.nowMs }).where('id', '=', r.id).execute();
    } else if (outcome.kind === 'nextStage') {
      await tx.db.updateTable('requests').set({ approval_stage: outcome.stage, stage_started_at: tx.nowMs, escalation_due_at: escalationDueAt(policy, outcome.stage, tx.nowMs) }).where('id', '=', r.id).execute();
      await enqueue(tx, ctx.ids, { eventType: 'request.awaiting', key: `request.awaiting:${r.id}:${outcome.stage}`, payload: { requestId: r.id, stage: outcome.stage } });
    } else if (outcome.kind === 'approved' && r.action === 'selfActivate') {
      await grant(ctx, tx, r);
    } else if (outcome.kind === 'approved') {
      const g = await grantExtendOrRenew(ctx, tx, r, changes);
      await tx.db.updateTable('requests').set({
        status: g.status, status_reason: g.reason ?? null, completed_at: tx.nowMs,
        ...(g.scheduleId !== undefined ? { target_schedule_id: g.scheduleId } : {}),
        ...(g.window !== undefined ? { requested_start_at: g.window.startAt, requested_end_at: g.window.endAt } : {}),
        ...(g.kind !== undefined ? { kind: g.kind } : {}),
      }).where('id', '=', r.id).execute();
      if (g.status === 'Failed') await tx.audit({ action: 'request.failed', targetType: 'request', targetId: r.id, roleId: r.role_id, requestId: r.id, outcome: 'failure', after: { reason: g.reason } });
    }
    return false;
  });
  if (expired) throw conflict('request.expired', 'The approval window of this request has passed; it is now canceled.', { id });
  return getDecided(ctx, id);
}

async function getDecided(ctx: ServiceContext, id: string): Promise<PimRequest> {
  const r = await ctx.db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return toRequest(r, (await decisionsOf(ctx.db, [id])).get(id) ?? []);
}

/** The requester withdraws a pending request; Privileged Role and Global Administrators may cancel anyone's (PIM-REFERENCE §3.3). */
export async function cancelRequest(ctx: ServiceContext, id: string): Promise<PimRequest> {
  await inTransaction(ctx, async (tx) => {
    const r = await tx.db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirst();
    const mine = r !== undefined && (r.created_by === ctx.actor.id || r.principal_id === ctx.actor.id);
    if (!r || (!mine && !actorHoldsRole(ctx, ASSIGNMENT_ADMINS))) throw notFound('request.not_found', 'No such request.', { id });
    if (r.status !== 'PendingApproval') throw conflict('request.already_decided', `Only pending requests can be canceled; this one is ${r.status}.`, { status: r.status });
    await tx.db.updateTable('requests').set({ status: 'Canceled', status_reason: mine ? 'Canceled by the requester.' : 'Canceled by an administrator.', completed_at: tx.nowMs }).where('id', '=', r.id).execute();
    await tx.audit({ action: 'request.canceled', targetType: 'request', targetId: r.id, roleId: r.role_id, requestId: r.id, before: { status: r.status }, after: { status: 'Canceled' } });
    await enqueue(tx, ctx.ids, { eventType: 'request.canceled', key: `request.canceled:${r.id}`, payload: { requestId: r.id, canceledBy: ctx.actor.id } });
  });
  return getDecided(ctx, id);
}

/**
 * The approver inbox: pending requests the caller may decide now (not their own, not decided
 * by them yet), or with status=decided the ones they have decided.
 */
export async function listApprovals(ctx: ServiceContext, q: ApprovalsQuery): Promise<Page<PimRequest>> {
  const limit = q.limit ?? 100;
  const cursor = decodeCursor(q.cursor);
  const me = ctx.actor.id ?? '';
  const nowMs = ctx.clock.nowMs();
  let query = ctx.db.selectFrom('requests').selectAll();
  query = q.status === 'decided'
    ? query.where('id', 'in', ctx.db.selectFrom('approval_decisions').select('request_id').where('approver_id', '=', me))
    : query.where('status', '=', 'PendingApproval').where('approval_expires_at', '>', nowMs).where('created_by', '<>', me).where('principal_id', '<>', me);
  if (cursor) query = query.where((eb) => eb.or([eb('created_at', '<', Number(cursor.k)), eb.and([eb('created_at', '=', Number(cursor.k)), eb('id', '<', cursor.id)])]));
  const out: RequestsTable[] = [];
  // Entitlement depends on each request's own approvers, so scan in batches until the page is full.
  const BATCH = 200;
  for (;;) {
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(BATCH).execute();
    for (const r of rows) {
      if (q.status === 'decided' || (await mayDecide(ctx, r, nowMs))) out.push(r);
      if (out.length > limit) break;
    }
    const last = rows[rows.length - 1];
    if (out.length > limit || rows.length < BATCH || last === undefined) break;
    query = query.where((eb) => eb.or([eb('created_at', '<', last.created_at), eb.and([eb('created_at', '=', last.created_at), eb('id', '<', last.id)])]));
  }
  const page = pageOf(out, limit, (r) => ({ k: r.created_at, id: r.id }));
  return { items: await toRequests(ctx.db, page.items), nextCursor: page.nextCursor };
}

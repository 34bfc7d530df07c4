import type { CheckInput, CheckResult, EffectiveAccess } from '../contract/check.ts';
import { decide, grantLive, type Wanted } from '../domain/access.ts';
import { invalid, notFound } from '../domain/errors.ts';
import { parseScope, ROOT_SCOPE } from '../domain/scope.ts';
import { grantsAt } from './access-history.ts';
import type { ServiceContext } from './context.ts';

/** Finds a principal by id, userPrincipalName (users) or appId (service principals). */
export function resolvePrincipal(ctx: ServiceContext, ref: string): string | undefined {
  if (ctx.index.principal(ref) !== undefined) return ref;
  return ctx.index.userIdByUpn(ref) ?? ctx.index.spIdByAppId(ref);
}

function wantedOf(input: { role?: string | undefined; permission?: string | undefined }): Wanted {
  if ((input.role === undefined) === (input.permission === undefined)) throw invalid('check.role_or_permission', 'Give exactly one of role or permission.');
  return input.role !== undefined ? { roleId: input.role } : { permission: input.permission ?? '' };
}

function parseAt(at: string | undefined): number | undefined {
  if (at === undefined) return undefined;
  const ms = Date.parse(at);
  if (!Number.isFinite(ms)) throw invalid('check.invalid_time', '`at` must be an ISO-8601 date-time.');
  return ms;
}

/**
 * The decision point. For now and future instants it reads only the in-memory index (no I/O):
 * microseconds per answer. It compares with the clock at decision time, so access ends at
 * endAt exactly, whether or not any job has run. Past instants are answered from history.
 */
export async function check(ctx: ServiceContext, input: CheckInput): Promise<CheckResult> {
  const wanted = wantedOf(input);
  const scope = input.scope ?? ROOT_SCOPE;
  parseScope(scope);
  const now = ctx.clock.nowMs();
  const at = parseAt(input.at) ?? now;
  const evaluatedAt = new Date(at).toISOString();
  const id = resolvePrincipal(ctx, input.principal);
  if (id === undefined) return { allowed: false, via: [], evaluatedAt, reason: 'principal_unknown' };
  const p = ctx.index.principal(id);
  // A disabled or deleted principal holds nothing now; history answers past instants as they were.
  if (at >= now && (p === undefined || p.deleted || !p.enabled)) return { allowed: false, via: [], evaluatedAt, reason: 'principal_disabled' };
  if (at < now) {
    const { direct, viaGroups } = await grantsAt(ctx, id, at);
    const via = decide(direct, viaGroups, wanted, scope, at, ctx.index.permissionsOf, true);
    return via.length > 0 ? { allowed: true, via, evaluatedAt } : { allowed: false, via, evaluatedAt, reason: 'no_assignment' };
  }
  return checkNow(ctx, id, wanted, scope, at, evaluatedAt);
}

/** The synchronous hot path (also used by AuthZEN and the benchmark). */
export function checkNow(ctx: ServiceContext, principalId: string, wanted: Wanted, scope: string, at: number, evaluatedAt: string): CheckResult {
  const via = ctx.index.decide(principalId, wanted, scope, at, true);
  return via.length > 0 ? { allowed: true, via, evaluatedAt } : { allowed: false, via, evaluatedAt, reason: 'no_assignment' };
}

export async function checkBatch(ctx: ServiceContext, checks: CheckInput[]): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const c of checks) out.push(await check(ctx, c));
  return out;
}

/** Every role a principal holds at an instant (default now), from history: time travel for auditors and connectors. */
export async function effectiveAccess(ctx: ServiceContext, principalRef: string, atText?: string): Promise<EffectiveAccess> {
  const id = resolvePrincipal(ctx, principalRef);
  if (id === undefined) throw notFound('principal.not_found', 'No such principal.', { principal: principalRef });
  const at = parseAt(atText) ?? ctx.clock.nowMs();
  const { direct, viaGroups } = await grantsAt(ctx, id, at);
  const roles: EffectiveAccess['roles'] = [];
  const add = (g: (typeof direct)[number], memberType: 'Direct' | 'Group', groupId?: string) => {
    if (!grantLive(g, at)) return;
    roles.push({
      scheduleId: g.scheduleId, roleId: g.roleId, scope: g.scope, memberType, assignmentType: g.assignmentType,
      startAt: new Date(g.startAt).toISOString(), endAt: g.endAt === null ? null : new Date(g.endAt).toISOString(),
      ...(groupId !== undefined ? { groupId } : {}), permissions: [...(ctx.index.permissionsOf(g.roleId) ?? [])],
    });
  };
  for (const g of direct) add(g, 'Direct');
  for (const { groupId, grants } of viaGroups) for (const g of grants) add(g, 'Group', groupId);
  return { principalId: id, at: new Date(at).toISOString(), roles };
}

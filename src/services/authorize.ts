import { forbidden, unauthenticated } from '../domain/errors.ts';
import { ROOT_SCOPE } from '../domain/scope.ts';
import type { ServiceContext } from './context.ts';
import { inTransaction } from './transaction.ts';

/** Who may call a route. Every route declares one (DESIGN: "a route cannot be mounted without saying who may call it"). */
export type Access =
  | { kind: 'public' }
  | { kind: 'authenticated' }
  /** An active assignment of one of these roles at `/` (the service governs itself). */
  | { kind: 'roles'; roles: readonly string[] }
  /** A token carrying this scope (e.g. `check` for the decision point). */
  | { kind: 'tokenScope'; scope: string }
  /** Either a token with the scope or an active assignment of one of the roles. */
  | { kind: 'tokenScopeOrRoles'; scope: string; roles: readonly string[] };

/** True when the actor holds one of `roleIds` actively at `scope` now, directly or through a role-assignable group. */
export function actorHoldsRole(ctx: ServiceContext, roleIds: readonly string[], scope = ROOT_SCOPE): boolean {
  const id = ctx.actor.id;
  if (ctx.actor.type === 'system') return true;
  if (id === null) return false;
  const p = ctx.index.principal(id);
  if (!p || p.deleted || !p.enabled) return false;
  const now = ctx.clock.nowMs();
  for (const roleId of roleIds) {
    if (ctx.index.decide(id, { roleId }, scope, now, false).length > 0) return true;
  }
  return false;
}

/**
 * Writes the refusal to the audit chain: failed authorization attempts are evidence too. Up to a
 * per-caller budget a minute (denied-audit-budget.ts), then one event saying the rest were not
 * written one by one.
 */
export async function recordDenied(ctx: ServiceContext, action: string, reason: string): Promise<void> {
  const a = ctx.actor;
  const caller = a.id !== null ? `principal:${a.id}` : `address:${a.clientAddress ?? 'unknown'}`;
  const verdict = ctx.deniedAudits?.take(caller, ctx.clock.nowMs()) ?? 'record';
  if (verdict === 'skip') return;
  const attempted = action.slice(0, 200);
  await inTransaction(ctx, (tx) => tx.audit(verdict === 'record'
    ? { action: 'authorization.denied', outcome: 'failure', after: { attempted, reason } }
    : { action: 'authorization.denied.throttled', outcome: 'failure', after: { attempted, reason, perMinute: ctx.deniedAudits?.limit ?? null, note: 'further refusals of this caller in this minute are not audited one by one' } }));
}

export async function authorize(ctx: ServiceContext, access: Access, action: string): Promise<void> {
  if (access.kind === 'public') return;
  if (ctx.actor.type === 'anonymous') throw unauthenticated('auth.unauthenticated', 'Sign in or send an API token: Authorization: Bearer <token>.');
  if (access.kind === 'authenticated') {
    if (!ctx.actor.scopes.includes('api') && ctx.actor.type !== 'system') {
      await recordDenied(ctx, action, 'token_scope');
      throw forbidden('auth.token_scope', 'This token may not call this endpoint.', { requiredScope: 'api' });
    }
    return;
  }
  if (access.kind === 'tokenScope') {
    if (!ctx.actor.scopes.includes(access.scope)) {
      await recordDenied(ctx, action, 'token_scope');
      throw forbidden('auth.token_scope', `This endpoint needs a token with the "${access.scope}" scope.`, { requiredScope: access.scope });
    }
    return;
  }
  if (access.kind === 'tokenScopeOrRoles' && ctx.actor.scopes.includes(access.scope)) return;
  if (!ctx.actor.scopes.includes('api') || !actorHoldsRole(ctx, access.roles)) {
    await recordDenied(ctx, action, 'role_required');
    throw forbidden('auth.forbidden', 'You need an active assignment of a role that may do this.', { anyOfRoles: access.roles });
  }
}

/** For checks inside a use case (object-level rules), after the route-level check passed. */
export async function requireRoles(ctx: ServiceContext, roles: readonly string[], action: string): Promise<void> {
  if (!actorHoldsRole(ctx, roles)) {
    await recordDenied(ctx, action, 'role_required');
    throw forbidden('auth.forbidden', 'You need an active assignment of a role that may do this.', { anyOfRoles: roles });
  }
}

import { createHash } from 'node:crypto';
import type {
  ActionSearchRequest, ActionSearchResponse, Context, EntitySearchResponse, PageRequest, PageResponse, ResourceSearchRequest, SubjectSearchRequest,
} from '../contract/authzen.ts';
import type { Wanted } from '../domain/access.ts';
import { invalid } from '../domain/errors.ts';
import { ROOT_SCOPE } from '../domain/scope.ts';
import type { PrincipalState } from '../store/access-index.ts';
import { assertResourceType, DIRECTORY_TYPE, instantOf, scopeOf, wantedOf } from './authzen.ts';
import { checkNow, resolvePrincipal } from './check-access.ts';
import type { ServiceContext } from './context.ts';

/**
 * The AuthZEN Search APIs over the in-memory index. Every candidate is kept only if checkNow —
 * the very function behind the evaluation API — says yes, so any result fed back into an
 * evaluation is permitted (the spec's search semantics), and group-held grants reach members
 * (the transitive search the spec recommends).
 */

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

/**
 * The index holds current and future grants only; a past instant would need the history of
 * every principal replayed, so searches answer for now or a later instant.
 */
function searchInstant(ctx: ServiceContext, context: Context | undefined): number {
  const now = ctx.clock.nowMs();
  const at = instantOf(context);
  if (at === undefined) return now;
  if (at < now) throw invalid('authzen.search_time_unsupported', 'Searches answer for now or a future instant; ask the evaluation API about past instants.');
  return at;
}

/** The evaluation's answer for an already-resolved principal, including its disabled/deleted rule. */
function holds(ctx: ServiceContext, id: string, wanted: Wanted, scope: string, at: number): boolean {
  const p = ctx.index.principal(id);
  if (p === undefined || p.deleted || !p.enabled) return false;
  return checkNow(ctx, id, wanted, scope, at, '').allowed;
}

/** Which principal kinds a subject type asks for; unknown types (identity, principal …) mean every kind that can act. */
function kindsFor(type: string): ReadonlyArray<PrincipalState['type']> {
  switch (type) {
    case 'user': return ['user'];
    case 'service_principal': case 'servicePrincipal': return ['servicePrincipal'];
    case 'group': return ['group'];
    default: return ['user', 'servicePrincipal'];
  }
}

export function searchSubjects(ctx: ServiceContext, body: SubjectSearchRequest): EntitySearchResponse {
  const wanted = wantedOf(body.action);
  const scope = scopeOf(body.resource);
  const at = searchInstant(ctx, body.context);
  const kinds = kindsFor(body.subject.type);
  const candidates = new Set<string>();
  for (const id of ctx.index.principalsWithGrants()) {
    candidates.add(id);
    if (ctx.index.principal(id)?.type === 'group') for (const m of ctx.index.membersOf(id)) candidates.add(m);
  }
  const ids = [...candidates].filter((id) => {
    const kind = ctx.index.principal(id)?.type;
    return kind !== undefined && kinds.includes(kind) && holds(ctx, id, wanted, scope, at);
  }).sort();
  // Results carry the type that was asked for: the spec allows only entities of the searched type.
  const key = { s: body.subject.type, a: body.action.name, r: [body.resource.type, body.resource.id], t: body.context?.time ?? null };
  return paginate(ids.map((id) => ({ type: body.subject.type, id })), key, body.page);
}

/** The subject's principal id, or why it holds nothing (the evaluation's reason codes). */
function subjectProblem(ctx: ServiceContext, ref: string): { id: string } | { reason: string } {
  const id = resolvePrincipal(ctx, ref);
  if (id === undefined) return { reason: 'principal_unknown' };
  const p = ctx.index.principal(id);
  if (p === undefined || p.deleted || !p.enabled) return { reason: 'principal_disabled' };
  return { id };
}

/** An empty result that says why, in the order the spec recommends (page first). */
function nothingFor(reason: string, key: unknown, page: PageRequest | undefined): { page: PageResponse; context: { reason: string }; results: never[] } {
  return { page: paginate([], key, page).page, context: { reason }, results: [] };
}

/**
 * Resources are only known through the scopes that assignments name: openpim holds no
 * inventory of each connector's resources. Candidates are every scope of the asked type that
 * any assignment names (and its ancestors of the same type); a grant at `/` or at a parent
 * covers them, but cannot make up resources no assignment has named.
 */
export function searchResources(ctx: ServiceContext, body: ResourceSearchRequest): EntitySearchResponse {
  const wanted = wantedOf(body.action);
  const type = body.resource.type;
  assertResourceType(type);
  const at = searchInstant(ctx, body.context);
  const key = { s: body.subject.id, a: body.action.name, r: type, t: body.context?.time ?? null };
  const who = subjectProblem(ctx, body.subject.id);
  if ('reason' in who) return nothingFor(who.reason, key, body.page);
  if (type === DIRECTORY_TYPE) return paginate(holds(ctx, who.id, wanted, ROOT_SCOPE, at) ? [{ type, id: ROOT_SCOPE }] : [], key, body.page);
  const prefix = `/resources/${type}/`;
  const scopes = new Set<string>();
  for (const p of ctx.index.principalsWithGrants()) {
    for (const g of ctx.index.grantsOf(p)) {
      if (!g.scope.startsWith(prefix)) continue;
      // /resources/db/prod/table/users also names /resources/db/prod: type/id pairs from the root.
      const parts = g.scope.split('/');
      for (let n = 4; n <= parts.length; n += 2) scopes.add(parts.slice(0, n).join('/'));
    }
  }
  const ids = [...scopes].filter((s) => holds(ctx, who.id, wanted, s, at)).sort().map((s) => s.slice(prefix.length));
  return paginate(ids.map((id) => ({ type, id })), key, body.page);
}

/**
 * Actions are the permissions of every role the subject holds at a scope covering the resource,
 * then `role:<roleId>` for those roles (built-in roles carry no permissions, yet holding one is
 * itself an answerable action).
 */
export function searchActions(ctx: ServiceContext, body: ActionSearchRequest): ActionSearchResponse {
  const scope = scopeOf(body.resource);
  const at = searchInstant(ctx, body.context);
  const key = { s: body.subject.id, r: [body.resource.type, body.resource.id], t: body.context?.time ?? null };
  const who = subjectProblem(ctx, body.subject.id);
  if ('reason' in who) return nothingFor(who.reason, key, body.page);
  const roleIds = new Set<string>();
  for (const g of ctx.index.grantsOf(who.id)) roleIds.add(g.roleId);
  for (const group of ctx.index.groupsOf(who.id)) for (const g of ctx.index.grantsOf(group)) roleIds.add(g.roleId);
  const held = [...roleIds].filter((roleId) => holds(ctx, who.id, { roleId }, scope, at)).sort();
  const permissions = new Set<string>();
  for (const roleId of held) for (const p of ctx.index.permissionsOf(roleId) ?? []) permissions.add(p);
  const names = [...[...permissions].sort(), ...held.map((r) => `role:${r}`)];
  return paginate(names.map((name) => ({ name })), key, body.page);
}

// ---- pagination: opaque tokens (offset + fingerprint of the query) ----

/** Ties a token to the query it came from: the spec says a changed query mid-pagination SHOULD be an error. */
function fingerprint(key: unknown, page: PageRequest | undefined): string {
  const text = JSON.stringify([key, page?.limit ?? null]);
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

function pageSize(page: PageRequest | undefined): number {
  const limit = page?.limit ?? 0;
  // 0 would page forever without progress, so it means "the default", like an absent limit.
  return limit === 0 ? DEFAULT_PAGE : Math.min(limit, MAX_PAGE);
}

function offsetOf(token: string, fp: string): number {
  const raw = Buffer.from(token, 'base64url').toString('utf8');
  const m = /^(\d{1,9})\.([A-Za-z0-9_-]{22})$/.exec(raw);
  if (!m) throw invalid('authzen.invalid_page_token', 'page.token is not a next_token this server issued.');
  if (m[2] !== fp) throw invalid('authzen.page_token_mismatch', 'page.token belongs to a different query: keep subject, action, resource, context and page.limit identical while paging.');
  return Number(m[1]);
}

function paginate<T>(all: readonly T[], key: unknown, page: PageRequest | undefined): { page: PageResponse; results: T[] } {
  const fp = fingerprint(key, page);
  const size = pageSize(page);
  const offset = page?.token !== undefined && page.token !== '' ? offsetOf(page.token, fp) : 0;
  const results = all.slice(offset, offset + size);
  const end = offset + results.length;
  const next_token = end < all.length ? Buffer.from(`${end}.${fp}`, 'utf8').toString('base64url') : '';
  return { page: { next_token, count: results.length, total: all.length }, results };
}

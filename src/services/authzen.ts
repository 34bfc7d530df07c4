import type {
  Action, Context, Decision, EvaluationItem, EvaluationRequest, EvaluationsRequest, EvaluationsResponse, PdpMetadata,
} from '../contract/authzen.ts';
import type { Wanted } from '../domain/access.ts';
import { DomainError, invalid } from '../domain/errors.ts';
import { parseScope, ROOT_SCOPE } from '../domain/scope.ts';
import { check } from './check-access.ts';
import type { ServiceContext } from './context.ts';

/**
 * openpim as an OpenID AuthZEN 1.0 Policy Decision Point (docs/authzen.md). AuthZEN is a
 * translation layer: every decision is the native check() — so the check API and AuthZEN can
 * never disagree — and the mapping is:
 *   subject.id   → principal (id, userPrincipalName or service-principal appId; any type)
 *   action.name  → a permission carried by a held role (wildcards on the role side), or
 *                  `role:<roleId>` for "holds this role"
 *   resource     → scope /resources/{type}/{id} (id may be a deeper path); type "directory" → "/"
 *   context.time → evaluate at that instant (history answers past instants)
 */

export const DIRECTORY_TYPE = 'directory';
const ROLE_PREFIX = 'role:';
// RFC 3339 date-time with a mandatory offset (seconds optional, as in the spec's own examples):
// an instant must not depend on the server's time zone.
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

export function wantedOf(action: Action): Wanted {
  return action.name.startsWith(ROLE_PREFIX) ? { roleId: action.name.slice(ROLE_PREFIX.length) } : { permission: action.name };
}

function isResourceScope(scope: string): boolean {
  try {
    return parseScope(scope).kind === 'resource';
  } catch {
    return false;
  }
}

/** A resource type must be one scope segment, or a search could reach into another type's subtree. */
export function assertResourceType(type: string): void {
  if (type !== DIRECTORY_TYPE && (type === '.' || type === '..' || !isResourceScope(`/resources/${type}/x`))) {
    throw invalid('authzen.invalid_resource', 'resource.type must be "directory" or one scope segment: letters, digits and ._~:@+=-.', { type: type.slice(0, 100) });
  }
}

/** The scope a resource names. Throws `authzen.invalid_resource` when it names no valid scope. */
export function scopeOf(resource: { type: string; id: string }): string {
  assertResourceType(resource.type);
  if (resource.type === DIRECTORY_TYPE) return ROOT_SCOPE;
  // `.` and `..` are literal segments to the scope tree, but a PEP that later normalizes the path
  // would enforce on a different resource than the one decided: refuse them outright.
  const dotted = resource.id.split('/').some((s) => s === '.' || s === '..');
  const scope = `/resources/${resource.type}/${resource.id}`;
  if (dotted || !isResourceScope(scope)) {
    throw invalid('authzen.invalid_resource',
      'resource.id must extend /resources/{type}/ to a valid scope: segments of letters, digits and ._~:@+=-, an odd number of them (prod, or prod/table/users).',
      { type: resource.type, id: resource.id.slice(0, 200) });
  }
  return scope;
}

/** context.time as epoch ms, or undefined for "now". */
export function instantOf(context: Context | undefined): number | undefined {
  const t = context?.time;
  if (t === undefined) return undefined;
  const ms = typeof t === 'string' && INSTANT.test(t) ? Date.parse(t) : Number.NaN;
  if (!Number.isFinite(ms)) throw invalid('authzen.invalid_time', 'context.time must be an ISO-8601 instant with an offset, e.g. 2026-01-05T09:00:00Z.');
  return ms;
}

/** The Access Evaluation API. Invalid resources or times are 400s here; in a batch they become per-item errors. */
export async function evaluate(ctx: ServiceContext, req: EvaluationRequest): Promise<Decision> {
  const wanted = wantedOf(req.action);
  const scope = scopeOf(req.resource);
  const at = instantOf(req.context);
  const r = await check(ctx, {
    principal: req.subject.id, scope,
    ...('roleId' in wanted ? { role: wanted.roleId } : { permission: wanted.permission }),
    ...(at !== undefined ? { at: new Date(at).toISOString() } : {}),
  });
  // Only the reason code leaves: schedule ids and group ids (r.via) are openpim internals.
  return r.allowed ? { decision: true } : { decision: false, context: { reason: r.reason ?? 'no_assignment' } };
}

type Key = 'subject' | 'action' | 'resource';

function missing(key: Key, where: string): DomainError {
  return invalid('authzen.invalid_request', `${where} has no "${key}" and the request gives no top-level default.`, { path: where, field: key });
}

/**
 * The spec's default values: a key in an item replaces the top-level key as a whole (no deep
 * merge). subject, action and resource are required in every evaluation, so a key missing from
 * both is a 400 for the whole payload, found before anything is evaluated.
 */
function merged(body: EvaluationsRequest, item: EvaluationItem, index: number): EvaluationRequest {
  const where = `/evaluations/${index}`;
  const subject = item.subject ?? body.subject;
  const action = item.action ?? body.action;
  const resource = item.resource ?? body.resource;
  if (subject === undefined) throw missing('subject', where);
  if (action === undefined) throw missing('action', where);
  if (resource === undefined) throw missing('resource', where);
  const context = item.context ?? body.context;
  return { subject, action, resource, ...(context !== undefined ? { context } : {}) };
}

/**
 * The Access Evaluations API. Without items it behaves as the single Access Evaluation API and
 * answers with a single decision. With items, the decisions come back in request order; the
 * short-circuit semantics stop after the deciding item, so the array then holds only the
 * items evaluated (the last one is the first deny, or the first permit).
 */
export async function evaluateMany(ctx: ServiceContext, body: EvaluationsRequest): Promise<EvaluationsResponse> {
  const items = body.evaluations ?? [];
  if (items.length === 0) {
    if (body.subject === undefined) throw missing('subject', 'the request');
    if (body.action === undefined) throw missing('action', 'the request');
    if (body.resource === undefined) throw missing('resource', 'the request');
    return evaluate(ctx, { subject: body.subject, action: body.action, resource: body.resource, ...(body.context !== undefined ? { context: body.context } : {}) });
  }
  const requests = items.map((item, i) => merged(body, item, i));
  const semantic = body.options?.evaluations_semantic ?? 'execute_all';
  const out: Decision[] = [];
  for (const r of requests) {
    const d = await evaluateItem(ctx, r);
    out.push(d);
    if (semantic === 'deny_on_first_deny' && !d.decision) break;
    if (semantic === 'permit_on_first_permit' && d.decision) break;
  }
  return { evaluations: out };
}

/** One item of a batch: a bad resource or time fails closed for that item only, as the spec's "Errors" section shows. */
async function evaluateItem(ctx: ServiceContext, r: EvaluationRequest): Promise<Decision> {
  try {
    return await evaluate(ctx, r);
  } catch (err) {
    if (err instanceof DomainError && err.kind === 'Invalid') return { decision: false, context: { error: { status: 400, message: err.message } } };
    throw err;
  }
}

/** GET /.well-known/authzen-configuration: absolute endpoint URLs under the public URL. */
export function pdpMetadata(publicUrl: string): PdpMetadata {
  const base = publicUrl.replace(/\/+$/, '');
  return {
    policy_decision_point: base,
    access_evaluation_endpoint: `${base}/access/v1/evaluation`,
    access_evaluations_endpoint: `${base}/access/v1/evaluations`,
    search_subject_endpoint: `${base}/access/v1/search/subject`,
    search_resource_endpoint: `${base}/access/v1/search/resource`,
    search_action_endpoint: `${base}/access/v1/search/action`,
  };
}

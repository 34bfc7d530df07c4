import { invalid } from './errors.ts';

/**
 * Scopes are paths in one tree: `/` (the whole directory), `/administrativeUnits/{id}`,
 * `/groups/{id}` (PIM for Groups: membership and ownership of one group), and
 * `/resources/{type}/{id}[/{type}/{id}…]` for targets that connectors register.
 * An assignment at a scope covers that scope and every scope below it.
 */
export const ROOT_SCOPE = '/';
const SEGMENT = '[A-Za-z0-9._~:@+=-]{1,200}';
const AU_SCOPE = new RegExp(`^/administrativeUnits/(${SEGMENT})$`);
const GROUP_SCOPE = new RegExp(`^/groups/(${SEGMENT})$`);
const RESOURCE_SCOPE = new RegExp(`^/resources(/${SEGMENT}/${SEGMENT})+$`);
export const MAX_SCOPE_LENGTH = 1024;

export type ParsedScope =
  | { kind: 'root' }
  | { kind: 'administrativeUnit'; id: string }
  | { kind: 'group'; id: string }
  | { kind: 'resource'; path: string };

export function parseScope(scope: string): ParsedScope {
  if (scope === ROOT_SCOPE) return { kind: 'root' };
  if (scope.length <= MAX_SCOPE_LENGTH) {
    const au = AU_SCOPE.exec(scope);
    if (au?.[1] !== undefined) return { kind: 'administrativeUnit', id: au[1] };
    const group = GROUP_SCOPE.exec(scope);
    if (group?.[1] !== undefined) return { kind: 'group', id: group[1] };
    if (RESOURCE_SCOPE.test(scope)) return { kind: 'resource', path: scope };
  }
  throw invalid('scope.invalid', 'Scope must be "/", "/administrativeUnits/{id}", "/groups/{id}" (PIM for Groups) or "/resources/{type}/{id}[/{type}/{id}…]".', { scope: scope.slice(0, 200) });
}

/** True when an assignment made at `assignmentScope` grants access at `scope`. */
export function scopeCovers(assignmentScope: string, scope: string): boolean {
  if (assignmentScope === ROOT_SCOPE || assignmentScope === scope) return true;
  return scope.length > assignmentScope.length && scope.startsWith(assignmentScope) && scope.charCodeAt(assignmentScope.length) === 47; // '/'
}

/** The scope a resource `{type, id}` maps to (AuthZEN resources). */
export function resourceScope(type: string, id: string): string {
  return parseScope(`/resources/${type}/${id}`).kind === 'resource' ? `/resources/${type}/${id}` : ROOT_SCOPE;
}

/** The scope and every scope above it, nearest first, ending with `/`. */
export function scopeAncestors(scope: string): string[] {
  const parsed = parseScope(scope);
  if (parsed.kind === 'root') return [ROOT_SCOPE];
  if (parsed.kind === 'administrativeUnit' || parsed.kind === 'group') return [scope, ROOT_SCOPE];
  const parts = scope.split('/').slice(2); // after "/resources"
  const out: string[] = [];
  for (let n = parts.length; n >= 2; n -= 2) out.push(`/resources/${parts.slice(0, n).join('/')}`);
  out.push(ROOT_SCOPE);
  return out;
}

/** The group a `/groups/{id}` scope names, or undefined for any other scope. */
export function groupOfScope(scope: string): string | undefined {
  return scope.startsWith('/groups/') ? scope.slice('/groups/'.length) : undefined;
}

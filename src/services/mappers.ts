import type { AdministrativeUnit, Group, ServicePrincipal, User } from '../contract/directory.ts';
import type { AdministrativeUnitsTable, GroupsTable, ServicePrincipalsTable, UsersTable } from '../store/schema.ts';

/** Row → contract shapes. Times leave the server as ISO-8601 UTC strings. */
export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function toUser(r: UsersTable): User {
  return {
    id: r.id, userPrincipalName: r.user_principal_name, displayName: r.display_name, mail: r.mail, enabled: r.enabled === 1,
    managerId: r.manager_id, lastSignInAt: isoOrNull(r.last_sign_in_at), createdAt: iso(r.created_at), updatedAt: iso(r.updated_at), deletedAt: isoOrNull(r.deleted_at),
  };
}

export function toGroup(r: GroupsTable): Group {
  return {
    id: r.id, displayName: r.display_name, description: r.description, roleAssignable: r.role_assignable === 1,
    createdAt: iso(r.created_at), updatedAt: iso(r.updated_at), deletedAt: isoOrNull(r.deleted_at),
  };
}

export function toAdministrativeUnit(r: AdministrativeUnitsTable): AdministrativeUnit {
  return {
    id: r.id, displayName: r.display_name, description: r.description, scope: `/administrativeUnits/${r.id}`,
    createdAt: iso(r.created_at), updatedAt: iso(r.updated_at), deletedAt: isoOrNull(r.deleted_at),
  };
}

export function toServicePrincipal(r: ServicePrincipalsTable): ServicePrincipal {
  return {
    id: r.id, displayName: r.display_name, appId: r.app_id, enabled: r.enabled === 1,
    createdAt: iso(r.created_at), updatedAt: iso(r.updated_at), deletedAt: isoOrNull(r.deleted_at),
  };
}

/** A LIKE pattern matching values that start with `text` (wildcards in `text` are literal). */
export function likePrefix(text: string): string {
  return `${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Only fields that really changed, for audit before/after summaries. */
export function changedFields<T extends Record<string, unknown>>(before: T, patch: Partial<T>): { before: Partial<T>; after: Partial<T> } {
  const b: Partial<T> = {};
  const a: Partial<T> = {};
  for (const k of Object.keys(patch) as Array<keyof T>) {
    if (patch[k] !== undefined && patch[k] !== before[k]) { b[k] = before[k]; a[k] = patch[k]; }
  }
  return { before: b, after: a };
}

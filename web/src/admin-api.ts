import type { Static } from 'typebox';
import type { AuditEvent, ChainReport } from '../../src/contract/audit.ts';
import type { AdministrativeUnit, Group, Member, User as DirectoryUser } from '../../src/contract/directory.ts';
import type { RoleSettings as RoleSettingsSchema } from '../../src/contract/policy.ts';
import type { Role } from '../../src/contract/roles.ts';
import { api } from './api.ts';
import type { RolePolicy } from './policy.ts';
import type { MyRoles, RoleAssignment } from './requests.ts';

/** The administration API as the admin pages use it (types from the shared contract). */
export type { AdministrativeUnit, AuditEvent, ChainReport, DirectoryUser, Group, Member, Role };

/** Page(T) of the contract. */
export interface Page<T> { items: T[]; nextCursor: string | null }

/**
 * GET /roles/{id}/settings. The contract builds the settings schema from one description for
 * the full and the patch shape, which loses its static type; web/src/policy.ts spells it out.
 */
export type RoleSettingsAnswer = Omit<Static<typeof RoleSettingsSchema>, 'settings'> & { settings: RolePolicy };

const enc = encodeURIComponent;

/** "?a=1&b=x" from the defined, non-empty parameters ("" when none). */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

export type Paging = { cursor?: string | null; limit?: number };
/** A custom role as POST/PATCH /roles take it (CreateRole of the contract). */
export type RoleInput = { displayName: string; description: string | null; permissions: string[] };
/** The name and description of a group or administrative unit (PATCH). */
export type Details = { displayName: string; description: string | null };

/** "?scope=…" for the settings of a role below the directory; nothing for "/" (the role-wide settings). */
function scopeQuery(scope: string | undefined): string {
  return scope === undefined || scope === '/' ? '' : query({ scope });
}
export type AssignmentTab = 'eligible' | 'active' | 'expired';
export type AuditQuery = { action?: string; actorId?: string; targetId?: string; from?: string; to?: string; outcome?: string };

export const adminApi = {
  roles: (p: Paging & { search?: string }) => api.get<Page<Role>>(`/api/v1/roles${query({ search: p.search, cursor: p.cursor, limit: p.limit ?? 50 })}`),
  role: (id: string) => api.get<Role>(`/api/v1/roles/${enc(id)}`),
  assignments: (roleId: string, kind: AssignmentTab, p: Paging) =>
    api.get<Page<RoleAssignment>>(`/api/v1/roles/${enc(roleId)}/assignments${query({ kind, cursor: p.cursor, limit: p.limit ?? 50 })}`),
  createRole: (body: RoleInput) => api.post<Role>('/api/v1/roles', body),
  updateRole: (id: string, body: Partial<RoleInput>) => api.patch<Role>(`/api/v1/roles/${enc(id)}`, body),
  deleteRole: (id: string) => api.del<null>(`/api/v1/roles/${enc(id)}`),
  /** Without a scope (or at "/") the role-wide settings; elsewhere the override in force there. */
  settings: (roleId: string, scope?: string) => api.get<RoleSettingsAnswer>(`/api/v1/roles/${enc(roleId)}/settings${scopeQuery(scope)}`),
  saveSettings: (roleId: string, settings: RolePolicy, scope?: string) => api.patch<RoleSettingsAnswer>(`/api/v1/roles/${enc(roleId)}/settings${scopeQuery(scope)}`, settings),
  resetSettings: (roleId: string, scope?: string) => api.del<RoleSettingsAnswer>(`/api/v1/roles/${enc(roleId)}/settings${scopeQuery(scope)}`),

  users: (p: Paging & { search?: string; deleted?: boolean }) =>
    api.get<Page<DirectoryUser>>(`/api/v1/users${query({ search: p.search, deleted: p.deleted, cursor: p.cursor, limit: p.limit ?? 50 })}`),
  user: (id: string) => api.get<DirectoryUser>(`/api/v1/users/${enc(id)}`),
  createUser: (body: { userPrincipalName: string; displayName: string; mail?: string }) => api.post<DirectoryUser>('/api/v1/users', body),
  setUserEnabled: (id: string, enabled: boolean) => api.patch<DirectoryUser>(`/api/v1/users/${enc(id)}`, { enabled }),
  deleteUser: (id: string) => api.del<null>(`/api/v1/users/${enc(id)}`),
  restoreUser: (id: string) => api.post<DirectoryUser>(`/api/v1/users/${enc(id)}/restore`),
  setPassword: (id: string, password: string) => api.post<null>(`/api/v1/users/${enc(id)}/password`, { password }),
  rolesOfUser: (id: string) => api.get<MyRoles>(`/api/v1/users/${enc(id)}/roles`),
  groupsOfUser: (id: string) => api.get<Page<Group>>(`/api/v1/users/${enc(id)}/groups?limit=200`),

  groups: (p: Paging & { search?: string; roleAssignable?: boolean; deleted?: boolean }) =>
    api.get<Page<Group>>(`/api/v1/groups${query({ search: p.search, roleAssignable: p.roleAssignable, deleted: p.deleted, cursor: p.cursor, limit: p.limit ?? 50 })}`),
  group: (id: string) => api.get<Group>(`/api/v1/groups/${enc(id)}`),
  createGroup: (body: { displayName: string; description?: string; roleAssignable: boolean }) => api.post<Group>('/api/v1/groups', body),
  updateGroup: (id: string, body: Details) => api.patch<Group>(`/api/v1/groups/${enc(id)}`, body),
  deleteGroup: (id: string) => api.del<null>(`/api/v1/groups/${enc(id)}`),
  restoreGroup: (id: string) => api.post<Group>(`/api/v1/groups/${enc(id)}/restore`),

  units: (p: Paging & { search?: string; deleted?: boolean }) =>
    api.get<Page<AdministrativeUnit>>(`/api/v1/administrativeUnits${query({ search: p.search, deleted: p.deleted, cursor: p.cursor, limit: p.limit ?? 50 })}`),
  unit: (id: string) => api.get<AdministrativeUnit>(`/api/v1/administrativeUnits/${enc(id)}`),
  createUnit: (body: { displayName: string; description?: string }) => api.post<AdministrativeUnit>('/api/v1/administrativeUnits', body),
  updateUnit: (id: string, body: Details) => api.patch<AdministrativeUnit>(`/api/v1/administrativeUnits/${enc(id)}`, body),
  deleteUnit: (id: string) => api.del<null>(`/api/v1/administrativeUnits/${enc(id)}`),
  restoreUnit: (id: string) => api.post<AdministrativeUnit>(`/api/v1/administrativeUnits/${enc(id)}/restore`),

  /** Members of a group, owners of a group, or members of an administrative unit. */
  members: (base: string, p: Paging) => api.get<Page<Member>>(`${base}${query({ cursor: p.cursor, limit: p.limit ?? 100 })}`),
  addMember: (base: string, id: string) => api.post<Member>(base, { id }),
  removeMember: (base: string, id: string) => api.del<null>(`${base}/${enc(id)}`),

  audit: (f: AuditQuery, p: Paging) => api.get<Page<AuditEvent>>(`/api/v1/audit${query({ ...f, cursor: p.cursor, limit: p.limit ?? 50 })}`),
  auditExportUrl: (f: AuditQuery) => `/api/v1/audit/export${query({ format: 'csv', ...f })}`,
  verifyAudit: () => api.get<ChainReport>('/api/v1/audit/verify'),
};

export const memberPaths = {
  groupMembers: (id: string) => `/api/v1/groups/${enc(id)}/members`,
  groupOwners: (id: string) => `/api/v1/groups/${enc(id)}/owners`,
  unitMembers: (id: string) => `/api/v1/administrativeUnits/${enc(id)}/members`,
};

import { APP_ADMINS, ASSIGNMENT_ADMINS, AUDIT_READERS, GROUP_ADMINS, USER_ADMINS } from '../../domain/roles.ts';
import type { Access } from '../../services/authorize.ts';

/** The access declarations routes use (the service governs itself with its own roles). */
export const PUBLIC: Access = { kind: 'public' };
export const ANY_USER: Access = { kind: 'authenticated' };
export const ASSIGNMENT_ADMIN: Access = { kind: 'roles', roles: ASSIGNMENT_ADMINS };
export const USER_ADMIN: Access = { kind: 'roles', roles: USER_ADMINS };
export const GROUP_ADMIN: Access = { kind: 'roles', roles: GROUP_ADMINS };
export const APP_ADMIN: Access = { kind: 'roles', roles: APP_ADMINS };
export const AUDIT_READER: Access = { kind: 'roles', roles: AUDIT_READERS };
export const CHECK_CALLER: Access = { kind: 'tokenScope', scope: 'check' };
/** Downstream systems (check tokens) and auditors. */
export const CHECK_OR_READER: Access = { kind: 'tokenScopeOrRoles', scope: 'check', roles: AUDIT_READERS };

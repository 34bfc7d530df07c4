/** Well-known ids from the built-in catalogue (shared/data/builtin-roles.json): the service governs itself with these. */
export const ROLE = {
  globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  privilegedRoleAdministrator: 'e8611ab8-c189-46e8-94e1-60213ab1f814',
  securityAdministrator: '194ae4cb-b126-40b2-bd5b-6091b380977d',
  securityReader: '5d6b6bb7-de71-4623-b4af-96380a352509',
  globalReader: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
  userAdministrator: 'fe930be7-5e62-47db-91af-98c3a49a38b1',
  groupsAdministrator: 'fdd7a751-b60b-444a-984c-02652fe8fa1c',
  applicationAdministrator: '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3',
  cloudApplicationAdministrator: '158c047a-c907-4556-b7ef-446551a6b5f7',
  /** PIM for Groups (PIM-REFERENCE §1.5): membership and ownership of the group named by the scope `/groups/{id}`. */
  groupMember: 'pim-group-member',
  groupOwner: 'pim-group-owner',
} as const;

/** The two roles of PIM for Groups, seeded with the catalogue; assigned only at `/groups/{id}`. */
export const GROUP_ROLES = [
  { id: ROLE.groupMember, displayName: 'Group Member (PIM for Groups)', description: 'Membership of the group named by the assignment scope /groups/{id}: eligible, active or activated, time-bound like any role.', isPrivileged: false },
  { id: ROLE.groupOwner, displayName: 'Group Owner (PIM for Groups)', description: 'Ownership of the group named by the assignment scope /groups/{id}: the owner manages the group\'s members.', isPrivileged: false },
] as const;

export function isGroupRole(roleId: string): boolean {
  return roleId === ROLE.groupMember || roleId === ROLE.groupOwner;
}

/** Roles that may manage role assignments and role settings (PIM-REFERENCE §1.7). */
export const ASSIGNMENT_ADMINS: readonly string[] = [ROLE.globalAdministrator, ROLE.privilegedRoleAdministrator];
/** Roles whose last active holder is protected (PIM-REFERENCE §5). */
export const GUARDED_ROLES: readonly string[] = [ROLE.globalAdministrator, ROLE.privilegedRoleAdministrator];
/** Who may read audit and other people's assignments: Security Reader, Global Reader, Security Administrator "or above". */
export const AUDIT_READERS: readonly string[] = [
  ROLE.globalAdministrator, ROLE.privilegedRoleAdministrator, ROLE.securityAdministrator, ROLE.securityReader, ROLE.globalReader,
];
export const USER_ADMINS: readonly string[] = [ROLE.globalAdministrator, ROLE.privilegedRoleAdministrator, ROLE.userAdministrator];
/** Non-role-assignable groups; role-assignable ones need ASSIGNMENT_ADMINS (PIM-REFERENCE §1.4). */
export const GROUP_ADMINS: readonly string[] = [...USER_ADMINS, ROLE.groupsAdministrator];
export const APP_ADMINS: readonly string[] = [ROLE.globalAdministrator, ROLE.privilegedRoleAdministrator, ROLE.applicationAdministrator, ROLE.cloudApplicationAdministrator];

/** Permission strings: `resource:verb`, with `*` wildcards (`db:*`, `*`). */
export const PERMISSION_PATTERN = '^(\\*|[a-z][a-z0-9._-]{0,63}(:([a-z][a-z0-9._-]{0,63}|\\*)){1,3})$';

export function permissionMatches(granted: string, wanted: string): boolean {
  if (granted === wanted || granted === '*') return true;
  if (granted.endsWith(':*')) return wanted.startsWith(granted.slice(0, -1));
  return false;
}

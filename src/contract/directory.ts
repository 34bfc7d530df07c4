import { Type, type Static } from 'typebox';
import { Description, DisplayName, Id, Instant, NullableInstant, PageQuery } from './common.ts';

const Upn = Type.String({ minLength: 3, maxLength: 256, pattern: '^[^\\s@]+@[^\\s@]+$', description: 'userPrincipalName, unique ignoring case' });
const Mail = Type.String({ maxLength: 256, pattern: '^[^\\s@]+@[^\\s@]+$' });

export const User = Type.Object({
  id: Type.String(),
  userPrincipalName: Type.String(),
  displayName: Type.String(),
  mail: Type.Union([Type.String(), Type.Null()]),
  enabled: Type.Boolean(),
  managerId: Type.Union([Type.String(), Type.Null()]),
  lastSignInAt: NullableInstant,
  createdAt: Instant,
  updatedAt: Instant,
  deletedAt: NullableInstant,
}, { additionalProperties: false });
export type User = Static<typeof User>;

export const CreateUser = Type.Object({
  userPrincipalName: Upn,
  displayName: DisplayName,
  mail: Type.Optional(Type.Union([Mail, Type.Null()])),
  enabled: Type.Optional(Type.Boolean()),
  managerId: Type.Optional(Type.Union([Id, Type.Null()])),
}, { additionalProperties: false });
export type CreateUser = Static<typeof CreateUser>;

export const UpdateUser = Type.Object({
  displayName: Type.Optional(DisplayName),
  mail: Type.Optional(Type.Union([Mail, Type.Null()])),
  enabled: Type.Optional(Type.Boolean()),
  managerId: Type.Optional(Type.Union([Id, Type.Null()])),
}, { additionalProperties: false, minProperties: 1 });
export type UpdateUser = Static<typeof UpdateUser>;

export const ListUsersQuery = Type.Object({
  ...PageQuery,
  search: Type.Optional(Type.String({ maxLength: 256, description: 'prefix of userPrincipalName or displayName' })),
  enabled: Type.Optional(Type.Boolean()),
  deleted: Type.Optional(Type.Boolean({ description: 'true lists soft-deleted (restorable) users instead' })),
}, { additionalProperties: false });
export type ListUsersQuery = Static<typeof ListUsersQuery>;

export const Group = Type.Object({
  id: Type.String(),
  displayName: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  roleAssignable: Type.Boolean(),
  createdAt: Instant,
  updatedAt: Instant,
  deletedAt: NullableInstant,
}, { additionalProperties: false });
export type Group = Static<typeof Group>;

export const CreateGroup = Type.Object({
  displayName: DisplayName,
  description: Type.Optional(Type.Union([Description, Type.Null()])),
  roleAssignable: Type.Boolean({ description: 'Fixed at creation: role-assignable groups can hold roles' }),
  owners: Type.Optional(Type.Array(Id, { maxItems: 100, uniqueItems: true })),
}, { additionalProperties: false });
export type CreateGroup = Static<typeof CreateGroup>;

export const UpdateGroup = Type.Object({
  displayName: Type.Optional(DisplayName),
  description: Type.Optional(Type.Union([Description, Type.Null()])),
  roleAssignable: Type.Optional(Type.Boolean({ description: 'Immutable: any change is refused with group.role_assignable_immutable' })),
}, { additionalProperties: false, minProperties: 1 });
export type UpdateGroup = Static<typeof UpdateGroup>;

export const ListGroupsQuery = Type.Object({
  ...PageQuery,
  search: Type.Optional(Type.String({ maxLength: 256 })),
  roleAssignable: Type.Optional(Type.Boolean()),
  deleted: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });
export type ListGroupsQuery = Static<typeof ListGroupsQuery>;

export const MemberRef = Type.Object({ id: Id }, { additionalProperties: false });
export const Member = Type.Object({
  id: Type.String(),
  type: Type.Union([Type.Literal('user'), Type.Literal('group')]),
  displayName: Type.String(),
  addedAt: Instant,
  pim: Type.Optional(Type.Object({
    scheduleId: Type.String(),
    assignmentType: Type.Union([Type.Literal('Assigned'), Type.Literal('Activated')]),
    endAt: Type.Union([Instant, Type.Null()]),
  }, { additionalProperties: false, description: 'PIM for Groups: present when the membership (or ownership) comes from an active or activated assignment, which ends by itself' })),
}, { additionalProperties: false });
export type Member = Static<typeof Member>;
export const MemberParams = Type.Object({ id: Id, memberId: Id }, { additionalProperties: false });

export const AdministrativeUnit = Type.Object({
  id: Type.String(),
  displayName: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  scope: Type.String({ description: 'The scope path to use in assignments: /administrativeUnits/{id}' }),
  createdAt: Instant,
  updatedAt: Instant,
  deletedAt: NullableInstant,
}, { additionalProperties: false });
export type AdministrativeUnit = Static<typeof AdministrativeUnit>;
export const CreateAdministrativeUnit = Type.Object({
  displayName: DisplayName,
  description: Type.Optional(Type.Union([Description, Type.Null()])),
}, { additionalProperties: false });
export type CreateAdministrativeUnit = Static<typeof CreateAdministrativeUnit>;
export const UpdateAdministrativeUnit = Type.Object({
  displayName: Type.Optional(DisplayName),
  description: Type.Optional(Type.Union([Description, Type.Null()])),
}, { additionalProperties: false, minProperties: 1 });
export type UpdateAdministrativeUnit = Static<typeof UpdateAdministrativeUnit>;

export const ServicePrincipal = Type.Object({
  id: Type.String(),
  displayName: Type.String(),
  appId: Type.String(),
  enabled: Type.Boolean(),
  createdAt: Instant,
  updatedAt: Instant,
  deletedAt: NullableInstant,
}, { additionalProperties: false });
export type ServicePrincipal = Static<typeof ServicePrincipal>;
export const CreateServicePrincipal = Type.Object({
  displayName: DisplayName,
  appId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' })),
}, { additionalProperties: false });
export type CreateServicePrincipal = Static<typeof CreateServicePrincipal>;
export const UpdateServicePrincipal = Type.Object({
  displayName: Type.Optional(DisplayName),
  enabled: Type.Optional(Type.Boolean()),
}, { additionalProperties: false, minProperties: 1 });
export type UpdateServicePrincipal = Static<typeof UpdateServicePrincipal>;

export const SimpleListQuery = Type.Object({
  ...PageQuery,
  search: Type.Optional(Type.String({ maxLength: 256 })),
  deleted: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });
export type SimpleListQuery = Static<typeof SimpleListQuery>;

/** Paging only: members, owners and a principal's groups are short lists without filters. */
export const PageOnlyQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });
export type PageOnlyQuery = Static<typeof PageOnlyQuery>;

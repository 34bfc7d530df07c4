import { Type, type Static } from 'typebox';
import { Description, DisplayName, Instant, PageQuery } from './common.ts';

const PERMISSION = '^(\\*|[a-z][a-z0-9._-]{0,63}(:([a-z][a-z0-9._-]{0,63}|\\*)){1,3})$';
export const Permission = Type.String({ maxLength: 200, pattern: PERMISSION, description: 'resource:verb, e.g. record:read, db:admin; db:* and * are wildcards' });

export const Role = Type.Object({
  id: Type.String(),
  displayName: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  isBuiltIn: Type.Boolean(),
  isPrivileged: Type.Boolean(),
  permissions: Type.Array(Type.String()),
  createdAt: Instant,
  updatedAt: Instant,
}, { additionalProperties: false });
export type Role = Static<typeof Role>;

export const CreateRole = Type.Object({
  displayName: DisplayName,
  description: Type.Optional(Type.Union([Description, Type.Null()])),
  permissions: Type.Array(Permission, { maxItems: 200, uniqueItems: true }),
  isPrivileged: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });
export type CreateRole = Static<typeof CreateRole>;

export const UpdateRole = Type.Object({
  displayName: Type.Optional(DisplayName),
  description: Type.Optional(Type.Union([Description, Type.Null()])),
  permissions: Type.Optional(Type.Array(Permission, { maxItems: 200, uniqueItems: true })),
  isPrivileged: Type.Optional(Type.Boolean()),
}, { additionalProperties: false, minProperties: 1 });
export type UpdateRole = Static<typeof UpdateRole>;

export const ListRolesQuery = Type.Object({
  ...PageQuery,
  search: Type.Optional(Type.String({ maxLength: 256, description: 'words that the name contains, ignoring case' })),
  builtIn: Type.Optional(Type.Boolean()),
  privileged: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });
export type ListRolesQuery = Static<typeof ListRolesQuery>;

import { Type, type Static } from 'typebox';
import { Id, Instant, Scope } from './common.ts';

export const CheckInput = Type.Object({
  principal: Type.String({ minLength: 1, maxLength: 256, description: 'principal id, userPrincipalName, or service principal appId' }),
  role: Type.Optional(Id),
  permission: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  scope: Type.Optional(Scope),
  at: Type.Optional(Instant),
}, { additionalProperties: false, description: 'Give exactly one of role or permission; scope defaults to "/"' });
export type CheckInput = Static<typeof CheckInput>;

export const Via = Type.Object({
  scheduleId: Type.String(),
  roleId: Type.String(),
  scope: Type.String(),
  memberType: Type.Union([Type.Literal('Direct'), Type.Literal('Group'), Type.Literal('Inherited')]),
  endAt: Type.Union([Type.String(), Type.Null()]),
  groupId: Type.Optional(Type.String()),
}, { additionalProperties: false });

export const CheckResult = Type.Object({
  allowed: Type.Boolean(),
  via: Type.Array(Via),
  evaluatedAt: Instant,
  reason: Type.Optional(Type.String({ description: 'Why not: principal_unknown, principal_disabled, no_assignment' })),
}, { additionalProperties: false });
export type CheckResult = Static<typeof CheckResult>;

export const CheckBatchInput = Type.Object({
  checks: Type.Array(CheckInput, { minItems: 1, maxItems: 1000 }),
}, { additionalProperties: false });
export type CheckBatchInput = Static<typeof CheckBatchInput>;

export const CheckBatchResult = Type.Object({ results: Type.Array(CheckResult) }, { additionalProperties: false });

export const AccessQuery = Type.Object({ at: Type.Optional(Instant) }, { additionalProperties: false });
export const EffectiveAccess = Type.Object({
  principalId: Type.String(),
  at: Instant,
  roles: Type.Array(Type.Object({
    scheduleId: Type.String(),
    roleId: Type.String(),
    scope: Type.String(),
    memberType: Type.Union([Type.Literal('Direct'), Type.Literal('Group'), Type.Literal('Inherited')]),
    assignmentType: Type.String(),
    startAt: Instant,
    endAt: Type.Union([Type.String(), Type.Null()]),
    groupId: Type.Optional(Type.String()),
    permissions: Type.Array(Type.String()),
  }, { additionalProperties: false })),
}, { additionalProperties: false });
export type EffectiveAccess = Static<typeof EffectiveAccess>;

import { Type, type Static } from 'typebox';
import { RequestMfa } from './auth.ts';
import { Id, Instant, Justification, NullableInstant, PageQuery, Scope, Ticket } from './common.ts';

export const REQUEST_ACTIONS = ['adminAssign', 'adminUpdate', 'adminRemove', 'adminExtend', 'adminRenew', 'selfActivate', 'selfDeactivate', 'selfExtend', 'selfRenew'] as const;
// Spelled out (not mapped) so the static type stays the union of these literals.
export const RequestAction = Type.Union([
  Type.Literal('adminAssign'), Type.Literal('adminUpdate'), Type.Literal('adminRemove'), Type.Literal('adminExtend'), Type.Literal('adminRenew'),
  Type.Literal('selfActivate'), Type.Literal('selfDeactivate'), Type.Literal('selfExtend'), Type.Literal('selfRenew'),
]);
export type RequestAction = (typeof REQUEST_ACTIONS)[number];
export const ScheduleKind = Type.Union([Type.Literal('eligible'), Type.Literal('active')]);

export const ScheduleRequestInput = Type.Object({
  startAt: Type.Optional(Instant),
  duration: Type.Optional(Type.String({ minLength: 2, maxLength: 32, description: 'ISO-8601 duration such as PT8H or P90D' })),
  endAt: Type.Optional(Instant),
  permanent: Type.Optional(Type.Boolean()),
}, { additionalProperties: false, description: 'Give exactly one of duration, endAt or permanent: true' });

export const CreateRequest = Type.Object({
  action: RequestAction,
  kind: Type.Optional(ScheduleKind),
  principalId: Id,
  roleId: Id,
  scope: Type.Optional(Scope),
  targetScheduleId: Type.Optional(Id),
  schedule: Type.Optional(ScheduleRequestInput),
  justification: Type.Optional(Justification),
  ticket: Type.Optional(Ticket),
  validateOnly: Type.Optional(Type.Boolean({ description: 'Dry run: validate and report, change nothing' })),
  mfa: Type.Optional(RequestMfa),
}, { additionalProperties: false });
export type CreateRequest = Static<typeof CreateRequest>;

export const ActivationRequirements = Type.Object({
  mfa: Type.Boolean(),
  justification: Type.Boolean(),
  ticket: Type.Boolean(),
  approval: Type.Boolean(),
  maximumDuration: Type.String(),
  missing: Type.Array(Type.Union([Type.Literal('mfa'), Type.Literal('justification'), Type.Literal('ticket')]), { description: 'Requirements this request does not meet yet' }),
}, { additionalProperties: false, description: 'What the role settings ask of this activation (selfActivate, and every validateOnly answer for it)' });

const ApproverRef = Type.Object({ type: Type.String(), id: Type.String() }, { additionalProperties: false });
export const Approval = Type.Object({
  stage: Type.Integer({ description: '1-based stage waiting for decisions (last stage once decided)' }),
  expiresAt: NullableInstant,
  stages: Type.Array(Type.Object({
    requiredApprovals: Type.Integer(),
    approvers: Type.Array(ApproverRef, { description: 'Empty: the active Global and Privileged Role Administrators' }),
    escalation: Type.Union([Type.Object({ afterMinutes: Type.Integer(), approvers: Type.Array(ApproverRef) }, { additionalProperties: false }), Type.Null()]),
  }, { additionalProperties: false })),
  decisions: Type.Array(Type.Object({
    stage: Type.Integer(), approverId: Type.String(), decision: Type.Union([Type.Literal('approve'), Type.Literal('deny')]),
    justification: Type.Union([Type.String(), Type.Null()]), decidedAt: Instant,
  }, { additionalProperties: false })),
}, { additionalProperties: false });

export const DecisionInput = Type.Object({
  justification: Type.Optional(Justification),
  kind: Type.Optional(ScheduleKind),
  schedule: Type.Optional(ScheduleRequestInput),
  mfa: Type.Optional(RequestMfa),
}, { additionalProperties: false, description: 'kind and schedule: only when approving selfExtend / selfRenew (the approver sets start, end and kind); mfa: a TOTP code when the role asks approvers for MFA' });
export type DecisionInput = Static<typeof DecisionInput>;

export const ApprovalsQuery = Type.Object({
  ...PageQuery,
  status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('decided')], { default: 'pending' })),
}, { additionalProperties: false });
export type ApprovalsQuery = Static<typeof ApprovalsQuery>;

export const PimRequest = Type.Object({
  id: Type.String(),
  action: Type.String(),
  kind: ScheduleKind,
  status: Type.String({ description: 'Provisioned, Granted (future start), Revoked, PendingApproval, Denied, Canceled, …' }),
  principalId: Type.String(),
  roleId: Type.String(),
  scope: Type.String(),
  targetScheduleId: Type.Union([Type.String(), Type.Null()]),
  justification: Type.Union([Type.String(), Type.Null()]),
  ticket: Type.Union([Type.Object({ number: Type.String(), system: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
  schedule: Type.Object({ startAt: NullableInstant, endAt: NullableInstant, duration: Type.Union([Type.String(), Type.Null()]), permanent: Type.Boolean() }),
  createdBy: Type.String(),
  createdAt: Instant,
  completedAt: NullableInstant,
  statusReason: Type.Union([Type.String(), Type.Null()]),
  validateOnly: Type.Boolean(),
  linkedEligibilityId: Type.Union([Type.String(), Type.Null()], { description: 'selfActivate: the eligibility the activation comes from' }),
  requirements: Type.Optional(ActivationRequirements),
  approval: Type.Union([Approval, Type.Null()]),
}, { additionalProperties: false });
export type PimRequest = Static<typeof PimRequest>;

export const ListRequestsQuery = Type.Object({
  ...PageQuery,
  principalId: Type.Optional(Id),
  roleId: Type.Optional(Id),
  status: Type.Optional(Type.String({ maxLength: 40 })),
  action: Type.Optional(RequestAction),
}, { additionalProperties: false });
export type ListRequestsQuery = Static<typeof ListRequestsQuery>;

export const RoleAssignment = Type.Object({
  scheduleId: Type.String(),
  kind: ScheduleKind,
  principalId: Type.String(),
  principalType: Type.String(),
  principalDisplayName: Type.Union([Type.String(), Type.Null()]),
  roleId: Type.String(),
  roleDisplayName: Type.Union([Type.String(), Type.Null()]),
  scope: Type.String(),
  startAt: Instant,
  endAt: NullableInstant,
  memberType: Type.Union([Type.Literal('Direct'), Type.Literal('Group'), Type.Literal('Inherited')]),
  assignmentType: Type.Union([Type.Literal('Assigned'), Type.Literal('Activated')]),
  group: Type.Union([Type.Object({ id: Type.String(), displayName: Type.String() }), Type.Null()]),
  createdAt: Instant,
  endedAt: NullableInstant,
  endReason: Type.Union([Type.String(), Type.Null()]),
}, { additionalProperties: false });
export type RoleAssignment = Static<typeof RoleAssignment>;

export const MyRoles = Type.Object({
  eligible: Type.Array(RoleAssignment),
  active: Type.Array(RoleAssignment),
  expired: Type.Array(RoleAssignment),
}, { additionalProperties: false });
export type MyRoles = Static<typeof MyRoles>;

export const AssignmentsQuery = Type.Object({
  ...PageQuery,
  kind: Type.Optional(Type.Union([Type.Literal('eligible'), Type.Literal('active'), Type.Literal('expired')], { default: 'eligible' })),
}, { additionalProperties: false });
export type AssignmentsQuery = Static<typeof AssignmentsQuery>;

export const MAX_BATCH_REQUESTS = 20;
export const BatchRequestsInput = Type.Object({
  requests: Type.Array(CreateRequest, { minItems: 1, maxItems: MAX_BATCH_REQUESTS }),
  mfa: Type.Optional(RequestMfa),
}, { additionalProperties: false, description: 'mfa: one TOTP code for the whole batch (a code works only once)' });
export type BatchRequestsInput = Static<typeof BatchRequestsInput>;

export const BatchResult = Type.Object({
  index: Type.Integer({ description: 'Position in the input' }),
  status: Type.Integer({ description: 'The HTTP status this request alone would have had' }),
  request: Type.Optional(PimRequest),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String(), details: Type.Record(Type.String(), Type.Unknown()) }, { additionalProperties: false })),
}, { additionalProperties: false });
export const BatchResults = Type.Object({ results: Type.Array(BatchResult) }, { additionalProperties: false });
export type BatchResults = Static<typeof BatchResults>;

const BundleItem = Type.Object({ roleId: Id, scope: Type.Optional(Scope) }, { additionalProperties: false });
export const CreateBundle = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  description: Type.Optional(Type.String({ maxLength: 500 })),
  items: Type.Array(BundleItem, { minItems: 1, maxItems: MAX_BATCH_REQUESTS }),
}, { additionalProperties: false });
export type CreateBundle = Static<typeof CreateBundle>;
export const UpdateBundle = Type.Partial(CreateBundle, { additionalProperties: false });
export type UpdateBundle = Static<typeof UpdateBundle>;
export const Bundle = Type.Object({
  id: Type.String(), name: Type.String(), description: Type.Union([Type.String(), Type.Null()]),
  items: Type.Array(Type.Object({ roleId: Type.String(), scope: Type.String() }, { additionalProperties: false })),
  createdAt: Instant, updatedAt: Instant,
}, { additionalProperties: false });
export type Bundle = Static<typeof Bundle>;
export const ActivateBundle = Type.Object({
  schedule: Type.Optional(ScheduleRequestInput),
  justification: Type.Optional(Justification),
  ticket: Type.Optional(Ticket),
  validateOnly: Type.Optional(Type.Boolean()),
  mfa: Type.Optional(RequestMfa),
}, { additionalProperties: false });
export type ActivateBundle = Static<typeof ActivateBundle>;

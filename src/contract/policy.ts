import { Type, type Static, type TSchema } from 'typebox';
import { Id, Instant, Scope } from './common.ts';

/** Role settings: the 17 rules of PIM-REFERENCE §2.4 as the portal's three tabs. */

/**
 * The settings' static shape (the schemas below are built from a description, which loses the
 * static type): the server's domain and the portal both use these, so they cannot drift apart.
 */
export interface ApproverRef {
  type: 'user' | 'group';
  id: string;
}

export interface ApprovalStage {
  approvers: ApproverRef[];
  /** How many distinct approvers must approve to complete the stage (Entra: always 1). */
  requiredApprovals: number;
  /** After this long without a decision, the escalation approvers may decide as well. */
  escalation: { afterMinutes: number; approvers: ApproverRef[] } | null;
}

export interface NotificationRow {
  defaultRecipients: boolean;
  additionalRecipients: string[];
  criticalOnly: boolean;
}

export interface NotificationSection {
  admin: NotificationRow;
  assignee: NotificationRow;
  approver: NotificationRow;
}

export interface AssignmentKindRules {
  /** Rule 5/6: permanent allowed (Entra `isExpirationRequired = false`). */
  permanentAllowed: boolean;
  /** Rule 5/6: the cap when expiry is required. */
  maximumDuration: string;
  /** Rule 7/8: MFA of the administrator making the assignment. */
  requireMfa: boolean;
  /** Rule 7/8: justification on the assignment. */
  requireJustification: boolean;
}

export interface RolePolicy {
  activation: {
    /** Rule 1 (Expiration_EndUser_Assignment): 30 minutes to 24 hours. */
    maximumDuration: string;
    /** Rule 2 (Enablement_EndUser_Assignment). */
    requireMfa: boolean;
    requireJustification: boolean;
    requireTicket: boolean;
    /** Rule 3 (AuthenticationContext_EndUser_Assignment): a claim the sign-in must carry (e.g. `c1`); MFA is required with it. */
    authenticationContext: { enabled: boolean; claimValue: string | null };
    /** Rule 4 (Approval_EndUser_Assignment). With no stages, the active Global and Privileged Role Administrators approve. */
    requireApproval: boolean;
    approvalStages: ApprovalStage[];
    approverJustificationRequired: boolean;
    /** Beyond Entra: service principals may be eligible and activate (always with approval, MFA not applicable). */
    allowWorkloadActivation: boolean;
    /** Beyond Entra: MFA must be this fresh (minutes); null = once per session, as Entra does. */
    mfaMaxAgeMinutes: number | null;
    /** Approvers must have done MFA (fresh as above) to decide. */
    approverMfaRequired: boolean;
  };
  assignment: {
    eligible: AssignmentKindRules;
    active: AssignmentKindRules;
  };
  /** Rules 9–17: the 3 × 3 notification matrix of PIM-REFERENCE §2.3. */
  notifications: {
    eligibleAssigned: NotificationSection;
    activeAssigned: NotificationSection;
    activated: NotificationSection;
  };
}

const IsoDuration = Type.String({ minLength: 2, maxLength: 32, description: 'ISO-8601 duration, e.g. PT8H, PT1H45M, P90D' });
const ApproverRef = Type.Object({ type: Type.Union([Type.Literal('user'), Type.Literal('group')]), id: Id }, { additionalProperties: false });
const Approvers = Type.Array(ApproverRef, { maxItems: 100 });
const Email = Type.String({ format: 'email', maxLength: 254 });

const ApprovalStage = Type.Object({
  approvers: Approvers,
  requiredApprovals: Type.Integer({ minimum: 1, maximum: 100, description: 'Distinct approvals that complete the stage' }),
  escalation: Type.Union([
    Type.Object({ afterMinutes: Type.Integer({ minimum: 5, maximum: 1440 }), approvers: Approvers }, { additionalProperties: false }),
    Type.Null(),
  ]),
}, { additionalProperties: false });

/**
 * Builds the full shape and its patch shape from one description, so they cannot drift:
 * in the patch every field is optional (objects merge, arrays replace).
 */
type Shape = { [k: string]: TSchema | Shape };
function build(shape: Shape, partial: boolean): TSchema {
  const props: Record<string, TSchema> = {};
  for (const [k, v] of Object.entries(shape)) {
    const s = (v as { '~kind'?: unknown })['~kind'] !== undefined || 'type' in v || 'anyOf' in v ? (v as TSchema) : build(v as Shape, partial);
    props[k] = partial ? Type.Optional(s) : s;
  }
  return Type.Object(props, { additionalProperties: false });
}

const NotificationRow = Type.Object({
  defaultRecipients: Type.Boolean(),
  additionalRecipients: Type.Array(Email, { maxItems: 100 }),
  criticalOnly: Type.Boolean(),
}, { additionalProperties: false });
const PartialRow = Type.Partial(NotificationRow);
const section = (row: TSchema): Shape => ({ admin: row, assignee: row, approver: row });
const kindRules = (): Shape => ({ permanentAllowed: Type.Boolean(), maximumDuration: IsoDuration, requireMfa: Type.Boolean(), requireJustification: Type.Boolean() });

function settingsShape(row: TSchema): Shape {
  return {
    activation: {
      maximumDuration: IsoDuration,
      requireMfa: Type.Boolean(),
      requireJustification: Type.Boolean(),
      requireTicket: Type.Boolean(),
      authenticationContext: { enabled: Type.Boolean(), claimValue: Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()]) },
      requireApproval: Type.Boolean(),
      approvalStages: Type.Array(ApprovalStage, { maxItems: 3 }),
      approverJustificationRequired: Type.Boolean(),
      allowWorkloadActivation: Type.Boolean(),
      mfaMaxAgeMinutes: Type.Union([Type.Integer({ minimum: 1, maximum: 1440 }), Type.Null()], { description: 'MFA must be at most this old; null: once per session' }),
      approverMfaRequired: Type.Boolean({ description: 'Approvers must have done MFA (as fresh as above) to decide' }),
    },
    assignment: { eligible: kindRules(), active: kindRules() },
    notifications: { eligibleAssigned: section(row), activeAssigned: section(row), activated: section(row) },
  };
}

export const RolePolicySettings = build(settingsShape(NotificationRow), false);
export const RolePolicyPatch = build(settingsShape(PartialRow), true);

export const SettingsQuery = Type.Object({
  scope: Type.Optional(Scope),
}, { additionalProperties: false });
export type SettingsQuery = Static<typeof SettingsQuery>;

export const RoleSettings = Type.Object({
  roleId: Type.String(),
  scope: Type.String({ description: 'The scope asked about' }),
  source: Type.Union([Type.Literal('default'), Type.Literal('role'), Type.Literal('scope')], { description: 'default: Entra defaults (never saved); role: the role-wide policy; scope: an override at definedAt' }),
  definedAt: Type.Union([Type.String(), Type.Null()], { description: 'Scope of the policy that applies (null for defaults)' }),
  settings: RolePolicySettings,
  lastModifiedBy: Type.Union([Type.String(), Type.Null()]),
  lastModifiedAt: Type.Union([Instant, Type.Null()]),
}, { additionalProperties: false });

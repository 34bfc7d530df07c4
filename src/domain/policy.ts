import { DAY_MS, HOUR_MS, MINUTE_MS, parseDuration } from './duration.ts';
import { invalid } from './errors.ts';
import type { ExpirationRule, ScheduleKind } from './schedule-rules.ts';
// The settings' shape lives in the contract, where the portal reads the same type.
import type { ApprovalStage, ApproverRef, AssignmentKindRules, NotificationRow, NotificationSection, RolePolicy } from '../contract/policy.ts';

/**
 * Role settings (Entra's roleManagementPolicy): the 17 rules of PIM-REFERENCE §2.4, grouped
 * as the portal's Activation, Assignment and Notification tabs. Durations are ISO-8601
 * strings, as in Graph, so a stored policy reads the same as the API shows it.
 */
export type { ApprovalStage, ApproverRef, AssignmentKindRules, NotificationRow, NotificationSection, RolePolicy };

const row = (): NotificationRow => ({ defaultRecipients: true, additionalRecipients: [], criticalOnly: false });
const section = (): NotificationSection => ({ admin: row(), assignee: row(), approver: row() });

/** Entra's live default policy (PIM-REFERENCE §2.1–§2.3). */
export function defaultPolicy(): RolePolicy {
  return {
    activation: {
      maximumDuration: 'PT8H', requireMfa: true, requireJustification: true, requireTicket: false,
      authenticationContext: { enabled: false, claimValue: null },
      requireApproval: false, approvalStages: [], approverJustificationRequired: true, allowWorkloadActivation: false,
      mfaMaxAgeMinutes: null, approverMfaRequired: false,
    },
    assignment: {
      eligible: { permanentAllowed: true, maximumDuration: 'P365D', requireMfa: false, requireJustification: false },
      active: { permanentAllowed: true, maximumDuration: 'P180D', requireMfa: false, requireJustification: true },
    },
    notifications: { eligibleAssigned: section(), activeAssigned: section(), activated: section() },
  };
}

export const ACTIVATION_MIN_MS = 30 * MINUTE_MS;
export const ACTIVATION_MAX_MS = 24 * HOUR_MS;
/** Assignment caps: from one day to ten years. */
export const ASSIGNMENT_CAP_MIN_MS = DAY_MS;
export const ASSIGNMENT_CAP_MAX_MS = 3650 * DAY_MS;
export const MAX_STAGES = 3;
export const MAX_APPROVERS_PER_STAGE = 100;
export const MAX_ADDITIONAL_RECIPIENTS = 100;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type DeepPartial<T> = T extends unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** Applies a patch: objects merge key by key, arrays and scalars replace. */
export function mergePolicy(base: RolePolicy, patch: DeepPartial<RolePolicy>): RolePolicy {
  const merge = (a: Json, b: Json | undefined): Json => {
    if (b === undefined) return a;
    if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) || Array.isArray(b)) return b;
    const out: { [k: string]: Json } = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = merge(a[k] ?? null, v);
    return out;
  };
  // A copy: the result shares nothing with base or patch, so later edits cannot leak back.
  return structuredClone(merge(base as unknown as Json, patch as unknown as Json)) as unknown as RolePolicy;
}

function durationIn(text: string, field: string, min: number, max: number, human: string): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch {
    throw invalid('policy.duration_invalid', `${field} must be an ISO-8601 duration such as PT8H or P90D.`, { field, value: text });
  }
  if (ms < min || ms > max) throw invalid('policy.duration_out_of_range', `${field} must be between ${human}.`, { field, value: text, minimumMs: min, maximumMs: max });
  return ms;
}

/** Checks the rules that need no lookup. Approver existence is the service's job. */
export function validatePolicy(p: RolePolicy): void {
  durationIn(p.activation.maximumDuration, 'activation.maximumDuration', ACTIVATION_MIN_MS, ACTIVATION_MAX_MS, '30 minutes and 24 hours');
  for (const kind of ['eligible', 'active'] as const) {
    durationIn(p.assignment[kind].maximumDuration, `assignment.${kind}.maximumDuration`, ASSIGNMENT_CAP_MIN_MS, ASSIGNMENT_CAP_MAX_MS, '1 and 3650 days');
  }
  const a = p.activation;
  if (a.authenticationContext.enabled && (a.authenticationContext.claimValue ?? '').trim() === '') {
    throw invalid('policy.authentication_context_required', 'Give authenticationContext.claimValue (such as c1) when the authentication context is enabled.');
  }
  if (a.approvalStages.length > MAX_STAGES) throw invalid('policy.too_many_stages', `At most ${MAX_STAGES} approval stages.`, { stages: a.approvalStages.length });
  a.approvalStages.forEach((s, i) => {
    if (s.approvers.length === 0) throw invalid('policy.approvers_required', `Approval stage ${i + 1} has no approvers.`, { stage: i + 1 });
    if (s.approvers.length > MAX_APPROVERS_PER_STAGE) throw invalid('policy.too_many_approvers', `At most ${MAX_APPROVERS_PER_STAGE} approvers per stage.`, { stage: i + 1 });
    if (!Number.isInteger(s.requiredApprovals) || s.requiredApprovals < 1) throw invalid('policy.required_approvals_invalid', 'requiredApprovals must be at least 1.', { stage: i + 1 });
    if (s.escalation !== null) {
      if (s.escalation.approvers.length === 0) throw invalid('policy.approvers_required', `The escalation of stage ${i + 1} has no approvers.`, { stage: i + 1 });
      if (!Number.isInteger(s.escalation.afterMinutes) || s.escalation.afterMinutes < 5 || s.escalation.afterMinutes > 1440) throw invalid('policy.duration_out_of_range', 'escalation.afterMinutes must be between 5 and 1440.', { stage: i + 1 });
    }
  });
  for (const section of [p.notifications.eligibleAssigned, p.notifications.activeAssigned, p.notifications.activated]) {
    for (const row of [section.admin, section.assignee, section.approver]) {
      if (row.additionalRecipients.length > MAX_ADDITIONAL_RECIPIENTS) throw invalid('policy.too_many_recipients', `At most ${MAX_ADDITIONAL_RECIPIENTS} additional recipients per notification row.`);
    }
  }
  const age = a.mfaMaxAgeMinutes;
  if (age !== null && (!Number.isInteger(age) || age < 1 || age > 1440)) throw invalid('policy.duration_out_of_range', 'activation.mfaMaxAgeMinutes must be between 1 and 1440 (or null: once per session).', { field: 'activation.mfaMaxAgeMinutes' });
  // PIM-REFERENCE §2.3: only the designated approvers get "approve this activation".
  if (p.notifications.activated.approver.additionalRecipients.length > 0) {
    throw invalid('policy.additional_recipients_not_allowed', 'Activation approval requests go to the designated approvers only; additional recipients are not allowed on that row.');
  }
}

export function expirationRule(p: RolePolicy, kind: ScheduleKind): ExpirationRule {
  const k = p.assignment[kind];
  return { permanentAllowed: k.permanentAllowed, maximumDurationMs: parseDuration(k.maximumDuration) };
}

export function activationMaximumMs(p: RolePolicy): number {
  return parseDuration(p.activation.maximumDuration);
}

/** What activating under this policy will ask of the caller (the dry run reports it). */
export interface ActivationRequirements {
  mfa: boolean;
  justification: boolean;
  ticket: boolean;
  approval: boolean;
  maximumDuration: string;
}

export function activationRequirements(p: RolePolicy, principalType: 'user' | 'servicePrincipal'): ActivationRequirements {
  const workload = principalType === 'servicePrincipal';
  return {
    // MFA does not apply to workloads; approval is what stands in for it.
    mfa: !workload && (p.activation.requireMfa || p.activation.authenticationContext.enabled),
    justification: p.activation.requireJustification,
    ticket: p.activation.requireTicket,
    approval: workload || p.activation.requireApproval,
    maximumDuration: p.activation.maximumDuration,
  };
}

/** The facts a caller brings; `missing` lists the requirements they do not meet. */
export function missingRequirements(
  req: ActivationRequirements,
  given: { mfaVerified: boolean; justification: string | undefined; ticketNumber: string | undefined },
): Array<'mfa' | 'justification' | 'ticket'> {
  const missing: Array<'mfa' | 'justification' | 'ticket'> = [];
  if (req.mfa && !given.mfaVerified) missing.push('mfa');
  if (req.justification && (given.justification ?? '').trim() === '') missing.push('justification');
  if (req.ticket && (given.ticketNumber ?? '').trim() === '') missing.push('ticket');
  return missing;
}

/** Whether MFA done at `mfaAt` counts now under this policy: once per session, or within mfaMaxAgeMinutes. */
export function mfaFresh(p: RolePolicy, mfaAt: number | undefined, now: number): 'ok' | 'missing' | 'stale' {
  if (mfaAt === undefined) return 'missing';
  const age = p.activation.mfaMaxAgeMinutes;
  return age !== null && now - mfaAt > age * 60_000 ? 'stale' : 'ok';
}

import { conflict, forbidden, invalid } from './errors.ts';
import { MINUTE_MS } from './duration.ts';
import type { ApprovalStage } from './policy.ts';

/**
 * The approval state machine of one request (PIM-REFERENCE §4, DESIGN invariant 2). Pure: the
 * service resolves approver references to people and supplies the instant.
 *
 *   PendingApproval ──approve (stage complete, last stage)──▶ Granted/Provisioned
 *         │  └─approve (stage complete, more stages)──▶ PendingApproval, next stage
 *         ├─deny──▶ Denied
 *         ├─cancel by requester──▶ Canceled
 *         └─no decision by expiresAt──▶ Canceled (reason: approval expired)
 *
 * Once decided, every later decision is refused with 409 `request.already_decided`.
 */
export type RequestStatus = 'PendingApproval' | 'Granted' | 'Provisioned' | 'Denied' | 'Canceled' | 'Revoked' | 'Failed';

export interface Decision {
  stage: number;
  approverId: string;
  decision: 'approve' | 'deny';
}

export interface ApprovalState {
  status: string;
  /** 0-based index of the stage waiting for decisions. */
  stage: number;
  stageStartedAt: number;
  expiresAt: number;
  /** The requester and the principal the request is for: neither may approve it. */
  parties: readonly string[];
  decisions: readonly Decision[];
}

/** People (user ids) entitled to decide the current stage: its approvers, plus the escalation approvers once it is due. */
export interface ResolvedStage {
  approvers: ReadonlySet<string>;
  escalationApprovers: ReadonlySet<string>;
}

export type Outcome =
  | { kind: 'denied' }
  | { kind: 'pending'; stage: number; approvalsNeeded: number }
  | { kind: 'nextStage'; stage: number }
  | { kind: 'approved' };

export function isExpired(s: ApprovalState, at: number): boolean {
  return s.status === 'PendingApproval' && at >= s.expiresAt;
}

export function escalationDue(stage: ApprovalStage, stageStartedAt: number, at: number): boolean {
  return stage.escalation !== null && at >= stageStartedAt + stage.escalation.afterMinutes * MINUTE_MS;
}

/** Who may decide now, requesters excluded. */
export function entitled(s: ApprovalState, stage: ApprovalStage, resolved: ResolvedStage, at: number): Set<string> {
  const out = new Set(resolved.approvers);
  if (escalationDue(stage, s.stageStartedAt, at)) for (const id of resolved.escalationApprovers) out.add(id);
  for (const p of s.parties) out.delete(p);
  return out;
}

/**
 * One approver's decision. Throws the refusal (already decided, expired, self-approval, not
 * an approver, decided twice, missing justification); otherwise says what happens next.
 */
export function applyDecision(
  s: ApprovalState,
  stages: readonly ApprovalStage[],
  resolved: ResolvedStage,
  d: { approverId: string; decision: 'approve' | 'deny'; justification: string | undefined; justificationRequired: boolean; at: number },
): Outcome {
  if (s.status !== 'PendingApproval') throw conflict('request.already_decided', `This request is already ${s.status}.`, { status: s.status });
  if (isExpired(s, d.at)) throw conflict('request.expired', 'The approval window of this request has passed.', { expiredAt: new Date(s.expiresAt).toISOString() });
  if (s.parties.includes(d.approverId)) throw forbidden('request.self_approval', 'No one may decide their own request.');
  const stage = stages[s.stage];
  if (stage === undefined) throw conflict('request.already_decided', 'This request has no stage waiting for a decision.');
  if (!entitled(s, stage, resolved, d.at).has(d.approverId)) {
    throw forbidden('request.not_an_approver', 'You are not an approver of this request at its current stage.', { stage: s.stage + 1 });
  }
  // One person counts once across the whole request: a second stage is a second pair of eyes.
  if (s.decisions.some((x) => x.approverId === d.approverId)) throw conflict('request.already_decided_by_you', 'You have already decided on this request.');
  if (d.justificationRequired && (d.justification ?? '').trim() === '') {
    throw invalid('request.justification_required', 'A justification is required to approve or deny this request.');
  }
  if (d.decision === 'deny') return { kind: 'denied' };
  const approvals = s.decisions.filter((x) => x.stage === s.stage && x.decision === 'approve').length + 1;
  const required = stage.requiredApprovals;
  if (approvals < required) return { kind: 'pending', stage: s.stage, approvalsNeeded: required - approvals };
  return s.stage + 1 < stages.length ? { kind: 'nextStage', stage: s.stage + 1 } : { kind: 'approved' };
}

/**
 * The window granted at approval: it starts at approval (or the requested start if that is
 * later), keeps the requested length, and never outlives the eligibility.
 */
export function grantedWindow(requested: { startAt: number; endAt: number }, approvedAt: number, eligibilityEnd: number | null): { startAt: number; endAt: number } {
  const startAt = Math.max(requested.startAt, approvedAt);
  const endAt = startAt + (requested.endAt - requested.startAt);
  return { startAt, endAt: eligibilityEnd === null ? endAt : Math.min(endAt, eligibilityEnd) };
}

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  applyDecision, entitled, escalationDue, grantedWindow, isExpired,
  type ApprovalState, type Decision, type Outcome, type ResolvedStage,
} from '../../src/domain/approval.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../src/domain/duration.ts';
import { DomainError, type ErrorKind } from '../../src/domain/errors.ts';
import {
  activationMaximumMs, activationRequirements, defaultPolicy, expirationRule, mergePolicy, missingRequirements, validatePolicy,
  type ActivationRequirements, type ApprovalStage, type ApproverRef, type DeepPartial, type NotificationRow, type RolePolicy,
} from '../../src/domain/policy.ts';

/** A predicate for assert.throws: a DomainError with this code (and, when given, this kind). */
const domainError = (code: string, kind?: ErrorKind) => (e: unknown): boolean =>
  e instanceof DomainError && e.code === code && (kind === undefined || e.kind === kind);

const policyWith = (patch: DeepPartial<RolePolicy>): RolePolicy => mergePolicy(defaultPolicy(), patch);

const user = (id: string): ApproverRef => ({ type: 'user', id });
const stage = (ids: string[], requiredApprovals = 1, escalation: ApprovalStage['escalation'] = null): ApprovalStage =>
  ({ approvers: ids.map(user), requiredApprovals, escalation });

// ───────────────────────────── policy ─────────────────────────────

describe('defaultPolicy: Entra defaults', () => {
  const defaultRow: NotificationRow = { defaultRecipients: true, additionalRecipients: [], criticalOnly: false };
  const defaultSection = { admin: defaultRow, assignee: defaultRow, approver: defaultRow };

  test('the whole default policy, field by field', () => {
    assert.deepEqual(defaultPolicy(), {
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
      notifications: { eligibleAssigned: defaultSection, activeAssigned: defaultSection, activated: defaultSection },
    } satisfies RolePolicy);
  });

  test('activation: PT8H maximum, MFA and justification on, ticket and approval off', () => {
    const p = defaultPolicy();
    assert.equal(activationMaximumMs(p), 8 * HOUR_MS);
    assert.equal(p.activation.requireMfa, true);
    assert.equal(p.activation.requireJustification, true);
    assert.equal(p.activation.requireTicket, false);
    assert.equal(p.activation.requireApproval, false);
    assert.equal(p.activation.authenticationContext.enabled, false);
  });

  test('assignment: permanent eligible allowed with a P365D cap, permanent active allowed with a P180D cap', () => {
    const p = defaultPolicy();
    assert.deepEqual(expirationRule(p, 'eligible'), { permanentAllowed: true, maximumDurationMs: 365 * DAY_MS });
    assert.deepEqual(expirationRule(p, 'active'), { permanentAllowed: true, maximumDurationMs: 180 * DAY_MS });
    assert.equal(p.assignment.active.requireJustification, true, 'justification on active assignment');
    assert.equal(p.assignment.eligible.requireJustification, false);
  });

  test('notifications: 9 rows, each to the default recipients, not critical-only, no additional recipients', () => {
    const rows = Object.values(defaultPolicy().notifications).flatMap((s) => Object.values(s));
    assert.equal(rows.length, 9);
    for (const r of rows) assert.deepEqual(r, defaultRow);
  });

  test('the default policy is valid, and each call returns a fresh object', () => {
    assert.doesNotThrow(() => validatePolicy(defaultPolicy()));
    const a = defaultPolicy();
    a.activation.requireMfa = false;
    a.notifications.activated.admin.additionalRecipients.push('x@example.com');
    const b = defaultPolicy();
    assert.equal(b.activation.requireMfa, true);
    assert.deepEqual(b.notifications.activated.admin.additionalRecipients, []);
    // The rows inside one policy are independent objects too.
    assert.notEqual(b.notifications.activated.admin, b.notifications.activated.assignee);
  });

  test('expirationRule and activationMaximumMs follow the policy', () => {
    const p = policyWith({ activation: { maximumDuration: 'PT1H45M' }, assignment: { eligible: { permanentAllowed: false, maximumDuration: 'P90D' }, active: { maximumDuration: 'P2W' } } });
    assert.equal(activationMaximumMs(p), 105 * MINUTE_MS);
    assert.deepEqual(expirationRule(p, 'eligible'), { permanentAllowed: false, maximumDurationMs: 90 * DAY_MS });
    assert.deepEqual(expirationRule(p, 'active'), { permanentAllowed: true, maximumDurationMs: 14 * DAY_MS });
  });
});

describe('activationRequirements + missingRequirements', () => {
  type Principal = 'user' | 'servicePrincipal';
  type Needs = Pick<ActivationRequirements, 'mfa' | 'justification' | 'ticket' | 'approval'>;
  const allOff: DeepPartial<RolePolicy['activation']> = {
    requireMfa: false, requireJustification: false, requireTicket: false, requireApproval: false, authenticationContext: { enabled: false, claimValue: null },
  };
  const allOn: DeepPartial<RolePolicy['activation']> = {
    requireMfa: true, requireJustification: true, requireTicket: true, requireApproval: true, authenticationContext: { enabled: true, claimValue: 'c1' },
  };
  const table: Array<{ name: string; activation: DeepPartial<RolePolicy['activation']>; principal: Principal; want: Needs }> = [
    { name: 'defaults, user', activation: {}, principal: 'user', want: { mfa: true, justification: true, ticket: false, approval: false } },
    { name: 'defaults, workload', activation: {}, principal: 'servicePrincipal', want: { mfa: false, justification: true, ticket: false, approval: true } },
    { name: 'everything off, user', activation: allOff, principal: 'user', want: { mfa: false, justification: false, ticket: false, approval: false } },
    { name: 'everything off, workload still needs approval', activation: allOff, principal: 'servicePrincipal', want: { mfa: false, justification: false, ticket: false, approval: true } },
    { name: 'everything on, user', activation: allOn, principal: 'user', want: { mfa: true, justification: true, ticket: true, approval: true } },
    { name: 'everything on, workload never needs MFA', activation: allOn, principal: 'servicePrincipal', want: { mfa: false, justification: true, ticket: true, approval: true } },
    { name: 'requireMfa on only, user', activation: { ...allOff, requireMfa: true }, principal: 'user', want: { mfa: true, justification: false, ticket: false, approval: false } },
    { name: 'requireMfa on only, workload', activation: { ...allOff, requireMfa: true }, principal: 'servicePrincipal', want: { mfa: false, justification: false, ticket: false, approval: true } },
    { name: 'requireJustification on only, user', activation: { ...allOff, requireJustification: true }, principal: 'user', want: { mfa: false, justification: true, ticket: false, approval: false } },
    { name: 'requireJustification on only, workload', activation: { ...allOff, requireJustification: true }, principal: 'servicePrincipal', want: { mfa: false, justification: true, ticket: false, approval: true } },
    { name: 'requireTicket on only, user', activation: { ...allOff, requireTicket: true }, principal: 'user', want: { mfa: false, justification: false, ticket: true, approval: false } },
    { name: 'requireTicket on only, workload', activation: { ...allOff, requireTicket: true }, principal: 'servicePrincipal', want: { mfa: false, justification: false, ticket: true, approval: true } },
    { name: 'requireApproval on only, user', activation: { ...allOff, requireApproval: true }, principal: 'user', want: { mfa: false, justification: false, ticket: false, approval: true } },
    { name: 'requireApproval on only, workload', activation: { ...allOff, requireApproval: true }, principal: 'servicePrincipal', want: { mfa: false, justification: false, ticket: false, approval: true } },
    { name: 'authentication context implies MFA, user', activation: { ...allOff, authenticationContext: { enabled: true, claimValue: 'c1' } }, principal: 'user', want: { mfa: true, justification: false, ticket: false, approval: false } },
    { name: 'authentication context, workload: no MFA', activation: { ...allOff, authenticationContext: { enabled: true, claimValue: 'c1' } }, principal: 'servicePrincipal', want: { mfa: false, justification: false, ticket: false, approval: true } },
    { name: 'authentication context disabled with a claim left over, user', activation: { ...allOff, authenticationContext: { enabled: false, claimValue: 'c1' } }, principal: 'user', want: { mfa: false, justification: false, ticket: false, approval: false } },
  ];

  const nothing = { mfaVerified: false, justification: undefined, ticketNumber: undefined };
  const everything = { mfaVerified: true, justification: 'incident 42', ticketNumber: 'INC-42' };

  for (const row of table) {
    test(row.name, () => {
      const p = policyWith({ activation: { ...row.activation, maximumDuration: 'PT2H' } });
      const req = activationRequirements(p, row.principal);
      assert.deepEqual(req, { ...row.want, maximumDuration: 'PT2H' });
      // Bringing nothing leaves exactly the MFA / justification / ticket requirements that are on, in that order.
      const wantMissing = (['mfa', 'justification', 'ticket'] as const).filter((k) => row.want[k]);
      assert.deepEqual(missingRequirements(req, nothing), wantMissing);
      // Bringing everything meets every requirement (approval is not the caller's to bring).
      assert.deepEqual(missingRequirements(req, everything), []);
    });
  }

  test('missingRequirements: each fact on its own', () => {
    const req: ActivationRequirements = { mfa: true, justification: true, ticket: true, approval: false, maximumDuration: 'PT8H' };
    const cases: Array<[string, { mfaVerified: boolean; justification: string | undefined; ticketNumber: string | undefined }, string[]]> = [
      ['all brought', everything, []],
      ['no MFA', { ...everything, mfaVerified: false }, ['mfa']],
      ['no justification', { ...everything, justification: undefined }, ['justification']],
      ['empty justification', { ...everything, justification: '' }, ['justification']],
      ['blank justification', { ...everything, justification: ' \t\n ' }, ['justification']],
      ['no ticket', { ...everything, ticketNumber: undefined }, ['ticket']],
      ['blank ticket', { ...everything, ticketNumber: '   ' }, ['ticket']],
      ['only MFA', { mfaVerified: true, justification: undefined, ticketNumber: undefined }, ['justification', 'ticket']],
      ['nothing', nothing, ['mfa', 'justification', 'ticket']],
    ];
    for (const [name, given, want] of cases) assert.deepEqual(missingRequirements(req, given), want, name);
  });

  test('missingRequirements: requirements that are off never go missing', () => {
    const none: ActivationRequirements = { mfa: false, justification: false, ticket: false, approval: true, maximumDuration: 'PT8H' };
    assert.deepEqual(missingRequirements(none, nothing), []);
    assert.deepEqual(missingRequirements(none, { mfaVerified: false, justification: '  ', ticketNumber: '' }), []);
  });
});

describe('validatePolicy', () => {
  const fourStages = [stage(['a']), stage(['b']), stage(['c']), stage(['d'])];
  const bad: Array<{ name: string; patch: DeepPartial<RolePolicy>; code: string }> = [
    // Activation maximum: 30 minutes to 24 hours.
    { name: 'activation PT29M', patch: { activation: { maximumDuration: 'PT29M' } }, code: 'policy.duration_out_of_range' },
    { name: 'activation PT29M59S', patch: { activation: { maximumDuration: 'PT29M59S' } }, code: 'policy.duration_out_of_range' },
    { name: 'activation PT24H1M', patch: { activation: { maximumDuration: 'PT24H1M' } }, code: 'policy.duration_out_of_range' },
    { name: 'activation P1DT1S', patch: { activation: { maximumDuration: 'P1DT0H0M1S' } }, code: 'policy.duration_out_of_range' },
    { name: 'activation PT0S', patch: { activation: { maximumDuration: 'PT0S' } }, code: 'policy.duration_out_of_range' },
    { name: 'activation P2D', patch: { activation: { maximumDuration: 'P2D' } }, code: 'policy.duration_out_of_range' },
    { name: 'activation "8 hours"', patch: { activation: { maximumDuration: '8 hours' } }, code: 'policy.duration_invalid' },
    { name: 'activation empty', patch: { activation: { maximumDuration: '' } }, code: 'policy.duration_invalid' },
    { name: 'activation PT', patch: { activation: { maximumDuration: 'PT' } }, code: 'policy.duration_invalid' },
    { name: 'activation P1M (months refused)', patch: { activation: { maximumDuration: 'P1M' } }, code: 'policy.duration_invalid' },
    // Assignment caps: 1 to 3650 days.
    { name: 'eligible PT23H59M', patch: { assignment: { eligible: { maximumDuration: 'PT23H59M' } } }, code: 'policy.duration_out_of_range' },
    { name: 'eligible P3651D', patch: { assignment: { eligible: { maximumDuration: 'P3651D' } } }, code: 'policy.duration_out_of_range' },
    { name: 'eligible P3650DT1M', patch: { assignment: { eligible: { maximumDuration: 'P3650DT1M' } } }, code: 'policy.duration_out_of_range' },
    { name: 'eligible P1Y', patch: { assignment: { eligible: { maximumDuration: 'P1Y' } } }, code: 'policy.duration_invalid' },
    { name: 'active PT12H', patch: { assignment: { active: { maximumDuration: 'PT12H' } } }, code: 'policy.duration_out_of_range' },
    { name: 'active P522W (3654 days)', patch: { assignment: { active: { maximumDuration: 'P522W' } } }, code: 'policy.duration_out_of_range' },
    { name: 'active "180 days"', patch: { assignment: { active: { maximumDuration: '180 days' } } }, code: 'policy.duration_invalid' },
    // Authentication context.
    { name: 'auth context on, no claim', patch: { activation: { authenticationContext: { enabled: true, claimValue: null } } }, code: 'policy.authentication_context_required' },
    { name: 'auth context on, empty claim', patch: { activation: { authenticationContext: { enabled: true, claimValue: '' } } }, code: 'policy.authentication_context_required' },
    // Stages.
    { name: 'four stages', patch: { activation: { approvalStages: fourStages } }, code: 'policy.too_many_stages' },
    { name: 'stage without approvers', patch: { activation: { approvalStages: [stage([])] } }, code: 'policy.approvers_required' },
    { name: 'second stage without approvers', patch: { activation: { approvalStages: [stage(['a']), stage([])] } }, code: 'policy.approvers_required' },
    { name: '101 approvers', patch: { activation: { approvalStages: [stage(Array.from({ length: 101 }, (_, i) => `u${i}`))] } }, code: 'policy.too_many_approvers' },
    { name: 'requiredApprovals 0', patch: { activation: { approvalStages: [stage(['a'], 0)] } }, code: 'policy.required_approvals_invalid' },
    { name: 'requiredApprovals -1', patch: { activation: { approvalStages: [stage(['a'], -1)] } }, code: 'policy.required_approvals_invalid' },
    { name: 'requiredApprovals 1.5', patch: { activation: { approvalStages: [stage(['a', 'b'], 1.5)] } }, code: 'policy.required_approvals_invalid' },
    { name: 'requiredApprovals NaN', patch: { activation: { approvalStages: [stage(['a'], Number.NaN)] } }, code: 'policy.required_approvals_invalid' },
    { name: 'escalation without approvers', patch: { activation: { approvalStages: [stage(['a'], 1, { afterMinutes: 60, approvers: [] })] } }, code: 'policy.approvers_required' },
    { name: 'escalation after 4 minutes', patch: { activation: { approvalStages: [stage(['a'], 1, { afterMinutes: 4, approvers: [user('e')] })] } }, code: 'policy.duration_out_of_range' },
    { name: 'escalation after 1441 minutes', patch: { activation: { approvalStages: [stage(['a'], 1, { afterMinutes: 1441, approvers: [user('e')] })] } }, code: 'policy.duration_out_of_range' },
    { name: 'escalation after 0 minutes', patch: { activation: { approvalStages: [stage(['a'], 1, { afterMinutes: 0, approvers: [user('e')] })] } }, code: 'policy.duration_out_of_range' },
    // Notifications.
    { name: 'additional recipients on the activation-approver row', patch: { notifications: { activated: { approver: { additionalRecipients: ['boss@example.com'] } } } }, code: 'policy.additional_recipients_not_allowed' },
  ];
  for (const row of bad) {
    test(`refuses ${row.name} with ${row.code}`, () => {
      assert.throws(() => validatePolicy(policyWith(row.patch)), domainError(row.code, 'Invalid'));
    });
  }

  test('duration errors name the field and the bounds', () => {
    assert.throws(() => validatePolicy(policyWith({ assignment: { active: { maximumDuration: 'P3651D' } } })), (e: unknown) =>
      e instanceof DomainError && e.code === 'policy.duration_out_of_range'
      && e.details.field === 'assignment.active.maximumDuration' && e.details.minimumMs === DAY_MS && e.details.maximumMs === 3650 * DAY_MS);
    assert.throws(() => validatePolicy(policyWith({ activation: { maximumDuration: 'soon' } })), (e: unknown) =>
      e instanceof DomainError && e.code === 'policy.duration_invalid' && e.details.field === 'activation.maximumDuration' && e.details.value === 'soon');
  });

  const good: Array<{ name: string; patch: DeepPartial<RolePolicy> }> = [
    { name: 'activation PT30M (lower bound)', patch: { activation: { maximumDuration: 'PT30M' } } },
    { name: 'activation PT24H (upper bound)', patch: { activation: { maximumDuration: 'PT24H' } } },
    { name: 'activation P1D (= 24 hours)', patch: { activation: { maximumDuration: 'P1D' } } },
    { name: 'activation PT1H45M', patch: { activation: { maximumDuration: 'PT1H45M' } } },
    { name: 'eligible P1D (lower bound)', patch: { assignment: { eligible: { maximumDuration: 'P1D' } } } },
    { name: 'eligible PT24H (= 1 day)', patch: { assignment: { eligible: { maximumDuration: 'PT24H' } } } },
    { name: 'eligible P3650D (upper bound)', patch: { assignment: { eligible: { maximumDuration: 'P3650D' } } } },
    { name: 'active P1D', patch: { assignment: { active: { maximumDuration: 'P1D' } } } },
    { name: 'active P3650D', patch: { assignment: { active: { maximumDuration: 'P3650D' } } } },
    { name: 'active P52W', patch: { assignment: { active: { permanentAllowed: false, maximumDuration: 'P52W' } } } },
    { name: 'auth context on with a claim', patch: { activation: { authenticationContext: { enabled: true, claimValue: 'c1' } } } },
    { name: 'auth context off without a claim', patch: { activation: { authenticationContext: { enabled: false, claimValue: null } } } },
    { name: 'approval with no stages (default approvers)', patch: { activation: { requireApproval: true, approvalStages: [] } } },
    { name: 'three stages', patch: { activation: { requireApproval: true, approvalStages: [stage(['a']), stage(['b']), stage(['c'])] } } },
    { name: '100 approvers', patch: { activation: { approvalStages: [stage(Array.from({ length: 100 }, (_, i) => `u${i}`))] } } },
    { name: 'requiredApprovals 2', patch: { activation: { approvalStages: [stage(['a', 'b'], 2)] } } },
    { name: 'group approvers', patch: { activation: { approvalStages: [{ approvers: [{ type: 'group', id: 'g1' }], requiredApprovals: 1, escalation: null }] } } },
    { name: 'escalation after 5 minutes (lower bound)', patch: { activation: { approvalStages: [stage(['a'], 1, { afterMinutes: 5, approvers: [user('e')] })] } } },
    { name: 'escalation after 1440 minutes (upper bound)', patch: { activation: { approvalStages: [stage(['a'], 1, { afterMinutes: 1440, approvers: [user('e')] })] } } },
    { name: 'additional recipients on other rows', patch: { notifications: { activated: { admin: { additionalRecipients: ['sec@example.com'] }, assignee: { additionalRecipients: ['a@example.com'] } }, eligibleAssigned: { approver: { additionalRecipients: ['b@example.com'] } } } } },
  ];
  for (const row of good) {
    test(`accepts ${row.name}`, () => {
      const p = policyWith(row.patch);
      assert.doesNotThrow(() => validatePolicy(p));
      // validatePolicy is a check, not a normaliser: it leaves the policy as it was.
      assert.deepEqual(p, policyWith(row.patch));
    });
  }
});

describe('mergePolicy', () => {
  const base = (): RolePolicy => policyWith({
    activation: { approvalStages: [stage(['a']), stage(['b'], 1, { afterMinutes: 30, approvers: [user('e')] })], authenticationContext: { enabled: true, claimValue: 'c1' } },
    notifications: { activated: { admin: { additionalRecipients: ['x@example.com', 'y@example.com'] } } },
  });

  test('objects merge key by key: the untouched siblings keep their values', () => {
    const b = base();
    const out = mergePolicy(b, { activation: { requireTicket: true }, assignment: { active: { maximumDuration: 'P30D' } } });
    const want = structuredClone(b);
    want.activation.requireTicket = true;
    want.assignment.active.maximumDuration = 'P30D';
    assert.deepEqual(out, want);
  });

  test('deeply nested objects merge too', () => {
    const out = mergePolicy(base(), { activation: { authenticationContext: { enabled: false } }, notifications: { activated: { admin: { criticalOnly: true } } } });
    assert.deepEqual(out.activation.authenticationContext, { enabled: false, claimValue: 'c1' });
    assert.deepEqual(out.notifications.activated.admin, { defaultRecipients: true, additionalRecipients: ['x@example.com', 'y@example.com'], criticalOnly: true });
    assert.deepEqual(out.notifications.activated.assignee, base().notifications.activated.assignee);
  });

  const arrayCases: Array<{ name: string; patch: DeepPartial<RolePolicy>; read: (p: RolePolicy) => unknown; want: unknown }> = [
    { name: 'a shorter stage list replaces the longer one', patch: { activation: { approvalStages: [stage(['z'], 2)] } }, read: (p) => p.activation.approvalStages, want: [stage(['z'], 2)] },
    { name: 'an empty stage list clears the stages', patch: { activation: { approvalStages: [] } }, read: (p) => p.activation.approvalStages, want: [] },
    { name: 'recipients are replaced, not appended', patch: { notifications: { activated: { admin: { additionalRecipients: ['z@example.com'] } } } }, read: (p) => p.notifications.activated.admin.additionalRecipients, want: ['z@example.com'] },
    { name: 'an empty recipient list clears it', patch: { notifications: { activated: { admin: { additionalRecipients: [] } } } }, read: (p) => p.notifications.activated.admin.additionalRecipients, want: [] },
  ];
  for (const c of arrayCases) {
    test(`arrays replace: ${c.name}`, () => assert.deepEqual(c.read(mergePolicy(base(), c.patch)), c.want));
  }

  test('a replaced array is not merged element by element', () => {
    // Patching stage 1 alone must not keep stage 1's old escalation or stage 2.
    const out = mergePolicy(base(), { activation: { approvalStages: [stage(['q'])] } });
    assert.equal(out.activation.approvalStages.length, 1);
    assert.equal(out.activation.approvalStages[0]!.escalation, null);
  });

  test('scalars replace, null replaces, undefined leaves the value', () => {
    const out = mergePolicy(base(), { activation: { maximumDuration: 'PT1H', requireMfa: undefined, authenticationContext: { claimValue: null } } });
    assert.equal(out.activation.maximumDuration, 'PT1H');
    assert.equal(out.activation.requireMfa, true);
    assert.equal(out.activation.authenticationContext.claimValue, null);
    assert.equal(out.activation.authenticationContext.enabled, true);
  });

  test('an empty patch gives an equal policy', () => {
    assert.deepEqual(mergePolicy(base(), {}), base());
  });

  test('the base is not mutated', () => {
    const b = base();
    const before = structuredClone(b);
    const out = mergePolicy(b, {
      activation: { requireApproval: true, approvalStages: [], authenticationContext: { claimValue: 'c9' } },
      assignment: { eligible: { permanentAllowed: false } },
      notifications: { activated: { admin: { additionalRecipients: [], criticalOnly: true } } },
    });
    assert.deepEqual(b, before);
    assert.notEqual(out, b);
    assert.notEqual(out.activation, b.activation);
    assert.equal(out.activation.requireApproval, true);
    assert.equal(b.activation.requireApproval, false);
  });

  test('patches compose: later patches win, earlier ones stay', () => {
    const once = mergePolicy(mergePolicy(defaultPolicy(), { activation: { requireTicket: true, maximumDuration: 'PT2H' } }), { activation: { maximumDuration: 'PT4H' } });
    assert.equal(once.activation.requireTicket, true);
    assert.equal(once.activation.maximumDuration, 'PT4H');
  });
});

// ───────────────────────────── approval ─────────────────────────────

const T0 = 1_700_000_000_000;
const WINDOW = 24 * HOUR_MS;

const pending = (over: Partial<ApprovalState> = {}): ApprovalState => ({
  status: 'PendingApproval', stage: 0, stageStartedAt: T0, expiresAt: T0 + WINDOW, parties: ['requester', 'principal'], decisions: [], ...over,
});
const resolved = (approvers: string[], escalationApprovers: string[] = []): ResolvedStage =>
  ({ approvers: new Set(approvers), escalationApprovers: new Set(escalationApprovers) });
const approve = (stageIndex: number, approverId: string): Decision => ({ stage: stageIndex, approverId, decision: 'approve' });

interface DecisionInput { approverId: string; decision: 'approve' | 'deny'; justification: string | undefined; justificationRequired: boolean; at: number }
const decide = (over: Partial<DecisionInput> = {}): DecisionInput =>
  ({ approverId: 'alice', decision: 'approve', justification: 'looks right', justificationRequired: true, at: T0 + MINUTE_MS, ...over });

describe('applyDecision: the request state machine', () => {
  const one = [stage(['alice', 'bob'])];
  const two = [stage(['alice', 'bob'], 2)];
  const three = [stage(['alice', 'bob', 'carol'], 3)];
  const twoStages = [stage(['alice', 'bob']), stage(['carol', 'dave'])];
  const escalating = [stage(['alice'], 1, { afterMinutes: 30, approvers: [user('erin')] })];

  type Case = {
    name: string; state?: Partial<ApprovalState>; stages: ApprovalStage[]; resolved: ResolvedStage; decision?: Partial<DecisionInput>;
  } & ({ want: Outcome } | { code: string; kind: ErrorKind });

  const cases: Case[] = [
    // Outcomes.
    { name: 'deny → denied', stages: one, resolved: resolved(['alice', 'bob']), decision: { decision: 'deny' }, want: { kind: 'denied' } },
    { name: 'approve with requiredApprovals 1 → approved', stages: one, resolved: resolved(['alice', 'bob']), want: { kind: 'approved' } },
    { name: 'requiredApprovals 2, first approval → pending', stages: two, resolved: resolved(['alice', 'bob']), want: { kind: 'pending', stage: 0, approvalsNeeded: 1 } },
    { name: 'requiredApprovals 2, second approval → approved', state: { decisions: [approve(0, 'bob')] }, stages: two, resolved: resolved(['alice', 'bob']), want: { kind: 'approved' } },
    { name: 'requiredApprovals 3, first approval → pending, 2 needed', stages: three, resolved: resolved(['alice', 'bob', 'carol']), want: { kind: 'pending', stage: 0, approvalsNeeded: 2 } },
    { name: 'requiredApprovals 3, second approval → pending, 1 needed', state: { decisions: [approve(0, 'carol')] }, stages: three, resolved: resolved(['alice', 'bob', 'carol']), want: { kind: 'pending', stage: 0, approvalsNeeded: 1 } },
    { name: 'requiredApprovals 2, deny after one approval → denied', state: { decisions: [approve(0, 'bob')] }, stages: two, resolved: resolved(['alice', 'bob']), decision: { decision: 'deny' }, want: { kind: 'denied' } },
    { name: '2 stages, stage 1 approved → nextStage 1', stages: twoStages, resolved: resolved(['alice', 'bob']), want: { kind: 'nextStage', stage: 1 } },
    { name: '2 stages, stage 2 approved → approved', state: { stage: 1, stageStartedAt: T0 + HOUR_MS, decisions: [approve(0, 'alice')] }, stages: twoStages, resolved: resolved(['carol', 'dave']), decision: { approverId: 'carol', at: T0 + 2 * HOUR_MS }, want: { kind: 'approved' } },
    { name: '2 stages, deny at stage 2 → denied', state: { stage: 1, decisions: [approve(0, 'alice')] }, stages: twoStages, resolved: resolved(['carol', 'dave']), decision: { approverId: 'dave', decision: 'deny' }, want: { kind: 'denied' } },
    { name: 'stage-1 approvals do not count toward a stage-2 quorum', state: { stage: 1, decisions: [approve(0, 'alice'), approve(0, 'bob')] }, stages: [stage(['alice', 'bob'], 2), stage(['carol', 'dave'], 2)], resolved: resolved(['carol', 'dave']), decision: { approverId: 'carol' }, want: { kind: 'pending', stage: 1, approvalsNeeded: 1 } },
    { name: 'a deny recorded earlier does not count as an approval', state: { decisions: [{ stage: 0, approverId: 'bob', decision: 'deny' }] }, stages: two, resolved: resolved(['alice', 'bob']), want: { kind: 'pending', stage: 0, approvalsNeeded: 1 } },
    // Refusals.
    { name: 'the requester cannot approve their own request', state: { parties: ['alice', 'principal'] }, stages: one, resolved: resolved(['alice', 'bob']), code: 'request.self_approval', kind: 'Forbidden' },
    { name: 'the principal the request is for cannot approve it', state: { parties: ['requester', 'alice'] }, stages: one, resolved: resolved(['alice', 'bob']), code: 'request.self_approval', kind: 'Forbidden' },
    { name: 'a party cannot deny either', state: { parties: ['alice'] }, stages: one, resolved: resolved(['alice']), decision: { decision: 'deny' }, code: 'request.self_approval', kind: 'Forbidden' },
    { name: 'someone who is not an approver', stages: one, resolved: resolved(['alice', 'bob']), decision: { approverId: 'mallory' }, code: 'request.not_an_approver', kind: 'Forbidden' },
    { name: 'a stage-2 approver deciding stage 1', stages: twoStages, resolved: resolved(['alice', 'bob']), decision: { approverId: 'carol' }, code: 'request.not_an_approver', kind: 'Forbidden' },
    { name: 'the same person approving twice in one stage', state: { decisions: [approve(0, 'alice')] }, stages: two, resolved: resolved(['alice', 'bob']), code: 'request.already_decided_by_you', kind: 'Conflict' },
    { name: 'the same person approving a second stage', state: { stage: 1, decisions: [approve(0, 'alice')] }, stages: [stage(['alice']), stage(['alice', 'bob'])], resolved: resolved(['alice', 'bob']), code: 'request.already_decided_by_you', kind: 'Conflict' },
    { name: 'at expiresAt exactly', stages: one, resolved: resolved(['alice']), decision: { at: T0 + WINDOW }, code: 'request.expired', kind: 'Conflict' },
    { name: 'after expiresAt', stages: one, resolved: resolved(['alice']), decision: { at: T0 + WINDOW + DAY_MS }, code: 'request.expired', kind: 'Conflict' },
    { name: 'justification required, none given', stages: one, resolved: resolved(['alice']), decision: { justification: undefined }, code: 'request.justification_required', kind: 'Invalid' },
    { name: 'justification required, blank given', stages: one, resolved: resolved(['alice']), decision: { justification: '  \n ' }, code: 'request.justification_required', kind: 'Invalid' },
    { name: 'justification required on a deny too', stages: one, resolved: resolved(['alice']), decision: { decision: 'deny', justification: '' }, code: 'request.justification_required', kind: 'Invalid' },
    { name: 'a request whose stage index is past the last stage', state: { stage: 1 }, stages: one, resolved: resolved(['alice']), code: 'request.already_decided', kind: 'Conflict' },
    // Boundaries that pass.
    { name: 'one millisecond before expiresAt is still in time', stages: one, resolved: resolved(['alice']), decision: { at: T0 + WINDOW - 1 }, want: { kind: 'approved' } },
    { name: 'justification not required, none given → fine', stages: one, resolved: resolved(['alice']), decision: { justification: undefined, justificationRequired: false }, want: { kind: 'approved' } },
    { name: 'justification not required, blank given → fine', stages: one, resolved: resolved(['alice']), decision: { justification: ' ', justificationRequired: false, decision: 'deny' }, want: { kind: 'denied' } },
    // Escalation.
    { name: 'escalation approver before the escalation is due', stages: escalating, resolved: resolved(['alice'], ['erin']), decision: { approverId: 'erin', at: T0 + 30 * MINUTE_MS - 1 }, code: 'request.not_an_approver', kind: 'Forbidden' },
    { name: 'escalation approver exactly when it is due', stages: escalating, resolved: resolved(['alice'], ['erin']), decision: { approverId: 'erin', at: T0 + 30 * MINUTE_MS }, want: { kind: 'approved' } },
    { name: 'escalation approver well after it is due', stages: escalating, resolved: resolved(['alice'], ['erin']), decision: { approverId: 'erin', at: T0 + 20 * HOUR_MS }, want: { kind: 'approved' } },
    { name: 'the regular approver stays entitled after escalation', stages: escalating, resolved: resolved(['alice'], ['erin']), decision: { at: T0 + 20 * HOUR_MS }, want: { kind: 'approved' } },
    { name: 'escalation counts from the stage start, not the request', state: { stage: 1, stageStartedAt: T0 + 10 * HOUR_MS, decisions: [approve(0, 'bob')] }, stages: [stage(['bob']), ...escalating], resolved: resolved(['alice'], ['erin']), decision: { approverId: 'erin', at: T0 + 10 * HOUR_MS + 29 * MINUTE_MS }, code: 'request.not_an_approver', kind: 'Forbidden' },
    { name: 'escalation at stage 2, due from its own start', state: { stage: 1, stageStartedAt: T0 + 10 * HOUR_MS, decisions: [approve(0, 'bob')] }, stages: [stage(['bob']), ...escalating], resolved: resolved(['alice'], ['erin']), decision: { approverId: 'erin', at: T0 + 10 * HOUR_MS + 30 * MINUTE_MS }, want: { kind: 'approved' } },
    { name: 'no escalation configured: resolved escalation approvers are never entitled', stages: one, resolved: resolved(['alice'], ['erin']), decision: { approverId: 'erin', at: T0 + 23 * HOUR_MS }, code: 'request.not_an_approver', kind: 'Forbidden' },
    { name: 'an escalation approver who is a party is refused as self-approval', state: { parties: ['erin'] }, stages: escalating, resolved: resolved(['alice'], ['erin']), decision: { approverId: 'erin', at: T0 + HOUR_MS }, code: 'request.self_approval', kind: 'Forbidden' },
    // Precedence.
    { name: 'expiry is reported before self-approval', state: { parties: ['alice'] }, stages: one, resolved: resolved(['alice']), decision: { at: T0 + WINDOW }, code: 'request.expired', kind: 'Conflict' },
    { name: 'not-an-approver is reported before a missing justification', stages: one, resolved: resolved(['alice']), decision: { approverId: 'mallory', justification: undefined }, code: 'request.not_an_approver', kind: 'Forbidden' },
    { name: 'already-decided-by-you is reported before a missing justification', state: { decisions: [approve(0, 'alice')] }, stages: two, resolved: resolved(['alice', 'bob']), decision: { justification: '' }, code: 'request.already_decided_by_you', kind: 'Conflict' },
  ];

  for (const c of cases) {
    test(c.name, () => {
      const s = pending(c.state);
      const before = structuredClone({ ...s, parties: [...s.parties], decisions: [...s.decisions] });
      const run = () => applyDecision(s, c.stages, c.resolved, decide(c.decision));
      if ('want' in c) assert.deepEqual(run(), c.want);
      else assert.throws(run, domainError(c.code, c.kind));
      assert.deepEqual({ ...s, parties: [...s.parties], decisions: [...s.decisions] }, before, 'applyDecision does not mutate the state');
    });
  }

  test('any status other than PendingApproval → request.already_decided, even after expiry', () => {
    for (const status of ['Granted', 'Provisioned', 'Denied', 'Canceled', 'Revoked', 'Failed']) {
      for (const at of [T0 + MINUTE_MS, T0 + WINDOW + 1]) {
        assert.throws(() => applyDecision(pending({ status }), [stage(['alice'])], resolved(['alice']), decide({ at })), domainError('request.already_decided', 'Conflict'), `${status} at ${at}`);
      }
    }
  });

  test('two approvers, one after the other, reach approval only with the second', () => {
    const stages = [stage(['alice', 'bob'], 2)];
    const r = resolved(['alice', 'bob']);
    const first = applyDecision(pending(), stages, r, decide({ approverId: 'alice' }));
    assert.deepEqual(first, { kind: 'pending', stage: 0, approvalsNeeded: 1 });
    const second = applyDecision(pending({ decisions: [approve(0, 'alice')] }), stages, r, decide({ approverId: 'bob', at: T0 + 2 * MINUTE_MS }));
    assert.deepEqual(second, { kind: 'approved' });
    assert.throws(() => applyDecision(pending({ decisions: [approve(0, 'alice')] }), stages, r, decide({ approverId: 'alice' })), domainError('request.already_decided_by_you'));
  });
});

describe('entitled, escalationDue, isExpired', () => {
  const esc = stage(['alice'], 1, { afterMinutes: 60, approvers: [user('erin')] });
  const plain = stage(['alice']);

  test('escalationDue: only with an escalation, from stageStartedAt + afterMinutes', () => {
    const table: Array<[ApprovalStage, number, boolean]> = [
      [plain, T0, false], [plain, T0 + 100 * DAY_MS, false],
      [esc, T0, false], [esc, T0 + 60 * MINUTE_MS - 1, false], [esc, T0 + 60 * MINUTE_MS, true], [esc, T0 + DAY_MS, true],
    ];
    for (const [st, at, want] of table) assert.equal(escalationDue(st, T0, at), want, `${st.escalation === null ? 'plain' : 'escalating'} at +${at - T0}ms`);
  });

  test('entitled: approvers, plus escalation approvers once due, minus the parties', () => {
    const r = resolved(['alice', 'bob', 'requester'], ['erin', 'principal']);
    const s = pending({ parties: ['requester', 'principal'] });
    assert.deepEqual(entitled(s, esc, r, T0 + 59 * MINUTE_MS), new Set(['alice', 'bob']));
    assert.deepEqual(entitled(s, esc, r, T0 + 60 * MINUTE_MS), new Set(['alice', 'bob', 'erin']));
    assert.deepEqual(entitled(s, plain, r, T0 + DAY_MS), new Set(['alice', 'bob']));
  });

  test('entitled does not modify the resolved sets', () => {
    const r = resolved(['alice', 'requester'], ['erin']);
    entitled(pending(), esc, r, T0 + DAY_MS);
    assert.deepEqual(r.approvers, new Set(['alice', 'requester']));
    assert.deepEqual(r.escalationApprovers, new Set(['erin']));
  });

  test('isExpired: only a pending request, from expiresAt on', () => {
    const table: Array<[string, number, boolean]> = [
      ['PendingApproval', T0 + WINDOW - 1, false], ['PendingApproval', T0 + WINDOW, true], ['PendingApproval', T0 + WINDOW + 1, true],
      ['Denied', T0 + WINDOW + 1, false], ['Granted', T0 + WINDOW, false], ['Canceled', T0 + 2 * WINDOW, false],
    ];
    for (const [status, at, want] of table) assert.equal(isExpired(pending({ status }), at), want, `${status} at +${at - T0}ms`);
  });
});

describe('grantedWindow', () => {
  const table: Array<{ name: string; requested: { startAt: number; endAt: number }; approvedAt: number; eligibilityEnd: number | null; want: { startAt: number; endAt: number } }> = [
    { name: 'approved before the requested start: the requested window as is', requested: { startAt: T0 + 2 * HOUR_MS, endAt: T0 + 4 * HOUR_MS }, approvedAt: T0, eligibilityEnd: null, want: { startAt: T0 + 2 * HOUR_MS, endAt: T0 + 4 * HOUR_MS } },
    { name: 'approved exactly at the requested start', requested: { startAt: T0, endAt: T0 + HOUR_MS }, approvedAt: T0, eligibilityEnd: null, want: { startAt: T0, endAt: T0 + HOUR_MS } },
    { name: 'approved after the requested start: starts at approval, keeps its length', requested: { startAt: T0, endAt: T0 + 2 * HOUR_MS }, approvedAt: T0 + 30 * MINUTE_MS, eligibilityEnd: null, want: { startAt: T0 + 30 * MINUTE_MS, endAt: T0 + 150 * MINUTE_MS } },
    { name: 'approved after the requested end: still the full length', requested: { startAt: T0, endAt: T0 + HOUR_MS }, approvedAt: T0 + 5 * HOUR_MS, eligibilityEnd: null, want: { startAt: T0 + 5 * HOUR_MS, endAt: T0 + 6 * HOUR_MS } },
    { name: 'capped by the eligibility end', requested: { startAt: T0, endAt: T0 + 8 * HOUR_MS }, approvedAt: T0 + HOUR_MS, eligibilityEnd: T0 + 3 * HOUR_MS, want: { startAt: T0 + HOUR_MS, endAt: T0 + 3 * HOUR_MS } },
    { name: 'an eligibility ending later does not shorten it', requested: { startAt: T0, endAt: T0 + 8 * HOUR_MS }, approvedAt: T0 + HOUR_MS, eligibilityEnd: T0 + DAY_MS, want: { startAt: T0 + HOUR_MS, endAt: T0 + 9 * HOUR_MS } },
    { name: 'an eligibility ending exactly at the window end', requested: { startAt: T0, endAt: T0 + 8 * HOUR_MS }, approvedAt: T0, eligibilityEnd: T0 + 8 * HOUR_MS, want: { startAt: T0, endAt: T0 + 8 * HOUR_MS } },
    { name: 'the cap applies to the shifted end, not the requested end', requested: { startAt: T0, endAt: T0 + 8 * HOUR_MS }, approvedAt: T0 + 2 * HOUR_MS, eligibilityEnd: T0 + 9 * HOUR_MS, want: { startAt: T0 + 2 * HOUR_MS, endAt: T0 + 9 * HOUR_MS } },
    { name: 'null eligibility end: no cap, even for a long window', requested: { startAt: T0, endAt: T0 + 24 * HOUR_MS }, approvedAt: T0 + 100 * DAY_MS, eligibilityEnd: null, want: { startAt: T0 + 100 * DAY_MS, endAt: T0 + 100 * DAY_MS + 24 * HOUR_MS } },
  ];
  for (const c of table) {
    test(c.name, () => {
      const requested = { ...c.requested };
      const got = grantedWindow(requested, c.approvedAt, c.eligibilityEnd);
      assert.deepEqual(got, c.want);
      assert.ok(got.startAt >= c.approvedAt, 'never starts before approval');
      assert.ok(got.endAt - got.startAt <= c.requested.endAt - c.requested.startAt, 'never longer than requested');
      if (c.eligibilityEnd !== null) assert.ok(got.endAt <= c.eligibilityEnd, 'never outlives the eligibility');
      assert.deepEqual(requested, c.requested, 'the request is not mutated');
    });
  }
});

import { ApiError, messageOf } from '../../api.ts';

/** The steps of the Add assignments wizard. */
export type WizardStep = 'members' | 'setting' | 'justification';
export const STEPS: Array<{ key: WizardStep; label: string }> = [
  { key: 'members', label: 'Members' },
  { key: 'setting', label: 'Setting' },
  { key: 'justification', label: 'Justification' },
];

const MEMBER_CODES = new Set(['schedule.group_not_role_assignable', 'schedule.principal_type_not_allowed', 'schedule.already_exists']);

/** Which step an API refusal belongs to, by its stable code (or, for schema errors, the field). */
export function stepOfError(err: unknown): WizardStep | null {
  if (!(err instanceof ApiError)) return null;
  const c = err.code;
  if (c.startsWith('principal.') || c.startsWith('group.') || MEMBER_CODES.has(c)) return 'members';
  if (c === 'policy.justification_required' || c === 'policy.ticket_required') return 'justification';
  if (c.startsWith('schedule.') || c.startsWith('scope.') || c.startsWith('policy.duration')) return 'setting';
  if (c === 'request.invalid' && Array.isArray(err.details.problems)) {
    const first: unknown = err.details.problems[0];
    const path = typeof first === 'object' && first !== null && 'path' in first && typeof first.path === 'string' ? first.path : '';
    if (path.startsWith('body/justification') || path.startsWith('body/ticket')) return 'justification';
    if (path.startsWith('body/schedule') || path.startsWith('body/scope')) return 'setting';
    if (path.startsWith('body/principalId')) return 'members';
  }
  return null;
}

/** The API's message, with the limit it names when there is one. */
export function explain(err: unknown): string {
  const msg = messageOf(err);
  if (err instanceof ApiError && typeof err.details.maximumDays === 'number') return `${msg} At most ${err.details.maximumDays} days.`;
  return msg;
}

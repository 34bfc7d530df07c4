/**
 * Role settings as GET/PATCH /api/v1/roles/{id}/settings carry them: the contract's type, the
 * one the server's domain uses too. The 17 rules of PIM-REFERENCE §2.4 in the portal's three tabs.
 */
export type { ApprovalStage, ApproverRef, AssignmentKindRules, NotificationRow, NotificationSection, RolePolicy } from '../../src/contract/policy.ts';

export type SettingsTab = 'activation' | 'assignment' | 'notification';

/** "P365D" → 365; other shapes (PT…) → whole days rounded up, at least 1. */
export function isoDays(iso: string): number {
  const m = /^P(\d+)D$/.exec(iso);
  if (m !== null) return Number(m[1]);
  const w = /^P(\d+)W$/.exec(iso);
  return w !== null ? Number(w[1]) * 7 : 1;
}

/** "PT5H" → 5, "PT1H30M" → 1.5 (hours, as the Activation tab shows them). */
export function isoHours(iso: string): number {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?$/.exec(iso);
  if (m === null) return 8;
  return Number(m[1] ?? 0) + Number(m[2] ?? 0) / 60;
}

/** 5 → "PT5H", 1.5 → "PT1H30M"; the API checks the range (30 minutes to 24 hours). */
export function hoursIso(hours: number): string {
  const total = Math.round(hours * 60);
  const h = Math.floor(total / 60);
  const m = total % 60;
  return `PT${h > 0 ? `${h}H` : ''}${m > 0 || h === 0 ? `${m}M` : ''}`;
}

/** Which tab an API error about the settings belongs to (by the field it names, else its code). */
export function tabOfError(code: string, field: unknown): SettingsTab | null {
  if (typeof field === 'string') {
    if (field.startsWith('assignment.')) return 'assignment';
    if (field.startsWith('notifications.')) return 'notification';
    if (field.startsWith('activation.')) return 'activation';
  }
  if (code === 'policy.additional_recipients_not_allowed' || code === 'policy.too_many_recipients') return 'notification';
  if (code.startsWith('policy.')) return 'activation';
  return null;
}

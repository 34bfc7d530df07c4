import { MESSAGES, type MessageKind } from './mail-messages.ts';
import type { NotificationRow, RolePolicy } from './policy.ts';

/**
 * Who is mailed for an event: PIM-REFERENCE §2.3. Each message belongs to one cell of the
 * role's 3 × 3 notification matrix (section × recipient row); the cell decides whether the
 * default recipients get it, which additional addresses do, and whether only action-required
 * (critical) mail goes out. One event mails at most `maxRecipients` addresses.
 */
export type Section = keyof RolePolicy['notifications'];
export type Audience = 'admin' | 'assignee' | 'approver';

/** One message of an event, before the role's settings are applied. */
export interface Intended {
  kind: MessageKind;
  section: Section;
  audience: Audience;
  /** The default recipients' addresses for this message (resolved by the caller). */
  defaults: readonly string[];
}

export interface PlannedMail {
  kind: MessageKind;
  audience: Audience;
  critical: boolean;
  to: string[];
}

/** The section an assignment of this kind belongs to. */
export const assignedSection = (kind: 'eligible' | 'active'): Section => (kind === 'active' ? 'activeAssigned' : 'eligibleAssigned');

const normal = (a: string) => a.trim().toLowerCase();

export function planMails(intended: readonly Intended[], policy: RolePolicy, maxRecipients: number): PlannedMail[] {
  const out: PlannedMail[] = [];
  let budget = maxRecipients;
  for (const m of intended) {
    const row: NotificationRow = policy.notifications[m.section][m.audience];
    const critical = MESSAGES[m.kind].critical;
    if (row.criticalOnly && !critical) continue;
    // Approval requests go to the designated approvers only (§2.3: no additional recipients there).
    const extra = m.kind === 'approval.requested' ? [] : row.additionalRecipients;
    const seen = new Set<string>();
    const to: string[] = [];
    for (const a of [...(row.defaultRecipients ? m.defaults : []), ...extra]) {
      const key = normal(a);
      if (key === '' || seen.has(key) || budget <= 0) continue;
      seen.add(key);
      to.push(a.trim());
      budget--;
    }
    if (to.length > 0) out.push({ kind: m.kind, audience: m.audience, critical, to });
  }
  return out;
}

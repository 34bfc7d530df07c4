import type { NotificationRow, NotificationSection, RolePolicy } from '../../../policy.ts';

type Notifications = RolePolicy['notifications'];
type SectionKey = keyof Notifications;
type RowKey = keyof NotificationSection;

/** The 3 × 3 matrix of PIM-REFERENCE §2.3 (rules 9–17), with Entra's own wording. */
const SECTIONS: Array<{ key: SectionKey; title: string; rows: Array<[RowKey, string, string]> }> = [
  { key: 'eligibleAssigned', title: 'Send notifications when members are assigned as eligible to this role', rows: [
    ['admin', 'Admin', 'Role assignment alert'], ['assignee', 'Assignee', 'Notification to the assigned user (assignee)'], ['approver', 'Approver', 'Request to approve a role assignment renewal/extension'],
  ] },
  { key: 'activeAssigned', title: 'Send notifications when members are assigned as active to this role', rows: [
    ['admin', 'Admin', 'Role assignment alert'], ['assignee', 'Assignee', 'Notification to the assigned user (assignee)'], ['approver', 'Approver', 'Request to approve a role assignment renewal/extension'],
  ] },
  { key: 'activated', title: 'Send notifications when eligible members activate this role', rows: [
    ['admin', 'Admin', 'Role activation alert'], ['assignee', 'Requestor', 'Notification to activated user (requestor)'], ['approver', 'Approver', 'Request to approve an activation'],
  ] },
];

export const recipientKey = (s: SectionKey, r: RowKey) => `${s}.${r}`;

/** "a@x; b@y" as the API wants it: a list of addresses. */
export const parseRecipients = (text: string) => text.split(/[;,\s]+/).map((t) => t.trim()).filter((t) => t !== '');

export function recipientTexts(n: Notifications): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of SECTIONS) for (const [r] of s.rows) out[recipientKey(s.key, r)] = n[s.key][r].additionalRecipients.join('; ');
  return out;
}

export function NotificationTab({ value, texts, onChange, onText }: {
  value: Notifications; texts: Record<string, string>; onChange: (n: Notifications) => void; onText: (key: string, text: string) => void;
}) {
  const set = (s: SectionKey, r: RowKey, patch: Partial<NotificationRow>) => onChange({ ...value, [s]: { ...value[s], [r]: { ...value[s][r], ...patch } } });
  return (
    <div className="stack">
      <p className="hint">Additional recipients: e-mail addresses separated by semicolons. “Critical emails only” keeps the mails that ask for an action and drops the informational ones.</p>
      {SECTIONS.map((s) => (
        <table key={s.key} className="list matrix">
          <caption>{s.title}</caption>
          <thead><tr><th scope="col">Type</th><th scope="col">Default recipients</th><th scope="col">Additional recipients</th><th scope="col">Critical emails only</th></tr></thead>
          <tbody>
            {s.rows.map(([r, type, name]) => {
              const row = value[s.key][r];
              const label = `${s.title.replace('Send notifications when ', '')}: ${name}`;
              const closed = s.key === 'activated' && r === 'approver';
              return (
                <tr key={r}>
                  <th scope="row" data-label="Type">{type}: {name}</th>
                  <td data-label="Default recipients">
                    <input type="checkbox" aria-label={`${label} — default recipients`} checked={row.defaultRecipients} onChange={(e) => set(s.key, r, { defaultRecipients: e.target.checked })} />
                  </td>
                  <td data-label="Additional recipients">
                    {closed
                      ? <span className="muted">Only the designated approvers</span>
                      : <input type="text" aria-label={`${label} — additional recipients`} value={texts[recipientKey(s.key, r)] ?? ''} placeholder="name@example.com; …" onChange={(e) => onText(recipientKey(s.key, r), e.target.value)} />}
                  </td>
                  <td data-label="Critical emails only">
                    <input type="checkbox" aria-label={`${label} — critical emails only`} checked={row.criticalOnly} onChange={(e) => set(s.key, r, { criticalOnly: e.target.checked })} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ))}
    </div>
  );
}

import { forbidden } from '../domain/errors.ts';
import type { ServiceContext } from './context.ts';
import { iso } from './mappers.ts';
import { inTransaction } from './transaction.ts';

export interface MailPreferences { informationalMail: boolean; updatedAt: string | null }

function me(ctx: ServiceContext): string {
  if (ctx.actor.type !== 'user' || ctx.actor.id === null) throw forbidden('preferences.users_only', 'Only users receive mail.');
  return ctx.actor.id;
}

export async function getMailPreferences(ctx: ServiceContext): Promise<MailPreferences> {
  const row = await ctx.db.selectFrom('mail_preferences').selectAll().where('user_id', '=', me(ctx)).executeTakeFirst();
  return { informationalMail: row === undefined || row.informational === 1, updatedAt: row ? iso(row.updated_at) : null };
}

/**
 * A user may turn off informational mail (alerts, notices, reminders). Mail that asks them to
 * act — approval requests addressed to them — is not theirs to turn off: an approver who hears
 * nothing would leave requesters waiting.
 */
export async function setMailPreferences(ctx: ServiceContext, informationalMail: boolean): Promise<MailPreferences> {
  const userId = me(ctx);
  await inTransaction(ctx, async (tx) => {
    await tx.db.deleteFrom('mail_preferences').where('user_id', '=', userId).execute();
    await tx.db.insertInto('mail_preferences').values({ user_id: userId, informational: informationalMail ? 1 : 0, updated_at: tx.nowMs }).execute();
    await tx.audit({ action: 'preferences.mail_changed', targetType: 'user', targetId: userId, after: { informationalMail } });
  });
  return getMailPreferences(ctx);
}

/** Addresses (lower-case) of users who turned informational mail off, among `addresses`. */
export async function optedOutAddresses(db: ServiceContext['db'], addresses: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  if (addresses.length === 0) return out;
  const rows = await db.selectFrom('mail_preferences as p').innerJoin('users as u', 'u.id', 'p.user_id')
    .select(['u.mail', 'u.user_principal_name']).where('p.informational', '=', 0).execute();
  for (const r of rows) out.add((r.mail ?? r.user_principal_name).toLowerCase());
  return out;
}

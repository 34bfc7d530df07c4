import type { CreateRequest } from '../contract/requests.ts';
import { forbidden, invalid } from '../domain/errors.ts';
import type { ServiceContext } from './context.ts';

/** Self actions are made by a principal for itself: users, and service principals through their own token. */
export function assertSelf(ctx: ServiceContext, input: CreateRequest): 'user' | 'servicePrincipal' {
  const a = ctx.actor;
  if ((a.type !== 'user' && a.type !== 'servicePrincipal') || a.id === null) throw forbidden('request.not_self', 'Only a user or service principal can make self requests.');
  if (input.principalId !== a.id) {
    throw forbidden('request.not_self', `${input.action} is made by the principal for itself: principalId must be your own id. Administrators use the admin actions.`, { principalId: input.principalId });
  }
  if (input.kind !== undefined && input.kind !== 'active' && input.action !== 'selfExtend' && input.action !== 'selfRenew') {
    throw invalid('request.kind_invalid', 'Activation is always of kind active.', { kind: input.kind });
  }
  return a.type;
}

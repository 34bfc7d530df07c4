import type { CreateRequest, PimRequest } from '../contract/requests.ts';
import { DomainError, type ErrorKind } from '../domain/errors.ts';
import type { ServiceContext } from './context.ts';
import { withRequestMfa } from './sign-in.ts';
import { submitRequest } from './submit-request.ts';

export interface ItemResult {
  index: number;
  request?: PimRequest;
  error?: { kind: ErrorKind | 'Internal'; code: string; message: string; details: Record<string, unknown> };
}

/**
 * Several requests in one call (PIM-REFERENCE §3.6: users script multi-role activation; here
 * it is built in). Each is checked and committed on its own, in order, exactly as if posted
 * alone: one refusal does not undo the others, and the answer lists every outcome.
 */
export async function submitBatch(outer: ServiceContext, requests: readonly CreateRequest[], mfa?: { totp: string }): Promise<ItemResult[]> {
  // One code for the whole batch: verified once, it counts for every item.
  const ctx = mfa !== undefined ? await withRequestMfa(outer, mfa.totp) : outer;
  const out: ItemResult[] = [];
  for (const [index, input] of requests.entries()) {
    try {
      out.push({ index, request: await submitRequest(ctx, input) });
    } catch (err) {
      if (err instanceof DomainError) {
        out.push({ index, error: { kind: err.kind, code: err.code, message: err.message, details: err.details } });
      } else {
        ctx.log.error({ err, index }, 'batch item failed');
        out.push({ index, error: { kind: 'Internal', code: 'internal', message: 'Internal error.', details: {} } });
      }
    }
  }
  return out;
}

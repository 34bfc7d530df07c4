import { IdParams } from '../../contract/common.ts';
import { AccessQuery, CheckBatchInput, CheckBatchResult, CheckInput, CheckResult, EffectiveAccess } from '../../contract/check.ts';
import { check, checkBatch, effectiveAccess } from '../../services/check-access.ts';
import type { App } from '../types.ts';
import { CHECK_CALLER, CHECK_OR_READER } from './access.ts';

export function checkRoutes(app: App): void {
  const tags = ['check'];
  // Per-caller limit; runs after authentication so the key is the token, not the address.
  const rateLimit = { max: app.pimConfig.checkRateLimitPerMinute, timeWindow: '1 minute', hook: 'preHandler' as const };
  app.post('/api/v1/check', {
    config: { access: CHECK_CALLER, rateLimit },
    schema: { tags, summary: 'Does this principal hold this role (or a role with this permission) at this scope now (or at `at`)?', body: CheckInput, response: { 200: CheckResult } },
  }, (req) => check(req.ctx, req.body));
  app.post('/api/v1/check/batch', {
    config: { access: CHECK_CALLER, rateLimit },
    schema: { tags, summary: 'Up to 1,000 checks in one call', body: CheckBatchInput, response: { 200: CheckBatchResult } },
  }, async (req) => ({ results: await checkBatch(req.ctx, req.body.checks) }));
  app.get('/api/v1/principals/:id/access', {
    config: { access: CHECK_OR_READER, rateLimit },
    schema: { tags, summary: 'Effective roles of a principal at an instant (time travel to a past instant)', params: IdParams, querystring: AccessQuery, response: { 200: EffectiveAccess } },
  }, (req) => effectiveAccess(req.ctx, req.params.id, req.query.at));
}

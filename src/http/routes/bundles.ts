import { Type } from 'typebox';
import { IdParams } from '../../contract/common.ts';
import { ActivateBundle, BatchRequestsInput, BatchResults, Bundle, CreateBundle, UpdateBundle } from '../../contract/requests.ts';
import { submitBatch, type ItemResult } from '../../services/request-batch.ts';
import { activateBundle, createBundle, deleteBundle, listBundles, updateBundle } from '../../services/role-bundles.ts';
import { statusOf } from '../errors.ts';
import type { App } from '../types.ts';
import { ANY_USER } from './access.ts';

function results(items: ItemResult[]): BatchResults {
  return {
    results: items.map((r) => r.request !== undefined
      ? { index: r.index, status: r.request.validateOnly ? 200 : 201, request: r.request }
      : { index: r.index, status: r.error === undefined || r.error.kind === 'Internal' ? 500 : statusOf(r.error.kind), error: { code: r.error?.code ?? 'internal', message: r.error?.message ?? 'Internal error.', details: r.error?.details ?? {} } }),
  };
}

export function bundleRoutes(app: App): void {
  app.post('/api/v1/requests/batch', {
    config: { access: ANY_USER },
    schema: {
      tags: ['requests'], summary: 'Several requests in one call (e.g. activate several roles): each is checked and committed on its own',
      description: 'The answer is 200 with one result per request, in order, each with the status it would have had alone.',
      body: BatchRequestsInput, response: { 200: BatchResults },
    },
  }, async (req) => results(await submitBatch(req.ctx, req.body.requests, req.body.mfa)));

  const tags = ['bundles'];
  app.get('/api/v1/me/bundles', { config: { access: ANY_USER }, schema: { tags, summary: 'My role bundles ("my usual set")', response: { 200: Type.Object({ items: Type.Array(Bundle) }, { additionalProperties: false }) } } },
    (req) => listBundles(req.ctx));
  app.post('/api/v1/me/bundles', { config: { access: ANY_USER }, schema: { tags, summary: 'Save a role bundle', body: CreateBundle, response: { 201: Bundle } } },
    async (req, reply) => reply.status(201).send(await createBundle(req.ctx, req.body)));
  app.patch('/api/v1/me/bundles/:id', { config: { access: ANY_USER }, schema: { tags, summary: 'Change a role bundle', params: IdParams, body: UpdateBundle, response: { 200: Bundle } } },
    (req) => updateBundle(req.ctx, req.params.id, req.body));
  app.delete('/api/v1/me/bundles/:id', { config: { access: ANY_USER }, schema: { tags, summary: 'Delete a role bundle', params: IdParams, response: { 204: Type.Null() } } },
    async (req, reply) => { await deleteBundle(req.ctx, req.params.id); return reply.status(204).send(null); });
  app.post('/api/v1/me/bundles/:id/activate', {
    config: { access: ANY_USER },
    schema: { tags, summary: 'Activate every role of a bundle (same duration, justification, ticket); each is checked on its own', params: IdParams, body: ActivateBundle, response: { 200: BatchResults } },
  }, async (req) => results(await activateBundle(req.ctx, req.params.id, req.body)));
}

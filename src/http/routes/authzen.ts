import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TSchema } from 'typebox';
import {
  ActionSearchRequest, ActionSearchResponse, Decision, EntitySearchResponse, EvaluationRequest, EvaluationsRequest, EvaluationsResponse,
  PdpMetadata, ResourceSearchRequest, SubjectSearchRequest,
} from '../../contract/authzen.ts';
import { invalid } from '../../domain/errors.ts';
import { evaluate, evaluateMany, pdpMetadata } from '../../services/authzen.ts';
import { searchActions, searchResources, searchSubjects } from '../../services/authzen-search.ts';
import type { App } from '../types.ts';
import { CHECK_CALLER, PUBLIC } from './access.ts';

interface AjvProblem { instancePath?: string; keyword?: string; message?: string; params?: Record<string, unknown> }

/**
 * AuthZEN bodies are validated like any other, but the failure is reported here (attachValidation)
 * so it carries an `authzen.*` code; the spec asks for 400 when a required attribute is missing.
 */
function rejectInvalid(req: FastifyRequest): void {
  const err = req.validationError;
  if (err === undefined) return;
  const problems = ((err.validation ?? []) as AjvProblem[]).slice(0, 20).map((v) => ({
    path: `body${v.instancePath ?? ''}`,
    problem: v.keyword === 'required' ? `missing required field "${String(v.params?.missingProperty)}"` : (v.message ?? v.keyword ?? 'invalid'),
  }));
  throw invalid('authzen.invalid_request', `The AuthZEN request is not valid: ${problems.map((p) => `${p.path} ${p.problem}`).join('; ')}`.slice(0, 1000), { problems });
}

// The spec: a PEP-supplied X-Request-ID MUST come back on the response (errors included, so this is an onSend hook).
const REQUEST_ID = /^[\x21-\x7e]{1,200}$/;
function echoRequestId(req: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void): void {
  const id = req.headers['x-request-id'];
  if (typeof id === 'string' && REQUEST_ID.test(id)) void reply.header('x-request-id', id);
  done(null, payload);
}

export function authzenRoutes(app: App): void {
  const tags = ['authzen'];
  // The same per-caller limit as the check API: AuthZEN is the same decision point in another dialect.
  const rateLimit = { max: app.pimConfig.checkRateLimitPerMinute, timeWindow: '1 minute', hook: 'preHandler' as const };
  const pdp = <B extends TSchema, R extends TSchema>(summary: string, body: B, response: R) => ({
    config: { access: CHECK_CALLER, rateLimit },
    attachValidation: true,
    onSend: echoRequestId,
    schema: { tags, summary, body, response: { 200: response } },
  });

  app.post('/access/v1/evaluation', pdp('AuthZEN Access Evaluation: may this subject perform this action on this resource?', EvaluationRequest, Decision),
    (req) => { rejectInvalid(req); return evaluate(req.ctx, req.body); });
  app.post('/access/v1/evaluations', pdp('AuthZEN Access Evaluations: up to 1,000 evaluations with defaults and short-circuit semantics', EvaluationsRequest, EvaluationsResponse),
    (req) => { rejectInvalid(req); return evaluateMany(req.ctx, req.body); });
  app.post('/access/v1/search/subject', pdp('AuthZEN Subject Search: who may perform this action on this resource now?', SubjectSearchRequest, EntitySearchResponse),
    (req) => { rejectInvalid(req); return searchSubjects(req.ctx, req.body); });
  app.post('/access/v1/search/resource', pdp('AuthZEN Resource Search: on which resources of this type may the subject perform the action?', ResourceSearchRequest, EntitySearchResponse),
    (req) => { rejectInvalid(req); return searchResources(req.ctx, req.body); });
  app.post('/access/v1/search/action', pdp('AuthZEN Action Search: what may the subject do on this resource?', ActionSearchRequest, ActionSearchResponse),
    (req) => { rejectInvalid(req); return searchActions(req.ctx, req.body); });
  app.get('/.well-known/authzen-configuration', {
    config: { access: PUBLIC },
    schema: { tags, summary: 'AuthZEN Policy Decision Point metadata', response: { 200: PdpMetadata } },
  }, () => pdpMetadata(app.pimConfig.publicUrl));
}

import type { FastifyError, FastifyInstance } from 'fastify';
import { DomainError, type ErrorKind } from '../domain/errors.ts';

const STATUS: Record<ErrorKind, number> = {
  Invalid: 400, Unauthenticated: 401, Forbidden: 403, NotFound: 404, Conflict: 409, TooLarge: 413, RateLimited: 429, Unavailable: 503,
};

interface AjvError { instancePath?: string; keyword?: string; message?: string; params?: Record<string, unknown> }

export function statusOf(kind: ErrorKind): number {
  return STATUS[kind];
}

/** The one place that turns errors into HTTP: domain kinds to statuses, everything else to a bare 500. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError & { validation?: AjvError[]; validationContext?: string }, req, reply) => {
    if (err instanceof DomainError) {
      return reply.status(STATUS[err.kind]).send({ error: { code: err.code, message: err.message, details: err.details } });
    }
    if (err.validation) {
      const problems = err.validation.slice(0, 20).map((v) => ({
        path: `${err.validationContext ?? 'body'}${v.instancePath ?? ''}`,
        problem: v.keyword === 'additionalProperties' ? `unknown field "${String(v.params?.additionalProperty)}"` : (v.message ?? v.keyword ?? 'invalid'),
      }));
      const unknownField = err.validation.some((v) => v.keyword === 'additionalProperties');
      return reply.status(400).send({
        error: {
          code: unknownField ? 'request.unknown_field' : 'request.invalid',
          message: `The request is not valid: ${problems.map((p) => `${p.path} ${p.problem}`).join('; ')}`.slice(0, 1000),
          details: { problems },
        },
      });
    }
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status === 429) return reply.status(429).send({ error: { code: 'request.rate_limited', message: 'Too many requests: slow down and retry later.', details: {} } });
    if (status >= 400 && status < 500) {
      const code = err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError ? 'request.malformed_json'
        : err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'request.too_large'
        : err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'request.unsupported_media_type'
        : err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'request.empty_body'
        : 'request.invalid';
      return reply.status(status).send({ error: { code, message: code === 'request.malformed_json' ? 'The body is not valid JSON.' : err.message.slice(0, 300), details: {} } });
    }
    req.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ error: { code: 'internal', message: 'Internal error. Quote this request id to your operator.', details: { requestId: req.id } } });
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send({
    error: { code: 'route.not_found', message: `No route ${req.method} ${req.url.split('?')[0] ?? ''}`.slice(0, 300), details: {} },
  }));
}

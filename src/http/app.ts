import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyReply, type FastifySchema } from 'fastify';
import { ErrorBody } from '../contract/common.ts';
import { authenticateBearer } from '../services/authenticate.ts';
import { authorize } from '../services/authorize.ts';
import { authenticateSession, checkCsrf } from '../services/sessions.ts';
import { headerText, sessionCookieName } from './session-cookies.ts';
import { withActor, type Deps, type ServiceContext } from '../services/context.ts';
import { installErrorHandling } from './errors.ts';
import { clockedRateLimitStore } from './rate-limit-store.ts';
import { registerRoutes } from './routes/index.ts';
import type { App, RouteInfo } from './types.ts';

export type { App } from './types.ts';


// ajv-formats is CommonJS with a default export; under ESM interop the function sits on .default.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

/**
 * Bodies are validated strictly (no type coercion, unknown fields rejected, never silently
 * removed); query strings and path params are text by nature, so they are coerced.
 */
function validators() {
  const strict = addFormats(new Ajv({ allErrors: true, coerceTypes: false, removeAdditional: false, useDefaults: true, strict: false }));
  const coercing = addFormats(new Ajv({ allErrors: true, coerceTypes: 'array', removeAdditional: false, useDefaults: true, strict: false }));
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema);
}

export const BODY_LIMIT = 1024 * 1024;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Trust the nearest `n` proxies (Fastify's types take the count as a function). */
const hopsTrusted = (n: number) => (_address: string, hop: number): boolean => hop < n;

export async function buildApp(deps: Deps): Promise<App> {
  // Typed as Fastify's logger interface so the app's generics stay the plain ones.
  const logger: FastifyBaseLogger = deps.log;
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: BODY_LIMIT,
    // Client addresses feed the sign-in throttle and the audit: believe only configured proxies.
    trustProxy: typeof deps.config.trustProxy === 'number' ? hopsTrusted(deps.config.trustProxy) : deps.config.trustProxy,
    // Per-request log lines only when debugging: the check API serves thousands a second.
    logController: new LogController({ disableRequestLogging: deps.config.logLevel !== 'debug' && deps.config.logLevel !== 'trace' }),
    ajv: {},
    genReqId: () => deps.ids.uuid(),
    // Errors the router raises before any route runs (a badly encoded URL): the same error
    // shape as everything else, not Fastify's own body.
    frameworkErrors: (err, _req, reply) => {
      // The hook's reply is typed per route generics; here no route exists yet, so the plain reply type is the true one.
      void (reply as unknown as FastifyReply).status(400).send({ error: { code: 'request.invalid', message: `The request URL is not valid: ${err.message}`.slice(0, 300), details: {} } });
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validators());
  app.decorate('pimConfig', deps.config);
  app.decorate('routeTable', [] as RouteInfo[]);
  installErrorHandling(app);

  // A route cannot be mounted without saying who may call it; every route documents its errors.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/docs')) {
      route.config = { ...(route.config ?? {}), access: { kind: 'public' } };
      return;
    }
    if (route.config?.access === undefined) throw new Error(`route ${String(route.method)} ${route.url} declares no access`);
    const schema = (route.schema ?? {}) as FastifySchema & { response?: Record<string, unknown>; security?: unknown };
    if (schema.response) schema.response = { ...schema.response, '4xx': ErrorBody, '5xx': ErrorBody };
    if (route.config.access.kind !== 'public') schema.security = [{ bearer: [] }, { session: [] }];
    route.schema = schema;
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      app.routeTable.push({ method, url: route.url, access: route.config.access, hasBody: schema.body !== undefined, ...(schema.body !== undefined ? { bodySchema: schema.body } : {}) });
    }
  });

  // Cookies carry browser sessions; parsed before our own hook reads them.
  await app.register(cookie);
  app.decorateRequest('ctx', null as unknown as ServiceContext);
  // Authenticate and authorize before the body is even read: a caller who may not call a
  // route learns nothing from it (not even whether its body would parse).
  const sessionCookie = sessionCookieName(deps.config.publicUrl.startsWith('https:'));
  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config.access;
    if (access === undefined || access.kind === 'public') {
      req.ctx = withActor(deps, { id: null, type: 'anonymous', scopes: [], clientAddress: req.ip });
      return;
    }
    const session = req.cookies[sessionCookie];
    if ((req.headers.authorization === undefined || req.headers.authorization === '') && session !== undefined && session !== '') {
      const actor = await authenticateSession(deps, session, req.ip);
      // A cookie rides along on cross-site requests too: writes must prove they came from our page.
      if (!SAFE_METHODS.has(req.method) && actor.sessionId !== undefined) await checkCsrf(deps, actor.sessionId, headerText(req.headers['x-csrf-token']));
      req.ctx = withActor(deps, actor);
    } else {
      req.ctx = withActor(deps, await authenticateBearer(deps, req.headers.authorization, req.ip));
    }
    await authorize(req.ctx, access, `${req.method} ${req.routeOptions.url ?? ''}`);
  });

  await app.register(rateLimit, {
    global: false,
    store: clockedRateLimitStore(deps.clock),
    // Per credential (a token, or a signed-in session: people behind one NAT are not one caller); the address only for anonymous calls.
    keyGenerator: (req) => req.ctx.actor.tokenId ?? (req.ctx.actor.sessionId !== undefined ? `session:${req.ctx.actor.sessionId}` : req.ip),
    errorResponseBuilder: (_req, ctx) => ({ statusCode: 429, error: { code: 'request.rate_limited', message: `Rate limit exceeded: retry in ${ctx.after}.`, details: { limit: ctx.max } } }),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'openpim API', version: '1', description: 'Privileged Identity Management: directory, roles, schedules, requests, the check API and audit.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token (pim_…)' }, session: { type: 'apiKey', in: 'cookie', name: sessionCookie, description: 'A browser session from POST /api/v1/auth/sign-in; writes also need the x-csrf-token header' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  registerRoutes(app);
  app.get('/api/v1/openapi.json', { config: { access: { kind: 'public' } }, schema: { hide: true } }, () => app.swagger());
  return app;
}

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../types.ts';
import { PUBLIC } from './access.ts';

/** The built web portal (`npm run build:web`, run by npm install and npm start). */
export const WEB_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/** Paths the portal never answers for: the APIs keep their JSON 404s. */
const NOT_PORTAL = /^\/(api|access|graph|\.well-known)(\/|$)/;

/**
 * The portal loads only its own files: no inline script or style, nothing from elsewhere, never
 * framed (clickjacking). img-src allows data: for the TOTP enrolment QR code.
 */
export const PORTAL_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'", "connect-src 'self'",
  "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

function securityHeaders(reply: FastifyReply): void {
  reply.header('content-security-policy', PORTAL_CSP);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-frame-options', 'DENY');
  reply.header('cross-origin-opener-policy', 'same-origin');
  reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=()');
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>openpim: portal not built</title></head>
<body><h1>The web portal is not built</h1><p>The API works (see <a href="/api/docs">/api/docs</a>). To build the portal, run
<code>npm run build:web</code> in the openpim directory (<code>npm install</code> and <code>npm start</code> do it too), then reload this page.</p></body></html>\n`;

function sendIndex(reply: FastifyReply): FastifyReply {
  securityHeaders(reply);
  if (!existsSync(`${WEB_DIST}index.html`)) {
    // 404, not 5xx: the server is fine, the optional bundle is missing.
    return reply.status(404).type('text/html; charset=utf-8').send(NOT_BUILT);
  }
  // Never cached: a new build must reach browsers at once (its assets have hashed names).
  return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
}

/** The JSON 404 every other unknown path gets. */
function notFound(reply: FastifyReply): FastifyReply {
  reply.callNotFound();
  return reply;
}

function portalFile(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const raw = req.url.split('?')[0] ?? '/';
  let pathname: string;
  try { pathname = decodeURIComponent(raw); } catch { return notFound(reply); }
  if (NOT_PORTAL.test(pathname) || pathname.split('/').some((s) => s.startsWith('.'))) return notFound(reply);
  const last = pathname.slice(pathname.lastIndexOf('/') + 1);
  if (last.includes('.')) {
    // A file of the bundle: hashed assets are immutable, others (favicon) revalidate.
    securityHeaders(reply);
    const hashed = pathname.startsWith('/assets/');
    return reply.sendFile(raw.slice(1), hashed ? { maxAge: '365d', immutable: true } : { maxAge: 0 });
  }
  // A deep link (/requests/…, /approvals): the app routes it in the browser.
  if ((req.headers.accept ?? '').includes('text/html')) return sendIndex(reply);
  return notFound(reply);
}

/** Serves the single-page portal at / with a fallback to index.html for its deep links. */
export function portalRoutes(app: App): void {
  void app.register(async (portal) => {
    // serve: false — only reply.sendFile; our own routes below declare their access.
    await portal.register(fastifyStatic, { root: WEB_DIST, serve: false, suppressWarning: true, index: false, dotfiles: 'ignore' });
    const schema = { hide: true };
    portal.get('/', { config: { access: PUBLIC }, schema }, (_req, reply) => sendIndex(reply));
    portal.get('/*', { config: { access: PUBLIC }, schema }, (req, reply) => portalFile(req, reply));
  });
}
